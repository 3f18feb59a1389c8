import type { Value as _google_protobuf_Value, Value__Output as _google_protobuf_Value__Output } from '../../../google/protobuf/Value';
export interface ProductVoted {
    'id'?: (string);
    /**
     * The vote, as sent: canD does not document its type.
     */
    'voted'?: (_google_protobuf_Value | null);
}
export interface ProductVoted__Output {
    'id': (string);
    /**
     * The vote, as sent: canD does not document its type.
     */
    'voted': (_google_protobuf_Value__Output | null);
}
