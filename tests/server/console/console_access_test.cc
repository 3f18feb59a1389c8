#include "server/console/console_access.h"

#include "gtest/gtest.h"

namespace hookbridge {
namespace {

AdminConfig Admin(std::vector<std::string> allowed_hosts = {}, std::string token_sha256 = "",
                  std::string listen_host = "0.0.0.0") {
  AdminConfig admin;
  admin.listen.host = std::move(listen_host);
  admin.allowed_hosts = std::move(allowed_hosts);
  admin.console_token_sha256 = std::move(token_sha256);
  return admin;
}

TEST(ConsoleAccessTest, AnswersLocalhostAndIpAddressesWithAnyPort) {
  const ConsoleAccess access(Admin());
  for (const char* host :
       {"localhost", "localhost:9090", "LocalHost:1", "localhost.", "127.0.0.1", "127.0.0.1:9090",
        "127.1.2.3:8080", "[::1]", "[::1]:9090", "10.1.2.3:9090", "192.168.0.7",
        "[fd00::1234]:9090", " localhost:9090 "}) {
    EXPECT_TRUE(access.HostAllowed(host)) << host;
  }
}

TEST(ConsoleAccessTest, RefusesOtherNamesAsDnsRebindingWouldSendThem) {
  const ConsoleAccess access(Admin());
  for (const char* host :
       {"", "evil.example", "evil.example:9090", "127.0.0.1.nip.io", "localhost.evil.example",
        "sub.localhost", "hookbridge-admin", "::1", "[::1", "[::1]x", "[evil.example]:9090",
        "localhost:90x", "localhost:123456", "127.0.0.1:9090:1", "2130706433", "0x7f.0.0.1",
        "[127.0.0.1]"}) {
    EXPECT_FALSE(access.HostAllowed(host)) << host;
  }
}

TEST(ConsoleAccessTest, AnswersConfiguredNamesAndTheListenersOwnName) {
  const ConsoleAccess access(
      Admin({"hookbridge-admin.hooks.svc", "console.example"}, "", "Admin.Internal"));
  for (const char* host :
       {"hookbridge-admin.hooks.svc:9090", "HOOKBRIDGE-ADMIN.hooks.svc", "console.example",
        "console.example.:443", "admin.internal:9090", "localhost:9090"}) {
    EXPECT_TRUE(access.HostAllowed(host)) << host;
  }
  for (const char* host : {"hookbridge-admin", "example", "x.console.example", "internal"}) {
    EXPECT_FALSE(access.HostAllowed(host)) << host;
  }
}

TEST(ConsoleAccessTest, TokenByItsSha256) {
  const ConsoleAccess open(Admin());
  EXPECT_FALSE(open.token_required());
  EXPECT_TRUE(open.Authorized(nullptr));

  const std::string token = "the-console-token";
  const ConsoleAccess access(Admin({}, HexEncode(Sha256({token}))));
  EXPECT_TRUE(access.token_required());
  const std::string good = "Bearer " + token;
  const std::string lower = "bearer  " + token + " ";
  EXPECT_TRUE(access.Authorized(&good));
  EXPECT_TRUE(access.Authorized(&lower));
  EXPECT_FALSE(access.Authorized(nullptr));
  for (const std::string& bad : {std::string("Bearer the-console-tokem"), std::string("Bearer "),
                                 std::string(""), std::string("Basic dGhlLWNvbnNvbGUtdG9rZW4="),
                                 token, "Bearer " + HexEncode(Sha256({token}))}) {
    EXPECT_FALSE(access.Authorized(&bad)) << bad;
  }
}

}  // namespace
}  // namespace hookbridge
