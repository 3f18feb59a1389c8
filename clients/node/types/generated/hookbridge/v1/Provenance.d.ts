import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
/**
 * How the webhook request behind an event was authenticated. Set on every
 * event hookbridge takes in (events appended before this field existed
 * have none).
 */
export interface Provenance {
    /**
     * The check made, one of (docs/SECURITY.md describes each):
     * `ckeditor-hmac-sha256` (CKEditor Cloud Services and CKBox),
     * `docspace-hmac-sha256`, `github-hmac-sha256`, `stripe-v1`,
     * `standard-webhooks-v1`, and `path-token` (canD, whose webhooks are not
     * signed: the secret is the URL's path token).
     */
    'scheme'?: (string);
    /**
     * Which of the source's configured `secrets` verified the signature: its
     * position in the list, from 0. Absent when the scheme has no secret list
     * (`path-token`). Never the secret itself: during a rotation this says
     * whether the sender has moved to the new one.
     */
    'secret_index'?: (number);
    /**
     * When the signature covers a timestamp: `received_at` minus that
     * timestamp (negative when the sender's clock is ahead). Absent for
     * schemes that sign none (GitHub, DocSpace, canD).
     */
    'timestamp_skew'?: (_google_protobuf_Duration | null);
    /**
     * SHA-256 of the request body exactly as received (`raw_body`).
     */
    'body_sha256'?: (Buffer | Uint8Array | string);
    '_secret_index'?: "secret_index";
}
/**
 * How the webhook request behind an event was authenticated. Set on every
 * event hookbridge takes in (events appended before this field existed
 * have none).
 */
export interface Provenance__Output {
    /**
     * The check made, one of (docs/SECURITY.md describes each):
     * `ckeditor-hmac-sha256` (CKEditor Cloud Services and CKBox),
     * `docspace-hmac-sha256`, `github-hmac-sha256`, `stripe-v1`,
     * `standard-webhooks-v1`, and `path-token` (canD, whose webhooks are not
     * signed: the secret is the URL's path token).
     */
    'scheme': (string);
    /**
     * Which of the source's configured `secrets` verified the signature: its
     * position in the list, from 0. Absent when the scheme has no secret list
     * (`path-token`). Never the secret itself: during a rotation this says
     * whether the sender has moved to the new one.
     */
    'secret_index'?: (number);
    /**
     * When the signature covers a timestamp: `received_at` minus that
     * timestamp (negative when the sender's clock is ahead). Absent for
     * schemes that sign none (GitHub, DocSpace, canD).
     */
    'timestamp_skew': (_google_protobuf_Duration__Output | null);
    /**
     * SHA-256 of the request body exactly as received (`raw_body`).
     */
    'body_sha256': (Buffer);
    '_secret_index'?: "secret_index";
}
