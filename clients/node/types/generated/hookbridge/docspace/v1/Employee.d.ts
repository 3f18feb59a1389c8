/**
 * A user referenced from another payload (author, editor, group manager):
 * the contract's UserSummaryWebhookDto, a subset of the REST EmployeeDto.
 */
export interface Employee {
    /**
     * The user id (GUID).
     */
    'id'?: (string);
    /**
     * The display name, HTML-encoded, in the portal's name format.
     */
    'display_name'?: (string);
    /**
     * The login name.
     */
    'user_name'?: (string);
    /**
     * The e-mail address.
     */
    'email'?: (string);
    /**
     * URL of the user's avatar.
     */
    'avatar'?: (string);
    /**
     * URL of the user's profile page.
     */
    'profile_url'?: (string);
}
/**
 * A user referenced from another payload (author, editor, group manager):
 * the contract's UserSummaryWebhookDto, a subset of the REST EmployeeDto.
 */
export interface Employee__Output {
    /**
     * The user id (GUID).
     */
    'id': (string);
    /**
     * The display name, HTML-encoded, in the portal's name format.
     */
    'display_name': (string);
    /**
     * The login name.
     */
    'user_name': (string);
    /**
     * The e-mail address.
     */
    'email': (string);
    /**
     * URL of the user's avatar.
     */
    'avatar': (string);
    /**
     * URL of the user's profile page.
     */
    'profile_url': (string);
}
