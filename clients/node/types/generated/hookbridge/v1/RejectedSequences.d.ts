import type { Long } from '@grpc/proto-loader';
export interface RejectedSequences {
    'sequences'?: (number | string | Long)[];
    'reason'?: (string);
}
export interface RejectedSequences__Output {
    'sequences': (string)[];
    'reason': (string);
}
