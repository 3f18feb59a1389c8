"""The client, its subscriptions and consumers."""

from __future__ import annotations

import collections
import datetime
import logging
import threading
import weakref
from typing import Any, Callable, Deque, Iterable, Iterator, Optional, Sequence, Tuple, TypeVar, Union

import grpc
from google.protobuf import timestamp_pb2

from hookbridge._backoff import Backoff
from hookbridge._consumer import Consumer, ConsumingHandler, RejectedHandler
from hookbridge._cursor import CursorStore
from hookbridge._errors import (
    START_AFTER_KEY,
    SubscriptionError,
    metadata_value,
    parse_sequence,
)
from hookbridge._stream import IDLE_HEARTBEATS, GapHandler, ReconnectHandler, _Stream
from hookbridge.v1 import event_pb2, service_pb2, service_pb2_grpc

__all__ = ["Client", "Subscription", "DEFAULT_TARGET", "IDLE_HEARTBEATS"]

logger = logging.getLogger("hookbridge")

#: The target when none is given.
DEFAULT_TARGET = "localhost:50051"
# gRPC waits up to 2 minutes between connection attempts of a channel and
# fails calls at once meanwhile: a server back after a restart would be seen
# late. Shorter waits for the shared channel; a subscription makes a new
# channel (with its own connection) for each attempt after a failure, so
# its own backoff decides when to connect.
_CHANNEL_DEFAULTS = (
    ("grpc.initial_reconnect_backoff_ms", 100),
    ("grpc.max_reconnect_backoff_ms", 10_000),
)

Strings = Union[str, Iterable[str]]
SubscribedHandler = Callable[[int], Any]
HeartbeatHandler = Callable[[service_pb2.Heartbeat], Any]
_StreamT = TypeVar("_StreamT", bound=_Stream)


def _strings(value: Optional[Strings]) -> list:
    if value is None:
        return []
    if isinstance(value, str):
        return [value]
    return list(value)


class Client:
    """A connection to a hookbridge server (``hookbridge.v1.EventBridgeService``).

    Args:
        target: ``host:port`` of the gRPC listener.
        token: a subscriber token, sent as ``authorization: Bearer <token>``
            on every call.
        tls: use TLS with the system's root certificates (implied by
            `ca_file` and `root_certificates`).
        ca_file: a PEM file of the CA(s) to trust instead.
        root_certificates: the same, as PEM bytes.
        server_name: the name to check the server's certificate against,
            when it differs from the target's host.
        channel_options: more gRPC channel arguments.
        call_timeout: deadline, in seconds, of the unary calls
            (GetServerInfo, ListEventTypes).

    Use it as a context manager, or call `close()`: closing cancels the
    subscriptions and consumers it made.
    """

    def __init__(
        self,
        target: str = DEFAULT_TARGET,
        *,
        token: Optional[str] = None,
        tls: bool = False,
        ca_file: Optional[str] = None,
        root_certificates: Optional[bytes] = None,
        server_name: Optional[str] = None,
        channel_options: Sequence[Tuple[str, Any]] = (),
        call_timeout: float = 10.0,
    ):
        self.target = target
        if ca_file is not None:
            with open(ca_file, "rb") as f:
                root_certificates = f.read()
        secure = tls or root_certificates is not None
        self._credentials = grpc.ssl_channel_credentials(root_certificates) if secure else None
        given = {name for name, _ in channel_options}
        self._options = [o for o in _CHANNEL_DEFAULTS if o[0] not in given] + list(channel_options)
        if server_name:
            if not secure:
                raise ValueError("server_name needs TLS (tls, ca_file or root_certificates)")
            self._options.append(("grpc.ssl_target_name_override", server_name))
        self._metadata: Tuple[Tuple[str, str], ...] = (
            (("authorization", f"Bearer {token}"),) if token else ()
        )
        self.call_timeout = call_timeout
        self._lock = threading.Lock()
        self._channel: Optional[grpc.Channel] = None
        self._streams: "weakref.WeakSet[_Stream]" = weakref.WeakSet()
        self._closed = False

    # -- channels

    @property
    def channel(self) -> grpc.Channel:
        """The channel of the unary calls, made on first use."""
        with self._lock:
            if self._closed:
                raise ValueError("the client is closed")
            if self._channel is None:
                self._channel = self._make_channel(self._options)
            return self._channel

    def new_channel(self, receive_limit: Optional[int] = None) -> grpc.Channel:
        """A channel of its own (its own connection), whose receive limit is
        `receive_limit` bytes (gRPC's default when None). The caller closes
        it."""
        options = list(self._options) + [("grpc.use_local_subchannel_pool", 1)]
        if receive_limit is not None:
            options.append(("grpc.max_receive_message_length", receive_limit))
        with self._lock:
            if self._closed:
                raise ValueError("the client is closed")
            return self._make_channel(options)

    def _make_channel(self, options: list) -> grpc.Channel:
        if self._credentials is not None:
            return grpc.secure_channel(self.target, self._credentials, options)
        return grpc.insecure_channel(self.target, options)

    def stub(self) -> service_pb2_grpc.EventBridgeServiceStub:
        """The generated stub on the shared channel, for calls this class
        does not wrap. Pass `metadata=client.metadata` to authenticate."""
        return service_pb2_grpc.EventBridgeServiceStub(self.channel)

    @property
    def metadata(self) -> Tuple[Tuple[str, str], ...]:
        """The call metadata (the bearer token)."""
        return self._metadata

    # -- unary calls

    def server_info(self, timeout: Optional[float] = None) -> service_pb2.GetServerInfoResponse:
        """GetServerInfo: version, log backend, limits, heartbeat interval.
        Raises grpc.RpcError."""
        return self.stub().GetServerInfo(
            service_pb2.GetServerInfoRequest(),
            metadata=self._metadata,
            timeout=self.call_timeout if timeout is None else timeout,
        )

    def list_event_types(self, timeout: Optional[float] = None) -> service_pb2.ListEventTypesResponse:
        """ListEventTypes: per provider, the typed event types and the
        configured sources. Raises grpc.RpcError."""
        return self.stub().ListEventTypes(
            service_pb2.ListEventTypesRequest(),
            metadata=self._metadata,
            timeout=self.call_timeout if timeout is None else timeout,
        )

    # -- subscribing

    def subscribe(
        self,
        *,
        types: Optional[Strings] = None,
        sources: Optional[Strings] = None,
        environment_ids: Optional[Strings] = None,
        subjects: Optional[Strings] = None,
        after_sequence: Optional[int] = None,
        since: Union[datetime.datetime, timestamp_pb2.Timestamp, None] = None,
        earliest: bool = False,
        include_raw: bool = False,
        allow_gaps: bool = False,
        cursor_store: Optional[CursorStore] = None,
        on_gap: Optional[GapHandler] = None,
        on_subscribed: Optional[SubscribedHandler] = None,
        on_reconnect: Optional[ReconnectHandler] = None,
        on_heartbeat: Optional[HeartbeatHandler] = None,
        backoff: Optional[Backoff] = None,
    ) -> "Subscription":
        """Subscribes to the events that match the filters; iterate over the
        result for them (see `Subscription`).

        Filters (an empty list means any; values within a list are
        alternatives, the lists must all match): `types` (names or
        patterns, ``*`` matches any run of characters), `sources`,
        `environment_ids`, `subjects`. A single string is a list of one.

        Start position, at most one: `after_sequence` (events after it),
        `since` (events appended at or after that time; a naive datetime is
        UTC), `earliest` (the oldest event retained); none: live. With a
        `cursor_store` that holds a sequence, the subscription resumes after
        it and the start position is ignored.

        `include_raw` asks for each event's request body (``raw_body``).
        `allow_gaps` turns events lost to retention into Gap notices (passed
        to `on_gap`; logged when there is no `on_gap`) instead of an
        OUT_OF_RANGE error.

        Callbacks, all called in the iterating thread: `on_subscribed(n)`
        when a stream is established and starts after sequence n,
        `on_reconnect(error, delay)` before waiting `delay` seconds to
        reconnect after the retryable `error`, `on_heartbeat(heartbeat)`.
        `backoff` sets the waits between attempts (default 100 ms doubling
        to 10 s, full jitter).

        Raises ValueError for conflicting start positions, and what the
        cursor store's ``load()`` raises.
        """
        starts = [after_sequence is not None, since is not None, bool(earliest)]
        if sum(starts) > 1:
            raise ValueError("after_sequence, since and earliest are alternatives")
        request = service_pb2.SubscribeRequest(
            types=_strings(types),
            sources=_strings(sources),
            environment_ids=_strings(environment_ids),
            subjects=_strings(subjects),
            include_raw=include_raw,
            allow_gaps=allow_gaps,
        )
        if after_sequence is not None:
            if after_sequence < 0:
                raise ValueError(f"after_sequence is not negative: {after_sequence}")
            request.after_sequence = after_sequence
        elif isinstance(since, timestamp_pb2.Timestamp):
            request.since.CopyFrom(since)
        elif since is not None:
            if since.tzinfo is None:
                since = since.replace(tzinfo=datetime.timezone.utc)
            request.since.FromDatetime(since.astimezone(datetime.timezone.utc).replace(tzinfo=None))
        elif earliest:
            request.earliest = True
        subscription = Subscription(
            self,
            request,
            cursor_store=cursor_store,
            on_gap=on_gap,
            on_subscribed=on_subscribed,
            on_reconnect=on_reconnect,
            on_heartbeat=on_heartbeat,
            backoff=backoff,
        )
        return self._track(subscription)

    # -- consuming

    def consume(
        self,
        consumer: str,
        member_id: Optional[str] = None,
        *,
        on_gap: Optional[GapHandler] = None,
        on_rejected: Optional[RejectedHandler] = None,
        on_consuming: Optional[ConsumingHandler] = None,
        on_reconnect: Optional[ReconnectHandler] = None,
        backoff: Optional[Backoff] = None,
        flush_timeout: float = 5.0,
        max_ack_delay: float = 0.01,
    ) -> Consumer:
        """Joins the group of the durable consumer `consumer` as a member;
        iterate over the result for its messages (see `Consumer`).

        `member_id` names the member in the server's metrics, logs and
        console (e.g. the pod name); None lets the server choose.

        Callbacks: `on_gap(gap)` for events the log's retention removed
        before the consumer acknowledged them (logged when None);
        `on_rejected(rejected)` with a RejectedSequences (logged when None;
        runs in the consumer's reader thread); `on_consuming()` whenever a
        stream is established; `on_reconnect(error, delay)` before waiting
        `delay` seconds to reconnect. `backoff` sets the waits between
        attempts (default 100 ms doubling to 10 s, full jitter).

        `flush_timeout`: how long closing waits for confirmations.
        `max_ack_delay`: how long a queued acknowledgement waits for others
        to go in the same request while the application is busy.
        """
        if not consumer:
            raise ValueError("consume: the consumer's name is required")
        return self._track(
            Consumer(
                self,
                consumer,
                member_id,
                on_gap=on_gap,
                on_rejected=on_rejected,
                on_consuming=on_consuming,
                on_reconnect=on_reconnect,
                backoff=backoff,
                flush_timeout=flush_timeout,
                max_ack_delay=max_ack_delay,
            )
        )

    def _track(self, stream: _StreamT) -> _StreamT:
        with self._lock:
            if self._closed:
                raise ValueError("the client is closed")
            self._streams.add(stream)
        return stream

    # -- lifetime

    def close(self) -> None:
        """Closes the subscriptions and consumers (a consumer flushes first,
        for at most its flush_timeout) and the channels."""
        with self._lock:
            streams = list(self._streams)
        for stream in streams:
            stream.close()
        with self._lock:
            self._closed = True
            channel, self._channel = self._channel, None
        if channel is not None:
            channel.close()

    def __enter__(self) -> "Client":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"Client({self.target!r}, tls={self._credentials is not None})"


class Subscription(_Stream, Iterator[event_pb2.Event]):
    """A subscription: an iterator over the matching events, in sequence
    order, one at a time however the server batched them, across
    reconnections. Made by `Client.subscribe`.

    Iterating reconnects by itself when a stream ends with a retryable status
    (UNAVAILABLE, RESOURCE_EXHAUSTED, ABORTED, INTERNAL, UNKNOWN,
    DEADLINE_EXCEEDED, a failed transport) or brings nothing for
    `IDLE_HEARTBEATS` heartbeat intervals, resuming right after the position
    (no gap, no duplicate). Any other status ends the iteration with
    `SubscriptionError`.

    The position is the sequence of the last event the application handled
    (an event counts as handled when the next one is requested, or on
    `commit()`), or the server's ``resume_after`` (heartbeat or trailer)
    when that is later. The cursor store, if any, is saved whenever the
    position moves on an event, a heartbeat, a gap or a trailer.

    `cancel()` (from any thread, or a signal handler) ends the iteration
    promptly and cleanly: StopIteration, no error. As a context manager,
    leaving the block cancels; leaving it without an exception commits
    first (the last event was handled).

    One thread iterates; `cancel()` may come from any.
    """

    def __init__(
        self,
        client: Client,
        request: service_pb2.SubscribeRequest,
        *,
        cursor_store: Optional[CursorStore] = None,
        on_gap: Optional[GapHandler] = None,
        on_subscribed: Optional[SubscribedHandler] = None,
        on_reconnect: Optional[ReconnectHandler] = None,
        on_heartbeat: Optional[HeartbeatHandler] = None,
        backoff: Optional[Backoff] = None,
    ):
        super().__init__(client, on_reconnect=on_reconnect, backoff=backoff)
        self._request = request
        self._store = cursor_store
        self._on_gap = on_gap
        self._on_subscribed = on_subscribed
        self._on_heartbeat = on_heartbeat
        self._delivered = False  # the current stream brought a response
        self._buffer: Deque[event_pb2.Event] = collections.deque()
        self._handed: Optional[int] = None  # handed out, not yet handled
        self._last_handed: Optional[int] = None

        stored = cursor_store.load() if cursor_store is not None else None
        self._stored = stored
        self._position: Optional[int] = stored
        if stored is None and request.WhichOneof("start") == "after_sequence":
            self._position = request.after_sequence

    # -- the application's side

    @property
    def position(self) -> Optional[int]:
        """Every matching event up to this sequence was handled (or vouched
        for by the server); None until known (live, since or earliest
        before the stream starts)."""
        return self._position

    def __iter__(self) -> "Subscription":
        return self

    def __next__(self) -> event_pb2.Event:
        self._commit_handed()
        while True:
            if self._done or self._cancelled.is_set():
                self._finish()
                raise StopIteration
            if self._buffer:
                event = self._buffer.popleft()
                if self._seen(event.sequence):
                    logger.debug("hookbridge: skipping sequence %d, already delivered", event.sequence)
                    continue
                self._handed = self._last_handed = event.sequence
                return event
            if self._stream is None:
                self._connect()
            else:
                self._read()

    def commit(self) -> None:
        """Marks the event last returned as handled now: the position moves
        to it and the cursor store saves it (before the next event is
        requested)."""
        self._commit_handed()

    def __enter__(self) -> "Subscription":
        return self

    def __exit__(self, exc_type: Any, *rest: Any) -> None:
        try:
            if exc_type is None:
                self.commit()
        finally:
            self.close()

    def __repr__(self) -> str:
        return f"<hookbridge.Subscription position={self._position}>"

    # -- position

    def _seen(self, sequence: int) -> bool:
        return any(p is not None and sequence <= p for p in (self._position, self._last_handed))

    def _commit_handed(self) -> None:
        if self._handed is not None:
            sequence, self._handed = self._handed, None
            self._advance(sequence, save=True)

    def _advance(self, sequence: int, *, save: bool) -> None:
        """Moves the position to `sequence` if later; saves it if asked and
        the store is behind."""
        if self._position is None or sequence > self._position:
            self._position = sequence
        if (
            save
            and self._store is not None
            and self._position is not None
            and (self._stored is None or self._position > self._stored)
        ):
            self._store.save(self._position)
            self._stored = self._position

    # -- the stream's side

    def _start(self, stub: service_pb2_grpc.EventBridgeServiceStub) -> None:
        """Subscribe after the position; waits for the initial metadata."""
        request = service_pb2.SubscribeRequest()
        request.CopyFrom(self._request)
        if self._position is not None:
            request.after_sequence = self._position
        stream = stub.Subscribe(request, metadata=self._client.metadata)
        self._set_call(stream)
        self._stream = stream
        self._delivered = False
        self._watchdog.arm(stream, self._idle_timeout)
        try:
            metadata = stream.initial_metadata()
        finally:
            self._watchdog.disarm()
        start_after = parse_sequence(metadata_value(metadata, START_AFTER_KEY))
        if start_after is not None and not self._cancelled.is_set():
            self._advance(start_after, save=False)
            if self._on_subscribed is not None:
                self._on_subscribed(start_after)
            else:
                logger.info("hookbridge: subscribed: streaming events after sequence %d", start_after)

    def _read(self) -> None:
        stream = self._stream
        self._watchdog.arm(stream, self._idle_timeout)
        try:
            response = next(stream)
        except StopIteration:
            response = None
        except grpc.RpcError as error:
            self._watchdog.disarm()
            self._stream_ended(error)
            return
        finally:
            self._watchdog.disarm()
        if response is None:
            self._stream_ended(stream)  # ended with OK
        else:
            self._handle(response)

    def _handle(self, response: service_pb2.SubscribeResponse) -> None:
        if not self._delivered:
            self._delivered = True
            self._backoff.reset()
        if response.events:
            self._buffer.extend(response.events)
        elif response.HasField("heartbeat"):
            self._advance(response.heartbeat.resume_after, save=True)
            if self._on_heartbeat is not None:
                self._on_heartbeat(response.heartbeat)
        elif response.HasField("gap"):
            gap = response.gap
            if self._on_gap is not None:
                self._on_gap(gap)
            else:
                logger.warning(
                    "hookbridge: gap: sequences %d..%d were not retained",
                    gap.first_sequence,
                    gap.last_sequence,
                )
            self._advance(gap.last_sequence, save=True)
        # else: a response of a kind this client does not know: skipped

    def _ended(self, error: SubscriptionError) -> None:
        if error.resume_after is not None:
            self._advance(error.resume_after, save=True)
