"""An in-process EventBridgeService whose Subscribe and Consume streams
follow scripts, for the tests: real gRPC (metadata, trailers, status
details, message limits) without a hookbridge server."""

from __future__ import annotations

import queue
import threading
import time
import unittest
from concurrent import futures
from typing import Any, List, Optional, Sequence, Tuple

import grpc
from google.protobuf import duration_pb2

import hookbridge
from hookbridge._errors import error_details_pb2, status_pb2
from hookbridge.v1 import event_pb2, service_pb2, service_pb2_grpc


def event(sequence: int, type_: str = "issues", **fields: Any) -> event_pb2.Event:
    return event_pb2.Event(sequence=sequence, id=f"d-{sequence}", source="gh", type=type_, **fields)


# Script steps, run in order by one Subscribe call.
def start(sequence: int) -> Tuple:
    """Sends the initial metadata hookbridge-start-after."""
    return ("start", sequence)


def events(*sequences: int) -> Tuple:
    """One response carrying these events."""
    return ("response", service_pb2.SubscribeResponse(events=[event(s) for s in sequences]))


def heartbeat(resume_after: int, head: int = 0) -> Tuple:
    return (
        "response",
        service_pb2.SubscribeResponse(
            heartbeat=service_pb2.Heartbeat(resume_after=resume_after, head_sequence=head)
        ),
    )


def gap(first: int, last: int) -> Tuple:
    return (
        "response",
        service_pb2.SubscribeResponse(gap=service_pb2.Gap(first_sequence=first, last_sequence=last)),
    )


def response(message: service_pb2.SubscribeResponse) -> Tuple:
    return ("response", message)


def sleep(seconds: float) -> Tuple:
    return ("sleep", seconds)


def wait(flag: threading.Event) -> Tuple:
    """Blocks until `flag` is set or the client goes away."""
    return ("wait", flag)


def hang() -> Tuple:
    """Blocks until the client goes away."""
    return ("wait", None)


# Consume script steps (with response, sleep, wait, hang and end above).
def accept() -> Tuple:
    """Sends the (empty) initial metadata, as the server does once the
    ConsumeStart named a consumer."""
    return ("accept",)


def consumed(*sequences: int, attempt: int = 1) -> Tuple:
    """One response carrying these events, delivered for the attempt-th time."""
    return (
        "response",
        service_pb2.ConsumeResponse(
            events=[service_pb2.ConsumedEvent(event=event(s), delivery_attempt=attempt) for s in sequences]
        ),
    )


def await_acks(count: int) -> Tuple:
    """Blocks until the stream acknowledged `count` sequences (or the client
    stops sending)."""
    return ("await_acks", count)


def confirm(*sequences: int, ranges: Sequence[Tuple[int, int]] = ()) -> Tuple:
    """Confirms acknowledgements: a response with `acknowledged`."""
    return (
        "response",
        service_pb2.ConsumeResponse(
            acknowledged=service_pb2.SequenceSet(
                sequences=sequences,
                ranges=[service_pb2.SequenceRange(first=f, last=l) for f, l in ranges],
            )
        ),
    )


def reject(*sequences: int, reason: str = "not outstanding at this member") -> Tuple:
    return (
        "response",
        service_pb2.ConsumeResponse(
            rejected=service_pb2.RejectedSequences(sequences=sequences, reason=reason)
        ),
    )


def end(
    code: grpc.StatusCode,
    details: str = "",
    *,
    resume_after: Optional[int] = None,
    retry_delay: Optional[float] = None,
    error_info: Optional[dict] = None,
) -> Tuple:
    """Ends the stream with a status, the resume trailer and details."""
    return ("end", code, details, resume_after, retry_delay, error_info)


class ConsumeStream:
    """What the fake server saw of one Consume call."""

    def __init__(self, first: service_pb2.ConsumeRequest, metadata: dict):
        self.first = first
        self.start = first.start
        self.metadata = metadata
        #: The requests after the first, in order.
        self.requests: List[service_pb2.ConsumeRequest] = []
        #: The client half-closed or went away.
        self.client_done = False
        #: The server's side ended.
        self.ended = threading.Event()
        self._cond = threading.Condition()

    def _add(self, request: Optional[service_pb2.ConsumeRequest]) -> None:
        with self._cond:
            if request is None:
                self.client_done = True
            else:
                self.requests.append(request)
            self._cond.notify_all()

    def acked(self) -> List[int]:
        """Every acknowledged sequence, ranges expanded, in order."""
        out: List[int] = []
        for r in self.requests:
            if r.HasField("ack"):
                out.extend(r.ack.sequences)
                for x in r.ack.ranges:
                    out.extend(range(x.first, x.last + 1))
        return out

    def of_kind(self, kind: str) -> list:
        """The ack, nack or extend messages received."""
        return [getattr(r, kind) for r in self.requests if r.WhichOneof("request") == kind]

    def wait_for(self, condition: Any, timeout: float = 10.0) -> bool:
        """Waits until `condition()` holds (checked on every request)."""
        with self._cond:
            return self._cond.wait_for(condition, timeout)


class FakeServer(service_pb2_grpc.EventBridgeServiceServicer):
    """Serves scripts: each Subscribe call takes the next one queued with
    `script()`; with none queued it sends start-after 0 and hangs. Each
    Consume call takes the next one queued with `consume_script()` (none:
    accept and hang); `hang` there ends the call with OK once the client
    half-closes, as the server does."""

    def __init__(self, *, heartbeat_interval: float = 30.0, max_response_bytes: int = 0,
                 token: Optional[str] = None, credentials: Optional[grpc.ServerCredentials] = None,
                 port: int = 0):
        self.info = service_pb2.GetServerInfoResponse(
            version="test", log_backend="memory", max_response_bytes=max_response_bytes
        )
        self.info.heartbeat_interval.FromTimedelta(_timedelta(heartbeat_interval))
        self.token = token
        self.requests: List[service_pb2.SubscribeRequest] = []
        self.subscribe_metadata: List[dict] = []
        self.info_calls = 0
        self.info_failures: "queue.Queue[Tuple[grpc.StatusCode, str]]" = queue.Queue()
        self._scripts: "queue.Queue[Sequence[Tuple]]" = queue.Queue()
        self._consume_scripts: "queue.Queue[Sequence[Tuple]]" = queue.Queue()
        self.consume_streams: List[ConsumeStream] = []
        self._consume_cond = threading.Condition()
        self.stream_ended = threading.Event()
        self._server = grpc.server(
            futures.ThreadPoolExecutor(max_workers=8),
            options=[("grpc.max_send_message_length", -1)],
        )
        service_pb2_grpc.add_EventBridgeServiceServicer_to_server(self, self._server)
        address = f"127.0.0.1:{port}"
        if credentials is not None:
            self.port = self._server.add_secure_port(address, credentials)
        else:
            self.port = self._server.add_insecure_port(address)
        self._server.start()

    @property
    def target(self) -> str:
        return f"127.0.0.1:{self.port}"

    def script(self, *steps: Tuple) -> None:
        self._scripts.put(steps)

    def consume_script(self, *steps: Tuple) -> None:
        self._consume_scripts.put(steps)

    def consume_stream(self, index: int, timeout: float = 10.0) -> ConsumeStream:
        """The index-th Consume call, once it started."""
        with self._consume_cond:
            if not self._consume_cond.wait_for(lambda: len(self.consume_streams) > index, timeout):
                raise AssertionError(f"no Consume call #{index}")
            return self.consume_streams[index]

    def stop(self) -> None:
        self._server.stop(grace=None).wait()

    def __enter__(self) -> "FakeServer":
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self.stop()

    # -- the service

    def _check_token(self, context: grpc.ServicerContext) -> None:
        if self.token is None:
            return
        metadata = dict(context.invocation_metadata())
        if metadata.get("authorization") != f"Bearer {self.token}":
            context.abort(grpc.StatusCode.UNAUTHENTICATED, "no or an unknown bearer token")

    def GetServerInfo(self, request: Any, context: grpc.ServicerContext) -> Any:
        self.info_calls += 1
        self._check_token(context)
        try:
            code, details = self.info_failures.get_nowait()
        except queue.Empty:
            return self.info
        context.abort(code, details)

    def ListEventTypes(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._check_token(context)
        return service_pb2.ListEventTypesResponse()

    def Subscribe(self, request: Any, context: grpc.ServicerContext) -> Any:
        self._check_token(context)
        copy = service_pb2.SubscribeRequest()
        copy.CopyFrom(request)
        self.requests.append(copy)
        self.subscribe_metadata.append(dict(context.invocation_metadata()))
        try:
            steps = self._scripts.get_nowait()
        except queue.Empty:
            steps = (start(0), hang())
        try:
            yield from self._play(steps, context)
        finally:
            self.stream_ended.set()

    def Consume(self, request_iterator: Any, context: grpc.ServicerContext) -> Any:
        self._check_token(context)
        stream = ConsumeStream(next(request_iterator), dict(context.invocation_metadata()))
        with self._consume_cond:
            self.consume_streams.append(stream)
            self._consume_cond.notify_all()

        def read() -> None:
            try:
                for request in request_iterator:
                    stream._add(request)
            except Exception:  # the call ended
                pass
            stream._add(None)

        threading.Thread(target=read, daemon=True).start()
        try:
            steps = self._consume_scripts.get_nowait()
        except queue.Empty:
            steps = (accept(), hang())
        try:
            yield from self._play(steps, context, stream)
        finally:
            stream.ended.set()

    def _play(self, steps: Sequence[Tuple], context: grpc.ServicerContext,
              stream: Optional[ConsumeStream] = None) -> Any:
        def until(condition: Any) -> None:
            # The client may go away without a request: look again now and then.
            while context.is_active():
                if stream is not None:
                    if stream.wait_for(condition, 0.05):
                        return
                elif condition():
                    return
                else:
                    time.sleep(0.01)

        for step in steps:
            kind = step[0]
            if kind == "start":
                context.send_initial_metadata((("hookbridge-start-after", str(step[1])),))
            elif kind == "accept":
                context.send_initial_metadata(())
            elif kind == "response":
                yield step[1]
            elif kind == "sleep":
                time.sleep(step[1])
            elif kind == "await_acks":
                until(lambda: stream.client_done or len(stream.acked()) >= step[1])
            elif kind == "wait":
                flag = step[1]
                if stream is not None and flag is None:  # hang: until the client half-closes
                    until(lambda: stream.client_done)
                    return
                until(lambda: flag is not None and flag.is_set())
            elif kind == "end":
                _, code, details, resume_after, retry_delay, error_info = step
                trailers: list = []
                if resume_after is not None:
                    trailers.append(("hookbridge-resume-after", str(resume_after)))
                if retry_delay is not None or error_info is not None:
                    status = status_pb2.Status(code=code.value[0], message=details)
                    if error_info is not None:
                        status.details.add().Pack(
                            error_details_pb2.ErrorInfo(
                                reason=error_info.get("reason", "TEST"),
                                domain="hookbridge",
                                metadata=error_info.get("metadata", {}),
                            )
                        )
                    if retry_delay is not None:
                        info = error_details_pb2.RetryInfo()
                        info.retry_delay.FromTimedelta(_timedelta(retry_delay))
                        status.details.add().Pack(info)
                    trailers.append(("grpc-status-details-bin", status.SerializeToString()))
                context.set_trailing_metadata(tuple(trailers))
                context.abort(code, details)


class FakeServerTestCase(unittest.TestCase):
    """A test with a FakeServer, a Client of it, and the reconnects its
    streams report, (error, delay) pairs."""

    #: Backoff quick enough for tests.
    FAST = dict(initial=0.001, maximum=0.005)

    def setUp(self) -> None:
        self.server = FakeServer()
        self.client = hookbridge.Client(self.server.target)
        self.reconnects: list = []
        self._guards: List[threading.Timer] = []

    def tearDown(self) -> None:
        for guard in self._guards:
            guard.cancel()
        self.client.close()
        self.server.stop()

    def stream_options(self, options: dict) -> dict:
        """`options` with the quick backoff and reconnects recorded, unless
        given."""
        options.setdefault("backoff", hookbridge.Backoff(**self.FAST))
        options.setdefault("on_reconnect", lambda error, delay: self.reconnects.append((error, delay)))
        return options

    def next_in_thread(self, stream: Any) -> Tuple[threading.Thread, list]:
        """Calls next(stream) in a thread (started): the thread, and the list
        that gets what it returned, or "stopped"."""
        outcome: list = []

        def iterate() -> None:
            try:
                outcome.append(next(stream))
            except StopIteration:
                outcome.append("stopped")

        thread = threading.Thread(target=iterate)
        thread.start()
        return thread, outcome

    def guarded(self, stream: Any, seconds: float = 10) -> Any:
        """A test whose stream never brings what it waits for fails instead
        of hanging: the stream is cancelled after `seconds`."""
        guard = threading.Timer(seconds, stream.cancel)
        guard.daemon = True
        guard.start()
        self._guards.append(guard)
        return stream


def _timedelta(seconds: float) -> Any:
    import datetime

    return datetime.timedelta(seconds=seconds)


__all__ = [
    "ConsumeStream",
    "FakeServer",
    "FakeServerTestCase",
    "accept",
    "await_acks",
    "confirm",
    "consumed",
    "duration_pb2",
    "end",
    "event",
    "events",
    "gap",
    "hang",
    "heartbeat",
    "reject",
    "response",
    "sleep",
    "start",
    "wait",
]
