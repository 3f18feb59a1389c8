package hookbridge_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/durationpb"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
	"github.com/hookbridge/hookbridge/clients/go/hookbridge"
	"github.com/hookbridge/hookbridge/clients/go/internal/fakeserver"
)

// startConsume runs a fake server whose Consume calls run script, and a
// client connected to it.
func startConsume(t *testing.T, script func(*fakeserver.ConsumeStream) error, opts ...hookbridge.Option) (*fakeserver.Server, *hookbridge.Client) {
	t.Helper()
	srv, client := start(t, nil, opts...)
	srv.SetConsumeScript(script)
	return srv, client
}

// fastConsume retries at once: the tests check what is retried.
func fastConsume(o hookbridge.ConsumeOptions) hookbridge.ConsumeOptions {
	o.InitialBackoff, o.MaxBackoff = time.Millisecond, 5*time.Millisecond
	return o
}

// noFlush closes without waiting for confirmations the fake never sends.
var noFlush = hookbridge.ConsumeOptions{CloseTimeout: -1}

// nextMessage returns the next message, failing the test if there is none
// within 10 s.
func nextMessage(t *testing.T, c *hookbridge.Consumer) *hookbridge.Message {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	m, err := c.Next(ctx)
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return m
}

// acked collects the sequences of Acknowledge requests until it has n of
// them, counting the requests; any other request fails the test.
func acked(t *testing.T, s *fakeserver.ConsumeStream, n int) (seqs []uint64, requests int) {
	t.Helper()
	for len(seqs) < n {
		r := s.Request(10 * time.Second)
		if r.GetAck() == nil {
			t.Errorf("request %v, want an acknowledgement", r)
			return
		}
		requests++
		seqs = append(seqs, r.GetAck().GetSequences()...)
		for _, rg := range r.GetAck().GetRanges() {
			for q := rg.GetFirst(); q <= rg.GetLast(); q++ {
				seqs = append(seqs, q)
			}
		}
	}
	return seqs, requests
}

func events(seqs ...uint64) []*hookbridgev1.Event {
	var out []*hookbridgev1.Event
	for _, s := range seqs {
		out = append(out, fakeserver.Event(s, "comment.added"))
	}
	return out
}

func TestConsumeHandsOutMessagesAndConfirmsBatchedAcks(t *testing.T) {
	got := make(chan []uint64, 1)
	srv, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, events(1, 2, 3)...)
		s.Server.Send(&hookbridgev1.ConsumeResponse{}) // unknown: skipped
		s.Events(2, events(4, 5)...)
		seqs, _ := acked(t, s, 5)
		got <- seqs
		s.Heartbeat(5, 0)
		s.Server.Send(&hookbridgev1.ConsumeResponse{Acknowledged: &hookbridgev1.SequenceSet{
			Sequences: []uint64{5}, Ranges: []*hookbridgev1.SequenceRange{{First: 1, Last: 4}}}})
		return s.Wait()
	}, hookbridge.WithToken("s3cret"))
	var consuming []string
	c := client.Consume(context.Background(), "indexer", hookbridge.ConsumeOptions{
		MemberID:    "pod-1",
		OnConsuming: func(member string) { consuming = append(consuming, member) },
	})
	defer c.Close()
	for want := uint64(1); want <= 5; want++ {
		m := nextMessage(t, c)
		if m.Sequence() != want || m.Event.GetType() != "comment.added" {
			t.Fatalf("message %d: %v", want, m.Event)
		}
		if attempt := map[bool]uint32{true: 1, false: 2}[want <= 3]; m.DeliveryAttempt != attempt {
			t.Errorf("message %d: attempt %d", want, m.DeliveryAttempt)
		}
		m.Ack()
		m.Ack() // twice: nothing more
	}
	if seqs := <-got; !equal(seqs, []uint64{1, 2, 3, 4, 5}) {
		t.Errorf("acknowledged %v", seqs)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	if c.Confirmed() != 5 {
		t.Errorf("confirmed %d", c.Confirmed())
	}
	start := srv.Starts()[0]
	if start.GetConsumer() != "indexer" || start.GetMemberId() != "pod-1" {
		t.Errorf("start %v", start)
	}
	if len(consuming) != 1 || consuming[0] != "pod-1" {
		t.Errorf("OnConsuming %v", consuming)
	}
	for _, a := range srv.Authorization() {
		if a != "Bearer s3cret" {
			t.Errorf("authorization %q", a)
		}
	}
}

// The application acknowledging a whole response's messages sends them in
// one Acknowledge, as a range.
func TestAcknowledgementsOfOneResponseShareAMessage(t *testing.T) {
	requests := make(chan *hookbridgev1.ConsumeRequest, 1)
	_, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, events(10, 11, 12, 13)...)
		requests <- s.Request(10 * time.Second)
		return s.Wait()
	})
	c := client.Consume(context.Background(), "indexer", noFlush)
	defer c.Close()
	var ms []*hookbridge.Message
	for i := 0; i < 4; i++ {
		ms = append(ms, nextMessage(t, c))
	}
	for _, m := range ms {
		m.Ack()
	}
	r := <-requests
	if len(r.GetAck().GetSequences()) != 0 || len(r.GetAck().GetRanges()) != 1 ||
		r.GetAck().GetRanges()[0].GetFirst() != 10 || r.GetAck().GetRanges()[0].GetLast() != 13 {
		t.Errorf("request %v", r)
	}
}

func TestFlushWaitsForTheConfirmation(t *testing.T) {
	confirm := make(chan struct{})
	_, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, events(1)...)
		acked(t, s, 1)
		<-confirm
		s.Acknowledged(1)
		return s.Wait()
	})
	c := client.Consume(context.Background(), "indexer", hookbridge.ConsumeOptions{})
	defer c.Close()
	nextMessage(t, c).Ack()
	short, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := c.Flush(short); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Flush before the confirmation: %v", err)
	}
	if c.Confirmed() != 0 {
		t.Errorf("confirmed %d", c.Confirmed())
	}
	close(confirm)
	ctx, cancel2 := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel2()
	if err := c.Flush(ctx); err != nil || c.Confirmed() != 1 {
		t.Errorf("Flush %v, confirmed %d", err, c.Confirmed())
	}
}

func TestNackAndExtend(t *testing.T) {
	requests := make(chan *hookbridgev1.ConsumeRequest, 8)
	_, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, events(1, 2, 3)...)
		for i := 0; i < 4; i++ {
			requests <- s.Request(10 * time.Second)
		}
		return s.Wait()
	})
	c := client.Consume(context.Background(), "indexer", noFlush)
	defer c.Close()
	m1, m2, m3 := nextMessage(t, c), nextMessage(t, c), nextMessage(t, c)

	m1.Extend()
	if r := <-requests; !equal(r.GetExtend().GetSequences(), []uint64{1}) {
		t.Errorf("extend: %v", r)
	}
	m1.Ack() // an extended message is still acknowledged
	if r := <-requests; !equal(r.GetAck().GetSequences(), []uint64{1}) {
		t.Errorf("ack after extend: %v", r)
	}
	m2.Nack(2*time.Second, "bad payload")
	if r := <-requests; !equal(r.GetNack().GetSequences(), []uint64{2}) ||
		r.GetNack().GetDelay().AsDuration() != 2*time.Second || r.GetNack().GetReason() != "bad payload" {
		t.Errorf("nack: %v", r)
	}
	// Settled: neither a second nack, nor an ack or extension, is sent.
	m2.Nack(0, "again")
	m2.Ack()
	m2.Extend()
	m3.Nack(0, "")
	if r := <-requests; !equal(r.GetNack().GetSequences(), []uint64{3}) || r.GetNack().GetDelay() != nil {
		t.Errorf("after the settled message, request %v", r)
	}
}

func TestReconnectDropsStaleMessagesAndAcks(t *testing.T) {
	second := make(chan []*hookbridgev1.ConsumeRequest, 1)
	srv, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		if s.Call == 0 {
			s.Events(1, events(1, 2, 3)...)
			acked(t, s, 1)
			s.Acknowledged(1)
			return fakeserver.Unavailable("shutting down", 0, time.Millisecond)
		}
		s.Events(2, events(5)...)
		var rs []*hookbridgev1.ConsumeRequest
		for len(rs) == 0 || rs[len(rs)-1].GetAck() == nil {
			r := s.Request(10 * time.Second)
			if r == nil {
				break
			}
			rs = append(rs, r)
		}
		second <- rs
		return s.Wait()
	})
	reconnected := make(chan *hookbridge.Error, 4)
	c := client.Consume(context.Background(), "indexer", fastConsume(hookbridge.ConsumeOptions{
		CloseTimeout: -1,
		MemberID:     "pod-1",
		OnReconnect:  func(_ time.Duration, cause *hookbridge.Error) { reconnected <- cause },
	}))
	defer c.Close()
	m1, m2 := nextMessage(t, c), nextMessage(t, c)
	m1.Ack()
	cause := <-reconnected
	if cause.Code != codes.Unavailable || cause.RetryDelay != time.Millisecond {
		t.Errorf("cause %v", cause)
	}
	m := nextMessage(t, c)
	if m.Sequence() != 5 || m.DeliveryAttempt != 2 {
		t.Fatalf("after the reconnect: %d (attempt %d), want 5 (3 was on the old stream)", m.Sequence(), m.DeliveryAttempt)
	}
	m2.Ack() // its stream ended: dropped, not sent on the new one
	m.Ack()
	rs := <-second
	if len(rs) != 1 || !equal(rs[0].GetAck().GetSequences(), []uint64{5}) {
		t.Errorf("requests on the second stream: %v", rs)
	}
	starts := srv.Starts()
	if len(starts) != 2 || starts[1].GetMemberId() != "pod-1" || starts[1].GetConsumer() != "indexer" {
		t.Errorf("starts %v", starts)
	}
	if c.Confirmed() != 1 {
		t.Errorf("confirmed %d", c.Confirmed())
	}
}

func TestStatusesThatAreNotRetriedEndTheConsumer(t *testing.T) {
	for _, code := range []codes.Code{codes.NotFound, codes.PermissionDenied, codes.InvalidArgument, codes.Unauthenticated} {
		t.Run(hookbridge.CodeName(code), func(t *testing.T) {
			srv, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
				return status.Error(code, "refused")
			})
			consuming, reconnects := 0, 0
			c := client.Consume(context.Background(), "nope", hookbridge.ConsumeOptions{
				OnConsuming: func(string) { consuming++ },
				OnReconnect: func(time.Duration, *hookbridge.Error) { reconnects++ },
			})
			defer c.Close()
			_, err := c.Next(context.Background())
			var hbErr *hookbridge.Error
			if !errors.As(err, &hbErr) || hbErr.Code != code || hbErr.Message != "refused" {
				t.Fatalf("Next: %v", err)
			}
			if _, again := c.Next(context.Background()); again != err || c.Err() != err {
				t.Errorf("again: %v, Err %v", again, c.Err())
			}
			if consuming != 0 || reconnects != 0 || len(srv.Starts()) != 1 {
				t.Errorf("consuming %d, reconnects %d, calls %d", consuming, reconnects, len(srv.Starts()))
			}
		})
	}
}

func TestRejectionsAndGapsAreReported(t *testing.T) {
	_, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, events(4)...)
		acked(t, s, 1)
		s.Rejected("not outstanding at this member", 4)
		s.Gap(5, 9)
		s.Events(1, events(10)...)
		return s.Wait()
	})
	var mu sync.Mutex
	var reports []string
	note := func(s string) {
		mu.Lock()
		defer mu.Unlock()
		reports = append(reports, s)
	}
	c := client.Consume(context.Background(), "indexer", hookbridge.ConsumeOptions{
		OnRejected: func(seqs []uint64, reason string) { note(fmt.Sprintf("rejected %v: %s", seqs, reason)) },
		OnGap:      func(g hookbridge.Gap) { note(fmt.Sprintf("gap %d..%d", g.First, g.Last)) },
	})
	defer c.Close()
	nextMessage(t, c).Ack()
	if m := nextMessage(t, c); m.Sequence() != 10 {
		t.Fatalf("message %d", m.Sequence())
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := c.Flush(ctx); err != nil { // the rejected ack waits for nothing
		t.Fatal(err)
	}
	mu.Lock()
	defer mu.Unlock()
	if strings.Join(reports, "; ") != "rejected [4]: not outstanding at this member; gap 5..9" {
		t.Errorf("reports %q", reports)
	}
	if c.Confirmed() != 0 {
		t.Errorf("confirmed %d", c.Confirmed())
	}
}

func TestCloseFlushesThenEnds(t *testing.T) {
	ended := make(chan error, 1)
	_, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, events(1, 2)...)
		acked(t, s, 1)
		s.Acknowledged(1)
		ended <- s.Wait()
		return nil
	})
	ctx, cancel := context.WithCancel(context.Background())
	c := client.Consume(ctx, "indexer", hookbridge.ConsumeOptions{})
	nextMessage(t, c).Ack()
	cancel() // as Close: the acknowledgement is flushed first
	if err := <-ended; err == nil {
		t.Error("the stream was not cancelled")
	}
	if c.Confirmed() != 1 {
		t.Errorf("confirmed %d", c.Confirmed())
	}
	if _, err := c.Next(context.Background()); err != hookbridge.ErrConsumerClosed {
		t.Errorf("Next after the cancellation: %v", err)
	}
	if c.Close() != nil || c.Err() != nil {
		t.Errorf("Err %v", c.Err())
	}
}

func TestNextReturnsWhenItsContextEnds(t *testing.T) {
	_, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		return s.Wait()
	})
	c := client.Consume(context.Background(), "indexer", hookbridge.ConsumeOptions{})
	defer c.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	if _, err := c.Next(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Next: %v", err)
	}
}

func TestSilentConsumeStreamIsReplaced(t *testing.T) {
	srv, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		if s.Call == 0 {
			return s.Wait() // silent: no heartbeat
		}
		s.Events(1, events(1)...)
		return s.Wait()
	})
	info := proto(srv)
	info.HeartbeatInterval = durationpb.New(20 * time.Millisecond)
	srv.SetInfo(info, nil)
	causes := make(chan *hookbridge.Error, 4)
	c := client.Consume(context.Background(), "indexer", fastConsume(hookbridge.ConsumeOptions{
		OnReconnect: func(_ time.Duration, cause *hookbridge.Error) { causes <- cause },
	}))
	defer c.Close()
	if m := nextMessage(t, c); m.Sequence() != 1 {
		t.Fatalf("message %d", m.Sequence())
	}
	if cause := <-causes; cause.Code != codes.DeadlineExceeded {
		t.Errorf("cause %v", cause)
	}
}

func TestConsumeReceiveLimitComesFromServerInfo(t *testing.T) {
	big := strings.Repeat("x", 5<<20) // above gRPC's default 4 MiB
	srv, client := startConsume(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		ev := fakeserver.Event(1, "big")
		ev.RawBody = []byte(big)
		if err := s.Events(1, ev); err != nil {
			return err
		}
		return s.Wait()
	})
	info := proto(srv)
	info.MaxResponseBytes = (5 << 20) + 64
	srv.SetInfo(info, nil)
	c := client.Consume(context.Background(), "indexer", hookbridge.ConsumeOptions{
		OnReconnect: func(_ time.Duration, cause *hookbridge.Error) { t.Errorf("reconnect: %v", cause) },
	})
	defer c.Close()
	if m := nextMessage(t, c); len(m.Event.GetRawBody()) != len(big) {
		t.Errorf("raw body of %d bytes", len(m.Event.GetRawBody()))
	}
}
