export interface ProductUpdated {
    'id'?: (string);
}
export interface ProductUpdated__Output {
    'id': (string);
}
