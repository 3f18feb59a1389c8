import type { CloudEvent as _io_cloudevents_v1_CloudEvent, CloudEvent__Output as _io_cloudevents_v1_CloudEvent__Output } from '../../../io/cloudevents/v1/CloudEvent';
export interface CloudEventBatch {
    'events'?: (_io_cloudevents_v1_CloudEvent)[];
}
export interface CloudEventBatch__Output {
    'events': (_io_cloudevents_v1_CloudEvent__Output)[];
}
