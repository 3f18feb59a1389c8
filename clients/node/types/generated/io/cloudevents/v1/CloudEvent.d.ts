import type { Any as _google_protobuf_Any, Any__Output as _google_protobuf_Any__Output } from '../../../google/protobuf/Any';
import type { Timestamp as _google_protobuf_Timestamp, Timestamp__Output as _google_protobuf_Timestamp__Output } from '../../../google/protobuf/Timestamp';
export interface _io_cloudevents_v1_CloudEvent_CloudEventAttributeValue {
    'ce_boolean'?: (boolean);
    'ce_integer'?: (number);
    'ce_string'?: (string);
    'ce_bytes'?: (Buffer | Uint8Array | string);
    'ce_uri'?: (string);
    'ce_uri_ref'?: (string);
    'ce_timestamp'?: (_google_protobuf_Timestamp | null);
    'attr'?: "ce_boolean" | "ce_integer" | "ce_string" | "ce_bytes" | "ce_uri" | "ce_uri_ref" | "ce_timestamp";
}
export interface _io_cloudevents_v1_CloudEvent_CloudEventAttributeValue__Output {
    'ce_boolean'?: (boolean);
    'ce_integer'?: (number);
    'ce_string'?: (string);
    'ce_bytes'?: (Buffer);
    'ce_uri'?: (string);
    'ce_uri_ref'?: (string);
    'ce_timestamp'?: (_google_protobuf_Timestamp__Output | null);
    'attr'?: "ce_boolean" | "ce_integer" | "ce_string" | "ce_bytes" | "ce_uri" | "ce_uri_ref" | "ce_timestamp";
}
export interface CloudEvent {
    /**
     * Required Attributes
     */
    'id'?: (string);
    /**
     * URI-reference
     */
    'source'?: (string);
    'spec_version'?: (string);
    'type'?: (string);
    /**
     * Optional & Extension Attributes
     */
    'attributes'?: ({
        [key: string]: _io_cloudevents_v1_CloudEvent_CloudEventAttributeValue;
    });
    'binary_data'?: (Buffer | Uint8Array | string);
    'text_data'?: (string);
    'proto_data'?: (_google_protobuf_Any | null);
    /**
     * -- CloudEvent Data (Bytes, Text, or Proto)
     */
    'data'?: "binary_data" | "text_data" | "proto_data";
}
export interface CloudEvent__Output {
    /**
     * Required Attributes
     */
    'id': (string);
    /**
     * URI-reference
     */
    'source': (string);
    'spec_version': (string);
    'type': (string);
    /**
     * Optional & Extension Attributes
     */
    'attributes': ({
        [key: string]: _io_cloudevents_v1_CloudEvent_CloudEventAttributeValue__Output;
    });
    'binary_data'?: (Buffer);
    'text_data'?: (string);
    'proto_data'?: (_google_protobuf_Any__Output | null);
    /**
     * -- CloudEvent Data (Bytes, Text, or Proto)
     */
    'data'?: "binary_data" | "text_data" | "proto_data";
}
