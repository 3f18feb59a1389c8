import type { Provider as _hookbridge_v1_Provider, Provider__Output as _hookbridge_v1_Provider__Output } from '../../hookbridge/v1/Provider';
import type { EventType as _hookbridge_v1_EventType, EventType__Output as _hookbridge_v1_EventType__Output } from '../../hookbridge/v1/EventType';
export interface ProviderEventTypes {
    'provider'?: (_hookbridge_v1_Provider);
    /**
     * The provider's name in config, e.g. "onlyoffice-docspace".
     */
    'name'?: (string);
    /**
     * Configured sources of this provider.
     */
    'sources'?: (string)[];
    /**
     * Typed event types, in the provider's catalog order.
     */
    'event_types'?: (_hookbridge_v1_EventType)[];
}
export interface ProviderEventTypes__Output {
    'provider': (_hookbridge_v1_Provider__Output);
    /**
     * The provider's name in config, e.g. "onlyoffice-docspace".
     */
    'name': (string);
    /**
     * Configured sources of this provider.
     */
    'sources': (string)[];
    /**
     * Typed event types, in the provider's catalog order.
     */
    'event_types': (_hookbridge_v1_EventType__Output)[];
}
