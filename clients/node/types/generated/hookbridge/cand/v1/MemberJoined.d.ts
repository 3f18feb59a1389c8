export interface MemberJoined {
    'id'?: (string);
}
export interface MemberJoined__Output {
    'id': (string);
}
