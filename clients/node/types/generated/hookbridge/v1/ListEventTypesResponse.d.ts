import type { ProviderEventTypes as _hookbridge_v1_ProviderEventTypes, ProviderEventTypes__Output as _hookbridge_v1_ProviderEventTypes__Output } from '../../hookbridge/v1/ProviderEventTypes';
export interface ListEventTypesResponse {
    'providers'?: (_hookbridge_v1_ProviderEventTypes)[];
}
export interface ListEventTypesResponse__Output {
    'providers': (_hookbridge_v1_ProviderEventTypes__Output)[];
}
