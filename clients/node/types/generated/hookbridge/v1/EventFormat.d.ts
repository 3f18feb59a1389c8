/**
 * The form in which a Subscribe or Consume stream delivers events.
 */
export declare const EventFormat: {
    /**
     * The same as EVENT_FORMAT_HOOKBRIDGE.
     */
    readonly EVENT_FORMAT_UNSPECIFIED: "EVENT_FORMAT_UNSPECIFIED";
    /**
     * hookbridge.v1.Event: SubscribeResponse.events, ConsumedEvent.event.
     */
    readonly EVENT_FORMAT_HOOKBRIDGE: "EVENT_FORMAT_HOOKBRIDGE";
    /**
     * io.cloudevents.v1.CloudEvent, the CloudEvents protobuf format (spec
     * 1.0): SubscribeResponse.cloud_events, ConsumedEvent.cloud_event. The
     * event's sequence is its `sequence` extension attribute, a decimal
     * string zero-padded to 20 digits; docs/CLOUDEVENTS.md maps every
     * attribute.
     */
    readonly EVENT_FORMAT_CLOUDEVENTS: "EVENT_FORMAT_CLOUDEVENTS";
};
/**
 * The form in which a Subscribe or Consume stream delivers events.
 */
export type EventFormat = 
/**
 * The same as EVENT_FORMAT_HOOKBRIDGE.
 */
'EVENT_FORMAT_UNSPECIFIED' | 0
/**
 * hookbridge.v1.Event: SubscribeResponse.events, ConsumedEvent.event.
 */
 | 'EVENT_FORMAT_HOOKBRIDGE' | 1
/**
 * io.cloudevents.v1.CloudEvent, the CloudEvents protobuf format (spec
 * 1.0): SubscribeResponse.cloud_events, ConsumedEvent.cloud_event. The
 * event's sequence is its `sequence` extension attribute, a decimal
 * string zero-padded to 20 digits; docs/CLOUDEVENTS.md maps every
 * attribute.
 */
 | 'EVENT_FORMAT_CLOUDEVENTS' | 2;
/**
 * The form in which a Subscribe or Consume stream delivers events.
 */
export type EventFormat__Output = typeof EventFormat[keyof typeof EventFormat];
