export interface GetConsumerRequest {
    'name'?: (string);
}
export interface GetConsumerRequest__Output {
    'name': (string);
}
