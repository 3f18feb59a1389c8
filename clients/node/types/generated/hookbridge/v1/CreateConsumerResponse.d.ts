import type { Consumer as _hookbridge_v1_Consumer, Consumer__Output as _hookbridge_v1_Consumer__Output } from '../../hookbridge/v1/Consumer';
export interface CreateConsumerResponse {
    'consumer'?: (_hookbridge_v1_Consumer | null);
}
export interface CreateConsumerResponse__Output {
    'consumer': (_hookbridge_v1_Consumer__Output | null);
}
