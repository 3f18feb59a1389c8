export interface _hookbridge_cand_v1_PaymentPaid_Purchase {
    'id'?: (string);
    'purchase_items'?: (_hookbridge_cand_v1_PaymentPaid_PurchaseItem)[];
}
export interface _hookbridge_cand_v1_PaymentPaid_Purchase__Output {
    'id': (string);
    'purchase_items': (_hookbridge_cand_v1_PaymentPaid_PurchaseItem__Output)[];
}
export interface _hookbridge_cand_v1_PaymentPaid_PurchaseItem {
    'id'?: (string);
    'product_id'?: (string);
}
export interface _hookbridge_cand_v1_PaymentPaid_PurchaseItem__Output {
    'id': (string);
    'product_id': (string);
}
export interface PaymentPaid {
    'id'?: (string);
    'purchases'?: (_hookbridge_cand_v1_PaymentPaid_Purchase)[];
}
export interface PaymentPaid__Output {
    'id': (string);
    'purchases': (_hookbridge_cand_v1_PaymentPaid_Purchase__Output)[];
}
