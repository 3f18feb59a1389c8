package hookbridge

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"
)

func TestRetryableCodes(t *testing.T) {
	retryable := map[codes.Code]bool{
		codes.Unavailable: true, codes.ResourceExhausted: true, codes.Aborted: true,
		codes.Internal: true, codes.Unknown: true, codes.DeadlineExceeded: true,
	}
	for code := codes.OK; code <= codes.Unauthenticated; code++ {
		if got := Retryable(code); got != retryable[code] {
			t.Errorf("Retryable(%s) = %v", CodeName(code), got)
		}
	}
	// A stream that ends with OK (the server closed it) is resumed too.
	if !(&Error{Code: codes.OK}).Retryable() {
		t.Error("an OK end is not retried")
	}
	if (&Error{Code: codes.OutOfRange}).Retryable() {
		t.Error("OUT_OF_RANGE is retried")
	}
}

func TestCodeNames(t *testing.T) {
	for code, want := range map[codes.Code]string{
		codes.OutOfRange: "OUT_OF_RANGE", codes.Canceled: "CANCELLED",
		codes.Unavailable: "UNAVAILABLE", codes.PermissionDenied: "PERMISSION_DENIED",
		codes.Code(42): "CODE_42",
	} {
		if got := CodeName(code); got != want {
			t.Errorf("CodeName(%d) = %q, want %q", code, got, want)
		}
	}
}

func TestNewErrorReadsTrailerAndDetails(t *testing.T) {
	st, err := status.New(codes.Unavailable, "the server is shutting down").WithDetails(
		&errdetails.ErrorInfo{Reason: "SERVER_SHUTTING_DOWN", Domain: "hookbridge",
			Metadata: map[string]string{"resume_after": "12"}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(1500 * time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	e := NewError(st.Err(), metadata.Pairs(ResumeAfterTrailer, "12"))
	if e.Code != codes.Unavailable || e.Message != "the server is shutting down" {
		t.Errorf("code/message: %v %q", e.Code, e.Message)
	}
	if !e.HasResumeAfter || e.ResumeAfter != 12 {
		t.Errorf("resume after: %v %d", e.HasResumeAfter, e.ResumeAfter)
	}
	if e.RetryDelay != 1500*time.Millisecond {
		t.Errorf("retry delay: %v", e.RetryDelay)
	}
	if e.Reason != "SERVER_SHUTTING_DOWN" || e.Domain != "hookbridge" || e.Metadata["resume_after"] != "12" {
		t.Errorf("error info: %q %q %v", e.Reason, e.Domain, e.Metadata)
	}
	if got, want := e.Error(), "UNAVAILABLE: the server is shutting down (hookbridge-resume-after: 12)"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// The gRPC status helpers see through it, details included.
	wrapped := fmt.Errorf("subscribing: %w", e)
	var found *Error
	if !errors.As(wrapped, &found) || found != e {
		t.Error("errors.As does not find the *Error")
	}
	if status.Code(e) != codes.Unavailable || len(status.Convert(e).Details()) != 2 {
		t.Errorf("status of the error: %v", status.Convert(e))
	}
}

func TestNewErrorWithoutTrailer(t *testing.T) {
	e := NewError(status.Error(codes.OutOfRange, "after_sequence 50 is beyond the last sequence 2"), metadata.MD{})
	if e.HasResumeAfter || e.RetryDelay != 0 || e.Reason != "" {
		t.Errorf("facts from nowhere: %+v", e)
	}
	if got, want := e.Error(), "OUT_OF_RANGE: after_sequence 50 is beyond the last sequence 2"; got != want {
		t.Errorf("Error() = %q, want %q", got, want)
	}
	// A malformed trailer is ignored, not misread.
	if e := NewError(status.Error(codes.Internal, "x"), metadata.Pairs(ResumeAfterTrailer, "x1")); e.HasResumeAfter {
		t.Errorf("malformed trailer read as %d", e.ResumeAfter)
	}
	// A non-status error is UNKNOWN.
	if e := NewError(errors.New("boom"), nil); e.Code != codes.Unknown || !e.Retryable() {
		t.Errorf("plain error: %+v", e)
	}
}
