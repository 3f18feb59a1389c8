export interface SubscriptionSubscribed {
    'id'?: (string);
    'product_id'?: (string);
    /**
     * Whether this is a renewal of an existing subscription.
     */
    'is_renewal'?: (boolean);
}
export interface SubscriptionSubscribed__Output {
    'id': (string);
    'product_id': (string);
    /**
     * Whether this is a renewal of an existing subscription.
     */
    'is_renewal': (boolean);
}
