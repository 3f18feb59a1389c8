#include "hookbridge/client.h"

#include <fcntl.h>
#include <grpcpp/support/client_callback.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <fstream>
#include <set>
#include <sstream>

#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"

namespace hookbridge::client {
namespace {

constexpr char kStartAfterHeader[] = "hookbridge-start-after";
constexpr char kResumeAfterTrailer[] = "hookbridge-resume-after";
// Deadline of the GetServerInfo call made before each stream.
constexpr auto kInfoDeadline = std::chrono::seconds(10);
// Deadline of the consumer RPCs.
constexpr auto kAdminDeadline = std::chrono::seconds(30);
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

// The line reported before a retry.
std::string ReconnectLine(std::chrono::milliseconds wait, const grpc::Status& status,
                          std::optional<uint64_t> resume_after) {
  std::string line = "reconnecting in " + std::to_string(wait.count()) +
                     " ms: " + CodeName(status.error_code()) + ": " + status.error_message();
  if (resume_after.has_value()) {
    line += " (" + std::string(kResumeAfterTrailer) + ": " + std::to_string(*resume_after) + ")";
  }
  return line;
}

grpc::Status SilentStatus() {
  return grpc::Status(
      grpc::StatusCode::UNAVAILABLE,
      "nothing received for " + std::to_string(kSilentIntervals) + " heartbeat intervals");
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

std::unique_ptr<Subscription> Client::Subscribe(SubscribeOptions options) {
  return std::unique_ptr<Subscription>(new Subscription(this, std::move(options)));
}

grpc::Status Client::Prepare(grpc::ClientContext* context, uint64_t margin,
                             internal::StreamSetup* setup) {
  Authorize(context);
  context->set_deadline(std::chrono::system_clock::now() + kInfoDeadline);
  v1::GetServerInfoResponse info;
  grpc::Status status = stub_->GetServerInfo(context, v1::GetServerInfoRequest(), &info);
  if (!status.ok()) return status;
  const uint64_t limit = info.max_response_bytes() == 0 ? 0 : info.max_response_bytes() + margin;
  if (setup->stub == nullptr || setup->limit != limit) {
    setup->stub = v1::EventBridgeService::NewStub(Channel(limit));
    setup->limit = limit;
  }
  const int64_t interval_ms =
      info.heartbeat_interval().seconds() * 1000 + info.heartbeat_interval().nanos() / 1000000;
  setup->heartbeat_interval = std::chrono::milliseconds(std::max<int64_t>(interval_ms, 1000));
  return grpc::Status::OK;
}

// ---- Unary calls -------------------------------------------------------------------

template <typename Request, typename Response>
grpc::Status Client::Call(UnaryMethod<Request, Response> method, const Request& request,
                          Response* response, std::chrono::seconds deadline) {
  grpc::ClientContext context;
  Authorize(&context);
  context.set_deadline(std::chrono::system_clock::now() + deadline);
  return (stub_.get()->*method)(&context, request, response);
}

grpc::Status Client::GetServerInfo(v1::GetServerInfoResponse* info) {
  return Call(&Stub::GetServerInfo, v1::GetServerInfoRequest(), info, kInfoDeadline);
}

grpc::Status Client::ListEventTypes(v1::ListEventTypesResponse* types) {
  return Call(&Stub::ListEventTypes, v1::ListEventTypesRequest(), types, kInfoDeadline);
}

grpc::Status Client::CreateConsumer(const v1::CreateConsumerRequest& request,
                                    v1::CreateConsumerResponse* response) {
  return Call(&Stub::CreateConsumer, request, response, kAdminDeadline);
}

grpc::Status Client::GetConsumer(const v1::GetConsumerRequest& request,
                                 v1::GetConsumerResponse* response) {
  return Call(&Stub::GetConsumer, request, response, kAdminDeadline);
}

grpc::Status Client::ListConsumers(v1::ListConsumersResponse* response) {
  return Call(&Stub::ListConsumers, v1::ListConsumersRequest(), response, kAdminDeadline);
}

grpc::Status Client::DeleteConsumer(const v1::DeleteConsumerRequest& request) {
  v1::DeleteConsumerResponse response;
  return Call(&Stub::DeleteConsumer, request, &response, kAdminDeadline);
}

grpc::Status Client::SeekConsumer(const v1::SeekConsumerRequest& request,
                                  v1::SeekConsumerResponse* response) {
  return Call(&Stub::SeekConsumer, request, response, kAdminDeadline);
}

grpc::Status Client::ListDeadLetters(const v1::ListDeadLettersRequest& request,
                                     v1::ListDeadLettersResponse* response) {
  return Call(&Stub::ListDeadLetters, request, response, kAdminDeadline);
}

grpc::Status Client::RedriveDeadLetters(const v1::RedriveDeadLettersRequest& request,
                                        v1::RedriveDeadLettersResponse* response) {
  return Call(&Stub::RedriveDeadLetters, request, response, kAdminDeadline);
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
    if (std::chrono::steady_clock::now() - last_heard_ >
        kSilentIntervals * setup_.heartbeat_interval) {
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
  if (!Ready(false)) return false;
  *event = std::move(*response_.mutable_events(next_++));
  handed_out_ = event->sequence();
  has_handed_out_ = true;
  return true;
}

bool Subscription::Next(io::cloudevents::v1::CloudEvent* event) {
  if (!Ready(true)) return false;
  *event = std::move(*response_.mutable_cloud_events(next_++));
  // The sequence extension attribute: decimal digits, zero-padded.
  auto it = event->attributes().find("sequence");
  const std::string digits = it == event->attributes().end() ? "" : it->second.ce_string();
  uint64_t sequence = 0;
  bool valid = !digits.empty() && digits.size() <= 20;
  for (char c : digits) {
    if (c < '0' || c > '9') valid = false;
  }
  if (valid) {
    errno = 0;
    const unsigned long long parsed = std::strtoull(digits.c_str(), nullptr, 10);
    valid = errno == 0;
    sequence = parsed;
  }
  if (!valid) {
    status_ =
        grpc::Status(grpc::StatusCode::DATA_LOSS,
                     "a CloudEvent without a decimal sequence attribute (\"" + digits + "\")");
    over_ = true;
    Cancel();
    return false;
  }
  handed_out_ = sequence;
  has_handed_out_ = true;
  return true;
}

bool Subscription::Ready(bool cloud_events) {
  if (cloud_events != options_.cloud_events) {
    status_ = grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                           cloud_events ? "Next(CloudEvent*) needs SubscribeOptions::cloud_events"
                                        : "Next(Event*) on a subscription with cloud_events: "
                                          "use Next(CloudEvent*)");
    over_ = true;
    return false;
  }
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
    const int pending = cloud_events ? response_.cloud_events_size() : response_.events_size();
    if (next_ < pending) return true;
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
    if (response_.events_size() > 0 || response_.cloud_events_size() > 0) return true;
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

  {
    auto context = std::make_unique<grpc::ClientContext>();
    grpc::ClientContext* raw = context.get();
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (cancelled_) return false;
      context_ = std::move(context);
    }
    if (grpc::Status status = client_->Prepare(raw, 0, &setup_); !status.ok()) return Ended(status);
  }

  v1::SubscribeRequest request;
  for (const std::string& t : options_.types) request.add_types(t);
  for (const std::string& s : options_.sources) request.add_sources(s);
  for (const std::string& e : options_.environment_ids) request.add_environment_ids(e);
  for (const std::string& s : options_.subjects) request.add_subjects(s);
  request.set_include_raw(options_.include_raw);
  request.set_allow_gaps(options_.allow_gaps);
  if (options_.cloud_events) request.set_format(v1::EVENT_FORMAT_CLOUDEVENTS);
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
    last_heard_ = std::chrono::steady_clock::now();
  }
  reader_ = setup_.stub->Subscribe(raw, request);
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
  if (stalled) status = SilentStatus();
  if (!IsRetryable(status.error_code())) {
    status_ = status;
    return false;
  }
  const std::chrono::milliseconds wait = Backoff(attempt_++, options_.initial_backoff,
                                                 options_.max_backoff, RetryDelay(status), random_);
  least_wait_ = wait;
  if (options_.on_status) options_.on_status(ReconnectLine(wait, status, resume));
  return true;
}

// ---- Consumer -------------------------------------------------------------------

namespace {

// An acknowledgement waits at most this long for others to share its
// Acknowledge while the application has more received messages to handle;
// none when it has none, or asks for more.
constexpr auto kAckDelay = std::chrono::milliseconds(5);
// This many queued acknowledgements are sent without waiting.
constexpr size_t kMaxAckBatch = 512;
// Added to max_response_bytes for a Consume stream's receive limit: a
// ConsumedEvent wraps the event in a field header and its delivery_attempt.
constexpr uint64_t kConsumeMargin = 32;

// The member id the server gave the stream it established (its initial
// metadata `hookbridge-member-id`); empty when it refused the stream
// before establishing it.
std::string EstablishedMember(const grpc::ClientContext& context) {
  const auto& metadata = context.GetServerInitialMetadata();
  auto it = metadata.find("hookbridge-member-id");
  return it == metadata.end() ? "" : std::string(it->second.data(), it->second.size());
}

}  // namespace

// The state a Consumer's threads, its Messages and the application share:
// the received messages, the settlements not sent yet, the
// acknowledgements waiting for confirmation. Two threads: Run() opens the
// streams and reads them; Send() writes the settlements and watches for
// silence.
class ConsumerState : public std::enable_shared_from_this<ConsumerState> {
 public:
  enum class Kind { kAck, kNack, kExtend };

  ConsumerState(Client* client, ConsumeOptions options)
      : client_(client), options_(std::move(options)), random_(std::random_device()()) {}

  void Start() {
    run_ = std::thread([this] { Run(); });
    send_ = std::thread([this] { Send(); });
  }

  // Settles a message of stream `epoch`, unless that stream has ended.
  void Enqueue(uint64_t epoch, Kind kind, uint64_t sequence, std::chrono::milliseconds delay,
               const std::string& reason) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!live_ || epoch != epoch_) return;  // stale: the server took it back
    switch (kind) {
      case Kind::kAck:
        acks_.push_back(sequence);
        // Others may join it while the application has more to handle.
        if (!received_.empty() && acks_.size() < kMaxAckBatch) {
          if (!ack_due_.has_value()) ack_due_ = std::chrono::steady_clock::now() + kAckDelay;
          send_wake_.notify_all();
          return;
        }
        break;
      case Kind::kNack: {
        v1::NegativeAcknowledge* last = nacks_.empty() ? nullptr : &nacks_.back();
        const int64_t millis = delay.count();
        if (last == nullptr || last->reason() != reason ||
            last->delay().seconds() != millis / 1000 ||
            last->delay().nanos() != static_cast<int32_t>(millis % 1000) * 1000000) {
          nacks_.emplace_back();
          last = &nacks_.back();
          last->set_reason(reason);
          if (millis > 0) {
            last->mutable_delay()->set_seconds(millis / 1000);
            last->mutable_delay()->set_nanos(static_cast<int32_t>(millis % 1000) * 1000000);
          }
        }
        last->add_sequences(sequence);
        break;
      }
      case Kind::kExtend:
        extends_.push_back(sequence);
        break;
    }
    urgent_ = true;
    send_wake_.notify_all();
  }

  bool Next(Message* message) {
    std::unique_lock<std::mutex> lock(mu_);
    while (received_.empty() && !done_) {
      if (!acks_.empty()) {  // nothing else to handle meanwhile: send them now
        urgent_ = true;
        send_wake_.notify_all();
      }
      changed_.wait(lock);
    }
    if (received_.empty()) return false;
    *message = std::move(received_.front());
    received_.pop_front();
    return true;
  }

  bool Flush(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    urgent_ = true;
    send_wake_.notify_all();
    return changed_.wait_for(lock, timeout, [this] { return done_ || Idle(); });
  }

  void Cancel() {
    std::call_once(cancel_once_, [this] {
      if (options_.close_timeout.count() > 0) Flush(options_.close_timeout);
      {
        std::lock_guard<std::mutex> lock(mu_);
        cancelled_ = true;
        if (context_ != nullptr) context_->TryCancel();
        changed_.notify_all();
        send_wake_.notify_all();
      }
      if (run_.joinable()) run_.join();
      if (send_.joinable()) send_.join();
    });
  }

  uint64_t confirmed() const {
    std::lock_guard<std::mutex> lock(mu_);
    return confirmed_;
  }

  grpc::Status status() const {
    std::lock_guard<std::mutex> lock(mu_);
    return status_;
  }

 private:
  // Nothing settled waits to be sent or confirmed.
  bool Idle() const {
    return acks_.empty() && nacks_.empty() && extends_.empty() && !sending_ && unconfirmed_.empty();
  }

  // Opens streams and reads them until the consumer is cancelled or fails.
  void Run() {
    std::chrono::milliseconds wait(0);
    while (true) {
      {
        std::unique_lock<std::mutex> lock(mu_);
        changed_.wait_for(lock, wait, [this] { return cancelled_; });
        if (cancelled_) break;
      }
      grpc::Status status = Stream();
      bool stalled = false;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (cancelled_) break;
        stalled = stalled_;
      }
      if (stalled) status = SilentStatus();
      if (!IsRetryable(status.error_code()) && status.error_code() != grpc::StatusCode::OK) {
        std::lock_guard<std::mutex> lock(mu_);
        status_ = status;
        break;
      }
      wait = Backoff(attempt_++, options_.initial_backoff, options_.max_backoff, RetryDelay(status),
                     random_);
      if (options_.on_status) options_.on_status(ReconnectLine(wait, status, std::nullopt));
    }
    std::lock_guard<std::mutex> lock(mu_);
    done_ = true;
    received_.clear();
    changed_.notify_all();
    send_wake_.notify_all();
  }

  // The context of the next call, made current (so that Cancel() reaches
  // it); nullptr once cancelled.
  grpc::ClientContext* NewContext() {
    std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_) return nullptr;
    context_ = std::make_unique<grpc::ClientContext>();
    return context_.get();
  }

  // One stream, from GetServerInfo to its end: its status.
  grpc::Status Stream() {
    grpc::ClientContext* context = NewContext();
    if (context == nullptr) return grpc::Status::CANCELLED;
    if (grpc::Status status = client_->Prepare(context, kConsumeMargin, &setup_); !status.ok()) {
      return status;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      heartbeat_interval_ = setup_.heartbeat_interval;
    }
    context = NewContext();
    if (context == nullptr) return grpc::Status::CANCELLED;
    client_->Authorize(context);
    std::unique_ptr<grpc::ClientReaderWriter<v1::ConsumeRequest, v1::ConsumeResponse>> stream =
        setup_.stub->Consume(context);
    uint64_t epoch = 0;
    {
      std::lock_guard<std::mutex> lock(mu_);
      epoch = ++epoch_;
      live_ = true;
      stream_ = stream.get();
      stalled_ = false;
      last_heard_ = std::chrono::steady_clock::now();
    }
    v1::ConsumeRequest start;
    start.mutable_start()->set_consumer(options_.consumer);
    start.mutable_start()->set_member_id(options_.member_id);
    if (stream->Write(start)) {
      // The server sends its initial metadata once the member joined; a
      // stream it refused at once (unknown consumer, not allowed) ends
      // with trailers only.
      stream->WaitForInitialMetadata();
      const std::string member = EstablishedMember(*context);
      if (!member.empty() && options_.on_status) {
        options_.on_status("consuming: " + options_.consumer + " as member " +
                           (options_.member_id.empty() ? "(server-chosen)" : options_.member_id));
      }
    }
    v1::ConsumeResponse response;
    while (stream->Read(&response)) {
      {
        std::lock_guard<std::mutex> lock(mu_);
        last_heard_ = std::chrono::steady_clock::now();
      }
      attempt_ = 0;  // the stream delivers
      Receive(epoch, &response);
      response.Clear();
    }
    {
      // Whatever this stream delivered is no longer this member's.
      std::unique_lock<std::mutex> lock(mu_);
      live_ = false;
      received_.clear();
      acks_.clear();
      nacks_.clear();
      extends_.clear();
      ack_due_.reset();
      unconfirmed_.clear();
      changed_.wait(lock, [this] { return !sending_; });
      stream_ = nullptr;
      changed_.notify_all();
    }
    return stream->Finish();
  }

  void Receive(uint64_t epoch, v1::ConsumeResponse* response) {
    if (response->events_size() > 0) {
      std::lock_guard<std::mutex> lock(mu_);
      for (v1::ConsumedEvent& consumed : *response->mutable_events()) {
        Message message;
        message.event_ = std::move(*consumed.mutable_event());
        message.delivery_attempt_ = consumed.delivery_attempt();
        message.epoch_ = epoch;
        message.settled_ = std::make_shared<std::atomic<bool>>(false);
        message.state_ = weak_from_this();
        received_.push_back(std::move(message));
      }
      changed_.notify_all();
    } else if (response->has_acknowledged()) {
      std::lock_guard<std::mutex> lock(mu_);
      const v1::SequenceSet& set = response->acknowledged();
      for (uint64_t s : set.sequences()) confirmed_ += unconfirmed_.erase(s);
      for (const v1::SequenceRange& range : set.ranges()) {
        auto it = unconfirmed_.lower_bound(range.first());
        while (it != unconfirmed_.end() && *it <= range.last()) {
          it = unconfirmed_.erase(it);
          ++confirmed_;
        }
      }
      changed_.notify_all();
    } else if (response->has_rejected()) {
      const v1::RejectedSequences& rejected = response->rejected();
      {
        std::lock_guard<std::mutex> lock(mu_);
        for (uint64_t s : rejected.sequences()) unconfirmed_.erase(s);
        changed_.notify_all();
      }
      if (options_.on_rejected) {
        options_.on_rejected(
            std::vector<uint64_t>(rejected.sequences().begin(), rejected.sequences().end()),
            rejected.reason());
      }
    } else if (response->has_gap()) {
      if (options_.on_gap) options_.on_gap(response->gap());
    }
    // A heartbeat only fed the watchdog; anything else is skipped.
  }

  // Writes the settlements as they come, and ends a stream that has been
  // silent for kSilentIntervals heartbeat intervals.
  void Send() {
    std::unique_lock<std::mutex> lock(mu_);
    while (!cancelled_ && !done_) {
      const auto now = std::chrono::steady_clock::now();
      if (live_ && !stalled_ && now - last_heard_ > kSilentIntervals * heartbeat_interval_) {
        stalled_ = true;
        context_->TryCancel();
      }
      const bool due = live_ && !stalled_ &&
                       (urgent_ || (ack_due_.has_value() && *ack_due_ <= now)) &&
                       !(acks_.empty() && nacks_.empty() && extends_.empty());
      if (!due) {
        urgent_ = false;
        auto until = now + std::chrono::milliseconds(250);
        if (ack_due_.has_value() && *ack_due_ > now && *ack_due_ < until) until = *ack_due_;
        send_wake_.wait_until(lock, until);
        continue;
      }
      std::vector<v1::ConsumeRequest> requests = TakeRequests();
      grpc::ClientReaderWriter<v1::ConsumeRequest, v1::ConsumeResponse>* stream = stream_;
      sending_ = true;
      lock.unlock();
      for (const v1::ConsumeRequest& request : requests) {
        if (!stream->Write(request)) break;  // the reader sees why
      }
      lock.lock();
      sending_ = false;
      changed_.notify_all();
    }
  }

  // The queued settlements as requests: one Acknowledge with the runs of
  // consecutive sequences as ranges, the NegativeAcknowledges (one per
  // delay and reason), one ExtendDeadline. The acknowledgements now wait
  // for their confirmation.
  std::vector<v1::ConsumeRequest> TakeRequests() {
    std::vector<v1::ConsumeRequest> out;
    if (!acks_.empty()) {
      std::sort(acks_.begin(), acks_.end());
      v1::Acknowledge* ack = out.emplace_back().mutable_ack();
      for (size_t i = 0; i < acks_.size();) {
        size_t j = i;
        while (j + 1 < acks_.size() && acks_[j + 1] <= acks_[j] + 1) ++j;
        if (acks_[j] > acks_[i]) {
          v1::SequenceRange* range = ack->add_ranges();
          range->set_first(acks_[i]);
          range->set_last(acks_[j]);
        } else {
          ack->add_sequences(acks_[i]);
        }
        i = j + 1;
      }
      unconfirmed_.insert(acks_.begin(), acks_.end());
    }
    for (v1::NegativeAcknowledge& nack : nacks_)
      *out.emplace_back().mutable_nack() = std::move(nack);
    if (!extends_.empty()) {
      v1::ExtendDeadline* extend = out.emplace_back().mutable_extend();
      for (uint64_t s : extends_) extend->add_sequences(s);
    }
    acks_.clear();
    nacks_.clear();
    extends_.clear();
    ack_due_.reset();
    urgent_ = false;
    return out;
  }

  Client* const client_;
  const ConsumeOptions options_;
  std::mt19937_64 random_;
  int attempt_ = 0;              // Run()'s
  internal::StreamSetup setup_;  // Run()'s
  std::thread run_;
  std::thread send_;
  std::once_flag cancel_once_;

  mutable std::mutex mu_;
  std::condition_variable changed_;    // received_, done_, the settlements
  std::condition_variable send_wake_;  // for Send()
  std::deque<Message> received_;       // delivered by the open stream, not handed out
  uint64_t epoch_ = 0;                 // counts streams; messages of another are stale
  bool live_ = false;                  // a stream of epoch_ is open
  grpc::ClientReaderWriter<v1::ConsumeRequest, v1::ConsumeResponse>* stream_ = nullptr;
  std::unique_ptr<grpc::ClientContext> context_;
  std::vector<uint64_t> acks_;
  std::vector<v1::NegativeAcknowledge> nacks_;
  std::vector<uint64_t> extends_;
  std::optional<std::chrono::steady_clock::time_point> ack_due_;
  bool urgent_ = false;
  bool sending_ = false;
  std::set<uint64_t> unconfirmed_;
  uint64_t confirmed_ = 0;
  std::chrono::steady_clock::time_point last_heard_;
  std::chrono::milliseconds heartbeat_interval_{10000};
  bool stalled_ = false;
  bool cancelled_ = false;
  bool done_ = false;
  grpc::Status status_;
};

namespace {

void Settle(const std::shared_ptr<std::atomic<bool>>& settled,
            const std::weak_ptr<ConsumerState>& state, uint64_t epoch, ConsumerState::Kind kind,
            uint64_t sequence, std::chrono::milliseconds delay, const std::string& reason) {
  if (settled == nullptr) return;  // not from a consumer
  if (kind == ConsumerState::Kind::kExtend ? settled->load() : settled->exchange(true)) return;
  if (std::shared_ptr<ConsumerState> consumer = state.lock()) {
    consumer->Enqueue(epoch, kind, sequence, delay, reason);
  }
}

}  // namespace

void Message::Ack() {
  Settle(settled_, state_, epoch_, ConsumerState::Kind::kAck, sequence(), {}, "");
}

void Message::Nack(std::chrono::milliseconds delay, const std::string& reason) {
  Settle(settled_, state_, epoch_, ConsumerState::Kind::kNack, sequence(), delay, reason);
}

void Message::Extend() {
  Settle(settled_, state_, epoch_, ConsumerState::Kind::kExtend, sequence(), {}, "");
}

Consumer::~Consumer() { Cancel(); }

bool Consumer::Next(Message* message) { return state_->Next(message); }

bool Consumer::Flush(std::chrono::milliseconds timeout) { return state_->Flush(timeout); }

void Consumer::Cancel() { state_->Cancel(); }

uint64_t Consumer::confirmed() const { return state_->confirmed(); }

grpc::Status Consumer::status() const { return state_->status(); }

std::unique_ptr<Consumer> Client::Consume(ConsumeOptions options) {
  auto state = std::make_shared<ConsumerState>(this, std::move(options));
  state->Start();
  return std::unique_ptr<Consumer>(new Consumer(std::move(state)));
}

}  // namespace hookbridge::client
