import type { ConsumeStart as _hookbridge_v1_ConsumeStart, ConsumeStart__Output as _hookbridge_v1_ConsumeStart__Output } from '../../hookbridge/v1/ConsumeStart';
import type { Acknowledge as _hookbridge_v1_Acknowledge, Acknowledge__Output as _hookbridge_v1_Acknowledge__Output } from '../../hookbridge/v1/Acknowledge';
import type { NegativeAcknowledge as _hookbridge_v1_NegativeAcknowledge, NegativeAcknowledge__Output as _hookbridge_v1_NegativeAcknowledge__Output } from '../../hookbridge/v1/NegativeAcknowledge';
import type { ExtendDeadline as _hookbridge_v1_ExtendDeadline, ExtendDeadline__Output as _hookbridge_v1_ExtendDeadline__Output } from '../../hookbridge/v1/ExtendDeadline';
/**
 * The first message of a Consume stream names the consumer; later messages
 * acknowledge, negatively acknowledge, or extend deadlines.
 */
export interface ConsumeRequest {
    'start'?: (_hookbridge_v1_ConsumeStart | null);
    'ack'?: (_hookbridge_v1_Acknowledge | null);
    'nack'?: (_hookbridge_v1_NegativeAcknowledge | null);
    'extend'?: (_hookbridge_v1_ExtendDeadline | null);
    'request'?: "start" | "ack" | "nack" | "extend";
}
/**
 * The first message of a Consume stream names the consumer; later messages
 * acknowledge, negatively acknowledge, or extend deadlines.
 */
export interface ConsumeRequest__Output {
    'start'?: (_hookbridge_v1_ConsumeStart__Output | null);
    'ack'?: (_hookbridge_v1_Acknowledge__Output | null);
    'nack'?: (_hookbridge_v1_NegativeAcknowledge__Output | null);
    'extend'?: (_hookbridge_v1_ExtendDeadline__Output | null);
    'request'?: "start" | "ack" | "nack" | "extend";
}
