export interface ListConsumersRequest {
}
export interface ListConsumersRequest__Output {
}
