"""Subscription behaviour against an in-process fake server: batch
unpacking, position rules, cursor saving, reconnects, errors, cancellation,
the receive limit."""

from __future__ import annotations

import threading
import time
import unittest

import grpc

import hookbridge
from fake_server import (
    FakeServer,
    FakeServerTestCase,
    end,
    event,
    events,
    gap,
    hang,
    heartbeat,
    response,
    sleep,
    start,
    wait,
)
from hookbridge.v1 import service_pb2


class RecordingStore(hookbridge.MemoryCursorStore):
    def __init__(self, sequence=None):
        super().__init__(sequence)
        self.saves = []

    def save(self, sequence):
        self.saves.append(sequence)
        super().save(sequence)


class SubscriptionTest(FakeServerTestCase):
    def subscribe(self, **kwargs):
        return self.guarded(self.client.subscribe(**self.stream_options(kwargs)))

    def take(self, subscription, n):
        return [next(subscription).sequence for _ in range(n)]

    # -- batches and order

    def test_batches_are_unpacked_in_order(self):
        self.server.script(start(0), events(1, 2, 3), events(4), events(5, 6), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 6), [1, 2, 3, 4, 5, 6])
        self.assertTrue(self.server.requests[0].earliest)

    def test_event_fields_and_typed_payload_survive(self):
        message = service_pb2.SubscribeResponse()
        e = message.events.add(sequence=7, type="comment.added", source="ck")
        e.ckeditor.comment_added.comment.id = "c1"
        self.server.script(start(6), response(message), hang())
        with self.subscribe() as subscription:
            got = next(subscription)
        self.assertEqual(got.WhichOneof("payload"), "ckeditor")
        self.assertEqual(got.ckeditor.comment_added.comment.id, "c1")
        self.assertIsInstance(got, hookbridge.Event)

    def test_unknown_responses_are_skipped(self):
        unknown = service_pb2.SubscribeResponse()
        unknown.ParseFromString(b"\x7a\x03abc")  # field 15, unknown to this client
        self.server.script(start(0), response(unknown), response(service_pb2.SubscribeResponse()),
                           events(1), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 1), [1])

    # -- the cursor store and the position

    def test_cursor_saved_when_next_event_is_requested(self):
        store = RecordingStore()
        self.server.script(start(0), events(1, 2), hang())
        subscription = self.subscribe(earliest=True, cursor_store=store)
        self.assertEqual(next(subscription).sequence, 1)
        self.assertEqual(store.saves, [])  # handed out, not yet handled
        self.assertEqual(next(subscription).sequence, 2)
        self.assertEqual(store.saves, [1])
        subscription.commit()
        self.assertEqual(store.saves, [1, 2])
        subscription.cancel()
        self.assertRaises(StopIteration, next, subscription)
        self.assertEqual(store.saves, [1, 2])

    def test_stored_cursor_overrides_start_position(self):
        self.server.script(start(41), events(42), hang())
        with self.subscribe(earliest=True, cursor_store=hookbridge.MemoryCursorStore(41)) as sub:
            self.assertEqual(self.take(sub, 1), [42])
        request = self.server.requests[0]
        self.assertEqual(request.WhichOneof("start"), "after_sequence")
        self.assertEqual(request.after_sequence, 41)

    def test_empty_store_uses_start_position(self):
        self.server.script(start(9), events(10), hang())
        with self.subscribe(after_sequence=9, cursor_store=hookbridge.MemoryCursorStore()) as sub:
            self.assertEqual(self.take(sub, 1), [10])
        self.assertEqual(self.server.requests[0].after_sequence, 9)

    def test_filters_and_flags_are_sent(self):
        self.server.script(start(0), events(1), hang())
        with self.subscribe(types=["comment.*", "x"], sources="gh", subjects=("doc",),
                            environment_ids=["env"], include_raw=True, allow_gaps=True) as sub:
            next(sub)
        request = self.server.requests[0]
        self.assertEqual(list(request.types), ["comment.*", "x"])
        self.assertEqual(list(request.sources), ["gh"])
        self.assertEqual(list(request.subjects), ["doc"])
        self.assertEqual(list(request.environment_ids), ["env"])
        self.assertTrue(request.include_raw and request.allow_gaps)
        self.assertIsNone(request.WhichOneof("start"))  # live

    def test_heartbeat_resume_after_taken_only_when_later(self):
        store = RecordingStore()
        flag = threading.Event()
        self.server.script(start(0), events(5), heartbeat(3), end(grpc.StatusCode.UNAVAILABLE, "a"))
        self.server.script(start(5), heartbeat(8), events(9), wait(flag),
                           end(grpc.StatusCode.UNAVAILABLE, "b"))
        self.server.script(start(9), hang())
        subscription = self.subscribe(earliest=True, cursor_store=store)
        self.assertEqual(self.take(subscription, 2), [5, 9])
        # 5 handled, heartbeat 3 ignored (earlier), heartbeat 8 taken.
        self.assertEqual(store.saves, [5, 8])
        self.assertEqual(self.server.requests[1].after_sequence, 5)
        flag.set()
        thread, outcome = self.next_in_thread(subscription)
        self._wait_for(lambda: len(self.server.requests) == 3)
        subscription.cancel()
        thread.join(5)
        self.assertEqual(outcome, ["stopped"])
        self.assertEqual(self.server.requests[2].after_sequence, 9)
        self.assertEqual(store.saves, [5, 8, 9])

    def test_trailer_resume_after_taken_only_when_later(self):
        store = RecordingStore()
        self.server.script(start(0), events(5), end(grpc.StatusCode.UNAVAILABLE, "a", resume_after=3))
        self.server.script(start(5), events(6), end(grpc.StatusCode.UNAVAILABLE, "b", resume_after=20))
        self.server.script(start(20), events(21), hang())
        with self.subscribe(earliest=True, cursor_store=store) as subscription:
            self.assertEqual(self.take(subscription, 3), [5, 6, 21])
        after = [r.after_sequence for r in self.server.requests[1:]]
        self.assertEqual(after, [5, 20])  # the trailer 3 is earlier than 5: not taken
        self.assertEqual(store.saves, [5, 6, 20, 21])
        self.assertEqual([e.resume_after for e, _ in self.reconnects], [3, 20])

    def test_start_after_is_the_position_of_a_live_start(self):
        started = []
        self.server.script(start(77), end(grpc.StatusCode.UNAVAILABLE, "restart"))
        self.server.script(start(77), events(78), hang())
        with self.subscribe(on_subscribed=started.append) as subscription:
            self.assertEqual(self.take(subscription, 1), [78])
        self.assertEqual(started, [77, 77])
        self.assertIsNone(self.server.requests[0].WhichOneof("start"))
        self.assertEqual(self.server.requests[1].after_sequence, 77)

    def test_no_duplicates_after_reconnect(self):
        self.server.script(start(0), events(1, 2), end(grpc.StatusCode.UNAVAILABLE, "x"))
        # A server that repeats what was delivered: the client drops it.
        self.server.script(start(2), events(1, 2, 3), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 3), [1, 2, 3])

    def test_gap_is_reported_and_moves_the_position(self):
        gaps = []
        store = RecordingStore()
        self.server.script(start(0), gap(1, 10), events(11), hang())
        with self.subscribe(earliest=True, allow_gaps=True, on_gap=gaps.append,
                            cursor_store=store) as subscription:
            self.assertEqual(self.take(subscription, 1), [11])
            self.assertEqual([(g.first_sequence, g.last_sequence) for g in gaps], [(1, 10)])
            self.assertIsInstance(gaps[0], hookbridge.Gap)
            self.assertEqual(store.saves, [10])

    # -- reconnecting

    def test_reconnects_on_every_retryable_code(self):
        codes = sorted(hookbridge.RETRYABLE_CODES, key=lambda c: c.value[0])
        for i, code in enumerate(codes):
            self.server.script(start(i), events(i + 1), end(code, f"m{i}"))
        self.server.script(start(len(codes)), events(len(codes) + 1), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, len(codes) + 1), list(range(1, len(codes) + 2)))
        self.assertEqual([e.code for e, _ in self.reconnects], codes)
        self.assertEqual([r.after_sequence for r in self.server.requests[1:]],
                         list(range(1, len(codes) + 1)))

    def test_reconnects_when_stream_ends_ok(self):
        self.server.script(start(0), events(1))  # ends with OK
        self.server.script(start(1), events(2), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 2), [1, 2])
        self.assertEqual(self.reconnects[0][0].code, grpc.StatusCode.OK)

    def test_reconnects_when_server_info_fails(self):
        self.server.info_failures.put((grpc.StatusCode.UNAVAILABLE, "starting"))
        self.server.script(start(0), events(1), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 1), [1])
        self.assertEqual(self.reconnects[0][0].message, "starting")
        self.assertEqual(self.server.info_calls, 2)

    def test_retry_info_sets_the_least_wait(self):
        self.server.script(start(0), end(grpc.StatusCode.UNAVAILABLE, "shutting down",
                                         resume_after=4, retry_delay=0.25))
        self.server.script(start(4), events(5), hang())
        began = time.monotonic()
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 1), [5])
        self.assertGreaterEqual(time.monotonic() - began, 0.25)
        error, delay = self.reconnects[0]
        self.assertEqual(error.retry_delay, 0.25)
        self.assertGreaterEqual(delay, 0.25)
        self.assertEqual(self.server.requests[1].after_sequence, 4)

    def test_backoff_grows_while_failing_and_resets_once_a_stream_delivers(self):
        backoff = hookbridge.Backoff(0.001, 0.004)
        for _ in range(3):
            self.server.script(end(grpc.StatusCode.UNAVAILABLE, "down"))
        self.server.script(start(0), events(1), end(grpc.StatusCode.UNAVAILABLE, "again"))
        self.server.script(start(1), events(2), hang())
        with self.subscribe(earliest=True, backoff=backoff) as subscription:
            self.assertEqual(self.take(subscription, 2), [1, 2])
        self.assertEqual(len(self.reconnects), 4)
        self.assertEqual(backoff.attempt, 0)  # reset by the last stream's response

    def test_reconnects_promptly_once_the_server_is_back(self):
        # Each attempt after a failure connects anew: gRPC's own, slower
        # reconnect backoff does not delay the subscription's.
        self.server.stop()
        subscription = self.subscribe(earliest=True, backoff=hookbridge.Backoff(0.01, 0.05))
        back = []

        def restart():
            time.sleep(3)
            server = FakeServer(port=self.server.port)
            server.script(start(0), events(1), hang())
            back.append((server, time.monotonic()))

        threading.Thread(target=restart).start()
        try:
            self.assertEqual(next(subscription).sequence, 1)
            self.assertLess(time.monotonic() - back[0][1], 1.0)
            self.assertGreater(len(self.reconnects), 10)
            self.assertTrue(all(e.code == grpc.StatusCode.UNAVAILABLE for e, _ in self.reconnects))
        finally:
            subscription.close()
            if back:
                back[0][0].stop()

    def test_idle_stream_is_replaced(self):
        self.server.info.heartbeat_interval.FromMilliseconds(50)
        self.server.script(start(0), events(1), hang())  # then silence
        self.server.script(start(1), events(2), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 2), [1, 2])
        error = self.reconnects[0][0]
        self.assertEqual(error.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertIn("no event or heartbeat", error.message)
        self.assertEqual(self.server.requests[1].after_sequence, 1)

    def test_heartbeats_keep_a_stream(self):
        self.server.info.heartbeat_interval.FromMilliseconds(50)
        beats = [step for i in range(8) for step in (sleep(0.04), heartbeat(0))]
        self.server.script(start(0), *beats, events(1), hang())
        with self.subscribe(earliest=True) as subscription:
            self.assertEqual(self.take(subscription, 1), [1])
        self.assertEqual(self.reconnects, [])

    # -- errors

    def test_non_retryable_status_ends_with_error(self):
        store = RecordingStore()
        self.server.script(start(0), events(1),
                           end(grpc.StatusCode.OUT_OF_RANGE, "fell behind", resume_after=6,
                               error_info={"reason": "EVENTS_NOT_RETAINED",
                                           "metadata": {"oldest_sequence": "9"}}))
        subscription = self.subscribe(earliest=True, cursor_store=store)
        self.assertEqual(self.take(subscription, 1), [1])
        with self.assertRaises(hookbridge.SubscriptionError) as raised:
            next(subscription)
        error = raised.exception
        self.assertEqual(error.code, grpc.StatusCode.OUT_OF_RANGE)
        self.assertEqual(error.message, "fell behind")
        self.assertEqual(error.resume_after, 6)
        self.assertEqual(error.error_info.reason, "EVENTS_NOT_RETAINED")
        self.assertEqual(error.error_info.metadata["oldest_sequence"], "9")
        self.assertEqual(str(error), "OUT_OF_RANGE: fell behind (hookbridge-resume-after: 6)")
        self.assertEqual(store.saves, [1, 6])
        self.assertRaises(StopIteration, next, subscription)
        self.assertEqual(self.reconnects, [])

    def test_errors_before_the_stream_starts(self):
        for code in (grpc.StatusCode.INVALID_ARGUMENT, grpc.StatusCode.PERMISSION_DENIED,
                     grpc.StatusCode.UNAUTHENTICATED):
            self.server.script(end(code, "no"))
            with self.subscribe() as subscription:
                with self.assertRaises(hookbridge.SubscriptionError) as raised:
                    next(subscription)
            self.assertEqual(raised.exception.code, code)
            self.assertIsNone(raised.exception.resume_after)
            self.assertEqual(str(raised.exception), f"{code.name}: no")

    def test_token_is_sent_on_every_call(self):
        self.server.token = "secret"
        with hookbridge.Client(self.server.target, token="secret") as client:
            self.assertEqual(client.server_info().version, "test")
            self.server.script(start(0), events(1), hang())
            with client.subscribe(earliest=True) as subscription:
                self.assertEqual(next(subscription).sequence, 1)
        self.assertEqual(self.server.subscribe_metadata[0]["authorization"], "Bearer secret")
        with hookbridge.Client(self.server.target, token="wrong") as client:
            with client.subscribe() as subscription:
                with self.assertRaises(hookbridge.SubscriptionError) as raised:
                    next(subscription)
            self.assertEqual(raised.exception.code, grpc.StatusCode.UNAUTHENTICATED)

    # -- cancellation

    def test_cancel_from_another_thread_ends_iteration_cleanly(self):
        self.server.script(start(0), events(1), hang())
        subscription = self.subscribe(earliest=True)
        self.assertEqual(next(subscription).sequence, 1)
        threading.Timer(0.2, subscription.cancel).start()
        began = time.monotonic()
        self.assertRaises(StopIteration, next, subscription)
        self.assertLess(time.monotonic() - began, 2)
        self.assertEqual(self.reconnects, [])
        self.assertTrue(self.server.stream_ended.wait(5))

    def test_cancel_during_backoff_wait(self):
        self.server.script(start(0), end(grpc.StatusCode.UNAVAILABLE, "bye", retry_delay=30))
        subscription = self.subscribe(earliest=True)
        threading.Timer(0.3, subscription.cancel).start()
        began = time.monotonic()
        self.assertRaises(StopIteration, next, subscription)
        self.assertLess(time.monotonic() - began, 5)
        self.assertEqual(len(self.reconnects), 1)

    def test_cancel_before_connecting(self):
        subscription = self.subscribe()
        subscription.cancel()
        self.assertRaises(StopIteration, next, subscription)
        self.assertEqual(self.server.info_calls, 0)

    def test_leaving_the_with_block_commits_unless_an_exception(self):
        store = RecordingStore()
        self.server.script(start(0), events(1, 2), hang())
        with self.subscribe(earliest=True, cursor_store=store) as subscription:
            for e in subscription:
                if e.sequence == 2:
                    break
        self.assertEqual(store.saves, [1, 2])
        store = RecordingStore()
        self.server.script(start(0), events(1, 2), hang())
        with self.assertRaises(RuntimeError):
            with self.subscribe(earliest=True, cursor_store=store) as subscription:
                for e in subscription:
                    if e.sequence == 2:
                        raise RuntimeError("handler failed")
        self.assertEqual(store.saves, [1])

    def test_client_close_cancels_subscriptions(self):
        self.server.script(start(0), hang())
        subscription = self.subscribe()
        threading.Timer(0.2, self.client.close).start()
        self.assertRaises(StopIteration, next, subscription)

    # -- limits

    def test_receive_limit_follows_server_info(self):
        self.server.info.max_response_bytes = 8 << 20
        big = service_pb2.SubscribeResponse(events=[event(1, raw_body=b"x" * (5 << 20))])
        self.server.script(start(0), response(big), hang())
        with self.subscribe(earliest=True) as subscription:
            got = next(subscription)
        self.assertEqual(len(got.raw_body), 5 << 20)
        self.assertEqual(self.reconnects, [])

    # -- arguments

    def test_start_positions_are_alternatives(self):
        with self.assertRaises(ValueError):
            self.client.subscribe(earliest=True, after_sequence=3)
        with self.assertRaises(ValueError):
            self.client.subscribe(after_sequence=-1)

    def test_since(self):
        import datetime

        self.server.script(start(0), events(1), hang())
        when = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
        with self.subscribe(since=when) as subscription:
            next(subscription)
        request = self.server.requests[0]
        self.assertEqual(request.WhichOneof("start"), "since")
        self.assertEqual(request.since.ToDatetime(), datetime.datetime(2026, 1, 2, 2, 4, 5))

    def _wait_for(self, condition, timeout=5.0):
        deadline = time.monotonic() + timeout
        while not condition():
            if time.monotonic() > deadline:
                self.fail("condition not met in time")
            time.sleep(0.01)


class TlsTest(unittest.TestCase):
    """TLS with a custom CA and a server name override (needs openssl)."""

    def test_tls_with_ca_file_and_server_name(self):
        import os
        import shutil
        import subprocess
        import tempfile

        if not shutil.which("openssl"):
            self.skipTest("openssl not found")
        with tempfile.TemporaryDirectory() as tmp:
            key, cert = os.path.join(tmp, "key.pem"), os.path.join(tmp, "cert.pem")
            subprocess.run(
                ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
                 "-keyout", key, "-out", cert, "-subj", "/CN=hookbridge.test",
                 "-addext", "subjectAltName=DNS:hookbridge.test"],
                check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            )
            with open(key, "rb") as k, open(cert, "rb") as c:
                credentials = grpc.ssl_server_credentials([(k.read(), c.read())])
            server = FakeServer(credentials=credentials)
            try:
                server.script(start(0), events(1), hang())
                with hookbridge.Client(server.target, ca_file=cert, server_name="hookbridge.test") as client:
                    with client.subscribe(earliest=True) as subscription:
                        self.assertEqual(next(subscription).sequence, 1)
                with hookbridge.Client(server.target, ca_file=cert, server_name="other.test",
                                       call_timeout=2) as client:
                    with self.assertRaises(grpc.RpcError):
                        client.server_info()
            finally:
                server.stop()

    def test_server_name_needs_tls(self):
        with self.assertRaises(ValueError):
            hookbridge.Client("localhost:1", server_name="x")


if __name__ == "__main__":
    unittest.main()
