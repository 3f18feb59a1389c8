import type { Long } from '@grpc/proto-loader';
/**
 * Liveness and progress of an idle stream.
 */
export interface Heartbeat {
    /**
     * The log's last sequence when the heartbeat was sent: the stream is
     * head_sequence - resume_after events behind at most.
     */
    'head_sequence'?: (number | string | Long);
    /**
     * Every event up to this sequence that matches the filter has been
     * delivered: a cursor to store even when no event matched for a while.
     */
    'resume_after'?: (number | string | Long);
}
/**
 * Liveness and progress of an idle stream.
 */
export interface Heartbeat__Output {
    /**
     * The log's last sequence when the heartbeat was sent: the stream is
     * head_sequence - resume_after events behind at most.
     */
    'head_sequence': (string);
    /**
     * Every event up to this sequence that matches the filter has been
     * delivered: a cursor to store even when no event matched for a while.
     */
    'resume_after': (string);
}
