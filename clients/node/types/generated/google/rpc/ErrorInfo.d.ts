/**
 * Why the call failed, as a machine-readable reason in a domain, with the
 * facts a client acts on.
 */
export interface ErrorInfo {
    /**
     * UPPER_SNAKE_CASE, unique within `domain`.
     */
    'reason'?: (string);
    /**
     * The service that produced the error.
     */
    'domain'?: (string);
    /**
     * The facts, e.g. {"oldest_sequence": "42"}.
     */
    'metadata'?: ({
        [key: string]: string;
    });
}
/**
 * Why the call failed, as a machine-readable reason in a domain, with the
 * facts a client acts on.
 */
export interface ErrorInfo__Output {
    /**
     * UPPER_SNAKE_CASE, unique within `domain`.
     */
    'reason': (string);
    /**
     * The service that produced the error.
     */
    'domain': (string);
    /**
     * The facts, e.g. {"oldest_sequence": "42"}.
     */
    'metadata': ({
        [key: string]: string;
    });
}
