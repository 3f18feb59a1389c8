#include "bridge/consumer/consumer_set.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "bridge/status_macros.h"
#include "google/protobuf/util/message_differencer.h"

namespace hookbridge {
namespace {

absl::Duration AckDeadline(const v1::ConsumerConfig& config) {
  if (!config.has_ack_deadline()) return kDefaultAckDeadline;
  return absl::Seconds(config.ack_deadline().seconds()) +
         absl::Nanoseconds(config.ack_deadline().nanos());
}

ConsumerPolicy PolicyOf(const v1::ConsumerConfig& config) {
  ConsumerPolicy policy;
  policy.ack_deadline = AckDeadline(config);
  policy.max_deliveries =
      config.has_max_deliveries() ? config.max_deliveries() : kDefaultMaxDeliveries;
  policy.per_subject = config.ordering() == v1::CONSUMER_ORDERING_PER_SUBJECT;
  policy.max_outstanding =
      config.has_max_outstanding() ? config.max_outstanding() : kDefaultMaxOutstanding;
  policy.window = std::max<size_t>(10000, 4 * static_cast<size_t>(policy.max_outstanding));
  return policy;
}

// The config as compared and stored: what was given, with the start
// position as given (it is resolved once, at creation).
std::string Serialized(const v1::ConsumerConfig& config) {
  std::string out;
  config.SerializeToString(&out);
  return out;
}

}  // namespace

v1::SubscribeRequest ConsumerFilterRequest(const v1::ConsumerConfig& config) {
  v1::SubscribeRequest request;
  *request.mutable_types() = config.types();
  *request.mutable_sources() = config.sources();
  *request.mutable_environment_ids() = config.environment_ids();
  *request.mutable_subjects() = config.subjects();
  return request;
}

absl::Status ValidateConsumerConfig(const v1::ConsumerConfig& config) {
  if (!IsConsumerName(config.name())) {
    return absl::InvalidArgumentError(absl::StrCat(
        "name: \"", config.name(), "\" is not a consumer name ([a-z0-9][a-z0-9_.-]{0,62})"));
  }
  HB_RETURN_IF_ERROR(EventFilter::FromRequest(ConsumerFilterRequest(config)).status());
  const absl::Duration deadline = AckDeadline(config);
  if (deadline < absl::Seconds(1) || deadline > absl::Hours(12)) {
    return absl::InvalidArgumentError("ack_deadline: must be between 1s and 12h");
  }
  if (config.has_max_outstanding() &&
      (config.max_outstanding() < 1 || config.max_outstanding() > 100000)) {
    return absl::InvalidArgumentError("max_outstanding: must be between 1 and 100000");
  }
  if (config.start_case() == v1::ConsumerConfig::kLatest && !config.latest()) {
    return absl::InvalidArgumentError("latest: must be true when set");
  }
  if (config.start_case() == v1::ConsumerConfig::kEarliest && !config.earliest()) {
    return absl::InvalidArgumentError("earliest: must be true when set");
  }
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<LocalConsumerSet>> LocalConsumerSet::Open(Options options) {
  if (options.env == nullptr) options.env = Env::Default();
  std::unique_ptr<LocalConsumerSet> set(new LocalConsumerSet(options));
  if (!options.dir.empty()) {
    // The directory is made with the first consumer (none: none).
    std::vector<std::string> names;
    HB_ASSIGN_OR_RETURN(names, ConsumerStore::List(options.env, options.dir));
    for (const std::string& name : names) {
      ConsumerStore::Options store_options{options.env, options.dir, name};
      std::unique_ptr<ConsumerStore> store;
      HB_ASSIGN_OR_RETURN(store, ConsumerStore::Open(store_options));
      v1::ConsumerConfig config;
      if (!config.ParseFromString(store->state().config)) {
        return absl::DataLossError(
            absl::StrCat("consumer ", name, ": its stored config cannot be read"));
      }
      std::shared_ptr<LocalConsumer> consumer =
          set->Make(config, NewStoreJournal(std::move(store)));
      absl::MutexLock lock(&set->mu_);
      set->consumers_.emplace(name, std::move(consumer));
    }
  }
  {
    absl::MutexLock lock(&set->mu_);
    set->UpdateHoldLocked();
  }
  set->timer_ = std::thread([raw = set.get()] { raw->RunTimer(); });
  return set;
}

LocalConsumerSet::LocalConsumerSet(Options options) : options_(std::move(options)) {}

LocalConsumerSet::~LocalConsumerSet() {
  {
    absl::MutexLock lock(&mu_);
    stopping_ = true;
  }
  if (timer_.joinable()) timer_.join();
}

Consumer::Options ConsumerOptions(const v1::ConsumerConfig& config) {
  return Consumer::Options{config.name(), *EventFilter::FromRequest(ConsumerFilterRequest(config)),
                           PolicyOf(config)};
}

std::shared_ptr<LocalConsumer> LocalConsumerSet::Make(const v1::ConsumerConfig& config,
                                                      std::unique_ptr<ConsumerJournal> journal) {
  return std::make_shared<LocalConsumer>(options_.log, ConsumerOptions(config), std::move(journal));
}

absl::StatusOr<uint64_t> LocalConsumerSet::StartFloor(const v1::ConsumerConfig& config) {
  const LogStats stats = options_.log->Stats();
  switch (config.start_case()) {
    case v1::ConsumerConfig::kEarliest:
      return stats.events == 0 ? stats.last_sequence : stats.first_sequence - 1;
    case v1::ConsumerConfig::kAfterSequence:
      if (config.after_sequence() > stats.last_sequence) {
        return absl::OutOfRangeError(absl::StrCat("after_sequence: ", config.after_sequence(),
                                                  " is beyond the last sequence in the log (",
                                                  stats.last_sequence, ")"));
      }
      return config.after_sequence();
    case v1::ConsumerConfig::kSince: {
      const absl::Time since = absl::FromUnixSeconds(config.since().seconds()) +
                               absl::Nanoseconds(config.since().nanos());
      absl::StatusOr<uint64_t> position = options_.log->PositionAt(since);
      // Some of them are gone: from the oldest retained.
      if (!position.ok() && position.status().code() == absl::StatusCode::kOutOfRange) {
        return stats.events == 0 ? stats.last_sequence : stats.first_sequence - 1;
      }
      return position;
    }
    case v1::ConsumerConfig::kLatest:
    case v1::ConsumerConfig::START_NOT_SET:
      return stats.last_sequence;
  }
  return stats.last_sequence;
}

absl::StatusOr<std::shared_ptr<Consumer>> LocalConsumerSet::Create(const v1::ConsumerConfig& config,
                                                                   bool declared) {
  HB_RETURN_IF_ERROR(ValidateConsumerConfig(config));
  absl::MutexLock lock(&mu_);
  if (auto it = consumers_.find(config.name()); it != consumers_.end()) {
    if (it->second->config() == Serialized(config)) {
      if (declared) declared_.insert(config.name());
      return it->second;
    }
    return absl::AlreadyExistsError(absl::StrCat(
        "consumer ", config.name(),
        declared ? " exists with another config; a declared consumer's config cannot change "
                   "(delete it first, or give the new one another name)"
                 : " exists with another config"));
  }
  if (consumers_.size() >= kMaxConsumers) {
    return absl::ResourceExhaustedError(
        absl::StrCat("there are ", consumers_.size(), " consumers, the most a server keeps"));
  }
  uint64_t floor = 0;
  HB_ASSIGN_OR_RETURN(floor, StartFloor(config));
  std::unique_ptr<ConsumerJournal> journal;
  if (options_.dir.empty()) {
    journal = NewMemoryJournal(Serialized(config), floor);
  } else {
    ConsumerStore::Options store_options{options_.env, options_.dir, config.name()};
    HB_RETURN_IF_ERROR(options_.env->CreateDirs(options_.dir));
    std::unique_ptr<ConsumerStore> store;
    HB_ASSIGN_OR_RETURN(store, ConsumerStore::Create(store_options, Serialized(config), floor));
    journal = NewStoreJournal(std::move(store));
  }
  std::shared_ptr<LocalConsumer> consumer = Make(config, std::move(journal));
  consumers_.emplace(config.name(), consumer);
  if (declared) declared_.insert(config.name());
  UpdateHoldLocked();
  return consumer;
}

std::shared_ptr<Consumer> LocalConsumerSet::Find(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = consumers_.find(name);
  return it == consumers_.end() ? nullptr : it->second;
}

std::vector<std::shared_ptr<Consumer>> LocalConsumerSet::List() {
  absl::MutexLock lock(&mu_);
  std::vector<std::shared_ptr<Consumer>> out;
  for (const auto& [name, consumer] : consumers_) out.push_back(consumer);
  return out;
}

bool LocalConsumerSet::IsDeclared(const std::string& name) {
  absl::MutexLock lock(&mu_);
  return declared_.count(name) > 0;
}

absl::Status LocalConsumerSet::Delete(const std::string& name) {
  absl::MutexLock lock(&mu_);
  auto it = consumers_.find(name);
  if (it == consumers_.end()) return absl::NotFoundError(absl::StrCat("no consumer ", name));
  if (declared_.count(name) > 0) {
    return absl::FailedPreconditionError(absl::StrCat(
        "consumer ", name, " is declared in the config: remove it from `consumers:` instead"));
  }
  // Its files go once its last member has left and it is destroyed.
  it->second->MarkDeleted([options = ConsumerStore::Options{options_.env, options_.dir, name}] {
    if (!options.dir.empty()) ConsumerStore::Remove(options).IgnoreError();
  });
  consumers_.erase(it);
  UpdateHoldLocked();
  return absl::OkStatus();
}

absl::Status LocalConsumerSet::Declare(const std::vector<v1::ConsumerConfig>& declared) {
  // Every declared one is valid and, where it exists, unchanged: or nothing
  // changes.
  {
    absl::MutexLock lock(&mu_);
    for (const v1::ConsumerConfig& config : declared) {
      HB_RETURN_IF_ERROR(ValidateConsumerConfig(config));
      auto it = consumers_.find(config.name());
      if (it != consumers_.end() && it->second->config() != Serialized(config)) {
        return absl::FailedPreconditionError(absl::StrCat(
            "consumers: ", config.name(),
            " exists with another config; a declared consumer's config cannot change (give the "
            "new one another name, or delete the old one after removing it from the config)"));
      }
    }
    declared_.clear();
  }
  for (const v1::ConsumerConfig& config : declared) {
    HB_RETURN_IF_ERROR(Create(config, /*declared=*/true).status());
  }
  return absl::OkStatus();
}

void LocalConsumerSet::RunTimer() {
  // Deadlines are expired within about 50 ms of passing; consumers read
  // ahead about once a second.
  for (int tick = 0;; ++tick) {
    {
      absl::MutexLock lock(&mu_);
      auto stopping = [this]() ABSL_EXCLUSIVE_LOCKS_REQUIRED(mu_) { return stopping_; };
      if (mu_.AwaitWithTimeout(absl::Condition(&stopping), absl::Milliseconds(50))) return;
    }
    const absl::Time now = absl::Now();
    std::vector<std::shared_ptr<LocalConsumer>> consumers;
    {
      absl::MutexLock lock(&mu_);
      for (const auto& [name, consumer] : consumers_) consumers.push_back(consumer);
    }
    for (const std::shared_ptr<LocalConsumer>& consumer : consumers) {
      std::optional<absl::Time> due = consumer->NextDue();
      if (due.has_value() && *due <= now) consumer->Expire(now);
      if (tick % 20 == 0) consumer->ReadAhead();
      consumer->WakeIfGaps();
    }
    absl::MutexLock lock(&mu_);
    UpdateHoldLocked();
  }
}

void LocalConsumerSet::UpdateHoldLocked() {
  uint64_t hold = UINT64_MAX;
  for (const auto& [name, consumer] : consumers_) hold = std::min(hold, consumer->RetainFrom());
  options_.log->HoldFrom(hold);
}

absl::Status LocalConsumerSet::failure() {
  absl::MutexLock lock(&mu_);
  for (const auto& [name, consumer] : consumers_) {
    absl::Status failure = consumer->failure();
    if (!failure.ok()) {
      return absl::Status(failure.code(), absl::StrCat("consumer ", name, ": ", failure.message()));
    }
  }
  return absl::OkStatus();
}

}  // namespace hookbridge
