import type { Event as _hookbridge_v1_Event, Event__Output as _hookbridge_v1_Event__Output } from '../../hookbridge/v1/Event';
import type { CloudEvent as _io_cloudevents_v1_CloudEvent, CloudEvent__Output as _io_cloudevents_v1_CloudEvent__Output } from '../../io/cloudevents/v1/CloudEvent';
export interface ConsumedEvent {
    /**
     * The event, unless the stream asked for CloudEvents.
     */
    'event'?: (_hookbridge_v1_Event | null);
    /**
     * 1 for the first delivery of this event to this consumer.
     */
    'delivery_attempt'?: (number);
    /**
     * Instead of `event` when the ConsumeStart's format is
     * EVENT_FORMAT_CLOUDEVENTS.
     */
    'cloud_event'?: (_io_cloudevents_v1_CloudEvent | null);
}
export interface ConsumedEvent__Output {
    /**
     * The event, unless the stream asked for CloudEvents.
     */
    'event': (_hookbridge_v1_Event__Output | null);
    /**
     * 1 for the first delivery of this event to this consumer.
     */
    'delivery_attempt': (number);
    /**
     * Instead of `event` when the ConsumeStart's format is
     * EVENT_FORMAT_CLOUDEVENTS.
     */
    'cloud_event': (_io_cloudevents_v1_CloudEvent__Output | null);
}
