import type { Consumer as _hookbridge_v1_Consumer, Consumer__Output as _hookbridge_v1_Consumer__Output } from '../../hookbridge/v1/Consumer';
export interface ListConsumersResponse {
    'consumers'?: (_hookbridge_v1_Consumer)[];
}
export interface ListConsumersResponse__Output {
    'consumers': (_hookbridge_v1_Consumer__Output)[];
}
