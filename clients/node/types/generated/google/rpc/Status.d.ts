import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../google/protobuf/Any';
export interface Status {
    /**
     * The status code, a value of google.rpc.Code (the gRPC codes).
     */
    'code'?: (number);
    /**
     * A developer-facing error message, in English.
     */
    'message'?: (string);
    /**
     * The error details, each a message such as ErrorInfo.
     */
    'details'?: (_google_protobuf_Any)[];
}
export interface Status__Output {
    /**
     * The status code, a value of google.rpc.Code (the gRPC codes).
     */
    'code': (number);
    /**
     * A developer-facing error message, in English.
     */
    'message': (string);
    /**
     * The error details, each a message such as ErrorInfo.
     */
    'details': (_google_protobuf_Any__Output)[];
}
