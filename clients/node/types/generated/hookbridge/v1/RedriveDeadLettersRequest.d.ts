import type { Long } from '@grpc/proto-loader';
/**
 * Delivers dead letters again as if new (their delivery counts restart).
 */
export interface RedriveDeadLettersRequest {
    'consumer'?: (string);
    /**
     * Empty: all of them.
     */
    'sequences'?: (number | string | Long)[];
}
/**
 * Delivers dead letters again as if new (their delivery counts restart).
 */
export interface RedriveDeadLettersRequest__Output {
    'consumer': (string);
    /**
     * Empty: all of them.
     */
    'sequences': (string)[];
}
