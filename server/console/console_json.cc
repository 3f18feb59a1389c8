#include "server/console/console_json.h"

#include "absl/strings/str_cat.h"
#include "server/logging.h"

namespace hookbridge {

std::string Rfc3339Millis(absl::Time time) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", time, absl::UTCTimeZone());
}

void AppendTimeFields(absl::string_view key, absl::Time time, std::string* out) {
  absl::StrAppend(out, "\"", key, "_at\":\"", Rfc3339Millis(time), "\",\"", key,
                  "_at_ms\":", absl::ToUnixMillis(time));
}

namespace {

void AppendField(absl::string_view name, absl::string_view value, std::string* out) {
  absl::StrAppend(out, ",\"", name, "\":");
  AppendJsonString(out, value);
}

void AppendSummaryFields(const Delivery& d, std::string* out) {
  absl::StrAppend(out, "\"id\":", d.id, ",");
  AppendTimeFields("received", d.received_at, out);
  AppendField("source", d.source, out);
  AppendField("outcome", OutcomeName(d.outcome), out);
  absl::StrAppend(out, ",\"status\":", d.status);
  AppendField("reason", d.reason, out);
  if (!d.diagnosis.empty()) AppendField("diagnosis", d.diagnosis, out);
  AppendField("method", d.method, out);
  AppendField("path", d.path, out);
  AppendField("event_id", d.event_id, out);
  AppendField("type", d.type, out);
  absl::StrAppend(out, ",\"sequence\":", d.sequence, ",\"body_bytes\":", d.body_bytes,
                  ",\"duration_ms\":", absl::ToDoubleMilliseconds(d.duration));
}

}  // namespace

void AppendDeliverySummary(const Delivery& delivery, std::string* out) {
  out->push_back('{');
  AppendSummaryFields(delivery, out);
  out->push_back('}');
}

std::string DeliveryDetail(const Delivery& delivery, absl::string_view event_json,
                           absl::string_view event_note) {
  std::string out = "{";
  AppendSummaryFields(delivery, &out);
  out.append(",\"headers\":[");
  for (size_t i = 0; i < delivery.headers.size(); ++i) {
    if (i > 0) out.push_back(',');
    out.push_back('[');
    AppendJsonString(&out, delivery.headers[i].first);
    out.push_back(',');
    AppendJsonString(&out, delivery.headers[i].second);
    out.push_back(']');
  }
  out.append("]");
  AppendField("body_preview", delivery.body_preview, &out);
  absl::StrAppend(&out, ",\"body_truncated\":", delivery.body_truncated ? "true" : "false");
  if (!event_json.empty()) absl::StrAppend(&out, ",\"event\":", event_json);
  if (!event_note.empty()) AppendField("event_note", event_note, &out);
  out.append("}\n");
  return out;
}

}  // namespace hookbridge
