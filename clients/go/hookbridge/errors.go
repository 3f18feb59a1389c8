package hookbridge

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
)

// Metadata keys the server sends on a Subscribe stream.
const (
	// StartAfterHeader is the initial metadata of an established stream:
	// every matching event after this sequence will reach it.
	StartAfterHeader = "hookbridge-start-after"
	// ResumeAfterTrailer is the trailing metadata of an ended stream: every
	// matching event up to this sequence was delivered.
	ResumeAfterTrailer = "hookbridge-resume-after"
)

// Error is a gRPC status the server (or the transport) ended a call with,
// with the facts hookbridge attaches to it. A subscription ends with an
// *Error when the status is not retryable; OnReconnect receives one before
// each retry.
//
// status.FromError and status.Code understand it (it has a GRPCStatus
// method), and errors.As(err, &hbErr) finds it.
type Error struct {
	// Code and Message are the status's.
	Code    codes.Code
	Message string
	// ResumeAfter is the hookbridge-resume-after trailer when
	// HasResumeAfter: every matching event up to it was delivered, so a new
	// subscription after it continues without gap or duplicate.
	ResumeAfter    uint64
	HasResumeAfter bool
	// Reason, Domain and Metadata are the google.rpc.ErrorInfo detail, when
	// sent (e.g. reason EVENTS_NOT_RETAINED with metadata oldest_sequence).
	Reason   string
	Domain   string
	Metadata map[string]string
	// RetryDelay is the google.rpc.RetryInfo detail: wait at least this
	// long before retrying (0 when absent).
	RetryDelay time.Duration

	status *status.Status
}

// Error renders the error as the CLI prints it:
// "OUT_OF_RANGE: message (hookbridge-resume-after: N)", the parenthesis
// only when the trailer was sent.
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(CodeName(e.Code))
	b.WriteString(": ")
	b.WriteString(e.Message)
	if e.HasResumeAfter {
		fmt.Fprintf(&b, " (%s: %d)", ResumeAfterTrailer, e.ResumeAfter)
	}
	return b.String()
}

// GRPCStatus returns the status, details included, for status.FromError.
func (e *Error) GRPCStatus() *status.Status {
	if e.status != nil {
		return e.status
	}
	return status.New(e.Code, e.Message)
}

// Retryable says whether a subscription reconnects after this error.
func (e *Error) Retryable() bool { return e.Code == codes.OK || Retryable(e.Code) }

// Retryable says whether a status code ends a Subscribe stream in a way
// that a new subscription from the position may fix: UNAVAILABLE (which is
// also how gRPC reports transport failures), RESOURCE_EXHAUSTED, ABORTED,
// INTERNAL, UNKNOWN and DEADLINE_EXCEEDED. Every other code is final.
func Retryable(code codes.Code) bool {
	switch code {
	case codes.Unavailable, codes.ResourceExhausted, codes.Aborted, codes.Internal,
		codes.Unknown, codes.DeadlineExceeded:
		return true
	}
	return false
}

// NewError builds an *Error from the error a gRPC call returned and the
// call's trailing metadata (nil when there is none): the code, the message,
// the hookbridge-resume-after trailer, and the ErrorInfo and RetryInfo
// details. It returns err itself when that is an *Error already.
func NewError(err error, trailer metadata.MD) *Error {
	if e, ok := err.(*Error); ok {
		return e
	}
	st := status.Convert(err)
	e := &Error{Code: st.Code(), Message: st.Message(), status: st}
	e.ResumeAfter, e.HasResumeAfter = resumeAfter(trailer)
	for _, detail := range st.Details() {
		switch d := detail.(type) {
		case *errdetails.RetryInfo:
			if delay := d.GetRetryDelay(); delay != nil {
				e.RetryDelay = time.Duration(delay.GetSeconds())*time.Second +
					time.Duration(delay.GetNanos())
				if e.RetryDelay < 0 {
					e.RetryDelay = 0
				}
			}
		case *errdetails.ErrorInfo:
			e.Reason = d.GetReason()
			e.Domain = d.GetDomain()
			e.Metadata = d.GetMetadata()
		}
	}
	return e
}

// resumeAfter reads the hookbridge-resume-after trailer.
func resumeAfter(trailer metadata.MD) (uint64, bool) {
	return sequenceValue(trailer, ResumeAfterTrailer)
}

// sequenceValue reads a sequence number from metadata (the last value if
// the key repeats).
func sequenceValue(md metadata.MD, key string) (uint64, bool) {
	values := md.Get(key)
	if len(values) == 0 {
		return 0, false
	}
	n, err := strconv.ParseUint(strings.TrimSpace(values[len(values)-1]), 10, 64)
	if err != nil {
		return 0, false
	}
	return n, true
}

var codeNames = map[codes.Code]string{
	codes.OK:                 "OK",
	codes.Canceled:           "CANCELLED",
	codes.Unknown:            "UNKNOWN",
	codes.InvalidArgument:    "INVALID_ARGUMENT",
	codes.DeadlineExceeded:   "DEADLINE_EXCEEDED",
	codes.NotFound:           "NOT_FOUND",
	codes.AlreadyExists:      "ALREADY_EXISTS",
	codes.PermissionDenied:   "PERMISSION_DENIED",
	codes.ResourceExhausted:  "RESOURCE_EXHAUSTED",
	codes.FailedPrecondition: "FAILED_PRECONDITION",
	codes.Aborted:            "ABORTED",
	codes.OutOfRange:         "OUT_OF_RANGE",
	codes.Unimplemented:      "UNIMPLEMENTED",
	codes.Internal:           "INTERNAL",
	codes.Unavailable:        "UNAVAILABLE",
	codes.DataLoss:           "DATA_LOSS",
	codes.Unauthenticated:    "UNAUTHENTICATED",
}

// CodeName spells a status code as the gRPC specification does, e.g.
// OUT_OF_RANGE (codes.Code's String gives "OutOfRange").
func CodeName(code codes.Code) string {
	if name, ok := codeNames[code]; ok {
		return name
	}
	return "CODE_" + strconv.FormatUint(uint64(code), 10)
}
