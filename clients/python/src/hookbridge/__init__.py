"""hookbridge: subscribe to a hookbridge server's event stream, or consume
a durable consumer's events as one member of its group.

    import hookbridge

    with hookbridge.Client("localhost:50051", token=token) as client:
        with client.subscribe(
            types=["comment.*"],
            cursor_store=hookbridge.FileCursorStore("comments.cursor"),
            earliest=True,
        ) as subscription:
            for event in subscription:
                print(event.sequence, event.type)

        with client.consume("indexer", member_id="pod-1") as consumer:
            for message in consumer:
                index(message.event)
                message.ack()

The messages are the ones compiled from the proto module:
`hookbridge.v1.event_pb2.Event` (re-exported as `hookbridge.Event`), the
provider payloads in `hookbridge.ckeditor.v1.ckeditor_pb2` and the like, the
service in `hookbridge.v1.service_pb2` / `service_pb2_grpc`.
"""

from hookbridge._backoff import Backoff
from hookbridge._client import DEFAULT_TARGET, IDLE_HEARTBEATS, Client, Subscription
from hookbridge._consumer import Consumer, ConsumerError, ConsumerMessage
from hookbridge._cursor import CursorStore, FileCursorStore, MemoryCursorStore
from hookbridge._errors import (
    RESUME_AFTER_KEY,
    RETRYABLE_CODES,
    START_AFTER_KEY,
    SubscriptionError,
    is_retryable,
)
from hookbridge.v1.event_pb2 import Event, Provider
from hookbridge.v1.service_pb2 import (
    ConsumedEvent,
    Gap,
    GetServerInfoResponse,
    Heartbeat,
    ListEventTypesResponse,
    RejectedSequences,
)

__version__ = "0.1.0"

__all__ = [
    "Backoff",
    "Client",
    "ConsumedEvent",
    "Consumer",
    "ConsumerError",
    "ConsumerMessage",
    "CursorStore",
    "DEFAULT_TARGET",
    "Event",
    "FileCursorStore",
    "Gap",
    "GetServerInfoResponse",
    "Heartbeat",
    "IDLE_HEARTBEATS",
    "ListEventTypesResponse",
    "MemoryCursorStore",
    "Provider",
    "RESUME_AFTER_KEY",
    "RETRYABLE_CODES",
    "RejectedSequences",
    "START_AFTER_KEY",
    "Subscription",
    "SubscriptionError",
    "is_retryable",
]
