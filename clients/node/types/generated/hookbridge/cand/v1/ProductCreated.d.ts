export interface ProductCreated {
    'id'?: (string);
}
export interface ProductCreated__Output {
    'id': (string);
}
