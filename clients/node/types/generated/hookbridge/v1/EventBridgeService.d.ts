import type { MethodDefinition } from '@grpc/proto-loader';
import type { GetServerInfoRequest as _hookbridge_v1_GetServerInfoRequest, GetServerInfoRequest__Output as _hookbridge_v1_GetServerInfoRequest__Output } from '../../hookbridge/v1/GetServerInfoRequest';
import type { GetServerInfoResponse as _hookbridge_v1_GetServerInfoResponse, GetServerInfoResponse__Output as _hookbridge_v1_GetServerInfoResponse__Output } from '../../hookbridge/v1/GetServerInfoResponse';
import type { ListEventTypesRequest as _hookbridge_v1_ListEventTypesRequest, ListEventTypesRequest__Output as _hookbridge_v1_ListEventTypesRequest__Output } from '../../hookbridge/v1/ListEventTypesRequest';
import type { ListEventTypesResponse as _hookbridge_v1_ListEventTypesResponse, ListEventTypesResponse__Output as _hookbridge_v1_ListEventTypesResponse__Output } from '../../hookbridge/v1/ListEventTypesResponse';
import type { SubscribeRequest as _hookbridge_v1_SubscribeRequest, SubscribeRequest__Output as _hookbridge_v1_SubscribeRequest__Output } from '../../hookbridge/v1/SubscribeRequest';
import type { SubscribeResponse as _hookbridge_v1_SubscribeResponse, SubscribeResponse__Output as _hookbridge_v1_SubscribeResponse__Output } from '../../hookbridge/v1/SubscribeResponse';
export interface EventBridgeServiceDefinition {
    GetServerInfo: MethodDefinition<_hookbridge_v1_GetServerInfoRequest, _hookbridge_v1_GetServerInfoResponse, _hookbridge_v1_GetServerInfoRequest__Output, _hookbridge_v1_GetServerInfoResponse__Output>;
    ListEventTypes: MethodDefinition<_hookbridge_v1_ListEventTypesRequest, _hookbridge_v1_ListEventTypesResponse, _hookbridge_v1_ListEventTypesRequest__Output, _hookbridge_v1_ListEventTypesResponse__Output>;
    Subscribe: MethodDefinition<_hookbridge_v1_SubscribeRequest, _hookbridge_v1_SubscribeResponse, _hookbridge_v1_SubscribeRequest__Output, _hookbridge_v1_SubscribeResponse__Output>;
}
