// Uses the installed client library: a file cursor store round trip, the
// typed messages (and the CloudEvents ones), and a client that cannot reach its server reporting
// it.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "hookbridge/client.h"
#include "hookbridge/v1/service.pb.h"
#include "io/cloudevents/v1/cloudevents.pb.h"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: consumer DIR\n");
    return 2;
  }
  hookbridge::client::FileCursorStore cursor(std::string(argv[1]) + "/cursor");
  std::optional<uint64_t> stored;
  if (!cursor.Load(&stored).ok() || stored.has_value()) return 1;
  if (!cursor.Save(42).ok() || !cursor.Load(&stored).ok() || stored != 42u) return 1;

  hookbridge::v1::Event event;
  event.mutable_ckeditor()->mutable_comment_added()->mutable_comment()->set_id("c-1");
  // The vendored CloudEvents schema's messages come with the package.
  hookbridge::v1::SubscribeResponse response;
  io::cloudevents::v1::CloudEvent* cloud_event = response.add_cloud_events();
  cloud_event->set_spec_version("1.0");
  (*cloud_event->mutable_attributes())["sequence"].set_ce_string("00000000000000000001");
  if (response.cloud_events(0).attributes().at("sequence").ce_string().size() != 20) return 1;

  hookbridge::client::Options options;
  options.target = "127.0.0.1:1";  // nothing listens there
  std::unique_ptr<hookbridge::client::Client> client;
  if (!hookbridge::client::Client::Create(options, &client).ok()) return 1;
  hookbridge::v1::GetServerInfoResponse info;
  const grpc::Status status = client->GetServerInfo(&info);
  std::printf("cursor %llu, comment %s, GetServerInfo %s\n",
              static_cast<unsigned long long>(*stored),
              event.ckeditor().comment_added().comment().id().c_str(),
              hookbridge::client::CodeName(status.error_code()).c_str());
  return status.error_code() == grpc::StatusCode::UNAVAILABLE ? 0 : 1;
}
