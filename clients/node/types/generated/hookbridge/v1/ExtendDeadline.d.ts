import type { Long } from '@grpc/proto-loader';
/**
 * Restarts the ack deadline of events outstanding at this member.
 */
export interface ExtendDeadline {
    'sequences'?: (number | string | Long)[];
}
/**
 * Restarts the ack deadline of events outstanding at this member.
 */
export interface ExtendDeadline__Output {
    'sequences': (string)[];
}
