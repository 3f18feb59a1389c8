"""What a subscription and a consumer share: connecting (GetServerInfo, then
the stream on a channel whose receive limit is the server's
max_response_bytes), the idle watchdog, reconnecting after a retryable
status with backoff, and cancellation."""

from __future__ import annotations

import logging
import threading
import time
import weakref
from typing import TYPE_CHECKING, Any, Callable, Optional

import grpc

from hookbridge._backoff import Backoff
from hookbridge._errors import SubscriptionError
from hookbridge.v1 import service_pb2, service_pb2_grpc

if TYPE_CHECKING:
    from hookbridge._client import Client

logger = logging.getLogger("hookbridge")

#: A stream that brings nothing (no event, no heartbeat) for this many
#: heartbeat intervals is given up and resumed on a new one.
IDLE_HEARTBEATS = 3
# gRPC's receive limit is a C int.
_MAX_RECEIVE_LIMIT = 2**31 - 1

# Python runs a signal handler in the main thread, and only once that thread
# is back in the interpreter. A process-directed signal (kill, Ctrl-C) may be
# taken by any thread, gRPC's included: then a main thread blocked in a lock
# or queue wait does not wake up for it. Waits that may happen in the
# iterating thread are therefore made of slices this long, as gRPC's own
# blocking calls are (grpc._common.MAXIMUM_WAIT_TIMEOUT).
SIGNAL_SLICE = 0.1


def wait_slice(remaining: Optional[float]) -> float:
    """How long one slice of a wait with `remaining` seconds left (None: no
    bound) may block."""
    return SIGNAL_SLICE if remaining is None else min(max(remaining, 0.0), SIGNAL_SLICE)


def wait_for_event(event: threading.Event, timeout: float) -> bool:
    """`event.wait(timeout)` in slices (see SIGNAL_SLICE)."""
    deadline = time.monotonic() + timeout
    while not event.wait(wait_slice(deadline - time.monotonic())):
        if time.monotonic() >= deadline:
            return False
    return True

GapHandler = Callable[[service_pb2.Gap], Any]
ReconnectHandler = Callable[[SubscriptionError, float], Any]

class _IdleWatchdog:
    """Cancels a call that waits for a message longer than a timeout. One
    thread per stream, started on first use; the reader arms it before each
    blocking read and disarms it after."""

    def __init__(self) -> None:
        self._cond = threading.Condition(threading.Lock())
        self._call: Any = None
        self._deadline: Optional[float] = None
        self._fired: Any = None
        self._sleeping = False  # waiting without a deadline
        self._stopped = False
        self._thread: Optional[threading.Thread] = None

    def arm(self, call: Any, timeout: Optional[float]) -> None:
        if timeout is None:
            return
        with self._cond:
            if self._stopped:
                return
            self._call = call
            self._deadline = time.monotonic() + timeout
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="hookbridge-idle-watchdog", daemon=True
                )
                self._thread.start()
            elif self._sleeping:
                self._cond.notify()

    def disarm(self) -> None:
        with self._cond:
            self._call = None
            self._deadline = None

    def fired(self, call: Any) -> bool:
        """Whether the watchdog cancelled `call`."""
        with self._cond:
            return self._fired is call

    def stop(self) -> None:
        with self._cond:
            self._stopped = True
            self._call = None
            self._cond.notify()

    def _run(self) -> None:
        while True:
            with self._cond:
                while True:
                    if self._stopped:
                        return
                    if self._deadline is None:
                        self._sleeping = True
                        self._cond.wait()
                        self._sleeping = False
                        continue
                    remaining = self._deadline - time.monotonic()
                    if remaining > 0:
                        self._cond.wait(remaining)
                        continue
                    call, self._fired = self._call, self._call
                    self._call = None
                    self._deadline = None
                    break
            if call is not None:
                call.cancel()


class _Stream:
    """A stream of the server, re-established by itself.

    The iterating thread makes each attempt (`_connect`): after the pending
    backoff wait, GetServerInfo on a channel of this stream's own (a new one
    after a failure: the old one would wait out gRPC's own backoff), then
    `_start(stub)` on a channel whose receive limit is the response's
    max_response_bytes. When the stream ends, `_stream_ended(call)` either
    schedules the next attempt (retryable status, or OK) or raises
    `_error_type`. `cancel()` may come from any thread.

    Subclasses implement `_start(stub)` and may extend `_ended(error)`.
    """

    _error_type = SubscriptionError

    def __init__(
        self,
        client: "Client",
        *,
        on_reconnect: Optional[ReconnectHandler] = None,
        backoff: Optional[Backoff] = None,
    ):
        self._client = client
        self._on_reconnect = on_reconnect
        self._backoff = backoff if backoff is not None else Backoff()
        self._lock = threading.Lock()
        self._cancelled = threading.Event()
        self._call: Any = None  # the RPC cancel() cancels
        self._stream: Any = None  # the established stream
        self._channel: Optional[grpc.Channel] = None  # this stream's own
        self._channel_limit: Optional[int] = None
        self._fresh_channel = False  # the next attempt needs a new channel
        self._watchdog = _IdleWatchdog()
        weakref.finalize(self, self._watchdog.stop)
        self._idle_timeout: Optional[float] = None
        self._delay: Optional[float] = None  # to wait before the next attempt
        self._done = False
        #: The last GetServerInfo response.
        self.server_info: Optional[service_pb2.GetServerInfoResponse] = None

    @property
    def cancelled(self) -> bool:
        return self._cancelled.is_set()

    def cancel(self) -> None:
        """Ends the stream promptly: the iteration stops (no error), no
        reconnect. Thread-safe; idempotent."""
        self._cancelled.set()
        with self._lock:
            call = self._call
        if call is not None:
            call.cancel()

    def close(self) -> None:
        """Cancels and releases the stream's connection and thread."""
        self.cancel()
        self._finish()

    # -- subclasses

    def _start(self, stub: service_pb2_grpc.EventBridgeServiceStub) -> None:
        """Opens the stream (sets `_stream`)."""
        raise NotImplementedError

    def _ended(self, error: SubscriptionError) -> None:
        """The stream ended with `error` (before it is retried or raised)."""

    # -- attempts

    def _set_call(self, call: Any) -> None:
        with self._lock:
            self._call = call
        if call is not None and self._cancelled.is_set():
            call.cancel()

    def _connect(self) -> None:
        """One attempt (after the pending wait): GetServerInfo, then the
        stream."""
        if self._delay is not None:
            delay, self._delay = self._delay, None
            if wait_for_event(self._cancelled, delay):
                return
        if self._cancelled.is_set():
            return
        try:
            info = self._get_server_info()
            self._open(info)
        except grpc.FutureCancelledError:
            return  # cancel()
        except grpc.RpcError as error:
            self._stream_ended(error)
        except ValueError:
            if not self._cancelled.is_set():
                raise
            # closed meanwhile

    def _replace_channel(self, limit: Optional[int], *, make: bool = True) -> None:
        """Closes this stream's channel; makes a new one with the receive
        limit `limit` if `make`."""
        channel = self._client.new_channel(limit) if make else None
        with self._lock:
            old, self._channel, self._channel_limit = self._channel, channel, limit
        if old is not None:
            old.close()

    def _stub(self) -> service_pb2_grpc.EventBridgeServiceStub:
        with self._lock:
            channel = self._channel
        if channel is None:
            raise ValueError("the stream is closed")
        return service_pb2_grpc.EventBridgeServiceStub(channel)

    def _get_server_info(self) -> service_pb2.GetServerInfoResponse:
        if self._channel is None or self._fresh_channel:
            # After a failure, a new connection: the old channel would wait
            # out gRPC's own backoff before it connects again.
            self._replace_channel(self._channel_limit)
            self._fresh_channel = False
        future = self._stub().GetServerInfo.future(
            service_pb2.GetServerInfoRequest(),
            metadata=self._client.metadata,
            timeout=self._client.call_timeout,
        )
        self._set_call(future)
        try:
            info = future.result()
        finally:
            self._set_call(None)
        self.server_info = info
        return info

    def _open(self, info: service_pb2.GetServerInfoResponse) -> None:
        limit = min(info.max_response_bytes, _MAX_RECEIVE_LIMIT) or None
        interval = info.heartbeat_interval.ToTimedelta().total_seconds()
        self._idle_timeout = IDLE_HEARTBEATS * interval if interval > 0 else None
        if limit != self._channel_limit:
            self._replace_channel(limit)
        self._start(self._stub())

    def _stream_ended(self, call: Any) -> None:
        """The current attempt ended with `call`'s status: try again later,
        or raise `_error_type`."""
        with self._lock:
            self._stream = None
            self._call = None
        if self._cancelled.is_set():
            return
        self._fresh_channel = True
        error = self._error_type.from_call(call)
        if error.code == grpc.StatusCode.CANCELLED and self._watchdog.fired(call):
            error = self._error_type(
                grpc.StatusCode.DEADLINE_EXCEEDED,
                f"no event or heartbeat for {self._idle_timeout:g} s",
                error.resume_after,
            )
        self._ended(error)
        if not (error.retryable or error.code == grpc.StatusCode.OK):
            self._done = True
            self._finish()
            raise error from None
        delay = self._backoff.next_delay()
        if error.retry_delay is not None:
            delay = max(delay, error.retry_delay)
        self._delay = delay
        if self._on_reconnect is not None:
            self._on_reconnect(error, delay)
        else:
            logger.warning("hookbridge: reconnecting in %d ms: %s", round(delay * 1000), error)

    def _finish(self) -> None:
        self._watchdog.stop()
        with self._lock:
            call, self._call, self._stream = self._call, None, None
        if call is not None:
            call.cancel()
        self._replace_channel(None, make=False)
