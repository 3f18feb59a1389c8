/**
 * A reference to a user by id.
 */
export interface UserRef {
    'id'?: (string);
}
/**
 * A reference to a user by id.
 */
export interface UserRef__Output {
    'id': (string);
}
