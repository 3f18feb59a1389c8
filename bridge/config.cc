#include "bridge/config.h"

#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "absl/types/span.h"
#include "bridge/config_section.h"
#include "bridge/consumer/consumer_set.h"
#include "bridge/crypto.h"
#include "bridge/json.h"
#include "bridge/log/backend.h"
#include "bridge/providers/registry.h"
#include "bridge/status_macros.h"

namespace hookbridge {
namespace {

// Walks the YAML tree, keeping the dotted path of the node being read so
// every error names its key.
class Reader {
 public:
  explicit Reader(const EnvLookup& env) : env_(env) {}

  absl::Status Error(absl::string_view path, absl::string_view what) const {
    return absl::InvalidArgumentError(absl::StrCat("config: ", path, ": ", what));
  }

  // Fails when `node` has a key outside `known`.
  absl::Status CheckKeys(const YAML::Node& node, absl::string_view path,
                         absl::Span<const absl::string_view> known) const {
    if (!node.IsMap()) return Error(path, "must be a mapping");
    std::set<std::string> seen;
    for (const auto& kv : node) {
      std::string key = kv.first.as<std::string>();
      if (!seen.insert(key).second) {
        return Error(Join(path, key), "appears twice (a later value would be ignored)");
      }
      bool ok = false;
      for (absl::string_view k : known) ok = ok || k == key;
      if (!ok) {
        return Error(
            Join(path, key),
            absl::StrCat("unknown key (expected one of: ", absl::StrJoin(known, ", "), ")"));
      }
    }
    return absl::OkStatus();
  }

  static std::string Join(absl::string_view path, absl::string_view key) {
    return path.empty() ? std::string(key) : absl::StrCat(path, ".", key);
  }

  // Reads a scalar as a string with ${ENV} expansion.
  absl::StatusOr<std::string> String(const YAML::Node& node, absl::string_view path) const {
    if (!node.IsScalar()) return Error(path, "must be a scalar value");
    return Expand(node.Scalar(), path);
  }

  absl::StatusOr<std::string> Expand(absl::string_view in, absl::string_view path) const {
    std::string out;
    for (size_t i = 0; i < in.size();) {
      if (in[i] != '$') {
        out.push_back(in[i++]);
        continue;
      }
      if (i + 1 < in.size() && in[i + 1] == '$') {
        out.push_back('$');
        i += 2;
        continue;
      }
      if (i + 1 >= in.size() || in[i + 1] != '{') {
        out.push_back(in[i++]);
        continue;
      }
      size_t close = in.find('}', i + 2);
      if (close == absl::string_view::npos) return Error(path, "unterminated ${...}");
      absl::string_view expr = in.substr(i + 2, close - i - 2);
      absl::string_view name = expr;
      std::optional<absl::string_view> fallback;
      if (size_t d = expr.find(":-"); d != absl::string_view::npos) {
        name = expr.substr(0, d);
        fallback = expr.substr(d + 2);
      }
      if (name.empty()) return Error(path, "empty variable name in ${}");
      std::optional<std::string> value = env_(name);
      if (value.has_value() && !value->empty()) {
        out += *value;
      } else if (fallback.has_value()) {
        absl::StrAppend(&out, *fallback);
      } else {
        return Error(path, absl::StrCat("environment variable ", name, " is not set or empty"));
      }
      i = close + 1;
    }
    return out;
  }

  absl::StatusOr<uint64_t> Uint(const YAML::Node& node, absl::string_view path) const {
    absl::StatusOr<std::string> s = String(node, path);
    if (!s.ok()) return s.status();
    uint64_t v = 0;
    if (!absl::SimpleAtoi(*s, &v))
      return Error(path, absl::StrCat("not a whole number: \"", *s, "\""));
    return v;
  }

  // A non-negative decimal number such as 10, 0.5 or 1e3.
  absl::StatusOr<double> Number(const YAML::Node& node, absl::string_view path) const {
    absl::StatusOr<std::string> s = String(node, path);
    if (!s.ok()) return s.status();
    double v = 0;
    if (!absl::SimpleAtod(*s, &v) || !std::isfinite(v) || v < 0) {
      return Error(path, absl::StrCat("not a non-negative number: \"", *s, "\""));
    }
    return v;
  }

  absl::StatusOr<uint64_t> Bytes(const YAML::Node& node, absl::string_view path) const {
    absl::StatusOr<std::string> s = String(node, path);
    if (!s.ok()) return s.status();
    absl::StatusOr<uint64_t> v = ParseByteSize(*s);
    if (!v.ok()) return Error(path, v.status().message());
    return v;
  }

  absl::StatusOr<absl::Duration> Duration(const YAML::Node& node, absl::string_view path) const {
    absl::StatusOr<std::string> s = String(node, path);
    if (!s.ok()) return s.status();
    absl::Duration d;
    int64_t days = 0;
    if (absl::EndsWith(*s, "d") &&
        absl::SimpleAtoi(absl::string_view(*s).substr(0, s->size() - 1), &days) && days >= 0) {
      return absl::Hours(24) * days;  // "7d": a common retention unit
    }
    if (!absl::ParseDuration(*s, &d) || d < absl::ZeroDuration()) {
      return Error(path, absl::StrCat("not a duration such as 30s, 5m, 1h or 7d: \"", *s, "\""));
    }
    return d;
  }

  absl::StatusOr<ListenAddress> Listen(const YAML::Node& node, absl::string_view path) const {
    absl::StatusOr<std::string> s = String(node, path);
    if (!s.ok()) return s.status();
    absl::StatusOr<ListenAddress> a = ParseListenAddress(*s);
    if (!a.ok()) return Error(path, a.status().message());
    return a;
  }

 private:
  const EnvLookup& env_;
};

absl::Status ReadAdmin(const Reader& r, const YAML::Node& node, AdminConfig* admin) {
  if (!node) return absl::OkStatus();
  HB_RETURN_IF_ERROR(
      r.CheckKeys(node, "admin",
                  {"listen", "console", "console_deliveries", "console_bytes",
                   "console_body_preview_bytes", "allowed_hosts", "console_token_sha256"}));
  if (node["listen"]) HB_ASSIGN_OR_RETURN(admin->listen, r.Listen(node["listen"], "admin.listen"));
  if (node["console"]) {
    std::string console;
    HB_ASSIGN_OR_RETURN(console, r.String(node["console"], "admin.console"));
    if (console != "true" && console != "false") {
      return r.Error("admin.console", "must be true or false");
    }
    admin->console = console == "true";
  }
  if (node["console_deliveries"]) {
    HB_ASSIGN_OR_RETURN(admin->console_deliveries,
                        r.Uint(node["console_deliveries"], "admin.console_deliveries"));
    if (admin->console_deliveries < 1 || admin->console_deliveries > 100000) {
      return r.Error("admin.console_deliveries", "must be between 1 and 100000");
    }
  }
  if (node["console_bytes"]) {
    HB_ASSIGN_OR_RETURN(admin->console_bytes,
                        r.Bytes(node["console_bytes"], "admin.console_bytes"));
    if (admin->console_bytes < (64u << 10) || admin->console_bytes > (1ull << 30)) {
      return r.Error("admin.console_bytes", "must be between 64KiB and 1GiB");
    }
  }
  if (node["console_body_preview_bytes"]) {
    HB_ASSIGN_OR_RETURN(
        admin->console_body_preview_bytes,
        r.Bytes(node["console_body_preview_bytes"], "admin.console_body_preview_bytes"));
    if (admin->console_body_preview_bytes > (64u << 10)) {
      return r.Error("admin.console_body_preview_bytes", "must be at most 64KiB");
    }
  }
  if (const YAML::Node hosts = node["allowed_hosts"]) {
    if (!hosts.IsSequence()) return r.Error("admin.allowed_hosts", "must be a list of host names");
    for (size_t i = 0; i < hosts.size(); ++i) {
      const std::string path = absl::StrCat("admin.allowed_hosts[", i, "]");
      std::string host;
      HB_ASSIGN_OR_RETURN(host, r.String(hosts[i], path));
      host = absl::AsciiStrToLower(host);
      if (absl::EndsWith(host, ".")) host.pop_back();  // "name." is "name"
      const bool valid = !host.empty() && host.size() <= 253 && host.front() != '.' &&
                         std::all_of(host.begin(), host.end(), [](char c) {
                           return absl::ascii_isalnum(c) || c == '-' || c == '.' || c == '_';
                         });
      if (!valid) {
        return r.Error(path, absl::StrCat("\"", host,
                                          "\" is not a host name: give the name alone, without "
                                          "scheme, port or path (e.g. hookbridge-admin.hooks.svc); "
                                          "IP addresses and localhost are always allowed"));
      }
      admin->allowed_hosts.push_back(std::move(host));
    }
  }
  if (node["console_token_sha256"]) {
    const char* path = "admin.console_token_sha256";
    HB_ASSIGN_OR_RETURN(admin->console_token_sha256, r.String(node["console_token_sha256"], path));
    admin->console_token_sha256 = absl::AsciiStrToLower(admin->console_token_sha256);
    Sha256Digest digest;
    if (!admin->console_token_sha256.empty() &&
        !HexDecodeDigest(admin->console_token_sha256, &digest)) {
      return r.Error(path,
                     "must be the 64-digit hex SHA-256 of the console's token (hookbridge "
                     "--mint-token console prints one)");
    }
  }
  return absl::OkStatus();
}

// `tls: { cert_file, key_file, client_ca_file }`. The files are read when
// the listener starts (and on SIGHUP), not here.
absl::Status ReadTls(const Reader& r, const YAML::Node& node, absl::string_view path,
                     TlsConfig* tls) {
  HB_RETURN_IF_ERROR(r.CheckKeys(node, path, {"cert_file", "key_file", "client_ca_file"}));
  for (const char* key : {"cert_file", "key_file"}) {
    if (!node[key]) return r.Error(Reader::Join(path, key), "is required (a PEM file)");
  }
  HB_ASSIGN_OR_RETURN(tls->cert_file, r.String(node["cert_file"], Reader::Join(path, "cert_file")));
  HB_ASSIGN_OR_RETURN(tls->key_file, r.String(node["key_file"], Reader::Join(path, "key_file")));
  if (node["client_ca_file"]) {
    HB_ASSIGN_OR_RETURN(tls->client_ca_file,
                        r.String(node["client_ca_file"], Reader::Join(path, "client_ca_file")));
    if (tls->client_ca_file.empty()) {
      return r.Error(Reader::Join(path, "client_ca_file"), "must not be empty");
    }
  }
  if (tls->cert_file.empty()) return r.Error(Reader::Join(path, "cert_file"), "must not be empty");
  if (tls->key_file.empty()) return r.Error(Reader::Join(path, "key_file"), "must not be empty");
  return absl::OkStatus();
}

// `rate_limit: { per_second: N, burst: M }`: N requests a second on average
// (0: unlimited), bursts of up to M (default: N, at least 1).
absl::Status ReadRateLimit(const Reader& r, const YAML::Node& node, absl::string_view path,
                           RateLimit* limit) {
  HB_RETURN_IF_ERROR(r.CheckKeys(node, path, {"per_second", "burst"}));
  const std::string p_rate = Reader::Join(path, "per_second");
  const std::string p_burst = Reader::Join(path, "burst");
  if (!node["per_second"]) return r.Error(p_rate, "is required (0 turns the limit off)");
  RateLimit out;
  HB_ASSIGN_OR_RETURN(out.per_second, r.Number(node["per_second"], p_rate));
  if (out.per_second > 1e6) return r.Error(p_rate, "must be at most 1000000");
  out.burst = std::max(1.0, std::ceil(out.per_second));
  if (node["burst"]) {
    if (out.per_second == 0) return r.Error(p_burst, "has no meaning with per_second: 0");
    HB_ASSIGN_OR_RETURN(out.burst, r.Number(node["burst"], p_burst));
    if (out.burst < 1 || out.burst > 1e9 || std::trunc(out.burst) != out.burst) {
      return r.Error(p_burst, "must be a whole number between 1 and 1000000000");
    }
  }
  if (out.per_second == 0) out.burst = 0;
  *limit = out;
  return absl::OkStatus();
}

absl::Status ReadHttp(const Reader& r, const YAML::Node& node, HttpConfig* http) {
  if (!node) return absl::OkStatus();
  HB_RETURN_IF_ERROR(r.CheckKeys(
      node, "http",
      {"listen", "max_body_bytes", "max_header_bytes", "read_timeout", "idle_timeout", "threads",
       "max_connections", "max_requests_per_connection", "max_json_depth", "rate_limit", "tls"}));
  if (node["listen"]) HB_ASSIGN_OR_RETURN(http->listen, r.Listen(node["listen"], "http.listen"));
  if (node["max_body_bytes"]) {
    HB_ASSIGN_OR_RETURN(http->max_body_bytes,
                        r.Bytes(node["max_body_bytes"], "http.max_body_bytes"));
  }
  if (node["max_header_bytes"]) {
    uint64_t v = 0;
    HB_ASSIGN_OR_RETURN(v, r.Bytes(node["max_header_bytes"], "http.max_header_bytes"));
    if (v < 1024 || v > (1u << 20)) {
      return r.Error("http.max_header_bytes", "must be between 1KiB and 1MiB");
    }
    http->max_header_bytes = static_cast<uint32_t>(v);
  }
  if (node["read_timeout"]) {
    HB_ASSIGN_OR_RETURN(http->read_timeout, r.Duration(node["read_timeout"], "http.read_timeout"));
  }
  if (node["idle_timeout"]) {
    HB_ASSIGN_OR_RETURN(http->idle_timeout, r.Duration(node["idle_timeout"], "http.idle_timeout"));
  }
  if (node["threads"]) {
    uint64_t v = 0;
    HB_ASSIGN_OR_RETURN(v, r.Uint(node["threads"], "http.threads"));
    if (v > 256) return r.Error("http.threads", "must be at most 256");
    http->threads = static_cast<int>(v);
  }
  if (node["max_connections"]) {
    uint64_t v = 0;
    HB_ASSIGN_OR_RETURN(v, r.Uint(node["max_connections"], "http.max_connections"));
    if (v < 1 || v > 1000000) {
      return r.Error("http.max_connections", "must be between 1 and 1000000");
    }
    http->max_connections = static_cast<uint32_t>(v);
  }
  if (node["max_requests_per_connection"]) {
    uint64_t v = 0;
    HB_ASSIGN_OR_RETURN(
        v, r.Uint(node["max_requests_per_connection"], "http.max_requests_per_connection"));
    if (v < 1 || v > 1000000) {
      return r.Error("http.max_requests_per_connection", "must be between 1 and 1000000");
    }
    http->max_requests_per_connection = static_cast<uint32_t>(v);
  }
  if (node["max_json_depth"]) {
    uint64_t v = 0;
    HB_ASSIGN_OR_RETURN(v, r.Uint(node["max_json_depth"], "http.max_json_depth"));
    if (v < 1 || v > static_cast<uint64_t>(kMaxJsonDepth)) {
      return r.Error("http.max_json_depth",
                     absl::StrCat("must be between 1 and ", kMaxJsonDepth,
                                  " (deeper events could not be read back by protobuf parsers)"));
    }
    http->max_json_depth = static_cast<int>(v);
  }
  if (node["rate_limit"]) {
    HB_RETURN_IF_ERROR(ReadRateLimit(r, node["rate_limit"], "http.rate_limit", &http->rate_limit));
  }
  if (node["tls"]) HB_RETURN_IF_ERROR(ReadTls(r, node["tls"], "http.tls", &http->tls));
  if (http->max_body_bytes == 0) return r.Error("http.max_body_bytes", "must be positive");
  if (http->read_timeout <= absl::ZeroDuration()) {
    return r.Error("http.read_timeout", "must be positive");
  }
  if (http->idle_timeout <= absl::ZeroDuration()) {
    return r.Error("http.idle_timeout", "must be positive");
  }
  return absl::OkStatus();
}

// A mapping of the YAML tree as a ConfigSection, for the extensions that
// read their own keys (log backends).
class YamlSection : public ConfigSection {
 public:
  YamlSection(const Reader& r, YAML::Node node, std::string path)
      : r_(r), node_(std::move(node)), path_(std::move(path)) {}

  bool Has(absl::string_view key) const override {
    return static_cast<bool>(node_[std::string(key)]);
  }
  absl::Status ReadString(absl::string_view key, std::string* out) const override {
    if (!Has(key)) return absl::OkStatus();
    HB_ASSIGN_OR_RETURN(*out, r_.String(node_[std::string(key)], Path(key)));
    return absl::OkStatus();
  }
  absl::Status ReadUint(absl::string_view key, uint64_t* out) const override {
    if (!Has(key)) return absl::OkStatus();
    HB_ASSIGN_OR_RETURN(*out, r_.Uint(node_[std::string(key)], Path(key)));
    return absl::OkStatus();
  }
  absl::Status ReadBytes(absl::string_view key, uint64_t* out) const override {
    if (!Has(key)) return absl::OkStatus();
    HB_ASSIGN_OR_RETURN(*out, r_.Bytes(node_[std::string(key)], Path(key)));
    return absl::OkStatus();
  }
  absl::Status ReadDuration(absl::string_view key, absl::Duration* out) const override {
    if (!Has(key)) return absl::OkStatus();
    HB_ASSIGN_OR_RETURN(*out, r_.Duration(node_[std::string(key)], Path(key)));
    return absl::OkStatus();
  }
  absl::StatusOr<std::unique_ptr<ConfigSection>> Section(
      absl::string_view key, std::initializer_list<absl::string_view> keys) const override {
    if (!Has(key)) return nullptr;
    const YAML::Node node = node_[std::string(key)];
    HB_RETURN_IF_ERROR(r_.CheckKeys(node, Path(key), keys));
    return std::unique_ptr<ConfigSection>(new YamlSection(r_, node, Path(key)));
  }
  absl::Status Error(absl::string_view key, absl::string_view what) const override {
    return r_.Error(Path(key), what);
  }

 private:
  std::string Path(absl::string_view key) const { return Reader::Join(path_, key); }

  const Reader& r_;
  const YAML::Node node_;
  const std::string path_;
};

// `log:`: the backend, then its row reads the rest.
absl::Status ReadLog(const Reader& r, const YAML::Node& node, LogConfig* log) {
  if (node) {
    if (!node.IsMap()) return r.Error("log", "must be a mapping");
    if (node["backend"]) {
      HB_ASSIGN_OR_RETURN(log->backend, r.String(node["backend"], "log.backend"));
    }
  }
  const LogBackend* backend = FindLogBackend(log->backend);
  if (backend == nullptr) {
    return r.Error("log.backend", absl::StrCat("unknown backend \"", log->backend,
                                               "\" (expected: ", LogBackendNames(), ")"));
  }
  // The backend's top-level keys ("retention" for "retention.bytes").
  std::vector<absl::string_view> known = {"backend"};
  for (absl::string_view key : backend->keys) {
    const absl::string_view top = key.substr(0, key.find('.'));
    if (std::find(known.begin(), known.end(), top) == known.end()) known.push_back(top);
  }
  if (node) {
    for (const auto& kv : node) {
      const std::string key = kv.first.as<std::string>();
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      // A key of another backend: say which.
      std::vector<absl::string_view> others;
      for (const LogBackend& other : LogBackends()) {
        for (absl::string_view k : other.keys) {
          if (k.substr(0, k.find('.')) == key &&
              std::find(others.begin(), others.end(), other.name) == others.end()) {
            others.push_back(other.name);
          }
        }
      }
      if (!others.empty()) {
        return r.Error(Reader::Join("log", key),
                       absl::StrCat("only applies to backend: ", absl::StrJoin(others, " or ")));
      }
    }
    HB_RETURN_IF_ERROR(r.CheckKeys(node, "log", known));
  }
  // Without `log:`, an empty mapping: the backend's defaults.
  const YAML::Node mapping = node ? node : YAML::Node(YAML::NodeType::Map);
  HB_ASSIGN_OR_RETURN(log->options, backend->parse(YamlSection(r, mapping, "log")));
  return absl::OkStatus();
}

// Every event stores its body: a body over grpc.max_event_bytes, or over
// the largest record the log stores (the file log reads a longer one back
// as corruption), could never be stored. Unset (`set` false),
// http.max_body_bytes follows the lower of the two; set, it must be within
// them.
absl::Status FitMaxBodyBytes(const Reader& r, bool set, Config* config) {
  uint64_t limit = config->grpc.max_event_bytes;
  std::string bound = "grpc.max_event_bytes";
  const LogBackend* backend = FindLogBackend(config->log.backend);
  if (backend != nullptr && backend->max_record_bytes != nullptr) {
    if (const uint64_t record = backend->max_record_bytes(config->log.options); record < limit) {
      limit = record;
      bound = absl::StrCat("the largest record the ", backend->name, " log stores");
    }
  }
  uint64_t& body = config->http.max_body_bytes;
  if (body <= limit) return absl::OkStatus();
  if (!set) {
    body = limit;
    return absl::OkStatus();
  }
  return r.Error(
      "http.max_body_bytes",
      absl::StrCat(FormatConfigBytes(body), " is more than ", bound, " (", FormatConfigBytes(limit),
                   "): every event stores its body, so a larger one could never be "
                   "stored"));
}

bool ValidSourceName(absl::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    if (!(absl::ascii_islower(c) || absl::ascii_isdigit(c) || c == '-' || c == '_')) return false;
  }
  return true;
}

absl::Status ReadSource(const Reader& r, const YAML::Node& node, absl::string_view path,
                        SourceConfig* source) {
  HB_RETURN_IF_ERROR(
      r.CheckKeys(node, path,
                  {"name", "provider", "secrets", "timestamp_tolerance", "path_token", "event_type",
                   "subject", "delivery_id", "rate_limit", "public_url", "hmac", "cloudevents"}));
  std::string p_name = Reader::Join(path, "name");
  if (!node["name"]) return r.Error(p_name, "is required");
  HB_ASSIGN_OR_RETURN(source->name, r.String(node["name"], p_name));
  if (!ValidSourceName(source->name)) {
    return r.Error(p_name, absl::StrCat("\"", source->name,
                                        "\" must be 1-64 characters of a-z, 0-9, - and _"));
  }
  std::string p_provider = Reader::Join(path, "provider");
  if (!node["provider"]) return r.Error(p_provider, "is required");
  HB_ASSIGN_OR_RETURN(source->provider, r.String(node["provider"], p_provider));
  const ProviderInfo* provider = FindProvider(source->provider);
  if (provider == nullptr) {
    return r.Error(p_provider, absl::StrCat("unknown provider \"", source->provider,
                                            "\" (expected one of: ", ProviderNames(), ")"));
  }
  std::string p_secrets = Reader::Join(path, "secrets");
  if (const YAML::Node secrets = node["secrets"]) {
    if (!secrets.IsSequence()) return r.Error(p_secrets, "must be a list");
    for (size_t i = 0; i < secrets.size(); ++i) {
      std::string p = absl::StrCat(p_secrets, "[", i, "]");
      std::string secret;
      HB_ASSIGN_OR_RETURN(secret, r.String(secrets[i], p));
      if (secret.empty()) return r.Error(p, "must not be empty");
      source->secrets.push_back(std::move(secret));
    }
  }
  if (node["timestamp_tolerance"]) {
    std::string p = Reader::Join(path, "timestamp_tolerance");
    HB_ASSIGN_OR_RETURN(source->timestamp_tolerance, r.Duration(node["timestamp_tolerance"], p));
    if (source->timestamp_tolerance <= absl::ZeroDuration()) return r.Error(p, "must be positive");
  }
  std::string p_token = Reader::Join(path, "path_token");
  if (node["path_token"]) {
    HB_ASSIGN_OR_RETURN(source->path_token, r.String(node["path_token"], p_token));
    if (source->path_token.size() < kMinPathTokenLength) {
      return r.Error(p_token, absl::StrCat("must be at least ", kMinPathTokenLength,
                                           " characters (it is the source's credential)"));
    }
    for (char c : source->path_token) {
      if (!(absl::ascii_isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~')) {
        return r.Error(p_token, "may only contain A-Z, a-z, 0-9, -, _, . and ~");
      }
    }
  }
  if (node["public_url"]) {
    const std::string p = Reader::Join(path, "public_url");
    HB_ASSIGN_OR_RETURN(source->public_url, r.String(node["public_url"], p));
    absl::string_view url = source->public_url;
    if (!absl::ConsumePrefix(&url, "https://") && !absl::ConsumePrefix(&url, "http://")) {
      return r.Error(p, "must be an absolute http:// or https:// URL, as given to the provider");
    }
    const size_t slash = url.find('/');
    if (slash == 0 || url.empty() || url.find_first_of(" \t#") != absl::string_view::npos) {
      return r.Error(p, "must name a host, and have no spaces or #fragment");
    }
  }
  if (node["rate_limit"]) {
    RateLimit limit;
    HB_RETURN_IF_ERROR(
        ReadRateLimit(r, node["rate_limit"], Reader::Join(path, "rate_limit"), &limit));
    source->rate_limit = limit;
  }
  for (const char* key : {"event_type", "subject", "delivery_id"}) {
    const YAML::Node location = node[key];
    if (!location) continue;
    const std::string p = Reader::Join(path, key);
    HB_RETURN_IF_ERROR(r.CheckKeys(location, p, {"header", "field"}));
    if (location.size() != 1) return r.Error(p, "give exactly one of header or field");
    ValueLocation* out = std::string(key) == "event_type" ? &source->event_type
                         : std::string(key) == "subject"  ? &source->subject
                                                          : &source->delivery_id;
    if (location["header"]) {
      out->kind = ValueLocation::Kind::kHeader;
      HB_ASSIGN_OR_RETURN(out->name, r.String(location["header"], Reader::Join(p, "header")));
    } else {
      out->kind = ValueLocation::Kind::kField;
      HB_ASSIGN_OR_RETURN(out->name, r.String(location["field"], Reader::Join(p, "field")));
    }
    if (out->name.empty()) return r.Error(p, "must not be empty");
  }
  if (const YAML::Node hmac = node["hmac"]) {
    const std::string p = Reader::Join(path, "hmac");
    HB_RETURN_IF_ERROR(r.CheckKeys(hmac, p,
                                   {"header", "prefix", "algorithm", "encoding", "signed_content",
                                    "timestamp_header", "timestamp_unit"}));
    HmacConfig out;
    for (auto [key, field] : std::initializer_list<std::pair<const char*, std::string*>>{
             {"header", &out.header},
             {"prefix", &out.prefix},
             {"algorithm", &out.algorithm},
             {"encoding", &out.encoding},
             {"signed_content", &out.signed_content},
             {"timestamp_header", &out.timestamp_header},
             {"timestamp_unit", &out.timestamp_unit}}) {
      if (hmac[key]) HB_ASSIGN_OR_RETURN(*field, r.String(hmac[key], Reader::Join(p, key)));
    }
    source->hmac = std::move(out);
  }
  if (const YAML::Node cloudevents = node["cloudevents"]) {
    const std::string p = Reader::Join(path, "cloudevents");
    HB_RETURN_IF_ERROR(r.CheckKeys(cloudevents, p, {"auth", "allowed_origins"}));
    CloudEventsConfig out;
    if (cloudevents["auth"]) {
      HB_ASSIGN_OR_RETURN(out.auth, r.String(cloudevents["auth"], Reader::Join(p, "auth")));
    }
    if (const YAML::Node origins = cloudevents["allowed_origins"]) {
      const std::string p_origins = Reader::Join(p, "allowed_origins");
      if (!origins.IsSequence()) return r.Error(p_origins, "must be a list");
      for (size_t i = 0; i < origins.size(); ++i) {
        std::string origin;
        HB_ASSIGN_OR_RETURN(origin, r.String(origins[i], absl::StrCat(p_origins, "[", i, "]")));
        out.allowed_origins.push_back(std::move(origin));
      }
    }
    source->cloudevents = std::move(out);
  }
  // What the provider's row requires (secrets, a path token, locations only
  // for generic providers, its own checks): the one copy of those rules.
  if (absl::Status s = CheckSourceConfig(*provider, *source); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config: ", path, ".", s.message()));
  }
  return absl::OkStatus();
}

absl::Status ReadStringList(const Reader& r, const YAML::Node& node, absl::string_view path,
                            std::vector<std::string>* out) {
  if (!node || !node.IsSequence() || node.size() == 0) {
    return r.Error(path, "must be a non-empty list (use [\"*\"] for all)");
  }
  for (size_t i = 0; i < node.size(); ++i) {
    std::string value;
    HB_ASSIGN_OR_RETURN(value, r.String(node[i], absl::StrCat(path, "[", i, "]")));
    if (value.empty()) return r.Error(absl::StrCat(path, "[", i, "]"), "must not be empty");
    out->push_back(std::move(value));
  }
  return absl::OkStatus();
}

absl::Status ReadAuth(const Reader& r, const YAML::Node& node, AuthConfig* auth) {
  if (!node) return absl::OkStatus();
  HB_RETURN_IF_ERROR(r.CheckKeys(node, "auth", {"enabled", "tokens"}));
  if (node["enabled"]) {
    std::string enabled;
    HB_ASSIGN_OR_RETURN(enabled, r.String(node["enabled"], "auth.enabled"));
    if (enabled != "true" && enabled != "false") {
      return r.Error("auth.enabled", "must be true or false");
    }
    auth->enabled = enabled == "true";
  }
  const YAML::Node tokens = node["tokens"];
  if (!tokens) return absl::OkStatus();
  if (!tokens.IsSequence()) return r.Error("auth.tokens", "must be a list");
  for (size_t i = 0; i < tokens.size(); ++i) {
    const std::string path = absl::StrCat("auth.tokens[", i, "]");
    HB_RETURN_IF_ERROR(r.CheckKeys(
        tokens[i], path, {"name", "sha256", "sources", "types", "consumers", "manage_consumers"}));
    TokenConfig token;
    for (const char* key : {"name", "sha256"}) {
      if (!tokens[i][key]) return r.Error(Reader::Join(path, key), "is required");
    }
    HB_ASSIGN_OR_RETURN(token.name, r.String(tokens[i]["name"], Reader::Join(path, "name")));
    HB_ASSIGN_OR_RETURN(token.sha256, r.String(tokens[i]["sha256"], Reader::Join(path, "sha256")));
    token.sha256 = absl::AsciiStrToLower(token.sha256);
    Sha256Digest digest;
    if (!HexDecodeDigest(token.sha256, &digest)) {
      return r.Error(Reader::Join(path, "sha256"),
                     "must be the 64-digit hex SHA-256 of the token (hookbridge --mint-token "
                     "prints one)");
    }
    HB_RETURN_IF_ERROR(
        ReadStringList(r, tokens[i]["sources"], Reader::Join(path, "sources"), &token.sources));
    HB_RETURN_IF_ERROR(
        ReadStringList(r, tokens[i]["types"], Reader::Join(path, "types"), &token.types));
    if (tokens[i]["consumers"]) {
      token.consumers.clear();
      HB_RETURN_IF_ERROR(ReadStringList(r, tokens[i]["consumers"], Reader::Join(path, "consumers"),
                                        &token.consumers));
    }
    if (tokens[i]["manage_consumers"]) {
      std::string manage;
      const std::string key = Reader::Join(path, "manage_consumers");
      HB_ASSIGN_OR_RETURN(manage, r.String(tokens[i]["manage_consumers"], key));
      if (manage != "true" && manage != "false") return r.Error(key, "must be true or false");
      token.manage_consumers = manage == "true";
    }
    auth->tokens.push_back(std::move(token));
  }
  return absl::OkStatus();
}

// `consumers:`: each entry as the ConsumerConfig CreateConsumer takes.
absl::Status ReadConsumers(const Reader& r, const YAML::Node& node,
                           std::vector<v1::ConsumerConfig>* consumers) {
  if (!node) return absl::OkStatus();
  if (!node.IsSequence()) return r.Error("consumers", "must be a list");
  std::set<std::string> names;
  for (size_t i = 0; i < node.size(); ++i) {
    const std::string path = absl::StrCat("consumers[", i, "]");
    const YAML::Node c = node[i];
    HB_RETURN_IF_ERROR(
        r.CheckKeys(c, path,
                    {"name", "sources", "types", "environment_ids", "subjects", "start",
                     "ack_deadline", "max_deliveries", "ordering", "max_outstanding"}));
    v1::ConsumerConfig config;
    if (!c["name"]) return r.Error(Reader::Join(path, "name"), "is required");
    HB_ASSIGN_OR_RETURN(*config.mutable_name(), r.String(c["name"], Reader::Join(path, "name")));
    if (!names.insert(config.name()).second) {
      return r.Error(Reader::Join(path, "name"),
                     absl::StrCat("\"", config.name(), "\" is declared twice"));
    }
    for (const char* key : {"sources", "types", "environment_ids", "subjects"}) {
      if (!c[key]) continue;  // any
      std::vector<std::string> values;
      HB_RETURN_IF_ERROR(ReadStringList(r, c[key], Reader::Join(path, key), &values));
      auto* field = std::string(key) == "sources"    ? config.mutable_sources()
                    : std::string(key) == "types"    ? config.mutable_types()
                    : std::string(key) == "subjects" ? config.mutable_subjects()
                                                     : config.mutable_environment_ids();
      for (std::string& v : values) field->Add(std::move(v));
    }
    if (c["start"]) {
      const std::string key = Reader::Join(path, "start");
      std::string start;
      HB_ASSIGN_OR_RETURN(start, r.String(c["start"], key));
      uint64_t after = 0;
      absl::Time since;
      std::string error;
      if (start == "latest") {
        config.set_latest(true);
      } else if (start == "earliest") {
        config.set_earliest(true);
      } else if (absl::SimpleAtoi(start, &after)) {
        config.set_after_sequence(after);
      } else if (absl::ParseTime(absl::RFC3339_full, start, &since, &error)) {
        const int64_t nanos = absl::ToUnixNanos(since);
        config.mutable_since()->set_seconds(nanos / 1000000000);
        config.mutable_since()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
      } else {
        return r.Error(key, "must be latest, earliest, a sequence or an RFC 3339 time");
      }
    }
    if (c["ack_deadline"]) {
      absl::Duration d;
      HB_ASSIGN_OR_RETURN(d, r.Duration(c["ack_deadline"], Reader::Join(path, "ack_deadline")));
      const int64_t nanos = absl::ToInt64Nanoseconds(d);
      config.mutable_ack_deadline()->set_seconds(nanos / 1000000000);
      config.mutable_ack_deadline()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
    }
    if (c["max_deliveries"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Uint(c["max_deliveries"], Reader::Join(path, "max_deliveries")));
      if (v > 1000) return r.Error(Reader::Join(path, "max_deliveries"), "must be at most 1000");
      config.set_max_deliveries(static_cast<uint32_t>(v));
    }
    if (c["max_outstanding"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Uint(c["max_outstanding"], Reader::Join(path, "max_outstanding")));
      config.set_max_outstanding(static_cast<uint32_t>(std::min<uint64_t>(v, UINT32_MAX)));
    }
    if (c["ordering"]) {
      std::string ordering;
      HB_ASSIGN_OR_RETURN(ordering, r.String(c["ordering"], Reader::Join(path, "ordering")));
      if (ordering == "per_subject") {
        config.set_ordering(v1::CONSUMER_ORDERING_PER_SUBJECT);
      } else if (ordering == "none") {
        config.set_ordering(v1::CONSUMER_ORDERING_NONE);
      } else {
        return r.Error(Reader::Join(path, "ordering"), "must be none or per_subject");
      }
    }
    if (absl::Status valid = ValidateConsumerConfig(config); !valid.ok()) {
      return r.Error(path, valid.message());
    }
    consumers->push_back(std::move(config));
  }
  return absl::OkStatus();
}

absl::StatusOr<Config> ParseNode(const YAML::Node& root, const EnvLookup& env) {
  Reader r(env);
  Config config;
  if (!root || root.IsNull()) return r.Error("(top level)", "the config is empty");
  HB_RETURN_IF_ERROR(r.CheckKeys(root, "",
                                 {"http", "grpc", "admin", "log", "dedup", "sources", "logging",
                                  "shutdown_timeout", "auth", "consumers"}));
  if (root["shutdown_timeout"]) {
    HB_ASSIGN_OR_RETURN(config.shutdown_timeout,
                        r.Duration(root["shutdown_timeout"], "shutdown_timeout"));
  }
  HB_RETURN_IF_ERROR(ReadHttp(r, root["http"], &config.http));
  if (const YAML::Node grpc = root["grpc"]) {
    HB_RETURN_IF_ERROR(r.CheckKeys(
        grpc, "grpc",
        {"listen", "tls", "max_subscribers", "max_streams_per_token", "max_connections",
         "idle_timeout", "max_connection_age", "max_connection_age_grace", "handshake_timeout",
         "max_filter_patterns", "max_event_bytes", "heartbeat_interval"}));
    if (grpc["max_subscribers"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Uint(grpc["max_subscribers"], "grpc.max_subscribers"));
      if (v < 1 || v > 1000000) {
        return r.Error("grpc.max_subscribers", "must be between 1 and 1000000");
      }
      config.grpc.max_subscribers = static_cast<uint32_t>(v);
    }
    if (grpc["max_streams_per_token"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Uint(grpc["max_streams_per_token"], "grpc.max_streams_per_token"));
      if (v < 1 || v > 1000000) {
        return r.Error("grpc.max_streams_per_token", "must be between 1 and 1000000");
      }
      config.grpc.max_streams_per_token = static_cast<uint32_t>(v);
    }
    if (grpc["max_connections"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Uint(grpc["max_connections"], "grpc.max_connections"));
      if (v < 1 || v > 1000000) {
        return r.Error("grpc.max_connections", "must be between 1 and 1000000");
      }
      config.grpc.max_connections = static_cast<uint32_t>(v);
    }
    // A connection's life. The idle timeout and the age may be 0 (off).
    const struct {
      const char* key;
      absl::Duration* value;
      absl::Duration min;
      bool may_be_off;
    } durations[] = {
        {"idle_timeout", &config.grpc.idle_timeout, absl::Seconds(1), true},
        {"max_connection_age", &config.grpc.max_connection_age, absl::Seconds(1), true},
        {"max_connection_age_grace", &config.grpc.max_connection_age_grace, absl::ZeroDuration(),
         false},
        {"handshake_timeout", &config.grpc.handshake_timeout, absl::Seconds(1), false},
    };
    for (const auto& d : durations) {
      if (!grpc[d.key]) continue;
      const std::string key = absl::StrCat("grpc.", d.key);
      absl::Duration v;
      HB_ASSIGN_OR_RETURN(v, r.Duration(grpc[d.key], key));
      const bool off = d.may_be_off && v == absl::ZeroDuration();
      if (!off && (v < d.min || v > absl::Hours(168))) {
        return r.Error(key, absl::StrCat("must be ", d.may_be_off ? "0 (off) or " : "", "between ",
                                         FormatConfigDuration(d.min), " and 168h"));
      }
      *d.value = v;
    }
    if (grpc["max_filter_patterns"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Uint(grpc["max_filter_patterns"], "grpc.max_filter_patterns"));
      if (v < 1 || v > 512) {
        return r.Error("grpc.max_filter_patterns", "must be between 1 and 512");
      }
      config.grpc.max_filter_patterns = static_cast<uint32_t>(v);
    }
    if (grpc["max_event_bytes"]) {
      uint64_t v = 0;
      HB_ASSIGN_OR_RETURN(v, r.Bytes(grpc["max_event_bytes"], "grpc.max_event_bytes"));
      if (v < (64u << 10) || v > (1ull << 30)) {
        return r.Error("grpc.max_event_bytes", "must be between 64KiB and 1GiB");
      }
      config.grpc.max_event_bytes = v;
    }
    if (grpc["heartbeat_interval"]) {
      absl::Duration d;
      HB_ASSIGN_OR_RETURN(d, r.Duration(grpc["heartbeat_interval"], "grpc.heartbeat_interval"));
      if (d < absl::Seconds(1) || d > absl::Hours(1)) {
        return r.Error("grpc.heartbeat_interval", "must be between 1s and 1h");
      }
      config.grpc.heartbeat_interval = d;
    }
    if (grpc["listen"]) {
      HB_ASSIGN_OR_RETURN(config.grpc.listen, r.Listen(grpc["listen"], "grpc.listen"));
    }
    if (grpc["tls"]) HB_RETURN_IF_ERROR(ReadTls(r, grpc["tls"], "grpc.tls", &config.grpc.tls));
  }
  HB_RETURN_IF_ERROR(ReadAdmin(r, root["admin"], &config.admin));
  HB_RETURN_IF_ERROR(ReadLog(r, root["log"], &config.log));
  HB_RETURN_IF_ERROR(FitMaxBodyBytes(
      r, root["http"] && root["http"].IsMap() && root["http"]["max_body_bytes"], &config));
  if (const YAML::Node dedup = root["dedup"]) {
    HB_RETURN_IF_ERROR(
        r.CheckKeys(dedup, "dedup", {"max_entries", "window", "window_max_entries"}));
    if (dedup["max_entries"]) {
      HB_ASSIGN_OR_RETURN(config.dedup.max_entries,
                          r.Uint(dedup["max_entries"], "dedup.max_entries"));
    }
    if (config.dedup.max_entries == 0) return r.Error("dedup.max_entries", "must be positive");
    if (dedup["window"]) {
      HB_ASSIGN_OR_RETURN(config.dedup.window, r.Duration(dedup["window"], "dedup.window"));
    }
    if (config.dedup.window > absl::Hours(24 * 366)) {
      return r.Error("dedup.window", "at most 366d");
    }
    if (dedup["window_max_entries"]) {
      HB_ASSIGN_OR_RETURN(config.dedup.window_max_entries,
                          r.Uint(dedup["window_max_entries"], "dedup.window_max_entries"));
    }
    if (config.dedup.window_max_entries > 100000000) {
      return r.Error("dedup.window_max_entries", "at most 100000000 (about 6.4 GB of memory)");
    }
  }
  if (const YAML::Node logging = root["logging"]) {
    HB_RETURN_IF_ERROR(r.CheckKeys(logging, "logging", {"level"}));
    if (logging["level"])
      HB_ASSIGN_OR_RETURN(config.log_level, r.String(logging["level"], "logging.level"));
    const std::set<std::string> levels = {"debug", "info", "warn", "error"};
    if (!levels.count(config.log_level)) {
      return r.Error("logging.level", "must be one of debug, info, warn, error");
    }
  }
  const YAML::Node sources = root["sources"];
  if (!sources || !sources.IsSequence() || sources.size() == 0) {
    return r.Error("sources", "must be a non-empty list of webhook sources");
  }
  std::set<std::string> names;
  for (size_t i = 0; i < sources.size(); ++i) {
    std::string path = absl::StrCat("sources[", i, "]");
    SourceConfig source;
    HB_RETURN_IF_ERROR(ReadSource(r, sources[i], path, &source));
    if (!names.insert(source.name).second) {
      return r.Error(path + ".name", absl::StrCat("duplicate source name \"", source.name, "\""));
    }
    config.sources.push_back(std::move(source));
  }
  // Last, as in the default config file: errors come in the file's order.
  HB_RETURN_IF_ERROR(ReadAuth(r, root["auth"], &config.auth));
  HB_RETURN_IF_ERROR(ReadConsumers(r, root["consumers"], &config.consumers));
  if (const LogBackend* backend = FindLogBackend(config.log.backend);
      backend != nullptr && backend->check_consumer != nullptr) {
    for (size_t i = 0; i < config.consumers.size(); ++i) {
      if (absl::Status supported = backend->check_consumer(config.consumers[i]); !supported.ok()) {
        return r.Error(absl::StrCat("consumers[", i, "]"), supported.message());
      }
    }
  }
  return config;
}

}  // namespace

std::vector<std::pair<std::string, std::string>> DescribeConfig(const Config& config) {
  const auto boolean = [](bool b) -> std::string { return b ? "true" : "false"; };
  const auto rate = [](const RateLimit& limit) {
    return absl::StrCat("{ per_second: ", limit.per_second, ", burst: ", limit.burst, " }");
  };
  const HttpConfig& http = config.http;
  std::vector<std::pair<std::string, std::string>> out = {
      {"http.listen", http.listen.ToString()},
      {"http.max_body_bytes", FormatConfigBytes(http.max_body_bytes)},
      {"http.max_header_bytes", FormatConfigBytes(http.max_header_bytes)},
      {"http.read_timeout", FormatConfigDuration(http.read_timeout)},
      {"http.idle_timeout", FormatConfigDuration(http.idle_timeout)},
      {"http.threads", absl::StrCat(http.threads)},
      {"http.max_connections", absl::StrCat(http.max_connections)},
      {"http.max_requests_per_connection", absl::StrCat(http.max_requests_per_connection)},
      {"http.max_json_depth", absl::StrCat(http.max_json_depth)},
      {"http.rate_limit", rate(http.rate_limit)},
      {"grpc.listen", config.grpc.listen.ToString()},
      {"grpc.max_subscribers", absl::StrCat(config.grpc.max_subscribers)},
      {"grpc.max_streams_per_token", absl::StrCat(config.grpc.max_streams_per_token)},
      {"grpc.max_connections", absl::StrCat(config.grpc.max_connections)},
      {"grpc.idle_timeout", FormatConfigDuration(config.grpc.idle_timeout)},
      {"grpc.max_connection_age", FormatConfigDuration(config.grpc.max_connection_age)},
      {"grpc.max_connection_age_grace", FormatConfigDuration(config.grpc.max_connection_age_grace)},
      {"grpc.handshake_timeout", FormatConfigDuration(config.grpc.handshake_timeout)},
      {"grpc.max_filter_patterns", absl::StrCat(config.grpc.max_filter_patterns)},
      {"grpc.max_event_bytes", FormatConfigBytes(config.grpc.max_event_bytes)},
      {"grpc.heartbeat_interval", FormatConfigDuration(config.grpc.heartbeat_interval)},
      {"admin.listen", config.admin.listen.ToString()},
      {"admin.console", boolean(config.admin.console)},
      {"admin.console_deliveries", absl::StrCat(config.admin.console_deliveries)},
      {"admin.console_bytes", FormatConfigBytes(config.admin.console_bytes)},
      {"admin.console_body_preview_bytes",
       FormatConfigBytes(config.admin.console_body_preview_bytes)},
      {"admin.allowed_hosts",
       config.admin.allowed_hosts.empty()
           ? "[]"
           : absl::StrCat("[", absl::StrJoin(config.admin.allowed_hosts, ", "), "]")},
  };
  for (const auto& [key, value] : DescribeLog(config.log)) {
    out.emplace_back(absl::StrCat("log.", key), value);
  }
  out.emplace_back("dedup.max_entries", absl::StrCat(config.dedup.max_entries));
  out.emplace_back("dedup.window", FormatConfigDuration(config.dedup.window));
  out.emplace_back("dedup.window_max_entries", absl::StrCat(config.dedup.window_max_entries));
  out.emplace_back("auth.enabled", boolean(config.auth.enabled));
  out.emplace_back("auth.tokens", config.auth.tokens.empty()
                                      ? "[]"
                                      : absl::StrCat(config.auth.tokens.size(), " tokens"));
  const TokenConfig token;
  out.emplace_back("auth.tokens[].consumers",
                   absl::StrCat("[\"", absl::StrJoin(token.consumers, "\", \""), "\"]"));
  out.emplace_back("auth.tokens[].manage_consumers", boolean(token.manage_consumers));
  // What a declared consumer without the key gets (consumer_set.h).
  for (const char* list : {"sources", "types", "environment_ids", "subjects"}) {
    out.emplace_back(absl::StrCat("consumers[].", list), "[]");
  }
  out.emplace_back("consumers[].start", "latest");
  out.emplace_back("consumers[].ack_deadline", FormatConfigDuration(kDefaultAckDeadline));
  out.emplace_back("consumers[].max_deliveries", absl::StrCat(kDefaultMaxDeliveries));
  out.emplace_back("consumers[].ordering", "none");
  out.emplace_back("consumers[].max_outstanding", absl::StrCat(kDefaultMaxOutstanding));
  out.emplace_back("shutdown_timeout", FormatConfigDuration(config.shutdown_timeout));
  out.emplace_back("logging.level", config.log_level);
  if (!config.sources.empty()) {
    const SourceConfig& source = config.sources.front();
    out.emplace_back("sources[].timestamp_tolerance",
                     FormatConfigDuration(source.timestamp_tolerance));
    out.emplace_back("sources[].rate_limit",
                     source.rate_limit ? rate(*source.rate_limit) : "http.rate_limit");
  }
  return out;
}

std::string ListenAddress::ToString() const {
  if (absl::StrContains(host, ':')) return absl::StrCat("[", host, "]:", port);
  return absl::StrCat(host, ":", port);
}

absl::StatusOr<ListenAddress> ParseListenAddress(absl::string_view text) {
  ListenAddress out;
  absl::string_view port_text;
  if (absl::StartsWith(text, "[")) {
    size_t close = text.find(']');
    if (close == absl::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
      return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not [host]:port"));
    }
    out.host = std::string(text.substr(1, close - 1));
    port_text = text.substr(close + 2);
  } else {
    size_t colon = text.rfind(':');
    if (colon == absl::string_view::npos || text.find(':') != colon) {
      return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not host:port"));
    }
    out.host = std::string(text.substr(0, colon));
    port_text = text.substr(colon + 1);
  }
  // Brackets belong around an IPv6 host, never in one: "[[a]:80" would
  // give the host "[a", which ToString() writes as "[a:80", which does not
  // parse.
  if (out.host.find_first_of("[]") != std::string::npos) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not host:port"));
  }
  uint32_t port = 0;
  if (out.host.empty() || !absl::SimpleAtoi(port_text, &port) || port > 65535) {
    return absl::InvalidArgumentError(absl::StrCat("\"", text, "\" is not host:port"));
  }
  out.port = static_cast<uint16_t>(port);
  return out;
}

absl::StatusOr<uint64_t> ParseByteSize(absl::string_view text) {
  static constexpr struct {
    absl::string_view suffix;
    uint64_t factor;
  } kUnits[] = {{"KiB", 1ull << 10},
                {"MiB", 1ull << 20},
                {"GiB", 1ull << 30},
                {"KB", 1000},
                {"MB", 1000000},
                {"GB", 1000000000},
                {"B", 1}};
  absl::string_view digits = absl::StripAsciiWhitespace(text);
  uint64_t factor = 1;
  for (const auto& unit : kUnits) {
    if (absl::EndsWith(digits, unit.suffix)) {
      digits = absl::StripAsciiWhitespace(digits.substr(0, digits.size() - unit.suffix.size()));
      factor = unit.factor;
      break;
    }
  }
  uint64_t value = 0;
  if (digits.empty() || !absl::SimpleAtoi(digits, &value) || value > UINT64_MAX / factor) {
    return absl::InvalidArgumentError(
        absl::StrCat("not a byte size such as 4096, 512KiB or 10MiB: \"", text, "\""));
  }
  return value * factor;
}

absl::StatusOr<Config> ParseConfig(absl::string_view yaml, const EnvLookup& env) {
  try {
    return ParseNode(YAML::Load(std::string(yaml)), env);
  } catch (const YAML::Exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("config: not valid YAML: ", e.what()));
  }
}

absl::StatusOr<std::string> ReadConfigText(const std::string& path) {
  std::ifstream in(path);
  if (!in) return absl::NotFoundError(absl::StrCat("config: cannot read ", path));
  std::stringstream text;
  text << in.rdbuf();
  if (in.bad()) return absl::NotFoundError(absl::StrCat("config: cannot read ", path));
  return text.str();
}

EnvLookup ProcessEnvironment() {
  return [](absl::string_view name) -> std::optional<std::string> {
    const char* v = std::getenv(std::string(name).c_str());
    if (v == nullptr) return std::nullopt;
    return std::string(v);
  };
}

absl::StatusOr<Config> LoadConfigFile(const std::string& path) {
  absl::StatusOr<std::string> text = ReadConfigText(path);
  if (!text.ok()) return text.status();
  return ParseConfig(*text, ProcessEnvironment());
}

}  // namespace hookbridge
