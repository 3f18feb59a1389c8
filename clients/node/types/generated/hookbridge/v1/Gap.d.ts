import type { Long } from '@grpc/proto-loader';
/**
 * Sequences first_sequence..last_sequence (inclusive) were evicted before
 * this stream read them: those that matched the filter will never arrive.
 * The stream goes on after last_sequence.
 */
export interface Gap {
    'first_sequence'?: (number | string | Long);
    'last_sequence'?: (number | string | Long);
}
/**
 * Sequences first_sequence..last_sequence (inclusive) were evicted before
 * this stream read them: those that matched the filter will never arrive.
 * The stream goes on after last_sequence.
 */
export interface Gap__Output {
    'first_sequence': (string);
    'last_sequence': (string);
}
