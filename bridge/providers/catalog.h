// A provider's catalog of typed events: which event names decode into which
// protobuf message, and where each event names its subject. Decoding is
// driven by this table and protobuf reflection, so adding a typed event is a
// message in proto/ plus one row here.
#ifndef HOOKBRIDGE_BRIDGE_PROVIDERS_CATALOG_H_
#define HOOKBRIDGE_BRIDGE_PROVIDERS_CATALOG_H_

#include <array>

#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "bridge/json_document.h"
#include "google/protobuf/struct.pb.h"
#include "hookbridge/v1/event.pb.h"

namespace hookbridge {

struct TypedEventSpec {
  // The provider's event name, as sent.
  absl::string_view type;
  // The field of the provider's container message (e.g. CkeditorEvent)
  // that holds this event's message. Legacy names share their successor's.
  absl::string_view field;
  // Dotted path, within the payload, of the event's subject id.
  absl::string_view subject_path;
  // Dotted paths, tried in order, of the entity's own time (an RFC 3339
  // string), for events that can arrive out of order; empty if none.
  std::array<absl::string_view, 2> entity_time_paths = {};
};

struct Catalog {
  v1::Provider provider;
  // The field of hookbridge.v1.Event holding the provider's container.
  absl::string_view event_field;
  absl::Span<const TypedEventSpec> events;
  // Where to look, in order, for the subject of events not in `events`.
  absl::Span<const absl::string_view> untyped_subject_paths;

  // The spec for `type`, or nullptr if the type is not typed.
  const TypedEventSpec* Find(absl::string_view type) const;
};

// Sets `event`'s payload, subject and entity time from a decoded JSON
// payload. A known type is converted into its message inside the provider's
// container (which may already hold delivery metadata). When the payload
// does not fit the message (decode_error is then set), or the type is
// unknown, the payload goes to `event.untyped` instead. `payload` may be
// consumed.
void DecodePayload(const Catalog& catalog, absl::string_view type,
                   google::protobuf::Struct* payload, v1::Event* event);

// The same from a parsed body: `payload` is the payload object, or nullptr
// for none (an empty payload). Sets exactly what the Struct version sets
// from the same object's Struct.
void DecodePayload(const Catalog& catalog, absl::string_view type, const JsonValue* payload,
                   v1::Event* event);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_PROVIDERS_CATALOG_H_
