"""Statuses: which end a subscription, which are retried, and what the server
says alongside them (metadata and the gRPC richer error model)."""

from __future__ import annotations

from typing import Any, Iterable, Optional, Tuple, Union

import grpc

try:  # googleapis-common-protos, when installed: the same messages
    from google.rpc import error_details_pb2, status_pb2  # type: ignore[import-not-found]
except ImportError:  # the copies compiled from proto/google/rpc
    from hookbridge._rpc import error_details_pb2, status_pb2  # type: ignore[no-redef]

__all__ = [
    "RESUME_AFTER_KEY",
    "RETRYABLE_CODES",
    "START_AFTER_KEY",
    "STATUS_DETAILS_KEY",
    "SubscriptionError",
    "is_retryable",
]

#: Initial metadata of a Subscribe stream: the sequence it starts after.
START_AFTER_KEY = "hookbridge-start-after"
#: Trailing metadata: every matching event up to this sequence was sent.
RESUME_AFTER_KEY = "hookbridge-resume-after"
#: Trailing metadata: a serialized google.rpc.Status with the error details.
STATUS_DETAILS_KEY = "grpc-status-details-bin"

#: Codes after which a subscription reconnects by itself. A failed transport
#: surfaces as UNAVAILABLE.
RETRYABLE_CODES = frozenset(
    {
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        grpc.StatusCode.ABORTED,
        grpc.StatusCode.INTERNAL,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.DEADLINE_EXCEEDED,
    }
)

Metadata = Optional[Iterable[Tuple[str, Union[str, bytes]]]]


def is_retryable(code: grpc.StatusCode) -> bool:
    """Whether a stream that ended with `code` is resumed by reconnecting."""
    return code in RETRYABLE_CODES


def metadata_value(metadata: Metadata, key: str) -> Optional[Union[str, bytes]]:
    """The first value of `key` in gRPC metadata (None when absent)."""
    for name, value in metadata or ():
        if name.lower() == key:
            return value
    return None


def parse_sequence(value: Optional[Union[str, bytes]]) -> Optional[int]:
    """A sequence number from a metadata value; None when absent or not a
    non-negative decimal integer."""
    if isinstance(value, bytes):
        value = value.decode("ascii", "replace")
    if value is None:
        return None
    value = value.strip()
    return int(value) if value.isdigit() and value.isascii() else None


def parse_status(metadata: Metadata) -> Optional[Any]:
    """The google.rpc.Status of the `grpc-status-details-bin` trailer."""
    value = metadata_value(metadata, STATUS_DETAILS_KEY)
    if not isinstance(value, bytes):
        return None
    status = status_pb2.Status()
    try:
        status.ParseFromString(value)
    except Exception:  # a malformed trailer is no reason to fail
        return None
    return status


def _detail(status: Optional[Any], message_type: Any) -> Optional[Any]:
    for detail in status.details if status is not None else ():
        if detail.Is(message_type.DESCRIPTOR):
            message = message_type()
            if detail.Unpack(message):
                return message
    return None


class SubscriptionError(Exception):
    """A status a subscription ended with (or, in `on_reconnect`, the one it
    reconnects after).

    Attributes:
        code: the grpc.StatusCode.
        message: the status message.
        resume_after: the server's `hookbridge-resume-after` (every matching
            event up to it was sent), or None.
        retry_delay: seconds, from a google.rpc.RetryInfo, or None.
        error_info: the google.rpc.ErrorInfo (reason, domain, metadata), or
            None.
    """

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        resume_after: Optional[int] = None,
        *,
        retry_delay: Optional[float] = None,
        error_info: Optional[Any] = None,
    ):
        super().__init__(code, message, resume_after)
        self.code = code
        self.message = message
        self.resume_after = resume_after
        self.retry_delay = retry_delay
        self.error_info = error_info

    @property
    def retryable(self) -> bool:
        return is_retryable(self.code)

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.message}"
        if self.resume_after is not None:
            text += f" ({RESUME_AFTER_KEY}: {self.resume_after})"
        return text

    def __repr__(self) -> str:
        return f"SubscriptionError({self.code.name}, {self.message!r}, resume_after={self.resume_after!r})"

    @classmethod
    def from_call(cls, call: Any) -> "SubscriptionError":
        """From a finished grpc.Call / grpc.RpcError."""
        code = call.code() or grpc.StatusCode.UNKNOWN
        trailers = call.trailing_metadata()
        status = parse_status(trailers)
        error_info = _detail(status, error_details_pb2.ErrorInfo)
        retry_info = _detail(status, error_details_pb2.RetryInfo)
        resume_after = parse_sequence(metadata_value(trailers, RESUME_AFTER_KEY))
        if resume_after is None and error_info is not None:
            resume_after = parse_sequence(error_info.metadata.get("resume_after"))
        retry_delay = None
        if retry_info is not None and retry_info.HasField("retry_delay"):
            retry_delay = max(0.0, retry_info.retry_delay.ToTimedelta().total_seconds())
        return cls(
            code,
            call.details() or "",
            resume_after,
            retry_delay=retry_delay,
            error_info=error_info,
        )
