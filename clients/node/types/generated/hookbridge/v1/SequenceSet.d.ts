import type { SequenceRange as _hookbridge_v1_SequenceRange, SequenceRange__Output as _hookbridge_v1_SequenceRange__Output } from '../../hookbridge/v1/SequenceRange';
import type { Long } from '@grpc/proto-loader';
export interface SequenceSet {
    'sequences'?: (number | string | Long)[];
    'ranges'?: (_hookbridge_v1_SequenceRange)[];
}
export interface SequenceSet__Output {
    'sequences': (string)[];
    'ranges': (_hookbridge_v1_SequenceRange__Output)[];
}
