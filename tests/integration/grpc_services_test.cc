// gRPC health and server reflection on the real binary: what Kubernetes gRPC
// probes and generic tools (grpcurl, grpc_cli, Postman) rely on.
#include <signal.h>

#include <set>
#include <string>

#include "gmock/gmock.h"
#include "google/protobuf/descriptor.pb.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "gtest/gtest.h"
#include "tests/integration/harness.h"

namespace hookbridge::testing {
namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;
namespace reflection = grpc::reflection::v1alpha;

std::shared_ptr<grpc::Channel> Channel(const HookbridgeProcess& process) {
  return grpc::CreateChannel(process.grpc_target(), grpc::InsecureChannelCredentials());
}

HealthCheckResponse::ServingStatus Check(const std::shared_ptr<grpc::Channel>& channel,
                                         const std::string& service, grpc::Status* status) {
  auto stub = grpc::health::v1::Health::NewStub(channel);
  grpc::ClientContext context;
  HealthCheckRequest request;
  request.set_service(service);
  HealthCheckResponse response;
  *status = stub->Check(&context, request, &response);
  return response.status();
}

TEST(GrpcServicesTest, HealthReportsServingForTheServerAndTheEventBridge) {
  auto process = HookbridgeProcess::Start(CkeditorConfig("s"));
  ASSERT_NE(process, nullptr);
  auto channel = Channel(*process);
  grpc::Status status;
  EXPECT_EQ(Check(channel, "", &status), HealthCheckResponse::SERVING);
  EXPECT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(Check(channel, "hookbridge.v1.EventBridgeService", &status),
            HealthCheckResponse::SERVING);
  EXPECT_TRUE(status.ok()) << status.error_message();
  Check(channel, "no.such.Service", &status);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(GrpcServicesTest, ReflectionListsServicesAndServesTheirDescriptors) {
  auto process = HookbridgeProcess::Start(CkeditorConfig("s"));
  ASSERT_NE(process, nullptr);
  auto stub = reflection::ServerReflection::NewStub(Channel(*process));
  grpc::ClientContext context;
  auto stream = stub->ServerReflectionInfo(&context);

  reflection::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  reflection::ServerReflectionResponse response;
  ASSERT_TRUE(stream->Read(&response));
  std::set<std::string> services;
  for (const auto& s : response.list_services_response().service()) services.insert(s.name());
  EXPECT_TRUE(services.count("hookbridge.v1.EventBridgeService"));
  EXPECT_TRUE(services.count("grpc.health.v1.Health"));

  // A generic client can learn the whole schema, typed payloads included.
  reflection::ServerReflectionRequest symbol;
  symbol.set_file_containing_symbol("hookbridge.v1.EventBridgeService");
  ASSERT_TRUE(stream->Write(symbol));
  ASSERT_TRUE(stream->Read(&response));
  ASSERT_GT(response.file_descriptor_response().file_descriptor_proto_size(), 0);
  std::set<std::string> files;
  bool has_subscribe = false;
  for (const std::string& bytes : response.file_descriptor_response().file_descriptor_proto()) {
    google::protobuf::FileDescriptorProto file;
    ASSERT_TRUE(file.ParseFromString(bytes));
    files.insert(file.name());
    for (const auto& service : file.service()) {
      for (const auto& method : service.method()) {
        if (method.name() == "Subscribe" && method.server_streaming()) has_subscribe = true;
      }
    }
  }
  EXPECT_TRUE(has_subscribe);
  EXPECT_TRUE(files.count("hookbridge/v1/service.proto"));
  EXPECT_TRUE(files.count("hookbridge/ckeditor/v1/ckeditor.proto"));
  stream->WritesDone();
  EXPECT_TRUE(stream->Finish().ok());
}

}  // namespace
}  // namespace hookbridge::testing
