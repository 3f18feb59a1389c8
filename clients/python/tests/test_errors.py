"""Statuses: retryable codes, metadata and the richer error model."""

from __future__ import annotations

import unittest

import grpc

import hookbridge
from hookbridge._errors import (
    error_details_pb2,
    metadata_value,
    parse_sequence,
    parse_status,
    status_pb2,
)


class FakeCall:
    def __init__(self, code, details="", trailers=()):
        self._code, self._details, self._trailers = code, details, tuple(trailers)

    def code(self):
        return self._code

    def details(self):
        return self._details

    def trailing_metadata(self):
        return self._trailers


def details_trailer(code, *messages):
    status = status_pb2.Status(code=code.value[0], message="m")
    for message in messages:
        status.details.add().Pack(message)
    return ("grpc-status-details-bin", status.SerializeToString())


class RetryableTest(unittest.TestCase):
    def test_classification(self):
        retryable = {
            grpc.StatusCode.UNAVAILABLE,
            grpc.StatusCode.RESOURCE_EXHAUSTED,
            grpc.StatusCode.ABORTED,
            grpc.StatusCode.INTERNAL,
            grpc.StatusCode.UNKNOWN,
            grpc.StatusCode.DEADLINE_EXCEEDED,
        }
        self.assertEqual(set(hookbridge.RETRYABLE_CODES), retryable)
        for code in grpc.StatusCode:
            self.assertEqual(hookbridge.is_retryable(code), code in retryable, code)
            self.assertEqual(hookbridge.SubscriptionError(code, "").retryable, code in retryable)
        for code in (grpc.StatusCode.OUT_OF_RANGE, grpc.StatusCode.INVALID_ARGUMENT,
                     grpc.StatusCode.UNAUTHENTICATED, grpc.StatusCode.PERMISSION_DENIED,
                     grpc.StatusCode.NOT_FOUND, grpc.StatusCode.UNIMPLEMENTED,
                     grpc.StatusCode.FAILED_PRECONDITION, grpc.StatusCode.CANCELLED):
            self.assertFalse(hookbridge.is_retryable(code), code)


class MetadataTest(unittest.TestCase):
    def test_parse_sequence(self):
        self.assertEqual(parse_sequence("42"), 42)
        self.assertEqual(parse_sequence(b"42"), 42)
        self.assertEqual(parse_sequence(" 7 "), 7)
        self.assertEqual(parse_sequence("18446744073709551615"), 2**64 - 1)
        for bad in (None, "", "-1", "x", "1e3", "٣"):
            self.assertIsNone(parse_sequence(bad), repr(bad))

    def test_metadata_value(self):
        metadata = (("a", "1"), ("hookbridge-resume-after", "9"), ("hookbridge-resume-after", "10"))
        self.assertEqual(metadata_value(metadata, "hookbridge-resume-after"), "9")
        self.assertIsNone(metadata_value(metadata, "b"))
        self.assertIsNone(metadata_value(None, "a"))

    def test_malformed_status_details_are_ignored(self):
        self.assertIsNone(parse_status((("grpc-status-details-bin", b"\xff\xff"),)))
        self.assertIsNone(parse_status((("grpc-status-details-bin", "text"),)))
        self.assertIsNone(parse_status(()))


class SubscriptionErrorTest(unittest.TestCase):
    def test_from_call_reads_trailer_retry_info_and_error_info(self):
        retry = error_details_pb2.RetryInfo()
        retry.retry_delay.FromMilliseconds(1500)
        info = error_details_pb2.ErrorInfo(reason="SERVER_SHUTTING_DOWN", domain="hookbridge",
                                           metadata={"resume_after": "12"})
        call = FakeCall(grpc.StatusCode.UNAVAILABLE, "shutting down", [
            ("hookbridge-resume-after", "12"),
            details_trailer(grpc.StatusCode.UNAVAILABLE, info, retry),
        ])
        error = hookbridge.SubscriptionError.from_call(call)
        self.assertEqual(error.code, grpc.StatusCode.UNAVAILABLE)
        self.assertEqual(error.message, "shutting down")
        self.assertEqual(error.resume_after, 12)
        self.assertEqual(error.retry_delay, 1.5)
        self.assertEqual(error.error_info.reason, "SERVER_SHUTTING_DOWN")
        self.assertTrue(error.retryable)
        self.assertEqual(str(error), "UNAVAILABLE: shutting down (hookbridge-resume-after: 12)")

    def test_resume_after_from_error_info_when_no_trailer(self):
        info = error_details_pb2.ErrorInfo(reason="EVENTS_NOT_RETAINED", metadata={"resume_after": "30"})
        call = FakeCall(grpc.StatusCode.OUT_OF_RANGE, "gone",
                        [details_trailer(grpc.StatusCode.OUT_OF_RANGE, info)])
        error = hookbridge.SubscriptionError.from_call(call)
        self.assertEqual(error.resume_after, 30)
        self.assertIsNone(error.retry_delay)

    def test_without_trailers(self):
        error = hookbridge.SubscriptionError.from_call(FakeCall(grpc.StatusCode.INVALID_ARGUMENT, "types[0]"))
        self.assertIsNone(error.resume_after)
        self.assertIsNone(error.error_info)
        self.assertEqual(str(error), "INVALID_ARGUMENT: types[0]")
        self.assertIsInstance(error, Exception)

    def test_unreadable_resume_trailer_is_ignored(self):
        call = FakeCall(grpc.StatusCode.UNAVAILABLE, "x", [("hookbridge-resume-after", "soon")])
        self.assertIsNone(hookbridge.SubscriptionError.from_call(call).resume_after)


if __name__ == "__main__":
    unittest.main()
