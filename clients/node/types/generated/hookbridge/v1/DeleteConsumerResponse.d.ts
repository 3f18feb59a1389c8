export interface DeleteConsumerResponse {
}
export interface DeleteConsumerResponse__Output {
}
