export interface ConsumeStart {
    'consumer'?: (string);
    /**
     * Names the member in metrics, logs and the console (e.g. the pod name).
     * Optional; the server makes one up without it.
     */
    'member_id'?: (string);
}
export interface ConsumeStart__Output {
    'consumer': (string);
    /**
     * Names the member in metrics, logs and the console (e.g. the pod name).
     * Optional; the server makes one up without it.
     */
    'member_id': (string);
}
