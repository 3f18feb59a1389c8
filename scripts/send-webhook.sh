#!/usr/bin/env bash
# Signs a JSON file the way CKEditor Cloud Services and CKBox do and POSTs it
# to hookbridge. For trying the service out and for demos.
#
#   CKEDITOR_WEBHOOK_SECRET=... scripts/send-webhook.sh FILE [URL]
#
# URL defaults to http://localhost:8080/webhooks/ckeditor. The signature is
# HMAC-SHA256(secret, "POST" + path_and_query + timestamp_ms + body), hex.
set -euo pipefail

file=${1:?usage: send-webhook.sh FILE [URL]}
url=${2:-http://localhost:8080/webhooks/ckeditor}
secret=${CKEDITOR_WEBHOOK_SECRET:?set CKEDITOR_WEBHOOK_SECRET to the source secret}

# Path and query: everything after scheme://host[:port].
path_and_query="/${url#*://*/}"
timestamp=$(date +%s%3N)
signature=$({ printf '%s%s%s' POST "$path_and_query" "$timestamp"; cat "$file"; } |
  openssl dgst -sha256 -hmac "$secret" | awk '{print $NF}')

curl -sS -X POST "$url" \
  -H 'Content-Type: application/json' \
  -H "X-CS-Timestamp: $timestamp" \
  -H "X-CS-Signature: $signature" \
  --data-binary "@$file" \
  -w '\n'
