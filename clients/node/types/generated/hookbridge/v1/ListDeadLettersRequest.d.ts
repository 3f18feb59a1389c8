import type { Long } from '@grpc/proto-loader';
export interface ListDeadLettersRequest {
    'consumer'?: (string);
    /**
     * At most this many, oldest first (unset: 100).
     */
    'page_size'?: (number);
    /**
     * Dead letters with a sequence above this one.
     */
    'after_sequence'?: (number | string | Long);
}
export interface ListDeadLettersRequest__Output {
    'consumer': (string);
    /**
     * At most this many, oldest first (unset: 100).
     */
    'page_size': (number);
    /**
     * Dead letters with a sequence above this one.
     */
    'after_sequence': (string);
}
