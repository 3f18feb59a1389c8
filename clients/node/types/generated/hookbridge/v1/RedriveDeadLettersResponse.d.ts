import type { Long } from '@grpc/proto-loader';
export interface RedriveDeadLettersResponse {
    /**
     * How many went back to the consumer.
     */
    'redriven'?: (number | string | Long);
}
export interface RedriveDeadLettersResponse__Output {
    /**
     * How many went back to the consumer.
     */
    'redriven': (string);
}
