#!/usr/bin/python3
"""Subscribes to hookbridge and prints each matching event as one JSON line.

After each event it saves the event's sequence (the cursor) to a file; when
started again it resumes right after that sequence, so a restart neither
skips nor repeats an event. Without a cursor file it starts live, or at the
oldest retained event with --earliest.

    clients/python/generate.sh    # stubs into build/clients/python
    HOOKBRIDGE_TOKEN=<token> PYTHONPATH=build/clients/python \\
        /usr/bin/python3 clients/python/subscriber.py --target localhost:50051 --types 'comment.*' --cursor comments.cursor
"""

import argparse
import json
import os
import sys
import tempfile

import grpc
from google.protobuf import json_format

try:
    from hookbridge.v1 import service_pb2, service_pb2_grpc
except ImportError as error:
    sys.exit(
        f"subscriber: {error}: generate the stubs with clients/python/generate.sh "
        "and put build/clients/python on PYTHONPATH"
    )

START_AFTER_HEADER = "hookbridge-start-after"
RESUME_AFTER_TRAILER = "hookbridge-resume-after"


def comma_list(value):
    """Parses 'a,b' into ['a', 'b'] (for flags that may also repeat)."""
    return [item for item in value.split(",") if item]


def parse_args():
    parser = argparse.ArgumentParser(
        description="Subscribe to hookbridge, print events, resume from a cursor file."
    )
    parser.add_argument(
        "--target",
        default=os.environ.get("HOOKBRIDGE_TARGET", "localhost:50051"),
        help="hookbridge gRPC address (default: $HOOKBRIDGE_TARGET or localhost:50051)",
    )
    parser.add_argument(
        "--types", type=comma_list, action="extend", default=[],
        help="event types or patterns, comma-separated, e.g. 'comment.*,*.removed'",
    )
    parser.add_argument(
        "--sources", type=comma_list, action="extend", default=[],
        help="source names, comma-separated",
    )
    parser.add_argument(
        "--cursor",
        default=os.environ.get("HOOKBRIDGE_CURSOR", "hookbridge.cursor"),
        help="file holding the last sequence processed (default: $HOOKBRIDGE_CURSOR "
        "or ./hookbridge.cursor)",
    )
    parser.add_argument(
        "--earliest", action="store_true",
        help="without a cursor file, start at the oldest retained event (default: live)",
    )
    parser.add_argument(
        "--count", type=int, default=0, help="exit after this many events (0: never)"
    )
    return parser.parse_args()


def load_cursor(path):
    """Returns the sequence saved in `path`, or None if there is no file."""
    try:
        with open(path, encoding="ascii") as f:
            return int(f.read().strip())
    except FileNotFoundError:
        return None


def save_cursor(path, sequence):
    """Replaces `path` with `sequence` atomically: a crash leaves the old or
    the new cursor, never a torn one."""
    directory = os.path.dirname(os.path.abspath(path))
    fd, tmp = tempfile.mkstemp(dir=directory, prefix=".cursor-")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(f"{sequence}\n")
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main():
    args = parse_args()
    request = service_pb2.SubscribeRequest(types=args.types, sources=args.sources)
    try:
        cursor = load_cursor(args.cursor)
    except ValueError:
        print(f"subscriber: {args.cursor} does not hold a sequence number", file=sys.stderr)
        return 2
    if cursor is not None:
        request.after_sequence = cursor  # resume right after the last event processed
    elif args.earliest:
        request.earliest = True
    # else: live, only events appended from now on

    with grpc.insecure_channel(args.target) as channel:
        stub = service_pb2_grpc.EventBridgeServiceStub(channel)
        # The subscriber token, from the environment (not a flag: flags show
        # in the process list).
        token = os.environ.get("HOOKBRIDGE_TOKEN", "")
        metadata = [("authorization", f"Bearer {token}")] if token else []
        call = stub.Subscribe(request, metadata=metadata)
        processed = 0
        try:
            # The server sends this once the stream is established.
            start = dict(call.initial_metadata()).get(START_AFTER_HEADER)
            if start is not None:
                print(f"subscriber: streaming events after sequence {start}", file=sys.stderr)
            for event in (event for response in call for event in response.events):
                # Process the event; here: print it (proto field names, one line).
                line = json.dumps(
                    json_format.MessageToDict(event, preserving_proto_field_name=True),
                    separators=(",", ":"),
                )
                print(line, flush=True)
                # Only then move the cursor past it.
                save_cursor(args.cursor, event.sequence)
                processed += 1
                if args.count and processed >= args.count:
                    call.cancel()
                    return 0
        except grpc.RpcError as error:
            # When the stream had started, the server says up to where every
            # matching event was sent: a restart may resume from there.
            resume = dict(error.trailing_metadata() or ()).get(RESUME_AFTER_TRAILER)
            message = f"subscriber: stream ended: {error.code().name}: {error.details()}"
            if resume is not None:
                message += f" ({RESUME_AFTER_TRAILER}: {resume})"
            print(message, file=sys.stderr)
            return 1
        except KeyboardInterrupt:
            call.cancel()
            return 130
    return 0  # the server ended the stream


if __name__ == "__main__":
    sys.exit(main())
