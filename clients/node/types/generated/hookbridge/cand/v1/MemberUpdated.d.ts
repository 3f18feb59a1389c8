export interface MemberUpdated {
    'id'?: (string);
}
export interface MemberUpdated__Output {
    'id': (string);
}
