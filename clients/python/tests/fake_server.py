"""An in-process EventBridgeService whose Subscribe streams follow scripts,
for the tests: real gRPC (metadata, trailers, status details, message
limits) without a hookbridge server."""

from __future__ import annotations

import queue
import threading
import time
from concurrent import futures
from typing import Any, List, Optional, Sequence, Tuple

import grpc
from google.protobuf import duration_pb2

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


class FakeServer(service_pb2_grpc.EventBridgeServiceServicer):
    """Serves scripts: each Subscribe call takes the next one queued with
    `script()`; with none queued it sends start-after 0 and hangs."""

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
            for step in steps:
                kind = step[0]
                if kind == "start":
                    context.send_initial_metadata((("hookbridge-start-after", str(step[1])),))
                elif kind == "response":
                    yield step[1]
                elif kind == "sleep":
                    time.sleep(step[1])
                elif kind == "wait":
                    while context.is_active() and not (step[1] is not None and step[1].is_set()):
                        time.sleep(0.01)
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
        finally:
            self.stream_ended.set()


def _timedelta(seconds: float) -> Any:
    import datetime

    return datetime.timedelta(seconds=seconds)


__all__ = [
    "FakeServer",
    "duration_pb2",
    "end",
    "event",
    "events",
    "gap",
    "hang",
    "heartbeat",
    "response",
    "sleep",
    "start",
    "wait",
]
