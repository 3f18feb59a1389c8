package hookbridge

import (
	"context"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/protobuf/types/known/timestamppb"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
)

// Filter selects events. An empty list means any; values within a list are
// alternatives, different lists must all match.
type Filter struct {
	// Event type names or patterns; `*` matches any run of characters
	// (`comment.*`).
	Types []string
	// Source names, exactly as configured.
	Sources []string
	// Provider environment ids, exact.
	EnvironmentIDs []string
	// Subjects (document, asset, file... ids), exact.
	Subjects []string
}

// Gap says that sequences First..Last (inclusive) were evicted before the
// subscription read them: those that matched will never arrive. Only with
// AllowGaps.
type Gap struct {
	First, Last uint64
}

// A SubscribeOption configures Subscribe.
type SubscribeOption func(*subscribeConfig)

type subscribeConfig struct {
	start          func(*hookbridgev1.SubscribeRequest) // nil: live
	includeRaw     bool
	allowGaps      bool
	onGap          func(Gap)
	store          CursorStore
	onSubscribed   func(startAfter uint64)
	onReconnect    func(wait time.Duration, cause *Error)
	initialBackoff time.Duration
	maxBackoff     time.Duration
	infoTimeout    time.Duration
}

// Earliest starts at the oldest event still retained.
func Earliest() SubscribeOption {
	return func(c *subscribeConfig) {
		c.start = func(r *hookbridgev1.SubscribeRequest) {
			r.Start = &hookbridgev1.SubscribeRequest_Earliest{Earliest: true}
		}
	}
}

// AfterSequence starts with the first matching event after seq (0: from the
// first event ever appended, which fails once it was evicted).
func AfterSequence(seq uint64) SubscribeOption {
	return func(c *subscribeConfig) {
		c.start = func(r *hookbridgev1.SubscribeRequest) {
			r.Start = &hookbridgev1.SubscribeRequest_AfterSequence{AfterSequence: seq}
		}
	}
}

// Since starts with the events appended at or after t.
func Since(t time.Time) SubscribeOption {
	return func(c *subscribeConfig) {
		c.start = func(r *hookbridgev1.SubscribeRequest) {
			r.Start = &hookbridgev1.SubscribeRequest_Since{Since: timestamppb.New(t)}
		}
	}
}

// Live starts with the events appended after the subscription starts (the
// default).
func Live() SubscribeOption {
	return func(c *subscribeConfig) { c.start = nil }
}

// IncludeRaw asks for each event's original request body (Event.RawBody).
func IncludeRaw() SubscribeOption {
	return func(c *subscribeConfig) { c.includeRaw = true }
}

// AllowGaps accepts losing events that were evicted before the
// subscription read them: instead of ending with OUT_OF_RANGE, the server
// says which sequences are lost, the subscription calls onGap (from Next,
// before the next event; nil ignores gaps) and goes on.
func AllowGaps(onGap func(Gap)) SubscribeOption {
	return func(c *subscribeConfig) { c.allowGaps, c.onGap = true, onGap }
}

// WithCursorStore resumes after the stored sequence when there is one (the
// start position applies only when there is none) and saves the position
// once each event is handled and on heartbeats and gaps.
func WithCursorStore(store CursorStore) SubscribeOption {
	return func(c *subscribeConfig) { c.store = store }
}

// OnSubscribed calls f (from Next) each time a stream is established, with
// its hookbridge-start-after: every matching event after that sequence will
// arrive.
func OnSubscribed(f func(startAfter uint64)) SubscribeOption {
	return func(c *subscribeConfig) { c.onSubscribed = f }
}

// OnReconnect calls f (from Next) before each retry, with the wait and the
// status that ended the stream or the attempt.
func OnReconnect(f func(wait time.Duration, cause *Error)) SubscribeOption {
	return func(c *subscribeConfig) { c.onReconnect = f }
}

// WithBackoff sets the waits between reconnect attempts: exponential from
// initial to max with full jitter (default 100 ms to 10 s).
func WithBackoff(initial, max time.Duration) SubscribeOption {
	return func(c *subscribeConfig) { c.initialBackoff, c.maxBackoff = initial, max }
}

// Subscription is a stream of events that reconnects by itself. Read it
// with Next and Event from one goroutine:
//
//	sub := client.Subscribe(ctx, filter, hookbridge.Earliest())
//	defer sub.Close()
//	for sub.Next() {
//		handle(sub.Event())
//	}
//	if err := sub.Err(); err != nil { ... }
//
// Next hands out the events one at a time, in sequence order, however the
// server batched them. When a stream ends with a retryable status, or
// nothing (no event, no heartbeat) arrives for three heartbeat intervals,
// Next subscribes again after the position (see CursorStore), waiting
// between attempts; other statuses end the subscription with an *Error.
// Cancelling ctx, or Close, ends it promptly with no error.
type Subscription struct {
	ctx    context.Context
	cancel context.CancelFunc
	client *Client
	filter Filter
	cfg    subscribeConfig

	started bool
	done    bool
	err     error
	pos     position
	saved   position // what the store holds
	current *Event   // handed out, not yet handled
	pending []*Event // received, not yet handed out
	backoff *backoff

	// The open stream, if any.
	stream       hookbridgev1.EventBridgeService_SubscribeClient
	streamCancel context.CancelFunc
	watchdog     *watchdog

	closeOnce sync.Once
}

// Subscribe starts a subscription (lazily: the first Next connects).
func (c *Client) Subscribe(ctx context.Context, filter Filter, opts ...SubscribeOption) *Subscription {
	cfg := subscribeConfig{
		initialBackoff: DefaultInitialBackoff,
		maxBackoff:     DefaultMaxBackoff,
		infoTimeout:    defaultInfoTimeout,
	}
	for _, opt := range opts {
		opt(&cfg)
	}
	ctx, cancel := context.WithCancel(ctx)
	return &Subscription{
		ctx:     ctx,
		cancel:  cancel,
		client:  c,
		filter:  filter,
		cfg:     cfg,
		backoff: newBackoff(cfg.initialBackoff, cfg.maxBackoff),
	}
}

// Event is the event the last Next returned true for.
func (s *Subscription) Event() *Event { return s.current }

// Err is why the subscription ended: nil after a cancellation, an *Error
// for a status that is not retried, or the cursor store's error.
func (s *Subscription) Err() error { return s.err }

// Position is the sequence a new subscription would continue after, and
// whether there is one yet.
func (s *Subscription) Position() (uint64, bool) { return s.pos.seq, s.pos.known }

// Commit saves the position in the cursor store now, taking the current
// event as handled; Next does the same before it looks for the next event.
// Call it when you stop after an event, e.g. after the last of a fixed
// number.
func (s *Subscription) Commit() error {
	if err := s.save(); err != nil {
		return err
	}
	s.current = nil
	return nil
}

// Close ends the subscription: a Next in progress or to come returns false,
// with no error. The current event is not taken as handled (Commit first
// if it was). Safe to call from any goroutine, and more than once.
func (s *Subscription) Close() error {
	s.closeOnce.Do(s.cancel)
	return nil
}

// Next waits for the next event and says whether there is one; false means
// the subscription ended (see Err). The previous event counts as handled:
// its position is saved first.
func (s *Subscription) Next() bool {
	if s.done {
		return false
	}
	if err := s.save(); err != nil {
		return s.finish(err)
	}
	s.current = nil
	if !s.started {
		s.started = true
		if err := s.load(); err != nil {
			return s.finish(err)
		}
	}
	for {
		for len(s.pending) > 0 {
			ev := s.pending[0]
			s.pending[0] = nil
			s.pending = s.pending[1:]
			if s.pos.delivered(ev.GetSequence()) {
				continue // already handed out: never twice
			}
			s.pos.event(ev.GetSequence())
			s.current = ev
			return true
		}
		if s.ctx.Err() != nil {
			return s.finish(nil)
		}
		if s.stream == nil {
			if err := s.open(); err != nil {
				if s.ctx.Err() != nil {
					return s.finish(nil)
				}
				if !err.Retryable() {
					return s.finish(err)
				}
				if !s.wait(err) {
					return s.finish(nil)
				}
			}
			continue
		}
		resp, err := s.stream.Recv()
		if err != nil {
			cause := s.ended(err)
			if s.ctx.Err() != nil {
				return s.finish(nil)
			}
			if !cause.Retryable() {
				return s.finish(cause)
			}
			if !s.wait(cause) {
				return s.finish(nil)
			}
			continue
		}
		if err := s.handle(resp); err != nil {
			return s.finish(err)
		}
	}
}

// load reads the cursor store, if any.
func (s *Subscription) load() error {
	if s.cfg.store == nil {
		return nil
	}
	seq, ok, err := s.cfg.store.Load()
	if err != nil {
		return fmt.Errorf("hookbridge: loading the cursor: %w", err)
	}
	if ok {
		s.pos = position{seq: seq, known: true}
		s.saved = s.pos
	}
	return nil
}

// save writes the position to the store when it moved.
func (s *Subscription) save() error {
	if s.cfg.store == nil || !s.pos.known || s.saved == s.pos {
		return nil
	}
	if err := s.cfg.store.Save(s.pos.seq); err != nil {
		return fmt.Errorf("hookbridge: saving the cursor: %w", err)
	}
	s.saved = s.pos
	return nil
}

// finish ends the subscription with err (nil: cleanly) and returns false.
func (s *Subscription) finish(err error) bool {
	s.closeStream()
	s.done = true
	s.err = err
	s.current = nil
	s.pending = nil
	s.Close()
	return false
}

// request is the SubscribeRequest of the next attempt: after the position
// when there is one, else the configured start.
func (s *Subscription) request() *hookbridgev1.SubscribeRequest {
	r := &hookbridgev1.SubscribeRequest{
		Types:          s.filter.Types,
		Sources:        s.filter.Sources,
		EnvironmentIds: s.filter.EnvironmentIDs,
		Subjects:       s.filter.Subjects,
		IncludeRaw:     s.cfg.includeRaw,
		AllowGaps:      s.cfg.allowGaps,
	}
	if s.pos.known {
		r.Start = &hookbridgev1.SubscribeRequest_AfterSequence{AfterSequence: s.pos.seq}
	} else if s.cfg.start != nil {
		s.cfg.start(r)
	}
	return r
}

// open asks the server for its limits and opens a stream.
func (s *Subscription) open() *Error {
	callOpts, idle, cause := s.client.streamSetup(s.ctx, s.cfg.infoTimeout, 0)
	if cause != nil {
		return cause
	}
	streamCtx, cancel := context.WithCancel(s.ctx)
	s.streamCancel, s.watchdog = cancel, startWatchdog(idle, cancel)
	stream, err := s.client.api.Subscribe(streamCtx, s.request(), callOpts...)
	if err != nil {
		cause := s.idleError(err)
		s.closeStream()
		return cause
	}
	s.stream = stream
	// The server sends hookbridge-start-after once the stream is
	// established; a stream refused at once has no headers (Recv then
	// returns its status).
	if header, err := stream.Header(); err == nil {
		if start, ok := sequenceValue(header, StartAfterHeader); ok {
			s.pos.start(start)
			if s.cfg.onSubscribed != nil {
				s.cfg.onSubscribed(start)
			}
		}
	}
	return nil
}

// idleError is the error of a stream the watchdog ended, else err's.
func (s *Subscription) idleError(err error) *Error {
	if cause := s.watchdog.cause(); cause != nil && s.ctx.Err() == nil {
		return cause
	}
	return NewError(err, nil)
}

// ended closes the stream that Recv returned err on and says why it ended,
// taking its hookbridge-resume-after when that is later.
func (s *Subscription) ended(err error) *Error {
	var cause *Error
	switch {
	case errors.Is(err, io.EOF):
		cause = &Error{Code: codes.OK, Message: "the server ended the stream"}
		cause.ResumeAfter, cause.HasResumeAfter = resumeAfter(s.stream.Trailer())
	case s.watchdog.cause() != nil && s.ctx.Err() == nil:
		cause = s.idleError(err)
	default:
		cause = NewError(err, s.stream.Trailer())
	}
	if cause.HasResumeAfter {
		s.pos.later(cause.ResumeAfter)
	}
	s.closeStream()
	return cause
}

// closeStream cancels the open stream, if any.
func (s *Subscription) closeStream() {
	s.watchdog.stop()
	if s.streamCancel != nil {
		s.streamCancel()
		s.streamCancel = nil
	}
	s.stream = nil
}

// wait reports cause and sleeps before the next attempt; false when the
// subscription was cancelled meanwhile.
func (s *Subscription) wait(cause *Error) bool {
	delay := s.backoff.next(cause.RetryDelay)
	if s.cfg.onReconnect != nil {
		s.cfg.onReconnect(delay, cause)
	}
	timer := time.NewTimer(delay)
	defer timer.Stop()
	select {
	case <-timer.C:
		return true
	case <-s.ctx.Done():
		return false
	}
}

// handle takes one response: events are queued, a heartbeat or a gap moves
// the position (and saves it), anything else is skipped.
func (s *Subscription) handle(resp *hookbridgev1.SubscribeResponse) error {
	s.watchdog.heard()
	s.backoff.reset() // the stream delivers
	switch {
	case len(resp.GetEvents()) > 0:
		s.pending = append(s.pending, resp.GetEvents()...)
	case resp.GetHeartbeat() != nil:
		if s.pos.later(resp.GetHeartbeat().GetResumeAfter()) {
			return s.save()
		}
	case resp.GetGap() != nil:
		gap := Gap{First: resp.GetGap().GetFirstSequence(), Last: resp.GetGap().GetLastSequence()}
		if s.cfg.onGap != nil {
			s.cfg.onGap(gap)
		}
		if s.pos.later(gap.Last) {
			return s.save()
		}
	}
	return nil
}
