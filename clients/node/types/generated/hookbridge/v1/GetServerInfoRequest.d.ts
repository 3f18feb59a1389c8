export interface GetServerInfoRequest {
}
export interface GetServerInfoRequest__Output {
}
