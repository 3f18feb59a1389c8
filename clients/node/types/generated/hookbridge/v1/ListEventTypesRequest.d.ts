export interface ListEventTypesRequest {
}
export interface ListEventTypesRequest__Output {
}
