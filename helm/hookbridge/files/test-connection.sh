#!/usr/bin/env bash
# `helm test`: run by templates/tests/test-connection.yaml in the chart's
# image (bash, coreutils' timeout, getent and hookbridge-tail are in it).
#
#   1. GET /readyz answers 200 on every pod behind the admin Service.
#   2. A Subscribe through the Service of the http and grpc ports is
#      established (hookbridge-tail says "subscribed: ..."), or, with
#      subscriberAuth on and no test token, is refused as UNAUTHENTICATED.
#
# Everything it needs comes from the environment the Pod sets:
#   HOOKBRIDGE_TEST_ADMIN         host:port of the admin Service
#   HOOKBRIDGE_TARGET             host:port of the grpc port (read by hookbridge-tail)
#   HOOKBRIDGE_TOKEN              the subscriber token, if any (read by hookbridge-tail)
#   HOOKBRIDGE_TEST_EXPECT        subscribed | unauthenticated
#   HOOKBRIDGE_TEST_SOURCES, HOOKBRIDGE_TEST_TYPES
#                                 the Subscribe's filter, comma-separated (inside the token's grant)
#   HOOKBRIDGE_TEST_TIMEOUT       seconds for the whole test
#   HOOKBRIDGE_TEST_TLS, HOOKBRIDGE_TEST_CA_FILE, HOOKBRIDGE_TEST_SERVER_NAME,
#   HOOKBRIDGE_TEST_CLIENT_AUTH, HOOKBRIDGE_TEST_CERT_FILE, HOOKBRIDGE_TEST_KEY_FILE
#                                 TLS on the grpc port
# Events are never printed: the test's log shows only what it checked.
set -u

fail() {
  echo "FAIL: $*"
  exit 1
}

deadline=$((SECONDS + ${HOOKBRIDGE_TEST_TIMEOUT:-30}))

# ---- 1. /readyz on every pod ------------------------------------------------
admin_host=${HOOKBRIDGE_TEST_ADMIN%:*}
admin_port=${HOOKBRIDGE_TEST_ADMIN##*:}
addresses=$(getent ahosts "$admin_host" | awk '{ print $1 }' | sort -u)
[ -n "$addresses" ] || fail "$admin_host resolves to no pod address"
for address in $addresses; do
  host=$address
  case $host in *:*) host="[$host]" ;; esac
  status=$(timeout 5 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    printf "GET /readyz HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" "$3" >&3
    read -r _ status _ <&3 && printf %s "$status"' _ "$address" "$admin_port" "$host") || status=""
  [ "$status" = 200 ] || fail "GET http://$host:$admin_port/readyz answered ${status:-nothing} (the pod is not ready, or not reachable from this namespace)"
  echo "ok: GET http://$host:$admin_port/readyz answered 200"
done

# ---- 2. Subscribe -------------------------------------------------------------
args=(--types "${HOOKBRIDGE_TEST_TYPES:-*}")
if [ -n "${HOOKBRIDGE_TEST_SOURCES:-}" ]; then args+=(--sources "$HOOKBRIDGE_TEST_SOURCES"); fi
if [ "${HOOKBRIDGE_TEST_TLS:-false}" = true ]; then
  if [ -s "${HOOKBRIDGE_TEST_CA_FILE:-}" ]; then
    args+=(--ca_file "$HOOKBRIDGE_TEST_CA_FILE")
  else
    echo "note: no ca.crt for the grpc certificate (tests.tls.caSecret): checking it against the image's system CAs"
    args+=(--tls)
  fi
  if [ -n "${HOOKBRIDGE_TEST_SERVER_NAME:-}" ]; then args+=(--server_name "$HOOKBRIDGE_TEST_SERVER_NAME"); fi
  if [ "${HOOKBRIDGE_TEST_CLIENT_AUTH:-false}" = true ]; then
    [ -s "${HOOKBRIDGE_TEST_CERT_FILE:-}" ] ||
      fail "tls.grpc.clientAuth is on: set tests.tls.clientSecret to a kubernetes.io/tls Secret holding a client certificate the server accepts"
    args+=(--cert_file "$HOOKBRIDGE_TEST_CERT_FILE" --key_file "$HOOKBRIDGE_TEST_KEY_FILE")
  fi
fi

echo "subscribing at $HOOKBRIDGE_TARGET ${HOOKBRIDGE_TOKEN:+with the test token }(hookbridge-tail ${args[*]})"
# hookbridge-tail's status lines (stderr) come through the pipe on fd
# $lines; its events (stdout) go nowhere.
exec {lines}< <(exec hookbridge-tail "${args[@]}" 2>&1 >/dev/null)
tail_pid=$!
result=""
while [ "$SECONDS" -lt "$deadline" ]; do
  IFS= read -r -t "$((deadline - SECONDS))" line <&"$lines"
  status=$?
  [ "$status" -gt 128 ] && break  # the deadline passed
  [ -n "$line" ] && echo "  hookbridge-tail: $line"
  [ "$status" -ne 0 ] && { result=ended; break; }
  case $line in
    "subscribed: "*) result=subscribed; break ;;
    "error: UNAUTHENTICATED: "*) result=unauthenticated; break ;;
    "error: "*) result=error; break ;;
  esac
done
kill "$tail_pid" 2>/dev/null
wait "$tail_pid" 2>/dev/null

case "${HOOKBRIDGE_TEST_EXPECT:-subscribed}:$result" in
  subscribed:subscribed)
    echo "ok: the Subscribe was established" ;;
  unauthenticated:unauthenticated)
    echo "ok: a Subscribe without a token was refused (subscriberAuth is on; set tests.tokenSecret to test a subscription that is let in)" ;;
  *:)
    fail "no answer to the Subscribe within ${HOOKBRIDGE_TEST_TIMEOUT:-30}s" ;;
  *:ended)
    fail "hookbridge-tail ended without subscribing" ;;
  unauthenticated:subscribed)
    fail "a Subscribe without a token was let in, yet subscriberAuth is on" ;;
  *)
    fail "the Subscribe was refused" ;;
esac
