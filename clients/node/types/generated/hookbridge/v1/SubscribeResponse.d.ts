import type { Event as _hookbridge_v1_Event, Event__Output as _hookbridge_v1_Event__Output } from '../../hookbridge/v1/Event';
import type { Heartbeat as _hookbridge_v1_Heartbeat, Heartbeat__Output as _hookbridge_v1_Heartbeat__Output } from '../../hookbridge/v1/Heartbeat';
import type { Gap as _hookbridge_v1_Gap, Gap__Output as _hookbridge_v1_Gap__Output } from '../../hookbridge/v1/Gap';
import type { CloudEvent as _io_cloudevents_v1_CloudEvent, CloudEvent__Output as _io_cloudevents_v1_CloudEvent__Output } from '../../io/cloudevents/v1/CloudEvent';
/**
 * One message of a Subscribe stream: events, or a control message. A
 * response carries exactly one of `events`, `cloud_events`, `heartbeat` and
 * `gap`; clients skip a response with none of those they know, so new
 * control messages can be added.
 */
export interface SubscribeResponse {
    /**
     * Consecutive matching events, in sequence order: every one that was
     * ready when the response was sent, up to max_batch_events and, past the
     * first, about 1 MiB.
     */
    'events'?: (_hookbridge_v1_Event)[];
    /**
     * Sent when the stream has been idle for heartbeat_interval.
     */
    'heartbeat'?: (_hookbridge_v1_Heartbeat | null);
    /**
     * Only with allow_gaps: events that were evicted before this stream read
     * them.
     */
    'gap'?: (_hookbridge_v1_Gap | null);
    /**
     * Instead of `events` when the request's format is
     * EVENT_FORMAT_CLOUDEVENTS: the same events, batched the same way (the
     * size bound counts the CloudEvents), as CloudEvents.
     */
    'cloud_events'?: (_io_cloudevents_v1_CloudEvent)[];
}
/**
 * One message of a Subscribe stream: events, or a control message. A
 * response carries exactly one of `events`, `cloud_events`, `heartbeat` and
 * `gap`; clients skip a response with none of those they know, so new
 * control messages can be added.
 */
export interface SubscribeResponse__Output {
    /**
     * Consecutive matching events, in sequence order: every one that was
     * ready when the response was sent, up to max_batch_events and, past the
     * first, about 1 MiB.
     */
    'events': (_hookbridge_v1_Event__Output)[];
    /**
     * Sent when the stream has been idle for heartbeat_interval.
     */
    'heartbeat': (_hookbridge_v1_Heartbeat__Output | null);
    /**
     * Only with allow_gaps: events that were evicted before this stream read
     * them.
     */
    'gap': (_hookbridge_v1_Gap__Output | null);
    /**
     * Instead of `events` when the request's format is
     * EVENT_FORMAT_CLOUDEVENTS: the same events, batched the same way (the
     * size bound counts the CloudEvents), as CloudEvents.
     */
    'cloud_events': (_io_cloudevents_v1_CloudEvent__Output)[];
}
