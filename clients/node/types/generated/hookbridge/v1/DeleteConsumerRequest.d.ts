export interface DeleteConsumerRequest {
    'name'?: (string);
}
export interface DeleteConsumerRequest__Output {
    'name': (string);
}
