export interface MemberActivated {
    'id'?: (string);
    /**
     * The member who invited the activated one.
     */
    'inviter'?: (string);
}
export interface MemberActivated__Output {
    'id': (string);
    /**
     * The member who invited the activated one.
     */
    'inviter': (string);
}
