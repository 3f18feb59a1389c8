/**
 * One contact of a user.
 */
export interface Contact {
    /**
     * The contact kind, e.g. "mail", "phone", "skype".
     */
    'type'?: (string);
    /**
     * The address or number.
     */
    'value'?: (string);
}
/**
 * One contact of a user.
 */
export interface Contact__Output {
    /**
     * The contact kind, e.g. "mail", "phone", "skype".
     */
    'type': (string);
    /**
     * The address or number.
     */
    'value': (string);
}
