export interface MessageCreated {
    'id'?: (string);
    'conversation_id'?: (string);
}
export interface MessageCreated__Output {
    'id': (string);
    'conversation_id': (string);
}
