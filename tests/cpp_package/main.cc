// Uses the installed client library: a file cursor store round trip, the
// typed messages, and a client that cannot reach its server reporting it.
#include <cstdio>
#include <cstdlib>
#include <string>

#include "hookbridge/ckeditor/v1/ckeditor.pb.h"
#include "hookbridge/client.h"

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
