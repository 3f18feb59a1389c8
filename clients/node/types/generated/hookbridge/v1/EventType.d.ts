export interface EventType {
    /**
     * The event type as the provider sends it (Event.type).
     */
    'type'?: (string);
    /**
     * Full name of the message the payload arrives in, e.g.
     * "hookbridge.ckeditor.v1.CommentAdded".
     */
    'message'?: (string);
    /**
     * Path of the field, within Event, that holds it, e.g.
     * "ckeditor.comment_added".
     */
    'field'?: (string);
}
export interface EventType__Output {
    /**
     * The event type as the provider sends it (Event.type).
     */
    'type': (string);
    /**
     * Full name of the message the payload arrives in, e.g.
     * "hookbridge.ckeditor.v1.CommentAdded".
     */
    'message': (string);
    /**
     * Path of the field, within Event, that holds it, e.g.
     * "ckeditor.comment_added".
     */
    'field': (string);
}
