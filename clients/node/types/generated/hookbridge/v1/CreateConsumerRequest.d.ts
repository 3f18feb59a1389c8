import type { ConsumerConfig as _hookbridge_v1_ConsumerConfig, ConsumerConfig__Output as _hookbridge_v1_ConsumerConfig__Output } from '../../hookbridge/v1/ConsumerConfig';
export interface CreateConsumerRequest {
    'config'?: (_hookbridge_v1_ConsumerConfig | null);
}
export interface CreateConsumerRequest__Output {
    'config': (_hookbridge_v1_ConsumerConfig__Output | null);
}
