// CloudEvents out: hookbridge's Event as an io.cloudevents.v1.CloudEvent,
// the CloudEvents protobuf format (specification 1.0), for the Subscribe
// streams and consumer members that ask for EVENT_FORMAT_CLOUDEVENTS.
//
// This is the one implementation of the mapping that docs/CLOUDEVENTS.md
// documents: required attributes from the event's id, source and type;
// `subject`, `time`, `datacontenttype` and `dataschema`; the typed payload
// (the provider message, e.g. hookbridge.ckeditor.v1.CkeditorEvent) as
// `proto_data`, an untyped one as JSON `text_data`; and extension
// attributes for the rest (`sequence`, `provider`, `superseded`, the
// distributed-tracing `traceparent` / `tracestate`, provenance, ...).
//
// Pure functions: no clock, no I/O; thread-safe.
#ifndef HOOKBRIDGE_BRIDGE_CLOUDEVENTS_H_
#define HOOKBRIDGE_BRIDGE_CLOUDEVENTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/string_view.h"
#include "bridge/log/event_log.h"
#include "hookbridge/v1/event.pb.h"
#include "hookbridge/v1/service.pb.h"
#include "io/cloudevents/v1/cloudevents.pb.h"

namespace hookbridge {

// The CloudEvents specification version every event is made to.
inline constexpr char kCloudEventsSpecVersion[] = "1.0";

// Names of the attributes set besides the required ones. Extension names
// are lower-case letters and digits, at most 20 characters, as the
// specification asks.
namespace ce_attr {
inline constexpr char kSubject[] = "subject";
inline constexpr char kTime[] = "time";
inline constexpr char kDataContentType[] = "datacontenttype";
inline constexpr char kDataSchema[] = "dataschema";
// Extensions.
inline constexpr char kSequence[] = "sequence";  // the sequence extension
inline constexpr char kProvider[] = "provider";
inline constexpr char kSuperseded[] = "superseded";
inline constexpr char kTraceparent[] = "traceparent";  // distributed tracing
inline constexpr char kTracestate[] = "tracestate";
inline constexpr char kReceivedAt[] = "receivedat";
inline constexpr char kEnvironmentId[] = "environmentid";
inline constexpr char kEntityTime[] = "entitytime";
inline constexpr char kDecodeError[] = "decodeerror";
inline constexpr char kProviderMetadata[] = "providermetadata";
inline constexpr char kProvenanceScheme[] = "provenancescheme";
inline constexpr char kProvenanceSecret[] = "provenancesecret";
inline constexpr char kProvenanceSkew[] = "provenanceskew";
inline constexpr char kBodySha256[] = "bodysha256";
inline constexpr char kRawBody[] = "rawbody";
}  // namespace ce_attr

// Whether this server can deliver events in `format`: an unspecified one
// (hookbridge's Event), EVENT_FORMAT_HOOKBRIDGE or EVENT_FORMAT_CLOUDEVENTS.
// InvalidArgument naming it otherwise (a value from a newer API), so that a
// client never gets events in a form it did not ask for.
absl::Status CheckEventFormat(int format);

// The `source` attribute of the events of the configured source `name`: the
// URI-reference "/sources/<name>" (a name outside RFC 3986's unreserved
// characters is percent-encoded; configured names never are).
std::string CloudEventSource(absl::string_view name);

// The `sequence` attribute for `sequence`: its decimal digits, zero-padded
// to 20 (the digits of the largest uint64), so that comparing two as
// strings orders them as numbers.
std::string CloudEventSequence(uint64_t sequence);

// The sequence a `sequence` attribute value stands for; nullopt unless it
// is 1 to 20 decimal digits that fit a uint64.
std::optional<uint64_t> ParseCloudEventSequence(absl::string_view value);

// Writes `event` into `out` (cleared first) as docs/CLOUDEVENTS.md maps
// it. `raw_body` goes into the `rawbody` extension when set; a subscriber
// that did not ask for it gets an event without it.
void ToCloudEvent(const v1::Event& event, io::cloudevents::v1::CloudEvent* out);

// The serialized CloudEvent of a stored event: `record`'s event, with its
// raw body when `include_raw`. When that is larger than `max_bytes` (an
// event stored under a higher grpc.max_event_bytes than today's), the
// event without its payload and raw body, and a `decodeerror` saying why,
// so that no client is sent more than it was told to accept. A record
// whose bytes do not parse still yields an event, from the record's own
// columns, with a `decodeerror`.
std::string CloudEventBytes(const LogRecord& record, bool include_raw, uint64_t max_bytes);

}  // namespace hookbridge

#endif  // HOOKBRIDGE_BRIDGE_CLOUDEVENTS_H_
