"""hookbridge-subscribe: prints the matching events as JSON lines.

    hookbridge-subscribe --target HOST:PORT [--ca FILE | --tls] [--server-name NAME]
        [--types a,b] [--sources a,b] [--subjects a,b] [--environment-ids a,b]
        [--cursor FILE] [--earliest | --after N] [--include-raw] [--allow-gaps]
        [--count N]
    hookbridge-subscribe --target HOST:PORT ... --consumer NAME [--member ID]
        [--nack] [--nack-delay MS] [--no-ack] [--count N]

The token comes from $HOOKBRIDGE_TOKEN. stdout: one event per line (the
protobuf JSON mapping with the proto field names; with --consumer, the
ConsumedEvent). stderr: `subscribed:` (or `consuming:` and `rejected:`),
`reconnecting in`, `gap:` and `error:` lines. Exit status: 0 after --count
events or on SIGINT/SIGTERM, 1 after `error:`, 2 for a usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import sys
from typing import Any, List, Optional, Sequence

from google.protobuf import json_format

from hookbridge._client import DEFAULT_TARGET, Client
from hookbridge._cursor import FileCursorStore
from hookbridge._errors import SubscriptionError

PROG = "hookbridge-subscribe"
# The reason a --nack gives.
NACK_REASON = "hookbridge-subscribe --nack"
# Flags of a subscription, which a consumer has in its own config.
_SUBSCRIPTION_ONLY = ("types", "sources", "subjects", "environment_ids", "cursor", "earliest",
                      "after", "include_raw", "allow_gaps")
_CONSUMER_ONLY = ("member", "nack", "nack_delay", "no_ack")


def _comma_list(value: str) -> List[str]:
    return [item for item in value.split(",") if item]


def _sequence(value: str) -> int:
    if not (value.isdigit() and value.isascii()):
        raise argparse.ArgumentTypeError(f"not a sequence number: {value!r}")
    return int(value)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description=(
            "Subscribe to a hookbridge server and print each matching event as one line of "
            "JSON (proto field names). Reconnects by itself and resumes without gap or "
            "duplicate; with --cursor, resumes across restarts. The token comes from "
            "$HOOKBRIDGE_TOKEN."
        ),
        epilog=(
            "exit status: 0 after --count events or on SIGINT/SIGTERM, 1 after an error, "
            "2 for a usage error"
        ),
    )
    parser.add_argument(
        "--target",
        default=os.environ.get("HOOKBRIDGE_TARGET") or DEFAULT_TARGET,
        metavar="HOST:PORT",
        help=f"the server's gRPC address (default: $HOOKBRIDGE_TARGET or {DEFAULT_TARGET})",
    )
    tls = parser.add_mutually_exclusive_group()
    tls.add_argument("--ca", metavar="FILE", help="TLS, trusting the CA certificate(s) in this PEM file")
    tls.add_argument("--tls", action="store_true", help="TLS, trusting the system's root certificates")
    parser.add_argument(
        "--server-name", metavar="NAME", help="check the server's certificate against this name"
    )
    for flag, what in (
        ("--types", "event types or patterns ('*' matches any run of characters)"),
        ("--sources", "source names"),
        ("--subjects", "subjects (document, asset, file... ids)"),
        ("--environment-ids", "provider environment ids"),
    ):
        parser.add_argument(
            flag,
            type=_comma_list,
            action="extend",
            default=[],
            metavar="a,b",
            help=f"{what}, comma-separated; may repeat",
        )
    parser.add_argument(
        "--cursor",
        metavar="FILE",
        help="resume after the sequence in FILE when it exists; save the position there",
    )
    start = parser.add_mutually_exclusive_group()
    start.add_argument(
        "--earliest", action="store_true", help="start at the oldest retained event (default: live)"
    )
    start.add_argument(
        "--after", type=_sequence, metavar="N", help="start after sequence N (default: live)"
    )
    parser.add_argument("--include-raw", action="store_true", help="include each event's raw_body")
    parser.add_argument(
        "--allow-gaps",
        action="store_true",
        help="report events lost to retention as a gap and go on, instead of failing",
    )
    parser.add_argument(
        "--count", type=_sequence, default=0, metavar="N",
        help="exit after N events (0: never); with --consumer, once their acknowledgements are confirmed",
    )
    consumer = parser.add_argument_group(
        "durable consumer",
        "consume a consumer's events as one member of its group, instead of subscribing "
        "(the filter and start flags above do not apply: the consumer has its own)",
    )
    consumer.add_argument("--consumer", metavar="NAME", help="the consumer to consume")
    consumer.add_argument("--member", metavar="ID", help="this member's id (default: the server chooses)")
    settle = consumer.add_mutually_exclusive_group()
    settle.add_argument("--nack", action="store_true",
                        help=f"negatively acknowledge each event (reason {NACK_REASON!r}) instead")
    settle.add_argument("--no-ack", action="store_true",
                        help="leave each event unacknowledged until its deadline")
    consumer.add_argument("--nack-delay", type=_sequence, metavar="MS",
                          help="with --nack: deliver the event again after MS milliseconds")
    return parser


def _check_modes(parser: argparse.ArgumentParser, args: argparse.Namespace) -> None:
    """Subscription flags with --consumer, consumer flags without it: usage
    errors."""
    default = parser.parse_args([])
    wrong = _SUBSCRIPTION_ONLY if args.consumer is not None else _CONSUMER_ONLY
    for dest in wrong:
        if getattr(args, dest) != getattr(default, dest):
            flag = "--" + dest.replace("_", "-")
            if args.consumer is not None:
                parser.error(f"{flag}: not with --consumer (the consumer has its own filter and position)")
            parser.error(f"{flag} needs --consumer")
    if args.consumer == "":
        parser.error("--consumer: a name is required")
    if args.nack_delay is not None and not args.nack:
        parser.error("--nack-delay needs --nack")


def _integral_floats_as_ints(value: Any) -> Any:
    """1.0 -> 1, as the other protobuf JSON printers write whole doubles
    (Struct numbers are doubles; Python's json would print 1.0)."""
    if isinstance(value, float):
        return int(value) if value.is_integer() and abs(value) < 2**53 else value
    if isinstance(value, dict):
        return {k: _integral_floats_as_ints(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_integral_floats_as_ints(v) for v in value]
    return value


def event_json(event: Any) -> str:
    """One line of JSON: the protobuf JSON mapping with proto field names."""
    record = json_format.MessageToDict(event, preserving_proto_field_name=True)
    return json.dumps(_integral_floats_as_ints(record), ensure_ascii=False, separators=(",", ":"))


def _stderr(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def main(argv: Optional[Sequence[str]] = None) -> int:
    # gRPC's own log lines would mix with the stderr lines above; its
    # errors reach them anyway (set GRPC_VERBOSITY=ERROR to see its log).
    os.environ.setdefault("GRPC_VERBOSITY", "NONE")
    parser = _parser()
    args = parser.parse_args(argv)
    if args.server_name and not (args.ca or args.tls):
        parser.error("--server-name needs --ca or --tls")
    _check_modes(parser, args)
    try:
        client = Client(
            args.target,
            token=os.environ.get("HOOKBRIDGE_TOKEN") or None,
            tls=args.tls,
            ca_file=args.ca,
            server_name=args.server_name,
        )
    except OSError as error:
        parser.error(f"--ca: {error}")

    def on_gap(gap: Any) -> None:
        _stderr(f"gap: sequences {gap.first_sequence}..{gap.last_sequence} were not retained")

    def on_reconnect(error: SubscriptionError, delay: float) -> None:
        _stderr(f"reconnecting in {round(delay * 1000)} ms: {error}")

    def on_rejected(rejected: Any) -> None:
        _stderr(f"rejected: {len(rejected.sequences)} sequences: {rejected.reason}")

    def on_consuming() -> None:
        _stderr(f"consuming: {args.consumer} as member {args.member or '(server-chosen)'}")

    try:
        if args.consumer is not None:
            stream: Any = client.consume(
                args.consumer,
                args.member,
                on_gap=on_gap,
                on_rejected=on_rejected,
                on_consuming=on_consuming,
                on_reconnect=on_reconnect,
            )
        else:
            stream = client.subscribe(
                types=args.types,
                sources=args.sources,
                subjects=args.subjects,
                environment_ids=args.environment_ids,
                after_sequence=args.after,
                earliest=args.earliest,
                include_raw=args.include_raw,
                allow_gaps=args.allow_gaps,
                cursor_store=FileCursorStore(args.cursor) if args.cursor else None,
                on_gap=on_gap,
                on_subscribed=lambda n: _stderr(f"subscribed: streaming events after sequence {n}"),
                on_reconnect=on_reconnect,
            )
    except (OSError, ValueError) as error:
        _stderr(f"error: cursor {args.cursor}: {error}")
        client.close()
        return 1

    def stop(signum: int, frame: Any) -> None:
        stream.cancel()

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)

    out = sys.stdout.buffer
    printed = 0
    consumed = args.consumer is not None
    try:
        for item in stream:
            out.write(event_json(item.consumed_event if consumed else item).encode("utf-8") + b"\n")
            out.flush()
            if consumed:
                _settle(item, args)
            printed += 1
            if args.count and printed >= args.count:
                if not consumed:
                    stream.commit()
                elif not stream.flush(stream.flush_timeout):
                    _stderr(
                        f"error: DEADLINE_EXCEEDED: acknowledgements not confirmed (within "
                        f"{stream.flush_timeout:g} s, or before their stream ended)"
                    )
                    stream.close(0)  # no second wait
                    return 1
                break
    except SubscriptionError as error:
        _stderr(f"error: {error}")
        return 1
    except OSError as error:  # the cursor file, or stdout
        if isinstance(error, BrokenPipeError):
            # Nobody reads stdout any more: keep the exit quiet.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        _stderr(f"error: {error}")
        return 1
    finally:
        stream.close()
        client.close()
    return 0


def _settle(message: Any, args: argparse.Namespace) -> None:
    """What the CLI does with a consumer's message once it is printed."""
    if args.nack:
        delay = None if args.nack_delay is None else args.nack_delay / 1000
        message.nack(delay, NACK_REASON)
    elif not args.no_ack:
        message.ack()


if __name__ == "__main__":
    sys.exit(main())
