#!/usr/bin/env python3
"""POSTs N signed ~1 KiB CKEditor comment.added webhooks to hookbridge over
one keep-alive connection, one after the other, and prints the rate.

    bench/post_signed.py PORT N SECRET
"""
import hashlib
import hmac
import http.client
import json
import sys
import time


def main() -> None:
    port, n, secret = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3].encode()
    conn = http.client.HTTPConnection("127.0.0.1", port)
    path = "/webhooks/ckeditor"
    start = time.time()
    for i in range(n):
        body = json.dumps({
            "event": "comment.added", "environment_id": "env-1",
            "sent_at": "2019-05-29T08:17:53.457Z",
            "payload": {"document": {"id": "doc-%d" % (i % 10)},
                        "comment": {"id": "c-%d-%f" % (i, start), "content": "x" * 700,
                                    "created_at": "2019-05-29T08:17:53.450Z",
                                    "thread_id": "t", "user": {"id": "u"}}}}).encode()
        ts = str(int(time.time() * 1000)).encode()
        sig = hmac.new(secret, b"POST" + path.encode() + ts + body, hashlib.sha256).hexdigest()
        conn.request("POST", path, body, {"X-CS-Timestamp": ts, "X-CS-Signature": sig,
                                          "Content-Type": "application/json"})
        response = conn.getresponse()
        response.read()
        if response.status != 200:
            sys.exit("POST answered %d" % response.status)
    elapsed = time.time() - start
    print("posted %d in %.2f s (%.0f/s, sequential, one connection)" % (n, elapsed, n / elapsed))


if __name__ == "__main__":
    main()
