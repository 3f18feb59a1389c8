#!/usr/bin/env bash
# Sets up, builds and runs hookbridge on the default config
# (config/hookbridge.yaml: the file log in data/log, one CKEditor Cloud
# Services source, one subscriber token).
#
#   scripts/run.sh [hookbridge flags...]
#
# The source's signing secret comes from CKEDITOR_WEBHOOK_SECRET. When it is
# not set, a random one is made for this run and printed, so the service can
# be tried at once (scripts/send-webhook.sh signs with the same variable).
# Likewise the subscriber token: HOOKBRIDGE_TOKEN, or a random one printed
# for this run; the config holds only its SHA-256 (HOOKBRIDGE_TOKEN_SHA256).
set -euo pipefail
cd "$(dirname "$0")/.."

HOOKBRIDGE_TARGETS="hookbridge hookbridge-tail hookbridge-ctl" scripts/build.sh >&2

if [ -z "${CKEDITOR_WEBHOOK_SECRET:-}" ]; then
  CKEDITOR_WEBHOOK_SECRET=$(openssl rand -hex 24)
  export CKEDITOR_WEBHOOK_SECRET
  echo "CKEDITOR_WEBHOOK_SECRET was not set; this run uses a random secret:" >&2
  echo "  export CKEDITOR_WEBHOOK_SECRET=$CKEDITOR_WEBHOOK_SECRET" >&2
fi

if [ -z "${HOOKBRIDGE_TOKEN:-}" ]; then
  HOOKBRIDGE_TOKEN=$(build/bin/hookbridge --mint-token default | sed -n 2p | tr -d ' ')
  echo "HOOKBRIDGE_TOKEN was not set; this run accepts a random subscriber token:" >&2
  echo "  export HOOKBRIDGE_TOKEN=$HOOKBRIDGE_TOKEN" >&2
fi
HOOKBRIDGE_TOKEN_SHA256=$(printf %s "$HOOKBRIDGE_TOKEN" | sha256sum | cut -d' ' -f1)
export HOOKBRIDGE_TOKEN_SHA256

echo "hookbridge: webhooks on http://localhost:8080/webhooks/ckeditor," \
  "gRPC on localhost:50051, metrics on http://localhost:9090/metrics" >&2
exec build/bin/hookbridge --config config/hookbridge.yaml "$@"
