"""Durable consumers: one member of a consumer's group, on a Consume stream."""

from __future__ import annotations

import collections
import datetime
import logging
import queue
import threading
import time
from typing import TYPE_CHECKING, Any, Callable, Counter, Dict, Iterable, Iterator, List, Optional, Set, Tuple, Union

import grpc

from hookbridge._backoff import Backoff
from hookbridge._errors import SubscriptionError
from hookbridge._stream import GapHandler, ReconnectHandler, _Stream, wait_slice
from hookbridge.v1 import event_pb2, service_pb2, service_pb2_grpc

if TYPE_CHECKING:
    from hookbridge._client import Client

__all__ = ["Consumer", "ConsumerError", "ConsumerMessage", "sequence_runs"]

logger = logging.getLogger("hookbridge")

# Queued acknowledgements are sent without waiting for more once there are
# this many.
_MAX_BATCH = 1000

RejectedHandler = Callable[[service_pb2.RejectedSequences], Any]
ConsumingHandler = Callable[[], Any]
Delay = Union[float, datetime.timedelta, None]


def sequence_runs(sequences: Iterable[int]) -> Tuple[List[int], List[Tuple[int, int]]]:
    """The distinct `sequences`, ascending, as single ones and contiguous runs
    (first, last) of two or more: an Acknowledge's `sequences` and
    `ranges`."""
    singles: List[int] = []
    runs: List[Tuple[int, int]] = []
    first = last = None
    for sequence in sorted(set(sequences)):
        if last is not None and sequence == last + 1:
            last = sequence
            continue
        if first is not None:
            (singles.append(first) if first == last else runs.append((first, last)))
        first = last = sequence
    if first is not None:
        (singles.append(first) if first == last else runs.append((first, last)))
    return singles, runs


class ConsumerError(SubscriptionError):
    """A status that ended consumption (NOT_FOUND for an unknown consumer,
    PERMISSION_DENIED, INVALID_ARGUMENT, ...), or, in `on_reconnect`, the one
    it reconnects after."""

    def __repr__(self) -> str:
        return f"ConsumerError({self.code.name}, {self.message!r})"


class ConsumerMessage:
    """One event handed to this member: `event`, its `delivery_attempt` (1
    for the first delivery to the consumer), and what to do with it.

    `ack()`, `nack()`, `extend()` queue a request on the stream the event
    came on and return True; they return False and do nothing once the
    message was acknowledged or negatively acknowledged, or when its stream
    has ended (the server gives the event to the group again: it comes back,
    here or at another member). `extend()` may be called repeatedly.
    Thread-safe.
    """

    __slots__ = ("consumed_event", "_stream", "_settled")

    def __init__(self, consumed_event: service_pb2.ConsumedEvent, stream: "_ConsumeStream"):
        #: The ConsumedEvent as the server sent it.
        self.consumed_event = consumed_event
        self._stream = stream
        self._settled = False

    @property
    def event(self) -> event_pb2.Event:
        return self.consumed_event.event

    @property
    def delivery_attempt(self) -> int:
        return self.consumed_event.delivery_attempt

    @property
    def sequence(self) -> int:
        return self.consumed_event.event.sequence

    def ack(self) -> bool:
        """The event is done: acknowledged with the next batch (promptly)."""
        return self._stream.queue(self, "ack")

    def nack(self, delay: Delay = None, reason: str = "") -> bool:
        """Gives the event back, to be delivered again (to any member) after
        `delay` (seconds or a timedelta; None: at once). `reason` is kept if
        it becomes a dead letter."""
        if isinstance(delay, datetime.timedelta):
            delay = delay.total_seconds()
        if delay is not None and delay < 0:
            raise ValueError(f"delay is not negative: {delay}")
        nanos = None if delay is None else round(delay * 1e9)
        return self._stream.queue(self, "nack", nanos, reason)

    def extend(self) -> bool:
        """Restarts the event's ack deadline (long processing)."""
        return self._stream.queue(self, "extend")

    def __repr__(self) -> str:
        return f"<hookbridge.ConsumerMessage sequence={self.sequence} attempt={self.delivery_attempt}>"


class _ConsumeStream:
    """One Consume call: the requests it sends (the start, then what its
    messages queue, in batches) and the acknowledgements it sent that the
    server has not answered yet. Guarded by the consumer's condition, which
    is notified on every change."""

    def __init__(self, cond: threading.Condition, start: service_pb2.ConsumeStart, max_delay: float):
        self._cond = cond
        self._start = start
        self._max_delay = max_delay
        self.call: Any = None
        self.closing = False  # no more requests: half-close once the queue is sent
        self.closed = False  # the call is over
        self._acks: Set[int] = set()
        self._nacks: Dict[Tuple[Optional[int], str], List[int]] = {}
        self._extends: Set[int] = set()
        self._queued = 0
        self._since: Optional[float] = None  # when the oldest queued request was queued
        self._send_now = False
        self._unanswered: Counter[int] = collections.Counter()

    # -- under the condition

    def queue(self, message: ConsumerMessage, kind: str, delay: Optional[int] = None, reason: str = "") -> bool:
        sequence = message.sequence
        with self._cond:
            if self.closing or self.closed or message._settled:
                return False
            if kind == "extend":
                self._extends.add(sequence)
            else:
                message._settled = True
                self._extends.discard(sequence)  # no use any more
                if kind == "ack":
                    self._acks.add(sequence)
                else:
                    self._nacks.setdefault((delay, reason), []).append(sequence)
            self._queued += 1
            if self._since is None:
                self._since = time.monotonic()
            self._cond.notify_all()
            return True

    def send_now(self) -> None:
        """Sends what is queued without waiting for more."""
        if self._queued:
            self._send_now = True
            self._cond.notify_all()

    def half_close(self) -> None:
        """Sends what is queued, then ends the requests: the server answers
        what it read and ends the call."""
        self.closing = True
        self._cond.notify_all()

    def settled(self) -> bool:
        """Nothing queued and every acknowledgement answered (or the stream
        is over)."""
        return self.closed or (self._queued == 0 and not self._unanswered)

    def answer(self, sequences: Iterable[int], ranges: Iterable[Any] = ()) -> int:
        """The server answered these acknowledgements: how many sequences."""
        count = 0
        for sequence in sequences:
            count += 1
            self._forget(sequence)
        for r in ranges:
            count += r.last - r.first + 1
            for sequence in [s for s in self._unanswered if r.first <= s <= r.last]:
                self._forget(sequence)
        return count

    def _forget(self, sequence: int) -> None:
        if self._unanswered[sequence] > 1:
            self._unanswered[sequence] -= 1
        else:
            self._unanswered.pop(sequence, None)

    def close(self) -> int:
        """Marks the stream over; returns how many acknowledgements it drops
        (queued, or sent and never answered)."""
        if self.closed:
            return 0
        self.closed = True
        dropped = len(self._acks) + sum(self._unanswered.values())
        self._acks.clear()
        self._nacks.clear()
        self._extends.clear()
        self._unanswered.clear()
        self._queued = 0
        self._cond.notify_all()
        return dropped

    def _due(self) -> Optional[float]:
        """0 when the queued requests are to be sent now, else how long to
        wait (None: until something is queued)."""
        if not self._queued:
            self._send_now = False
            return None
        if self._send_now or self.closing or self._queued >= _MAX_BATCH:
            return 0
        return max(0.0, self._since + self._max_delay - time.monotonic())

    def _take(self) -> List[service_pb2.ConsumeRequest]:
        """The queued requests as messages: extensions first (an ack sent
        before would make them rejected), then nacks, then one Acknowledge."""
        requests = []
        if self._extends:
            requests.append(
                service_pb2.ConsumeRequest(extend=service_pb2.ExtendDeadline(sequences=sorted(self._extends)))
            )
        for (delay, reason), sequences in self._nacks.items():
            nack = service_pb2.NegativeAcknowledge(sequences=sequences, reason=reason)
            if delay is not None:
                nack.delay.FromNanoseconds(delay)
            requests.append(service_pb2.ConsumeRequest(nack=nack))
        if self._acks:
            singles, runs = sequence_runs(self._acks)
            ack = service_pb2.Acknowledge(
                sequences=singles,
                ranges=[service_pb2.SequenceRange(first=f, last=l) for f, l in runs],
            )
            requests.append(service_pb2.ConsumeRequest(ack=ack))
            self._unanswered.update(self._acks)
        self._acks.clear()
        self._nacks.clear()
        self._extends.clear()
        self._queued = 0
        self._since = None
        self._send_now = False
        return requests

    # -- gRPC's request thread

    def requests(self) -> Iterator[service_pb2.ConsumeRequest]:
        """The request iterator of the call: ConsumeStart, then batches as
        they fall due, until the stream is closing (its end half-closes the
        call) or closed."""
        yield service_pb2.ConsumeRequest(start=self._start)
        while True:
            with self._cond:
                while True:
                    if self.closed or (self.closing and not self._queued):
                        return
                    due = self._due()
                    if due == 0:
                        batch = self._take()
                        self._cond.notify_all()  # flush() waits for an empty queue
                        break
                    self._cond.wait(due)
            yield from batch


class Consumer(_Stream, Iterator[ConsumerMessage]):
    """One member of a durable consumer's group: an iterator over the
    messages the server hands to it, in the order it sent them. Made by
    `Client.consume`.

    Each message is acknowledged (`ack()`), given back (`nack()`) or kept
    longer (`extend()`); the requests are queued and sent in batches (all
    acknowledgements in one Acknowledge, contiguous sequences as ranges)
    when the iterating thread would wait for the server, when one has been
    queued for `max_ack_delay` seconds, or on `flush()`. The server confirms
    acknowledgements once they are durable: `confirmed` counts them, and
    `flush()` waits for them. Rejections (the event was no longer
    outstanding here, e.g. redelivered elsewhere after its deadline) go to
    `on_rejected` and are counted in `rejected`.

    Iterating reconnects by itself on the same statuses as a subscription
    (and after `IDLE_HEARTBEATS` silent heartbeat intervals), sending the
    same ConsumeStart again. Events of a stream that ended are no longer
    outstanding here: those not yet handed out are dropped, `ack()` on the
    others does nothing, and queued acknowledgements are dropped; the server
    delivers them again. Any other status raises `ConsumerError`.

    `cancel()` (any thread) ends the iteration without an error; the
    iterating thread (or `close()`) then flushes, for at most
    `flush_timeout` seconds, and ends the stream. As a context manager,
    leaving the block closes.

    A reader thread per stream reads the responses (so confirmations arrive
    while the application works); `on_rejected` runs in it. `on_gap`,
    `on_consuming` and `on_reconnect` run in the iterating thread.
    """

    _error_type = ConsumerError

    def __init__(
        self,
        client: "Client",
        name: str,
        member_id: Optional[str] = None,
        *,
        on_gap: Optional[GapHandler] = None,
        on_rejected: Optional[RejectedHandler] = None,
        on_consuming: Optional[ConsumingHandler] = None,
        on_reconnect: Optional[ReconnectHandler] = None,
        backoff: Optional[Backoff] = None,
        flush_timeout: float = 5.0,
        max_ack_delay: float = 0.01,
    ):
        super().__init__(client, on_reconnect=on_reconnect, backoff=backoff)
        #: The consumer's name.
        self.name = name
        #: The member id sent in ConsumeStart (None: the server chooses).
        self.member_id = member_id
        self.flush_timeout = flush_timeout
        self._max_ack_delay = max_ack_delay
        self._on_gap = on_gap
        self._on_rejected = on_rejected
        self._on_consuming = on_consuming
        self._cond = threading.Condition(threading.Lock())
        self._inbox: "queue.SimpleQueue[Tuple[str, Any]]" = queue.SimpleQueue()
        self._current: Optional[_ConsumeStream] = None
        self._confirmed = 0
        self._rejected = 0
        self._dropped = 0  # acknowledgements dropped with their stream
        self._dropped_flushed = 0  # ... as of the last flush

    # -- the application's side

    @property
    def confirmed(self) -> int:
        """Acknowledgements the server confirmed as durable, on every stream."""
        with self._cond:
            return self._confirmed

    @property
    def rejected(self) -> int:
        """Sequences the server rejected (not outstanding at this member)."""
        with self._cond:
            return self._rejected

    def __iter__(self) -> "Consumer":
        return self

    def __next__(self) -> ConsumerMessage:
        while True:
            if self._done or self._cancelled.is_set():
                self._finish()
                raise StopIteration
            try:
                kind, value = self._inbox.get_nowait()
            except queue.Empty:
                stream = self._stream
                if stream is None:
                    self._connect()
                    continue
                # About to wait for the server: send what is queued now.
                with self._cond:
                    stream.send_now()
                while True:  # in slices: see SIGNAL_SLICE
                    try:
                        kind, value = self._inbox.get(timeout=wait_slice(None))
                        break
                    except queue.Empty:
                        pass
            if kind == "message":
                if not value._stream.closed:
                    return value
                # else: its stream ended; the server delivers it again
            elif kind == "established":
                if value is self._stream and not self._cancelled.is_set():
                    if self._on_consuming is not None:
                        self._on_consuming()
                    else:
                        logger.info("hookbridge: consuming: %s as member %s", self.name,
                                    self.member_id or "(server-chosen)")
            elif kind == "gap":
                if self._on_gap is not None:
                    self._on_gap(value)
                else:
                    logger.warning("hookbridge: gap: sequences %d..%d were not retained",
                                   value.first_sequence, value.last_sequence)
            elif kind == "end":
                if value is self._stream:
                    self._stream_ended(value.call)
            # "wake": look again

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends what is queued now and waits until the server answered
        every acknowledgement sent (confirmed, or rejected), for at most
        `timeout` seconds (None: no bound; the stream ends after
        `IDLE_HEARTBEATS` silent heartbeat intervals anyway).

        Returns True when they all were answered and no acknowledgement was
        dropped with an ended stream since the previous flush; False when
        the timeout passed first, or acknowledgements were dropped.
        """
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._cond:
            stream = self._current
            if stream is not None:
                stream.send_now()
                while not stream.settled():
                    remaining = None if deadline is None else deadline - time.monotonic()
                    if remaining is not None and remaining <= 0:
                        return False
                    self._cond.wait(wait_slice(remaining))
            kept = self._dropped == self._dropped_flushed
            self._dropped_flushed = self._dropped
            return kept

    def cancel(self) -> None:
        """Ends consumption: the iteration stops without an error (after a
        flush of at most `flush_timeout` seconds), no reconnect.
        Thread-safe; idempotent."""
        super().cancel()
        self._inbox.put(("wake", None))

    def close(self, timeout: Optional[float] = None) -> None:
        """Cancels, flushes and ends the stream within `timeout` seconds
        (None: `flush_timeout`), and releases the connection and threads."""
        self.cancel()
        self._finish(timeout)

    def __enter__(self) -> "Consumer":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<hookbridge.Consumer {self.name!r} member={self.member_id!r} confirmed={self.confirmed}>"

    # -- the stream's side

    def _start(self, stub: service_pb2_grpc.EventBridgeServiceStub) -> None:
        """Opens the Consume call and its reader thread (which waits for the
        initial metadata)."""
        start = service_pb2.ConsumeStart(consumer=self.name, member_id=self.member_id or "")
        stream = _ConsumeStream(self._cond, start, self._max_ack_delay)
        stream.call = stub.Consume(stream.requests(), metadata=self._client.metadata)
        with self._cond:
            self._current = stream
        self._stream = stream
        threading.Thread(target=self._read, args=(stream,), name="hookbridge-consumer", daemon=True).start()

    def _read(self, stream: _ConsumeStream) -> None:
        """The reader thread of one stream: answers go to the counts, events
        and gaps to the iterating thread, and the end last."""
        call = stream.call
        try:
            self._watchdog.arm(call, self._idle_timeout)
            try:
                call.initial_metadata()
            finally:
                self._watchdog.disarm()
            if not call.done():
                self._inbox.put(("established", stream))
            delivered = False
            while True:
                self._watchdog.arm(call, self._idle_timeout)
                try:
                    response = next(call)
                finally:
                    self._watchdog.disarm()
                if not delivered:
                    delivered = True
                    self._backoff.reset()
                self._received(stream, response)
        except (StopIteration, grpc.RpcError):
            pass
        except Exception:  # on_rejected failed: the stream ends, and is retried
            logger.exception("hookbridge: consumer %s: reading the stream failed", self.name)
            call.cancel()
        finally:
            with self._cond:
                self._dropped += stream.close()
            self._inbox.put(("end", stream))

    def _received(self, stream: _ConsumeStream, response: service_pb2.ConsumeResponse) -> None:
        if response.events:
            for consumed in response.events:
                self._inbox.put(("message", ConsumerMessage(consumed, stream)))
        elif response.HasField("acknowledged"):
            confirmed = response.acknowledged
            with self._cond:
                self._confirmed += stream.answer(confirmed.sequences, confirmed.ranges)
                self._cond.notify_all()
        elif response.HasField("rejected"):
            rejected = response.rejected
            with self._cond:
                self._rejected += stream.answer(rejected.sequences)
                self._cond.notify_all()
            if self._on_rejected is not None:
                self._on_rejected(rejected)
            else:
                logger.warning("hookbridge: rejected: %d sequences: %s", len(rejected.sequences), rejected.reason)
        elif response.HasField("gap"):
            self._inbox.put(("gap", response.gap))
        # a heartbeat (it fed the watchdog), or a response this client does
        # not know: nothing more

    def _finish(self, timeout: Optional[float] = None) -> None:
        """Flushes, half-closes and waits for the server to end the stream
        (all within `timeout`, None: `flush_timeout`), then releases the
        rest."""
        timeout = self.flush_timeout if timeout is None else timeout
        with self._cond:
            stream = self._current
        if stream is not None and not stream.closed:
            deadline = time.monotonic() + timeout
            self.flush(timeout)
            with self._cond:
                stream.half_close()
                while not stream.closed:
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        break
                    self._cond.wait(wait_slice(remaining))
            stream.call.cancel()  # when the server did not end it in time
            with self._cond:
                self._dropped += stream.close()
        super()._finish()
