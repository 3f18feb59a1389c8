import type { SequenceRange as _hookbridge_v1_SequenceRange, SequenceRange__Output as _hookbridge_v1_SequenceRange__Output } from '../../hookbridge/v1/SequenceRange';
import type { Long } from '@grpc/proto-loader';
/**
 * Acknowledges events outstanding at this member: they are done and are
 * never delivered to this consumer again once the server confirms.
 */
export interface Acknowledge {
    'sequences'?: (number | string | Long)[];
    'ranges'?: (_hookbridge_v1_SequenceRange)[];
}
/**
 * Acknowledges events outstanding at this member: they are done and are
 * never delivered to this consumer again once the server confirms.
 */
export interface Acknowledge__Output {
    'sequences': (string)[];
    'ranges': (_hookbridge_v1_SequenceRange__Output)[];
}
