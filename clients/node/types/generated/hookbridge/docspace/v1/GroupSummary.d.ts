/**
 * A group referenced from a user payload.
 */
export interface GroupSummary {
    /**
     * The group id (GUID).
     */
    'id'?: (string);
    /**
     * The group name.
     */
    'name'?: (string);
    /**
     * The user name (not the id) of the group manager.
     */
    'manager'?: (string);
    /**
     * Whether it is a built-in system group.
     */
    'is_system'?: (boolean);
}
/**
 * A group referenced from a user payload.
 */
export interface GroupSummary__Output {
    /**
     * The group id (GUID).
     */
    'id': (string);
    /**
     * The group name.
     */
    'name': (string);
    /**
     * The user name (not the id) of the group manager.
     */
    'manager': (string);
    /**
     * Whether it is a built-in system group.
     */
    'is_system': (boolean);
}
