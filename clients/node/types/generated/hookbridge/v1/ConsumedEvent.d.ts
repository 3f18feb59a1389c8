import type { Event as _hookbridge_v1_Event, Event__Output as _hookbridge_v1_Event__Output } from '../../hookbridge/v1/Event';
export interface ConsumedEvent {
    'event'?: (_hookbridge_v1_Event | null);
    /**
     * 1 for the first delivery of this event to this consumer.
     */
    'delivery_attempt'?: (number);
}
export interface ConsumedEvent__Output {
    'event': (_hookbridge_v1_Event__Output | null);
    /**
     * 1 for the first delivery of this event to this consumer.
     */
    'delivery_attempt': (number);
}
