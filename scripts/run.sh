#!/usr/bin/env bash
# Sets up, builds and runs hookbridge on the default config
# (config/hookbridge.yaml: memory log, one CKEditor Cloud Services source).
#
#   scripts/run.sh [hookbridge flags...]
#
# The source's signing secret comes from CKEDITOR_WEBHOOK_SECRET. When it is
# not set, a random one is made for this run and printed, so the service can
# be tried at once (scripts/send-webhook.sh signs with the same variable).
set -euo pipefail
cd "$(dirname "$0")/.."

HOOKBRIDGE_TARGETS="hookbridge hookbridge-tail" scripts/build.sh >&2

if [ -z "${CKEDITOR_WEBHOOK_SECRET:-}" ]; then
  CKEDITOR_WEBHOOK_SECRET=$(openssl rand -hex 24)
  export CKEDITOR_WEBHOOK_SECRET
  echo "CKEDITOR_WEBHOOK_SECRET was not set; this run uses a random secret:" >&2
  echo "  export CKEDITOR_WEBHOOK_SECRET=$CKEDITOR_WEBHOOK_SECRET" >&2
fi

echo "hookbridge: webhooks on http://localhost:8080/webhooks/ckeditor," \
  "gRPC on localhost:50051, metrics on http://localhost:9090/metrics" >&2
exec build/bin/hookbridge --config config/hookbridge.yaml "$@"
