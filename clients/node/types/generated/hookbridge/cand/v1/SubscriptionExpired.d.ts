export interface SubscriptionExpired {
    'id'?: (string);
    'product_id'?: (string);
}
export interface SubscriptionExpired__Output {
    'id': (string);
    'product_id': (string);
}
