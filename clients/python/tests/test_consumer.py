"""Consumer behaviour against an in-process fake server: acknowledgements
batched into ranges, confirmations and flush, rejections, nacks and
extensions, reconnects (the same ConsumeStart, stale acknowledgements
dropped), errors, cancellation."""

from __future__ import annotations

import threading
import time
import unittest

import grpc

import hookbridge
from fake_server import (
    FakeServerTestCase,
    accept,
    await_acks,
    confirm,
    consumed,
    end,
    hang,
    reject,
    response,
    wait,
)
from hookbridge._consumer import sequence_runs
from hookbridge.v1 import service_pb2

# Long enough that only the rule under test sends queued requests.
NEVER = 600.0


class SequenceRunsTest(unittest.TestCase):
    def test_runs(self):
        self.assertEqual(sequence_runs([]), ([], []))
        self.assertEqual(sequence_runs([5]), ([5], []))
        self.assertEqual(sequence_runs([3, 1, 2, 2, 7, 9, 10]), ([7], [(1, 3), (9, 10)]))
        self.assertEqual(sequence_runs([2**64 - 1, 2**64 - 2]), ([], [(2**64 - 2, 2**64 - 1)]))


class ConsumerTest(FakeServerTestCase):
    def consume(self, name="indexer", member_id="m-1", **kwargs):
        kwargs.setdefault("max_ack_delay", NEVER)
        return self.guarded(self.client.consume(name, member_id, **self.stream_options(kwargs)), 20)

    def take(self, consumer, n):
        return [next(consumer) for _ in range(n)]

    # -- acknowledgements

    def test_acknowledgements_are_batched_into_ranges(self):
        self.server.consume_script(accept(), consumed(1, 2, 3, 4, 5, 7, 8, 10), await_acks(8),
                                   confirm(10, ranges=[(1, 5), (7, 8)]), hang())
        with self.consume() as consumer:
            messages = self.take(consumer, 8)
            self.assertEqual([m.sequence for m in messages], [1, 2, 3, 4, 5, 7, 8, 10])
            self.assertEqual([m.delivery_attempt for m in messages], [1] * 8)
            self.assertIsInstance(messages[0].event, hookbridge.Event)
            for m in reversed(messages):
                self.assertTrue(m.ack())
            self.assertTrue(consumer.flush(10))
            self.assertEqual(consumer.confirmed, 8)
            stream = self.server.consume_stream(0)
            acks = stream.of_kind("ack")
            self.assertEqual(len(acks), 1, acks)
            self.assertEqual(list(acks[0].sequences), [10])
            self.assertEqual([(r.first, r.last) for r in acks[0].ranges], [(1, 5), (7, 8)])
        self.assertEqual(stream.start.consumer, "indexer")
        self.assertEqual(stream.start.member_id, "m-1")

    def test_queued_acknowledgements_go_out_before_waiting_for_more(self):
        # No flush: the iterating thread sends them when it would wait.
        self.server.consume_script(accept(), consumed(1, 2), await_acks(2), consumed(3), confirm(1, 2), hang())
        with self.consume() as consumer:
            first, second = self.take(consumer, 2)
            first.ack()
            second.ack()
            self.assertEqual(next(consumer).sequence, 3)
            acks = self.server.consume_stream(0).of_kind("ack")
            self.assertEqual([(r.first, r.last) for r in acks[0].ranges], [(1, 2)])
            self.assertEqual(len(acks), 1)

    def test_queued_acknowledgements_go_out_after_max_ack_delay(self):
        self.server.consume_script(accept(), consumed(1), await_acks(1), confirm(1), hang())
        with self.consume(max_ack_delay=0.01) as consumer:
            message = next(consumer)
            message.ack()
            # The application does not come back: the delay sends it.
            stream = self.server.consume_stream(0)
            self.assertTrue(stream.wait_for(lambda: stream.acked() == [1]))

    def test_flush_waits_for_confirmations(self):
        confirmable = threading.Event()
        self.server.consume_script(accept(), consumed(1, 2), await_acks(2), wait(confirmable),
                                   confirm(1, 2), hang())
        with self.consume() as consumer:
            for message in self.take(consumer, 2):
                message.ack()
            self.assertFalse(consumer.flush(0.3))  # sent, not yet confirmed
            self.assertEqual(consumer.confirmed, 0)
            confirmable.set()
            self.assertTrue(consumer.flush(10))
            self.assertEqual(consumer.confirmed, 2)
            self.assertTrue(consumer.flush(0))  # nothing left

    def test_rejections_are_reported_not_raised(self):
        rejected = []
        self.server.consume_script(accept(), consumed(1, 2), await_acks(2),
                                   reject(2, reason="redelivered elsewhere"), confirm(1), consumed(3),
                                   hang())
        with self.consume(on_rejected=rejected.append) as consumer:
            for message in self.take(consumer, 2):
                message.ack()
            self.assertTrue(consumer.flush(10))
            self.assertEqual(next(consumer).sequence, 3)
            self.assertEqual((consumer.confirmed, consumer.rejected), (1, 1))
        self.assertEqual([(list(r.sequences), r.reason) for r in rejected], [([2], "redelivered elsewhere")])
        self.assertIsInstance(rejected[0], hookbridge.RejectedSequences)
        self.assertEqual(self.reconnects, [])

    def test_nack_extend_and_a_second_settlement(self):
        self.server.consume_script(accept(), consumed(1, 2, 3), await_acks(1), confirm(2), hang())
        with self.consume() as consumer:
            one, two, three = self.take(consumer, 3)
            self.assertTrue(one.nack(1.5, "busy"))
            self.assertTrue(two.extend())
            self.assertTrue(two.extend())  # extending again is fine
            self.assertTrue(three.nack())
            self.assertFalse(one.nack())  # settled already: nothing
            self.assertFalse(one.ack())
            began = time.monotonic()
            self.assertTrue(consumer.flush(10))  # nothing to confirm: once sent
            self.assertLess(time.monotonic() - began, 5)
            stream = self.server.consume_stream(0)
            self.assertTrue(stream.wait_for(lambda: len(stream.requests) == 3))
            kinds = [r.WhichOneof("request") for r in stream.requests]
            self.assertEqual(kinds, ["extend", "nack", "nack"])
            self.assertEqual(list(stream.requests[0].extend.sequences), [2])
            nacks = stream.of_kind("nack")
            self.assertEqual([(list(n.sequences), n.reason, n.delay.ToMilliseconds(), n.HasField("delay"))
                              for n in nacks], [([1], "busy", 1500, True), ([3], "", 0, False)])
            self.assertTrue(two.ack())
            self.assertFalse(two.extend())
            self.assertTrue(consumer.flush(10))
            self.assertEqual(stream.acked(), [2])
            self.assertEqual(consumer.confirmed, 1)

    def test_acknowledging_then_extending_in_one_batch_drops_the_extension(self):
        self.server.consume_script(accept(), consumed(1), await_acks(1), confirm(1), hang())
        with self.consume() as consumer:
            message = next(consumer)
            message.extend()
            message.ack()
            self.assertTrue(consumer.flush(10))
            kinds = [r.WhichOneof("request") for r in self.server.consume_stream(0).requests]
            self.assertEqual(kinds, ["ack"])

    # -- control messages

    def test_gaps_are_reported_in_order_and_heartbeats_skipped(self):
        gaps = []
        unknown = service_pb2.ConsumeResponse()
        unknown.ParseFromString(b"\x7a\x03abc")  # field 15, unknown to this client
        beat = service_pb2.ConsumeResponse(heartbeat=service_pb2.Heartbeat(resume_after=1))
        lost = service_pb2.ConsumeResponse(gap=service_pb2.Gap(first_sequence=2, last_sequence=4))
        self.server.consume_script(accept(), consumed(1), response(beat), response(lost), response(unknown),
                                   consumed(5), hang())
        with self.consume(on_gap=gaps.append) as consumer:
            self.assertEqual(next(consumer).sequence, 1)
            self.assertEqual(gaps, [])
            self.assertEqual(next(consumer).sequence, 5)
            self.assertEqual([(g.first_sequence, g.last_sequence) for g in gaps], [(2, 4)])

    def test_consuming_is_told_once_per_stream(self):
        told = []
        handed = threading.Event()
        self.server.consume_script(accept(), consumed(1), wait(handed), end(grpc.StatusCode.UNAVAILABLE, "bye"))
        self.server.consume_script(accept(), consumed(2), hang())
        with self.consume(on_consuming=lambda: told.append(len(self.server.consume_streams))) as consumer:
            self.assertEqual(next(consumer).sequence, 1)
            handed.set()
            self.assertEqual(next(consumer).sequence, 2)
        self.assertEqual(told, [1, 2])

    # -- reconnecting

    def test_reconnect_sends_the_same_start_and_drops_stale_acknowledgements(self):
        self.server.token = "secret"
        ended = threading.Event()
        self.server.consume_script(accept(), consumed(1, 2), wait(ended),
                                   end(grpc.StatusCode.UNAVAILABLE, "shutting down", retry_delay=0.01))
        self.server.consume_script(accept(), consumed(1, attempt=2), await_acks(1), confirm(1), hang())
        with hookbridge.Client(self.server.target, token="secret") as client:
            consumer = client.consume("indexer", "pod-7", max_ack_delay=NEVER, **self.stream_options({}))
            with consumer:
                first, second = self.take(consumer, 2)
                self.assertTrue(first.ack())  # queued on the first stream
                ended.set()
                again = next(consumer)  # from the second stream
                self.assertEqual((again.sequence, again.delivery_attempt), (1, 2))
                self.assertFalse(second.ack())  # its stream ended: nothing to do
                self.assertTrue(again.ack())
                # The acknowledgement of the first stream was dropped.
                self.assertFalse(consumer.flush(10))
                self.assertEqual(consumer.confirmed, 1)
                self.assertTrue(consumer.flush(10))
        self.assertEqual([(e.code, e.message) for e, _ in self.reconnects],
                         [(grpc.StatusCode.UNAVAILABLE, "shutting down")])
        self.assertIsInstance(self.reconnects[0][0], hookbridge.ConsumerError)
        streams = self.server.consume_streams
        self.assertEqual([(s.start.consumer, s.start.member_id) for s in streams],
                         [("indexer", "pod-7")] * 2)
        self.assertTrue(all(s.first.HasField("start") for s in streams))
        self.assertEqual(streams[1].acked(), [1])
        self.assertEqual([s.metadata.get("authorization") for s in streams], ["Bearer secret"] * 2)

    def test_idle_stream_is_replaced(self):
        self.server.info.heartbeat_interval.FromMilliseconds(50)
        self.server.consume_script(accept(), consumed(1), wait(threading.Event()))  # then silence
        self.server.consume_script(accept(), consumed(2), hang())
        with self.consume() as consumer:
            self.assertEqual([m.sequence for m in self.take(consumer, 2)], [1, 2])
        error = self.reconnects[0][0]
        self.assertEqual(error.code, grpc.StatusCode.DEADLINE_EXCEEDED)
        self.assertIn("no event or heartbeat", error.message)

    # -- errors

    def test_not_found_ends_with_an_error(self):
        self.server.consume_script(end(grpc.StatusCode.NOT_FOUND, 'no consumer "nope"'))
        with self.consume("nope", None) as consumer:
            with self.assertRaises(hookbridge.ConsumerError) as raised:
                next(consumer)
            self.assertRaises(StopIteration, next, consumer)
        error = raised.exception
        self.assertIsInstance(error, hookbridge.SubscriptionError)
        self.assertEqual(error.code, grpc.StatusCode.NOT_FOUND)
        self.assertEqual(str(error), 'NOT_FOUND: no consumer "nope"')
        self.assertEqual(self.reconnects, [])
        start = self.server.consume_stream(0).start
        self.assertEqual((start.consumer, start.member_id), ("nope", ""))

    def test_permission_denied_mid_stream_ends_with_an_error(self):
        handed = threading.Event()
        self.server.consume_script(accept(), consumed(1), wait(handed),
                                   end(grpc.StatusCode.PERMISSION_DENIED, "token may not consume it"))
        with self.consume() as consumer:
            self.assertEqual(next(consumer).sequence, 1)
            handed.set()
            with self.assertRaises(hookbridge.ConsumerError) as raised:
                next(consumer)
        self.assertEqual(raised.exception.code, grpc.StatusCode.PERMISSION_DENIED)

    def test_name_is_required(self):
        with self.assertRaises(ValueError):
            self.client.consume("")

    # -- cancellation and closing

    def test_cancel_flushes_then_ends_the_stream(self):
        self.server.consume_script(accept(), consumed(1), await_acks(1), confirm(1), hang())
        consumer = self.consume()
        message = next(consumer)
        thread, outcome = self.next_in_thread(consumer)
        message.ack()
        began = time.monotonic()
        consumer.cancel()
        thread.join(10)
        self.assertEqual(outcome, ["stopped"])
        self.assertLess(time.monotonic() - began, 5)
        self.assertEqual(consumer.confirmed, 1)
        stream = self.server.consume_stream(0)
        self.assertTrue(stream.ended.wait(10))
        self.assertTrue(stream.client_done)
        self.assertEqual(stream.acked(), [1])
        self.assertEqual(self.reconnects, [])
        self.assertFalse(message.ack())

    def test_leaving_the_with_block_flushes(self):
        self.server.consume_script(accept(), consumed(1, 2), await_acks(2), confirm(1, 2), hang())
        with self.consume() as consumer:
            for message in consumer:
                message.ack()
                if message.sequence == 2:
                    break
        self.assertEqual(consumer.confirmed, 2)
        self.assertEqual(self.server.consume_stream(0).acked(), [1, 2])

    def test_flush_on_close_is_bounded(self):
        self.server.consume_script(accept(), consumed(1), wait(threading.Event()))  # never confirms
        consumer = self.consume(flush_timeout=0.2)
        next(consumer).ack()
        began = time.monotonic()
        consumer.close()
        self.assertLess(time.monotonic() - began, 3)
        self.assertEqual(consumer.confirmed, 0)
        self.assertTrue(self.server.consume_stream(0).ended.wait(10))

    def test_cancel_during_backoff_wait(self):
        self.server.consume_script(end(grpc.StatusCode.UNAVAILABLE, "later", retry_delay=30))
        consumer = self.consume(on_reconnect=lambda error, delay: consumer.cancel())
        began = time.monotonic()
        self.assertRaises(StopIteration, next, consumer)
        self.assertLess(time.monotonic() - began, 5)

    def test_client_close_closes_consumers(self):
        self.server.consume_script(accept(), hang())
        consumer = self.consume()
        threading.Timer(0.2, self.client.close).start()
        self.assertRaises(StopIteration, next, consumer)
        self.assertTrue(self.server.consume_stream(0).ended.wait(10))


if __name__ == "__main__":
    unittest.main()
