// Package fakeserver is an in-process hookbridge.v1.EventBridgeService for
// the tests: each Subscribe call runs a script the test provides, on a
// real gRPC server listening on 127.0.0.1.
package fakeserver

import (
	"context"
	"crypto/tls"
	"net"
	"strconv"
	"sync"
	"time"

	"google.golang.org/genproto/googleapis/rpc/errdetails"
	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
)

// Stream is what a script gets for one Subscribe call.
type Stream struct {
	// Call counts the Subscribe calls from 0.
	Call    int
	Request *hookbridgev1.SubscribeRequest
	Server  hookbridgev1.EventBridgeService_SubscribeServer
}

// Context is the call's context (done once the client cancels).
func (s *Stream) Context() context.Context { return s.Server.Context() }

// Start sends the hookbridge-start-after header.
func (s *Stream) Start(startAfter uint64) error {
	return s.Server.SendHeader(metadata.Pairs("hookbridge-start-after", strconv.FormatUint(startAfter, 10)))
}

// Events sends one response holding these events.
func (s *Stream) Events(events ...*hookbridgev1.Event) error {
	return s.Server.Send(&hookbridgev1.SubscribeResponse{Events: events})
}

// Heartbeat sends a heartbeat.
func (s *Stream) Heartbeat(head, resumeAfter uint64) error {
	return s.Server.Send(&hookbridgev1.SubscribeResponse{
		Heartbeat: &hookbridgev1.Heartbeat{HeadSequence: head, ResumeAfter: resumeAfter}})
}

// Gap sends a gap notice.
func (s *Stream) Gap(first, last uint64) error {
	return s.Server.Send(&hookbridgev1.SubscribeResponse{
		Gap: &hookbridgev1.Gap{FirstSequence: first, LastSequence: last}})
}

// ResumeAfter sets the hookbridge-resume-after trailer.
func (s *Stream) ResumeAfter(seq uint64) {
	s.Server.SetTrailer(metadata.Pairs("hookbridge-resume-after", strconv.FormatUint(seq, 10)))
}

// Wait blocks until the client cancels the call, and returns its error.
func (s *Stream) Wait() error {
	<-s.Context().Done()
	return s.Context().Err()
}

// Unavailable is the status of a server shutting down: UNAVAILABLE with an
// ErrorInfo and a RetryInfo of retryAfter.
func Unavailable(message string, resumeAfter uint64, retryAfter time.Duration) error {
	st, err := status.New(codes.Unavailable, message).WithDetails(
		&errdetails.ErrorInfo{Reason: "SERVER_SHUTTING_DOWN", Domain: "hookbridge",
			Metadata: map[string]string{"resume_after": strconv.FormatUint(resumeAfter, 10)}},
		&errdetails.RetryInfo{RetryDelay: durationpb.New(retryAfter)})
	if err != nil {
		panic(err)
	}
	return st.Err()
}

// Event is an event with only its identity set.
func Event(seq uint64, typ string) *hookbridgev1.Event {
	return &hookbridgev1.Event{Id: "e-" + strconv.FormatUint(seq, 10), Sequence: seq, Source: "test", Type: typ}
}

// ConsumeStream is what a consume script gets for one Consume call, once
// its first request (the start) was read.
type ConsumeStream struct {
	// Call counts the Consume calls from 0.
	Call   int
	Start  *hookbridgev1.ConsumeStart
	Server hookbridgev1.EventBridgeService_ConsumeServer

	requests chan *hookbridgev1.ConsumeRequest // closed when the client stops sending
}

// Context is the call's context (done once the client cancels).
func (s *ConsumeStream) Context() context.Context { return s.Server.Context() }

// Established sends the initial metadata, as the server does once the
// member joined.
func (s *ConsumeStream) Established() error { return s.Server.SendHeader(metadata.MD{}) }

// Events sends one response holding these deliveries (events with the
// given attempt).
func (s *ConsumeStream) Events(attempt uint32, events ...*hookbridgev1.Event) error {
	resp := &hookbridgev1.ConsumeResponse{}
	for _, e := range events {
		resp.Events = append(resp.Events, &hookbridgev1.ConsumedEvent{Event: e, DeliveryAttempt: attempt})
	}
	return s.Server.Send(resp)
}

// Acknowledged confirms acknowledgements.
func (s *ConsumeStream) Acknowledged(sequences ...uint64) error {
	return s.Server.Send(&hookbridgev1.ConsumeResponse{
		Acknowledged: &hookbridgev1.SequenceSet{Sequences: sequences}})
}

// Rejected reports requests about events not outstanding at the member.
func (s *ConsumeStream) Rejected(reason string, sequences ...uint64) error {
	return s.Server.Send(&hookbridgev1.ConsumeResponse{
		Rejected: &hookbridgev1.RejectedSequences{Sequences: sequences, Reason: reason}})
}

// Heartbeat sends a heartbeat.
func (s *ConsumeStream) Heartbeat(head, ackFloor uint64) error {
	return s.Server.Send(&hookbridgev1.ConsumeResponse{
		Heartbeat: &hookbridgev1.Heartbeat{HeadSequence: head, ResumeAfter: ackFloor}})
}

// Gap sends a gap notice.
func (s *ConsumeStream) Gap(first, last uint64) error {
	return s.Server.Send(&hookbridgev1.ConsumeResponse{
		Gap: &hookbridgev1.Gap{FirstSequence: first, LastSequence: last}})
}

// Request returns the client's next request; nil when the client stopped
// sending or nothing came within timeout.
func (s *ConsumeStream) Request(timeout time.Duration) *hookbridgev1.ConsumeRequest {
	select {
	case r := <-s.requests:
		return r
	case <-time.After(timeout):
		return nil
	}
}

// Wait blocks until the client cancels the call, and returns its error.
func (s *ConsumeStream) Wait() error {
	<-s.Context().Done()
	return s.Context().Err()
}

// Server is the fake service.
type Server struct {
	hookbridgev1.UnimplementedEventBridgeServiceServer

	// Info is what GetServerInfo returns (set before clients call).
	Info *hookbridgev1.GetServerInfoResponse
	// InfoErr, when set, is GetServerInfo's error instead.
	InfoErr error
	// Script runs each Subscribe call; its error is the call's status.
	Script func(*Stream) error
	// ConsumeScript runs each Consume call after its first request; its
	// error is the call's status.
	ConsumeScript func(*ConsumeStream) error

	mu            sync.Mutex
	requests      []*hookbridgev1.SubscribeRequest
	starts        []*hookbridgev1.ConsumeStart
	authorization []string
	infoCalls     int

	listener net.Listener
	grpc     *grpc.Server
}

// Start listens on 127.0.0.1 (plaintext, or TLS with cert when not nil).
func Start(script func(*Stream) error, cert *tls.Certificate) (*Server, error) {
	lis, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	var opts []grpc.ServerOption
	if cert != nil {
		opts = append(opts, grpc.Creds(credentials.NewTLS(&tls.Config{Certificates: []tls.Certificate{*cert}})))
	}
	s := &Server{
		Info: &hookbridgev1.GetServerInfoResponse{
			Version:           "test",
			LogBackend:        "memory",
			MaxEventBytes:     1 << 20,
			MaxResponseBytes:  2 << 20,
			MaxBatchEvents:    64,
			HeartbeatInterval: durationpb.New(time.Second),
		},
		Script:   script,
		listener: lis,
		grpc:     grpc.NewServer(opts...),
	}
	hookbridgev1.RegisterEventBridgeServiceServer(s.grpc, s)
	go s.grpc.Serve(lis)
	return s, nil
}

// SetInfo replaces what GetServerInfo returns.
func (s *Server) SetInfo(info *hookbridgev1.GetServerInfoResponse, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.Info, s.InfoErr = info, err
}

// Target is the address to dial.
func (s *Server) Target() string { return s.listener.Addr().String() }

// Stop closes the listener and every call.
func (s *Server) Stop() { s.grpc.Stop() }

// Requests are the SubscribeRequests received so far.
func (s *Server) Requests() []*hookbridgev1.SubscribeRequest {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*hookbridgev1.SubscribeRequest(nil), s.requests...)
}

// Authorization are the authorization metadata values of every call.
func (s *Server) Authorization() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.authorization...)
}

// InfoCalls counts GetServerInfo calls.
func (s *Server) InfoCalls() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.infoCalls
}

func (s *Server) noteAuthorization(ctx context.Context) {
	md, _ := metadata.FromIncomingContext(ctx)
	s.authorization = append(s.authorization, md.Get("authorization")...)
}

// GetServerInfo returns Info.
func (s *Server) GetServerInfo(ctx context.Context, _ *hookbridgev1.GetServerInfoRequest) (*hookbridgev1.GetServerInfoResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteAuthorization(ctx)
	s.infoCalls++
	if s.InfoErr != nil {
		return nil, s.InfoErr
	}
	return s.Info, nil
}

// ListEventTypes returns one provider.
func (s *Server) ListEventTypes(ctx context.Context, _ *hookbridgev1.ListEventTypesRequest) (*hookbridgev1.ListEventTypesResponse, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.noteAuthorization(ctx)
	return &hookbridgev1.ListEventTypesResponse{Providers: []*hookbridgev1.ProviderEventTypes{{
		Provider: hookbridgev1.Provider_PROVIDER_CKEDITOR_CLOUD_SERVICES,
		Name:     "ckeditor-cloud-services",
	}}}, nil
}

// Subscribe runs the script.
func (s *Server) Subscribe(req *hookbridgev1.SubscribeRequest, stream hookbridgev1.EventBridgeService_SubscribeServer) error {
	s.mu.Lock()
	s.noteAuthorization(stream.Context())
	call := len(s.requests)
	s.requests = append(s.requests, req)
	script := s.Script
	s.mu.Unlock()
	if script == nil {
		<-stream.Context().Done()
		return status.Error(codes.Canceled, "cancelled")
	}
	return script(&Stream{Call: call, Request: req, Server: stream})
}

// SetConsumeScript replaces the script of later Consume calls.
func (s *Server) SetConsumeScript(script func(*ConsumeStream) error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.ConsumeScript = script
}

// Starts are the first requests of the Consume calls so far.
func (s *Server) Starts() []*hookbridgev1.ConsumeStart {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]*hookbridgev1.ConsumeStart(nil), s.starts...)
}

// Consume reads the start and runs ConsumeScript, with the later requests
// read in the background.
func (s *Server) Consume(stream hookbridgev1.EventBridgeService_ConsumeServer) error {
	first, err := stream.Recv()
	if err != nil {
		return err
	}
	s.mu.Lock()
	s.noteAuthorization(stream.Context())
	call := len(s.starts)
	s.starts = append(s.starts, first.GetStart())
	script := s.ConsumeScript
	s.mu.Unlock()
	if script == nil {
		<-stream.Context().Done()
		return status.Error(codes.Canceled, "cancelled")
	}
	requests := make(chan *hookbridgev1.ConsumeRequest, 1024)
	go func() {
		defer close(requests)
		for {
			r, err := stream.Recv()
			if err != nil {
				return
			}
			requests <- r
		}
	}()
	return script(&ConsumeStream{Call: call, Start: first.GetStart(), Server: stream, requests: requests})
}
