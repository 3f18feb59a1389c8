import type { Long } from '@grpc/proto-loader';
/**
 * Inclusive range of sequences.
 */
export interface SequenceRange {
    'first'?: (number | string | Long);
    'last'?: (number | string | Long);
}
/**
 * Inclusive range of sequences.
 */
export interface SequenceRange__Output {
    'first': (string);
    'last': (string);
}
