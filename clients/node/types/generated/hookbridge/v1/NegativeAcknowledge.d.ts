import type { Duration as _google_protobuf_Duration, Duration__Output as _google_protobuf_Duration__Output } from '../../google/protobuf/Duration';
import type { Long } from '@grpc/proto-loader';
/**
 * Gives events back: they are delivered again (to any member) after
 * `delay` (unset: at once), counting as a delivery. `reason` is kept with a
 * dead letter.
 */
export interface NegativeAcknowledge {
    'sequences'?: (number | string | Long)[];
    'delay'?: (_google_protobuf_Duration | null);
    'reason'?: (string);
}
/**
 * Gives events back: they are delivered again (to any member) after
 * `delay` (unset: at once), counting as a delivery. `reason` is kept with a
 * dead letter.
 */
export interface NegativeAcknowledge__Output {
    'sequences': (string)[];
    'delay': (_google_protobuf_Duration__Output | null);
    'reason': (string);
}
