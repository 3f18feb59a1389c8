/**
 * How a consumer orders the events of one subject.
 */
export declare const ConsumerOrdering: {
    /**
     * The same as CONSUMER_ORDERING_NONE.
     */
    readonly CONSUMER_ORDERING_UNSPECIFIED: "CONSUMER_ORDERING_UNSPECIFIED";
    /**
     * Events are handed out as members have room, in any order across the
     * group (each member still receives them in sequence order).
     */
    readonly CONSUMER_ORDERING_NONE: "CONSUMER_ORDERING_NONE";
    /**
     * Events with the same `subject` are delivered in sequence order and at
     * most one per subject is outstanding across the whole group; different
     * subjects proceed in parallel. Events without a subject are unordered.
     */
    readonly CONSUMER_ORDERING_PER_SUBJECT: "CONSUMER_ORDERING_PER_SUBJECT";
};
/**
 * How a consumer orders the events of one subject.
 */
export type ConsumerOrdering = 
/**
 * The same as CONSUMER_ORDERING_NONE.
 */
'CONSUMER_ORDERING_UNSPECIFIED' | 0
/**
 * Events are handed out as members have room, in any order across the
 * group (each member still receives them in sequence order).
 */
 | 'CONSUMER_ORDERING_NONE' | 1
/**
 * Events with the same `subject` are delivered in sequence order and at
 * most one per subject is outstanding across the whole group; different
 * subjects proceed in parallel. Events without a subject are unordered.
 */
 | 'CONSUMER_ORDERING_PER_SUBJECT' | 2;
/**
 * How a consumer orders the events of one subject.
 */
export type ConsumerOrdering__Output = typeof ConsumerOrdering[keyof typeof ConsumerOrdering];
