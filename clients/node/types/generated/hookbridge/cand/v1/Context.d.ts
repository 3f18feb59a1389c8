/**
 * Who and where: the `context` object of every canD webhook.
 */
export interface Context {
    /**
     * The origin community, one of whose children is the community.
     */
    'origin_community_id'?: (string);
    /**
     * The user's id in the origin community.
     */
    'user_id'?: (string);
    /**
     * The community where the event occurred.
     */
    'community_id'?: (string);
    /**
     * The id, in the community, of the user who performed the action.
     */
    'profile_id'?: (string);
}
/**
 * Who and where: the `context` object of every canD webhook.
 */
export interface Context__Output {
    /**
     * The origin community, one of whose children is the community.
     */
    'origin_community_id': (string);
    /**
     * The user's id in the origin community.
     */
    'user_id': (string);
    /**
     * The community where the event occurred.
     */
    'community_id': (string);
    /**
     * The id, in the community, of the user who performed the action.
     */
    'profile_id': (string);
}
