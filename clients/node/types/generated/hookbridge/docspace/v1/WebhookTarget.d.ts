/**
 * The entity a webhook is restricted to ("Target ID" in DocSpace).
 */
export interface WebhookTarget {
    /**
     * The entity id: an entry id for files, folders and rooms, a GUID for
     * users and groups. For form.submit, the id of the original form.
     */
    'id'?: (string);
    /**
     * The trigger group of the delivery: "user", "group", "file", "folder",
     * "room", "form" or "agent".
     */
    'type'?: (string);
}
/**
 * The entity a webhook is restricted to ("Target ID" in DocSpace).
 */
export interface WebhookTarget__Output {
    /**
     * The entity id: an entry id for files, folders and rooms, a GUID for
     * users and groups. For form.submit, the id of the original form.
     */
    'id': (string);
    /**
     * The trigger group of the delivery: "user", "group", "file", "folder",
     * "room", "form" or "agent".
     */
    'type': (string);
}
