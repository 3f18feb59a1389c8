#include "hookbridge/client.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace hookbridge::client {
namespace {

constexpr char kStartAfterHeader[] = "hookbridge-start-after";
constexpr char kResumeAfterTrailer[] = "hookbridge-resume-after";
// Deadline of the GetServerInfo call made before each stream.
constexpr auto kInfoDeadline = std::chrono::seconds(10);
// A stream silent for this many heartbeat intervals is taken as dead.
constexpr int kSilentIntervals = 3;

grpc::Status ReadFile(const std::string& path, std::string* out) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "cannot read " + path + ": " + std::strerror(errno));
  }
  std::ostringstream contents;
  contents << in.rdbuf();
  *out = contents.str();
  return grpc::Status::OK;
}

grpc::Status ErrnoStatus(const std::string& what) {
  return grpc::Status(grpc::StatusCode::INTERNAL, what + ": " + std::strerror(errno));
}

std::optional<uint64_t> ParseSequence(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r' || text.back() == ' ')) {
    text.pop_back();
  }
  if (text.empty() || text.size() > 20) return std::nullopt;
  uint64_t value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    const uint64_t digit = static_cast<uint64_t>(c - '0');
    if (value > (UINT64_MAX - digit) / 10) return std::nullopt;
    value = value * 10 + digit;
  }
  return value;
}

std::optional<uint64_t> MetadataSequence(const std::multimap<grpc::string_ref, grpc::string_ref>& m,
                                         const char* key) {
  auto it = m.find(key);
  if (it == m.end()) return std::nullopt;
  return ParseSequence(std::string(it->second.data(), it->second.size()));
}

void Raise(std::optional<uint64_t>* position, uint64_t sequence) {
  if (!position->has_value() || **position < sequence) *position = sequence;
}

}  // namespace

std::string CodeName(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::OK:
      return "OK";
    case grpc::StatusCode::CANCELLED:
      return "CANCELLED";
    case grpc::StatusCode::UNKNOWN:
      return "UNKNOWN";
    case grpc::StatusCode::INVALID_ARGUMENT:
      return "INVALID_ARGUMENT";
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return "DEADLINE_EXCEEDED";
    case grpc::StatusCode::NOT_FOUND:
      return "NOT_FOUND";
    case grpc::StatusCode::ALREADY_EXISTS:
      return "ALREADY_EXISTS";
    case grpc::StatusCode::PERMISSION_DENIED:
      return "PERMISSION_DENIED";
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return "RESOURCE_EXHAUSTED";
    case grpc::StatusCode::FAILED_PRECONDITION:
      return "FAILED_PRECONDITION";
    case grpc::StatusCode::ABORTED:
      return "ABORTED";
    case grpc::StatusCode::OUT_OF_RANGE:
      return "OUT_OF_RANGE";
    case grpc::StatusCode::UNIMPLEMENTED:
      return "UNIMPLEMENTED";
    case grpc::StatusCode::INTERNAL:
      return "INTERNAL";
    case grpc::StatusCode::UNAVAILABLE:
      return "UNAVAILABLE";
    case grpc::StatusCode::DATA_LOSS:
      return "DATA_LOSS";
    case grpc::StatusCode::UNAUTHENTICATED:
      return "UNAUTHENTICATED";
    default:
      return "CODE_" + std::to_string(static_cast<int>(code));
  }
}

bool IsRetryable(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return true;
    default:
      return false;
  }
}

std::chrono::milliseconds Backoff(int attempt, std::chrono::milliseconds initial,
                                  std::chrono::milliseconds max, std::chrono::milliseconds at_least,
                                  std::mt19937_64& random) {
  int64_t bound = std::max<int64_t>(initial.count(), 1);
  for (int i = 0; i < attempt && bound < max.count(); ++i) bound *= 2;
  bound = std::min<int64_t>(bound, max.count());
  std::uniform_int_distribution<int64_t> uniform(0, bound);
  return std::max(std::chrono::milliseconds(uniform(random)), at_least);
}

std::chrono::milliseconds RetryDelay(const grpc::Status& status) {
  if (status.error_details().empty()) return std::chrono::milliseconds(0);
  google::rpc::Status details;
  if (!details.ParseFromString(status.error_details())) return std::chrono::milliseconds(0);
  for (const google::protobuf::Any& any : details.details()) {
    google::rpc::RetryInfo retry;
    if (any.Is<google::rpc::RetryInfo>() && any.UnpackTo(&retry)) {
      return std::chrono::milliseconds(retry.retry_delay().seconds() * 1000 +
                                       retry.retry_delay().nanos() / 1000000);
    }
  }
  return std::chrono::milliseconds(0);
}

// ---- FileCursorStore ------------------------------------------------------------

grpc::Status FileCursorStore::Load(std::optional<uint64_t>* sequence) {
  *sequence = std::nullopt;
  std::ifstream in(path_);
  if (!in) {
    if (errno == ENOENT) return grpc::Status::OK;
    return ErrnoStatus("cannot read the cursor file " + path_);
  }
  std::ostringstream text;
  text << in.rdbuf();
  *sequence = ParseSequence(text.str());
  if (!sequence->has_value()) {
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                        "the cursor file " + path_ + " does not hold a sequence number");
  }
  return grpc::Status::OK;
}

grpc::Status FileCursorStore::Save(uint64_t sequence) {
  const size_t slash = path_.rfind('/');
  const std::string dir = slash == std::string::npos ? "." : path_.substr(0, slash + 1);
  std::string tmp = (slash == std::string::npos ? "" : dir) + ".cursor-XXXXXX";
  const int fd = mkstemp(tmp.data());
  if (fd < 0) return ErrnoStatus("cannot create a file next to " + path_);
  const std::string text = std::to_string(sequence) + "\n";
  bool ok = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
  ok = ok && fsync(fd) == 0;
  ok = close(fd) == 0 && ok;
  if (!ok || rename(tmp.c_str(), path_.c_str()) != 0) {
    const grpc::Status error = ErrnoStatus("cannot write the cursor file " + path_);
    unlink(tmp.c_str());
    return error;
  }
  // The rename itself is durable once the directory is synced.
  if (const int dir_fd = open(dir.c_str(), O_RDONLY | O_DIRECTORY); dir_fd >= 0) {
    fsync(dir_fd);
    close(dir_fd);
  }
  return grpc::Status::OK;
}

// ---- Client ---------------------------------------------------------------------

grpc::Status Client::Create(Options options, std::unique_ptr<Client>* client) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls || !options.ca_file.empty()) {
    grpc::SslCredentialsOptions ssl;
    if (!options.ca_file.empty()) {
      if (grpc::Status s = ReadFile(options.ca_file, &ssl.pem_root_certs); !s.ok()) return s;
    }
    if (options.cert_file.empty() != options.key_file.empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "give both a client certificate and its key, or neither");
    }
    if (!options.cert_file.empty()) {
      if (grpc::Status s = ReadFile(options.cert_file, &ssl.pem_cert_chain); !s.ok()) return s;
      if (grpc::Status s = ReadFile(options.key_file, &ssl.pem_private_key); !s.ok()) return s;
    }
    credentials = grpc::SslCredentials(ssl);
  } else {
    if (!options.cert_file.empty() || !options.key_file.empty()) {
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT,
                          "a client certificate needs TLS (tls or ca_file)");
    }
    credentials = grpc::InsecureChannelCredentials();
  }
  client->reset(new Client(std::move(options), std::move(credentials)));
  return grpc::Status::OK;
}

Client::Client(Options options, std::shared_ptr<grpc::ChannelCredentials> credentials)
    : options_(std::move(options)), credentials_(std::move(credentials)) {
  // Unary calls: gRPC's default receive limit fits their responses.
  stub_ = v1::EventBridgeService::NewStub(Channel(0));
}

std::shared_ptr<grpc::Channel> Client::Channel(uint64_t max_receive_bytes) const {
  grpc::ChannelArguments args;
  if (max_receive_bytes > 0) {
    args.SetMaxReceiveMessageSize(static_cast<int>(std::min<uint64_t>(max_receive_bytes, INT_MAX)));
  }
  if (!options_.server_name.empty()) args.SetSslTargetNameOverride(options_.server_name);
  return grpc::CreateCustomChannel(options_.target, credentials_, args);
}

void Client::Authorize(grpc::ClientContext* context) const {
  if (!options_.token.empty()) context->AddMetadata("authorization", "Bearer " + options_.token);
}

grpc::Status Client::GetServerInfo(v1::GetServerInfoResponse* info) {
  grpc::ClientContext context;
  Authorize(&context);
  context.set_deadline(std::chrono::system_clock::now() + kInfoDeadline);
  return stub_->GetServerInfo(&context, v1::GetServerInfoRequest(), info);
}

grpc::Status Client::ListEventTypes(v1::ListEventTypesResponse* types) {
  grpc::ClientContext context;
  Authorize(&context);
  context.set_deadline(std::chrono::system_clock::now() + kInfoDeadline);
  return stub_->ListEventTypes(&context, v1::ListEventTypesRequest(), types);
}

std::unique_ptr<Subscription> Client::Subscribe(SubscribeOptions options) {
  return std::unique_ptr<Subscription>(new Subscription(this, std::move(options)));
}

// ---- Subscription ---------------------------------------------------------------

Subscription::Subscription(Client* client, SubscribeOptions options)
    : client_(client), options_(std::move(options)), random_(std::random_device()()) {
  last_heard_ = std::chrono::steady_clock::now();
  watchdog_ = std::thread([this] { Watch(); });
}

Subscription::~Subscription() {
  Cancel();
  if (watchdog_.joinable()) watchdog_.join();
  if (reader_ != nullptr) reader_->Finish();
}

void Subscription::Cancel() {
  std::lock_guard<std::mutex> lock(mu_);
  cancelled_ = true;
  if (context_ != nullptr) context_->TryCancel();
  changed_.notify_all();
}

// Ends a stream that has been silent for kSilentIntervals heartbeat
// intervals: the connection is gone without the transport noticing.
void Subscription::Watch() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!cancelled_) {
    changed_.wait_for(lock, std::chrono::milliseconds(250));
    if (cancelled_ || !streaming_ || stalled_) continue;
    if (std::chrono::steady_clock::now() - last_heard_ > kSilentIntervals * heartbeat_interval_) {
      stalled_ = true;
      context_->TryCancel();
    }
  }
}

grpc::Status Subscription::Commit() {
  if (has_handed_out_) Raise(&position_, handed_out_);
  if (options_.cursor_store == nullptr || !position_.has_value() || saved_ == position_) {
    return grpc::Status::OK;
  }
  grpc::Status saved = options_.cursor_store->Save(*position_);
  if (saved.ok()) saved_ = position_;
  return saved;
}

void Subscription::Advance(uint64_t sequence) { Raise(&position_, sequence); }

bool Subscription::Next(v1::Event* event) {
  if (has_handed_out_) {  // handled, since the application asks for more
    Advance(handed_out_);
    has_handed_out_ = false;
  }
  while (!over_) {
    if (reader_ == nullptr && !Open()) {
      over_ = true;
      break;
    }
    if (reader_ == nullptr) continue;  // Open() found a retryable failure
    if (next_ < response_.events_size()) {
      *event = std::move(*response_.mutable_events(next_++));
      handed_out_ = event->sequence();
      has_handed_out_ = true;
      return true;
    }
    if (!Fill()) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        streaming_ = false;
      }
      grpc::Status status = reader_->Finish();
      reader_.reset();
      if (!Ended(status)) over_ = true;
    }
  }
  return false;
}

bool Subscription::Fill() {
  // About to wait for the network: a good moment to save the position.
  if (grpc::Status saved = Commit(); !saved.ok()) {
    status_ = saved;
    over_ = true;
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (context_ != nullptr) context_->TryCancel();
    }
    return false;
  }
  response_.Clear();
  next_ = 0;
  while (reader_->Read(&response_)) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      last_heard_ = std::chrono::steady_clock::now();
    }
    attempt_ = 0;  // the stream delivers
    if (response_.has_heartbeat()) {
      Advance(response_.heartbeat().resume_after());
      Commit();  // a failure shows again at the next Commit
    }
    if (response_.has_gap()) {
      if (options_.on_gap) options_.on_gap(response_.gap());
      Advance(response_.gap().last_sequence());
    }
    if (response_.events_size() > 0) return true;
    response_.Clear();
  }
  return false;
}

bool Subscription::Open() {
  std::chrono::milliseconds wait = least_wait_;
  least_wait_ = std::chrono::milliseconds(0);
  {
    std::unique_lock<std::mutex> lock(mu_);
    if (wait.count() > 0) changed_.wait_for(lock, wait, [this] { return cancelled_; });
    if (cancelled_) return false;
  }
  if (!started_) {
    started_ = true;
    if (options_.cursor_store != nullptr) {
      std::optional<uint64_t> stored;
      if (grpc::Status loaded = options_.cursor_store->Load(&stored); !loaded.ok()) {
        status_ = loaded;
        return false;
      }
      if (stored.has_value()) {
        position_ = stored;
        saved_ = stored;
      }
    }
  }

  // The server's limits, before each stream: a restarted server may have
  // other ones.
  v1::GetServerInfoResponse info;
  {
    auto context = std::make_unique<grpc::ClientContext>();
    client_->Authorize(context.get());
    context->set_deadline(std::chrono::system_clock::now() + kInfoDeadline);
    grpc::ClientContext* raw = context.get();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) return false;
      context_ = std::move(context);
    }
    grpc::Status status = client_->stub_->GetServerInfo(raw, v1::GetServerInfoRequest(), &info);
    if (!status.ok()) return Ended(status);
  }
  if (stub_ == nullptr || stub_limit_ != info.max_response_bytes()) {
    stub_ = v1::EventBridgeService::NewStub(client_->Channel(info.max_response_bytes()));
    stub_limit_ = info.max_response_bytes();
  }

  v1::SubscribeRequest request;
  for (const std::string& t : options_.types) request.add_types(t);
  for (const std::string& s : options_.sources) request.add_sources(s);
  for (const std::string& e : options_.environment_ids) request.add_environment_ids(e);
  for (const std::string& s : options_.subjects) request.add_subjects(s);
  request.set_include_raw(options_.include_raw);
  request.set_allow_gaps(options_.allow_gaps);
  if (position_.has_value()) {
    request.set_after_sequence(*position_);
  } else if (options_.after_sequence.has_value()) {
    request.set_after_sequence(*options_.after_sequence);
  } else if (options_.since.has_value()) {
    const auto nanos =
        std::chrono::duration_cast<std::chrono::nanoseconds>(options_.since->time_since_epoch())
            .count();
    request.mutable_since()->set_seconds(nanos / 1000000000);
    request.mutable_since()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  } else if (options_.earliest) {
    request.set_earliest(true);
  }

  auto context = std::make_unique<grpc::ClientContext>();
  client_->Authorize(context.get());
  grpc::ClientContext* raw = context.get();
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return false;
    context_ = std::move(context);
    stalled_ = false;
    const int64_t interval_ms =
        info.heartbeat_interval().seconds() * 1000 + info.heartbeat_interval().nanos() / 1000000;
    heartbeat_interval_ = std::chrono::milliseconds(std::max<int64_t>(interval_ms, 1000));
    last_heard_ = std::chrono::steady_clock::now();
  }
  reader_ = stub_->Subscribe(raw, request);
  {
    std::lock_guard<std::mutex> lock(mu_);
    streaming_ = true;
  }
  reader_->WaitForInitialMetadata();
  if (std::optional<uint64_t> start =
          MetadataSequence(raw->GetServerInitialMetadata(), kStartAfterHeader)) {
    Advance(*start);
    if (options_.on_status) {
      options_.on_status("subscribed: streaming events after sequence " + std::to_string(*start));
    }
  }
  response_.Clear();
  next_ = 0;
  return true;
}

bool Subscription::Ended(grpc::Status status) {
  bool cancelled = false;
  bool stalled = false;
  std::optional<uint64_t> resume;
  {
    std::lock_guard<std::mutex> lock(mu_);
    cancelled = cancelled_;
    stalled = stalled_;
    if (context_ != nullptr) {
      resume = MetadataSequence(context_->GetServerTrailingMetadata(), kResumeAfterTrailer);
    }
  }
  if (!status_.ok()) return false;  // a cursor store failure ended it
  if (cancelled) {
    status_ = grpc::Status::OK;
    return false;
  }
  if (resume.has_value()) {
    resume_after_ = resume;
    Advance(*resume);  // every event up to it was handed out
  }
  if (stalled) {
    status = grpc::Status(
        grpc::StatusCode::UNAVAILABLE,
        "nothing received for " + std::to_string(kSilentIntervals) + " heartbeat intervals");
  }
  if (!IsRetryable(status.error_code())) {
    status_ = status;
    return false;
  }
  const std::chrono::milliseconds wait = Backoff(attempt_++, options_.initial_backoff,
                                                 options_.max_backoff, RetryDelay(status), random_);
  least_wait_ = wait;
  if (options_.on_status) {
    std::string line = "reconnecting in " + std::to_string(wait.count()) +
                       " ms: " + CodeName(status.error_code()) + ": " + status.error_message();
    if (resume.has_value()) {
      line += " (" + std::string(kResumeAfterTrailer) + ": " + std::to_string(*resume) + ")";
    }
    options_.on_status(line);
  }
  return true;
}

}  // namespace hookbridge::client
