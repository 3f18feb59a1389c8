"""hookbridge-subscribe (python -m hookbridge) against the fake server:
flags, stdout JSON lines, stderr lines, exit codes, the cursor file."""

from __future__ import annotations

import ctypes
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
import unittest

import grpc

from fake_server import (
    FakeServer,
    accept,
    await_acks,
    confirm,
    consumed,
    end,
    event,
    events,
    gap,
    hang,
    reject,
    response,
    start,
    wait,
)
from hookbridge.v1 import service_pb2


def signal_another_thread(pid: int, signum: int) -> None:
    """Sends `signum` to a thread of `pid` other than its main thread (one
    that does not block it), as the kernel may do with a kill(): Python runs
    the handler in the main thread, which must wake up for it."""
    mask = 1 << (signum - 1)
    for tid in sorted(int(t) for t in os.listdir(f"/proc/{pid}/task")):
        if tid == pid:
            continue
        with open(f"/proc/{pid}/task/{tid}/status") as status:
            blocked = next(int(l.split()[1], 16) for l in status if l.startswith("SigBlk:"))
        if not blocked & mask:
            libc = ctypes.CDLL(None, use_errno=True)
            if libc.tgkill(pid, tid, signum) != 0:
                raise OSError(ctypes.get_errno(), "tgkill")
            return
    raise AssertionError(f"no thread of {pid} other than the main one takes signal {signum}")


class CliTest(unittest.TestCase):
    def setUp(self):
        self.server = FakeServer()
        self.tmp = tempfile.TemporaryDirectory()
        self.cursor = os.path.join(self.tmp.name, "c.cursor")

    def tearDown(self):
        self.server.stop()
        self.tmp.cleanup()

    def env(self, **extra):
        env = dict(os.environ)
        env.pop("HOOKBRIDGE_TOKEN", None)
        env.pop("HOOKBRIDGE_TARGET", None)
        env.update(extra)
        return env

    def run_cli(self, *args, env=None, timeout=20):
        return subprocess.run(
            [sys.executable, "-m", "hookbridge", "--target", self.server.target, *args],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env or self.env(),
            timeout=timeout, text=True,
        )

    def test_prints_events_as_json_lines_and_saves_the_cursor(self):
        message = service_pb2.SubscribeResponse(events=[
            event(1, environment_id="env-1", subject="doc-1"), event(2, "comment.added")])
        message.events[1].ckeditor.comment_added.comment.id = "c1"
        self.server.script(start(0), response(message), hang())
        result = self.run_cli("--earliest", "--count", "2", "--cursor", self.cursor)
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stdout.splitlines()
        self.assertEqual(len(lines), 2)
        first, second = map(json.loads, lines)
        self.assertEqual(first["sequence"], "1")
        self.assertEqual(first["environment_id"], "env-1")  # proto field names
        self.assertEqual(second["ckeditor"]["comment_added"]["comment"]["id"], "c1")
        self.assertEqual(result.stderr, "subscribed: streaming events after sequence 0\n")
        with open(self.cursor) as f:
            self.assertEqual(f.read(), "2\n")

        # Started again: resumes after the cursor.
        self.server.script(start(2), events(3), hang())
        result = self.run_cli("--earliest", "--count", "1", "--cursor", self.cursor)
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.server.requests[1].after_sequence, 2)
        self.assertEqual(json.loads(result.stdout)["sequence"], "3")
        with open(self.cursor) as f:
            self.assertEqual(f.read(), "3\n")

    def test_json_mapping(self):
        from hookbridge._cli import event_json

        e = event(3, subject="s")
        e.untyped.update({"n": 1, "f": 1.5, "big": 1e300, "list": [2, "x", None], "t": True})
        e.raw_body = "é".encode()
        e.received_at.FromSeconds(0)
        line = event_json(e)
        self.assertNotIn("\n", line)
        self.assertEqual(json.loads(line), {
            "id": "d-3", "sequence": "3", "source": "gh", "type": "issues", "subject": "s",
            "received_at": "1970-01-01T00:00:00Z", "raw_body": "w6k=",
            "untyped": {"n": 1, "f": 1.5, "big": 1e300, "list": [2, "x", None], "t": True},
        })
        self.assertRegex(line, r'"n":1[,}]')

    def test_filters_and_flags(self):
        self.server.script(start(4), events(5), hang())
        result = self.run_cli("--types", "a,b", "--types", "c", "--sources", "gh",
                              "--subjects", "s1,s2", "--environment-ids", "e",
                              "--after", "4", "--include-raw", "--allow-gaps", "--count", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        request = self.server.requests[0]
        self.assertEqual(list(request.types), ["a", "b", "c"])
        self.assertEqual(list(request.sources), ["gh"])
        self.assertEqual(list(request.subjects), ["s1", "s2"])
        self.assertEqual(list(request.environment_ids), ["e"])
        self.assertEqual(request.after_sequence, 4)
        self.assertTrue(request.include_raw)
        self.assertTrue(request.allow_gaps)

    def test_live_by_default(self):
        self.server.script(start(10), events(11), hang())
        result = self.run_cli("--count", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertIsNone(self.server.requests[0].WhichOneof("start"))

    def test_token_and_target_from_the_environment(self):
        self.server.token = "tok"
        self.server.script(start(0), events(1), hang())
        result = subprocess.run(
            [sys.executable, "-m", "hookbridge", "--count", "1"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=20,
            env=self.env(HOOKBRIDGE_TOKEN="tok", HOOKBRIDGE_TARGET=self.server.target),
        )
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(self.server.subscribe_metadata[0]["authorization"], "Bearer tok")

    def test_error_line_and_exit_1(self):
        self.server.script(start(0), events(1),
                           end(grpc.StatusCode.OUT_OF_RANGE, "fell behind", resume_after=5))
        result = self.run_cli("--earliest", "--cursor", self.cursor)
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.splitlines(), [
            "subscribed: streaming events after sequence 0",
            "error: OUT_OF_RANGE: fell behind (hookbridge-resume-after: 5)",
        ])
        with open(self.cursor) as f:
            self.assertEqual(f.read(), "5\n")

    def test_error_without_trailer(self):
        self.server.token = "tok"
        result = self.run_cli()
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr, "error: UNAUTHENTICATED: no or an unknown bearer token\n")

    def test_reconnecting_and_gap_lines(self):
        self.server.script(start(0), events(1), end(grpc.StatusCode.UNAVAILABLE, "bye", resume_after=3))
        self.server.script(start(3), gap(4, 6), events(7), hang())
        result = self.run_cli("--earliest", "--allow-gaps", "--count", "2")
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = result.stderr.splitlines()
        self.assertEqual(lines[0], "subscribed: streaming events after sequence 0")
        self.assertRegex(lines[1], r"^reconnecting in \d+ ms: UNAVAILABLE: bye \(hookbridge-resume-after: 3\)$")
        self.assertEqual(lines[2:], [
            "subscribed: streaming events after sequence 3",
            "gap: sequences 4..6 were not retained",
        ])
        self.assertEqual([json.loads(l)["sequence"] for l in result.stdout.splitlines()], ["1", "7"])

    def test_signals_end_cleanly(self):
        for signum in (signal.SIGTERM, signal.SIGINT):
            self.server.script(start(0), events(1), hang())
            process = subprocess.Popen(
                [sys.executable, "-m", "hookbridge", "--target", self.server.target, "--earliest",
                 "--cursor", self.cursor],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(),
            )
            try:
                self.assertEqual(process.stderr.readline(), "subscribed: streaming events after sequence 0\n")
                self.assertEqual(json.loads(process.stdout.readline())["sequence"], "1")
                deadline = time.monotonic() + 5
                while not os.path.exists(self.cursor) and time.monotonic() < deadline:
                    time.sleep(0.01)
                began = time.monotonic()
                process.send_signal(signum)
                self.assertEqual(process.wait(10), 0)
                self.assertLess(time.monotonic() - began, 3)
                self.assertEqual(process.stderr.read(), "")
            finally:
                process.kill()
                process.wait()
                process.stdout.close()
                process.stderr.close()
            with open(self.cursor) as f:
                self.assertEqual(f.read(), "1\n")
            os.unlink(self.cursor)

    def test_signal_while_waiting_to_reconnect(self):
        self.server.script(start(0), end(grpc.StatusCode.UNAVAILABLE, "later", retry_delay=60))
        process = subprocess.Popen(
            [sys.executable, "-m", "hookbridge", "--target", self.server.target],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(),
        )
        try:
            process.stderr.readline()
            self.assertRegex(process.stderr.readline(), r"^reconnecting in \d+ ms: UNAVAILABLE: later\n$")
            process.send_signal(signal.SIGTERM)
            self.assertEqual(process.wait(10), 0)
        finally:
            process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()

    def test_usage_errors_exit_2(self):
        for args in (["--earliest", "--after", "1"], ["--count", "x"], ["--after", "-1"],
                     ["--server-name", "x"], ["--tls", "--ca", "f"], ["--bogus"],
                     ["--ca", os.path.join(self.tmp.name, "missing.pem")]):
            result = self.run_cli(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertEqual(result.stdout, "")
            self.assertIn("usage:", result.stderr)

    def test_malformed_cursor_file(self):
        with open(self.cursor, "w") as f:
            f.write("garbage\n")
        result = self.run_cli("--cursor", self.cursor)
        self.assertEqual(result.returncode, 1)
        self.assertTrue(result.stderr.startswith(f"error: cursor {self.cursor}: "), result.stderr)

    # -- --consumer

    def test_consumer_prints_consumed_events_acknowledges_and_exits_once_confirmed(self):
        self.server.consume_script(accept(), consumed(1, 2), await_acks(2), confirm(1, 2), hang())
        result = self.run_cli("--consumer", "indexer", "--member", "m-1", "--count", "2",
                              env=self.env(HOOKBRIDGE_TOKEN="tok"))
        self.assertEqual(result.returncode, 0, result.stderr)
        lines = [json.loads(line) for line in result.stdout.splitlines()]
        self.assertEqual([(l["event"]["sequence"], l["delivery_attempt"]) for l in lines], [("1", 1), ("2", 1)])
        self.assertEqual(lines[0]["event"]["id"], "d-1")  # proto field names, the whole event
        self.assertEqual(result.stderr, "consuming: indexer as member m-1\n")
        stream = self.server.consume_stream(0)
        self.assertEqual((stream.start.consumer, stream.start.member_id), ("indexer", "m-1"))
        self.assertEqual(sorted(stream.acked()), [1, 2])
        self.assertEqual(stream.metadata["authorization"], "Bearer tok")
        self.assertTrue(stream.client_done)  # half-closed, not cancelled

    def test_consumer_count_fails_when_not_confirmed(self):
        self.server.consume_script(accept(), consumed(1), wait(threading.Event()))
        result = self.run_cli("--consumer", "indexer", "--count", "1")
        self.assertEqual(result.returncode, 1)
        self.assertEqual(result.stderr.splitlines(), [
            "consuming: indexer as member (server-chosen)",
            "error: DEADLINE_EXCEEDED: acknowledgements not confirmed (within 5 s, or before their stream ended)",
        ])
        self.assertEqual(self.server.consume_stream(0).start.member_id, "")

    def test_consumer_nack_and_no_ack(self):
        self.server.consume_script(accept(), consumed(1, 2), hang())
        result = self.run_cli("--consumer", "indexer", "--nack", "--nack-delay", "1500", "--count", "2")
        self.assertEqual(result.returncode, 0, result.stderr)
        stream = self.server.consume_stream(0)
        self.assertEqual(stream.acked(), [])
        nacks = stream.of_kind("nack")
        self.assertEqual(sorted(s for n in nacks for s in n.sequences), [1, 2])
        self.assertEqual({(n.reason, n.delay.ToMilliseconds()) for n in nacks},
                         {("hookbridge-subscribe --nack", 1500)})

        self.server.consume_script(accept(), consumed(3), hang())
        result = self.run_cli("--consumer", "indexer", "--no-ack", "--count", "1")
        self.assertEqual(result.returncode, 0, result.stderr)
        self.assertEqual(json.loads(result.stdout)["event"]["sequence"], "3")
        self.assertEqual(self.server.consume_stream(1).requests, [])

    def test_consumer_rejected_reconnecting_gap_and_error_lines(self):
        handed = threading.Event()
        lost = service_pb2.ConsumeResponse(gap=service_pb2.Gap(first_sequence=4, last_sequence=6))
        self.server.consume_script(accept(), consumed(1), await_acks(1), reject(1, reason="redelivered"),
                                   response(lost), wait(handed),
                                   end(grpc.StatusCode.UNAVAILABLE, "shutting down"))
        self.server.consume_script(end(grpc.StatusCode.NOT_FOUND, 'no consumer "indexer"'))
        process = subprocess.Popen(
            [sys.executable, "-m", "hookbridge", "--target", self.server.target, "--consumer", "indexer",
             "--member", "m"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(),
        )
        try:
            self.assertEqual(process.stderr.readline(), "consuming: indexer as member m\n")
            self.assertEqual(process.stderr.readline(), "rejected: 1 sequences: redelivered\n")
            self.assertEqual(process.stderr.readline(), "gap: sequences 4..6 were not retained\n")
            handed.set()
            self.assertEqual(process.wait(20), 1)
            rest = process.stderr.read().splitlines()
            self.assertRegex(rest[0], r"^reconnecting in \d+ ms: UNAVAILABLE: shutting down$")
            self.assertEqual(rest[1:], ['error: NOT_FOUND: no consumer "indexer"'])
            self.assertEqual(json.loads(process.stdout.read())["event"]["sequence"], "1")
        finally:
            process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()

    def test_consumer_signal_ends_cleanly_after_flushing(self):
        self.check_consumer_signal_ends_cleanly(lambda process: process.send_signal(signal.SIGTERM))

    def test_consumer_signal_taken_by_another_thread_ends_cleanly(self):
        # The main thread waits for the next event: a signal that another
        # thread took must still reach the handler there (it did not, once).
        self.check_consumer_signal_ends_cleanly(lambda process: signal_another_thread(process.pid, signal.SIGTERM))

    def check_consumer_signal_ends_cleanly(self, send_signal):
        self.server.consume_script(accept(), consumed(1), await_acks(1), confirm(1), hang())
        process = subprocess.Popen(
            [sys.executable, "-m", "hookbridge", "--target", self.server.target, "--consumer", "indexer"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=self.env(),
        )
        try:
            self.assertEqual(json.loads(process.stdout.readline())["event"]["sequence"], "1")
            stream = self.server.consume_stream(0)
            self.assertTrue(stream.wait_for(lambda: stream.acked() == [1]))
            send_signal(process)
            self.assertEqual(process.wait(10), 0)
            self.assertEqual(process.stderr.read(), "consuming: indexer as member (server-chosen)\n")
            self.assertTrue(stream.ended.wait(10))
            self.assertTrue(stream.client_done)
        finally:
            process.kill()
            process.wait()
            process.stdout.close()
            process.stderr.close()

    def test_consumer_usage_errors_exit_2(self):
        for args in (["--consumer", "c", "--types", "a"], ["--consumer", "c", "--sources", "a"],
                     ["--consumer", "c", "--subjects", "a"], ["--consumer", "c", "--environment-ids", "a"],
                     ["--consumer", "c", "--earliest"], ["--consumer", "c", "--after", "3"],
                     ["--consumer", "c", "--cursor", self.cursor], ["--consumer", "c", "--include-raw"],
                     ["--consumer", "c", "--allow-gaps"], ["--member", "m"], ["--nack"], ["--no-ack"],
                     ["--consumer", "c", "--nack", "--no-ack"], ["--consumer", "c", "--nack-delay", "5"],
                     ["--consumer", "c", "--nack", "--nack-delay", "-5"], ["--consumer", ""]):
            result = self.run_cli(*args)
            self.assertEqual(result.returncode, 2, args)
            self.assertEqual(result.stdout, "")
            self.assertIn("usage:", result.stderr)
        self.assertEqual(self.server.consume_streams, [])

    def test_help(self):
        result = subprocess.run([sys.executable, "-m", "hookbridge", "--help"],
                                stdout=subprocess.PIPE, text=True, timeout=20)
        self.assertEqual(result.returncode, 0)
        for flag in ("--target", "--ca", "--tls", "--server-name", "--types", "--sources",
                     "--subjects", "--environment-ids", "--cursor", "--earliest", "--after",
                     "--include-raw", "--allow-gaps", "--count", "--consumer", "--member", "--nack",
                     "--nack-delay", "--no-ack"):
            self.assertIn(flag, result.stdout)
        self.assertTrue(re.match(r"usage: hookbridge-subscribe ", result.stdout))


if __name__ == "__main__":
    unittest.main()
