import type { DeadLetter as _hookbridge_v1_DeadLetter, DeadLetter__Output as _hookbridge_v1_DeadLetter__Output } from '../../hookbridge/v1/DeadLetter';
export interface ListDeadLettersResponse {
    'dead_letters'?: (_hookbridge_v1_DeadLetter)[];
}
export interface ListDeadLettersResponse__Output {
    'dead_letters': (_hookbridge_v1_DeadLetter__Output)[];
}
