import type { ConsumedEvent as _hookbridge_v1_ConsumedEvent, ConsumedEvent__Output as _hookbridge_v1_ConsumedEvent__Output } from '../../hookbridge/v1/ConsumedEvent';
import type { SequenceSet as _hookbridge_v1_SequenceSet, SequenceSet__Output as _hookbridge_v1_SequenceSet__Output } from '../../hookbridge/v1/SequenceSet';
import type { RejectedSequences as _hookbridge_v1_RejectedSequences, RejectedSequences__Output as _hookbridge_v1_RejectedSequences__Output } from '../../hookbridge/v1/RejectedSequences';
import type { Heartbeat as _hookbridge_v1_Heartbeat, Heartbeat__Output as _hookbridge_v1_Heartbeat__Output } from '../../hookbridge/v1/Heartbeat';
import type { Gap as _hookbridge_v1_Gap, Gap__Output as _hookbridge_v1_Gap__Output } from '../../hookbridge/v1/Gap';
/**
 * One message of a Consume stream: exactly one of the fields below.
 */
export interface ConsumeResponse {
    /**
     * Events handed to this member, in sequence order.
     */
    'events'?: (_hookbridge_v1_ConsumedEvent)[];
    /**
     * Acknowledgements now durable: these events are never delivered to this
     * consumer again, whatever happens to the server.
     */
    'acknowledged'?: (_hookbridge_v1_SequenceSet | null);
    /**
     * Acknowledgements, negative acknowledgements or extensions of events
     * not outstanding at this member (already acknowledged, redelivered to
     * another member after the deadline, or never delivered): ignored.
     */
    'rejected'?: (_hookbridge_v1_RejectedSequences | null);
    /**
     * Sent when the stream has been idle for the heartbeat interval; its
     * resume_after is the consumer's ack floor.
     */
    'heartbeat'?: (_hookbridge_v1_Heartbeat | null);
    /**
     * Matching events the log's retention removed before the consumer
     * acknowledged them.
     */
    'gap'?: (_hookbridge_v1_Gap | null);
}
/**
 * One message of a Consume stream: exactly one of the fields below.
 */
export interface ConsumeResponse__Output {
    /**
     * Events handed to this member, in sequence order.
     */
    'events': (_hookbridge_v1_ConsumedEvent__Output)[];
    /**
     * Acknowledgements now durable: these events are never delivered to this
     * consumer again, whatever happens to the server.
     */
    'acknowledged': (_hookbridge_v1_SequenceSet__Output | null);
    /**
     * Acknowledgements, negative acknowledgements or extensions of events
     * not outstanding at this member (already acknowledged, redelivered to
     * another member after the deadline, or never delivered): ignored.
     */
    'rejected': (_hookbridge_v1_RejectedSequences__Output | null);
    /**
     * Sent when the stream has been idle for the heartbeat interval; its
     * resume_after is the consumer's ack floor.
     */
    'heartbeat': (_hookbridge_v1_Heartbeat__Output | null);
    /**
     * Matching events the log's retention removed before the consumer
     * acknowledged them.
     */
    'gap': (_hookbridge_v1_Gap__Output | null);
}
