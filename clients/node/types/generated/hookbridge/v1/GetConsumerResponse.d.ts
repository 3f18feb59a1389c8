import type { Consumer as _hookbridge_v1_Consumer, Consumer__Output as _hookbridge_v1_Consumer__Output } from '../../hookbridge/v1/Consumer';
export interface GetConsumerResponse {
    'consumer'?: (_hookbridge_v1_Consumer | null);
}
export interface GetConsumerResponse__Output {
    'consumer': (_hookbridge_v1_Consumer__Output | null);
}
