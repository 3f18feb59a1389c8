import type { EventFormat as _hookbridge_v1_EventFormat, EventFormat__Output as _hookbridge_v1_EventFormat__Output } from '../../hookbridge/v1/EventFormat';
export interface ConsumeStart {
    'consumer'?: (string);
    /**
     * Names the member in metrics, logs and the console (e.g. the pod name).
     * Optional; the server makes one up without it.
     */
    'member_id'?: (string);
    /**
     * The form events arrive in: ConsumedEvent.event (the default) or, with
     * EVENT_FORMAT_CLOUDEVENTS, ConsumedEvent.cloud_event. Acknowledge by
     * sequence either way: a CloudEvent's is its `sequence` attribute.
     */
    'format'?: (_hookbridge_v1_EventFormat);
}
export interface ConsumeStart__Output {
    'consumer': (string);
    /**
     * Names the member in metrics, logs and the console (e.g. the pod name).
     * Optional; the server makes one up without it.
     */
    'member_id': (string);
    /**
     * The form events arrive in: ConsumedEvent.event (the default) or, with
     * EVENT_FORMAT_CLOUDEVENTS, ConsumedEvent.cloud_event. Acknowledge by
     * sequence either way: a CloudEvent's is its `sequence` attribute.
     */
    'format': (_hookbridge_v1_EventFormat__Output);
}
