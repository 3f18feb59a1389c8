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
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	gproto "google.golang.org/protobuf/proto"
	"google.golang.org/protobuf/types/known/durationpb"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
	"github.com/hookbridge/hookbridge/clients/go/hookbridge"
	"github.com/hookbridge/hookbridge/clients/go/internal/fakeserver"
)

// start runs a fake server with script and a client connected to it.
func start(t *testing.T, script func(*fakeserver.Stream) error, opts ...hookbridge.Option) (*fakeserver.Server, *hookbridge.Client) {
	t.Helper()
	srv, err := fakeserver.Start(script, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	client, err := hookbridge.Dial(context.Background(), srv.Target(), opts...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.Close() })
	return srv, client
}

// fast retries: the tests check what is retried, not how long it waits.
var fast = hookbridge.WithBackoff(time.Millisecond, 5*time.Millisecond)

// next returns the next event's sequence, failing the test if there is none.
func next(t *testing.T, sub *hookbridge.Subscription) uint64 {
	t.Helper()
	done := make(chan bool, 1)
	go func() { done <- sub.Next() }()
	select {
	case ok := <-done:
		if !ok {
			t.Fatalf("subscription ended: %v", sub.Err())
		}
	case <-time.After(10 * time.Second):
		t.Fatal("no event within 10 s")
	}
	return sub.Event().GetSequence()
}

func sequences(t *testing.T, sub *hookbridge.Subscription, n int) []uint64 {
	t.Helper()
	var out []uint64
	for i := 0; i < n; i++ {
		out = append(out, next(t, sub))
	}
	return out
}

func equal(a, b []uint64) bool { return fmt.Sprint(a) == fmt.Sprint(b) }

func TestEventsOneAtATimeHoweverBatched(t *testing.T) {
	srv, client := start(t, func(s *fakeserver.Stream) error {
		s.Start(0)
		s.Events(fakeserver.Event(1, "a"), fakeserver.Event(2, "b"), fakeserver.Event(3, "a"))
		s.Server.Send(&hookbridgev1.SubscribeResponse{}) // unknown: skipped
		s.Events(fakeserver.Event(4, "a"))
		s.Events(fakeserver.Event(5, "b"), fakeserver.Event(6, "c"))
		return s.Wait()
	})
	var started []uint64
	sub := client.Subscribe(context.Background(),
		hookbridge.Filter{Types: []string{"a", "b*"}, Sources: []string{"s"}, EnvironmentIDs: []string{"e"}, Subjects: []string{"d"}},
		hookbridge.Earliest(), hookbridge.IncludeRaw(),
		hookbridge.OnSubscribed(func(n uint64) { started = append(started, n) }))
	defer sub.Close()
	if got := sequences(t, sub, 6); !equal(got, []uint64{1, 2, 3, 4, 5, 6}) {
		t.Errorf("sequences %v", got)
	}
	if sub.Event().GetType() != "c" {
		t.Errorf("last event %v", sub.Event())
	}
	req := srv.Requests()[0]
	if !req.GetEarliest() || !req.GetIncludeRaw() || req.GetAllowGaps() ||
		strings.Join(req.GetTypes(), ",") != "a,b*" || req.GetSources()[0] != "s" ||
		req.GetEnvironmentIds()[0] != "e" || req.GetSubjects()[0] != "d" {
		t.Errorf("request %v", req)
	}
	if !equal(started, []uint64{0}) {
		t.Errorf("OnSubscribed calls %v", started)
	}
	sub.Close()
	if sub.Next() || sub.Err() != nil {
		t.Errorf("after Close: Err %v", sub.Err())
	}
}

func TestReconnectResumesAfterTheLaterOfLastEventAndTrailer(t *testing.T) {
	for _, tc := range []struct {
		name    string
		trailer uint64
		want    uint64
	}{
		{"trailer later", 5, 5},
		{"trailer earlier", 1, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, client := start(t, func(s *fakeserver.Stream) error {
				switch s.Call {
				case 0:
					s.Start(0)
					s.Events(fakeserver.Event(1, "a"), fakeserver.Event(2, "a"))
					s.ResumeAfter(tc.trailer)
					return fakeserver.Unavailable("the server is shutting down", tc.trailer, 30*time.Millisecond)
				default:
					s.Start(s.Request.GetAfterSequence())
					s.Events(fakeserver.Event(7, "a"))
					return s.Wait()
				}
			})
			var started []uint64
			var waits []time.Duration
			var causes []*hookbridge.Error
			sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast,
				hookbridge.OnSubscribed(func(n uint64) { started = append(started, n) }),
				hookbridge.OnReconnect(func(w time.Duration, c *hookbridge.Error) {
					waits, causes = append(waits, w), append(causes, c)
				}))
			defer sub.Close()
			if got := sequences(t, sub, 3); !equal(got, []uint64{1, 2, 7}) {
				t.Errorf("sequences %v", got)
			}
			reqs := srv.Requests()
			if len(reqs) != 2 || reqs[0].GetStart() != nil || reqs[1].GetAfterSequence() != tc.want {
				t.Fatalf("requests %v", reqs)
			}
			if _, ok := reqs[1].GetStart().(*hookbridgev1.SubscribeRequest_AfterSequence); !ok {
				t.Errorf("second request does not resume: %v", reqs[1])
			}
			if !equal(started, []uint64{0, tc.want}) {
				t.Errorf("OnSubscribed %v", started)
			}
			if len(causes) != 1 || causes[0].Code != codes.Unavailable || causes[0].ResumeAfter != tc.trailer {
				t.Fatalf("reconnect causes %v", causes)
			}
			// RetryInfo (30 ms) is the least wait, above the 5 ms backoff.
			if waits[0] < 30*time.Millisecond {
				t.Errorf("waited %v despite RetryInfo 30ms", waits[0])
			}
			want := fmt.Sprintf("UNAVAILABLE: the server is shutting down (hookbridge-resume-after: %d)", tc.trailer)
			if causes[0].Error() != want {
				t.Errorf("cause %q", causes[0].Error())
			}
		})
	}
}

func TestLiveStartResumesAfterTheStartHeader(t *testing.T) {
	srv, client := start(t, func(s *fakeserver.Stream) error {
		if s.Call == 0 {
			s.Start(40) // live: the end of the log
			return status.Error(codes.Unavailable, "connection reset")
		}
		s.Start(s.Request.GetAfterSequence())
		s.Events(fakeserver.Event(41, "a"))
		return s.Wait()
	})
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast)
	defer sub.Close()
	if got := next(t, sub); got != 41 {
		t.Errorf("sequence %d", got)
	}
	reqs := srv.Requests()
	if reqs[0].GetStart() != nil || reqs[1].GetAfterSequence() != 40 {
		t.Errorf("requests %v", reqs)
	}
}

func TestCursorStoreResumesAndSavesOnceHandled(t *testing.T) {
	store := &hookbridge.MemoryCursorStore{}
	_ = store.Save(41)
	srv, client := start(t, func(s *fakeserver.Stream) error {
		s.Start(41)
		s.Events(fakeserver.Event(42, "a"), fakeserver.Event(43, "a"))
		return s.Wait()
	})
	sub := client.Subscribe(context.Background(), hookbridge.Filter{},
		hookbridge.Earliest(), hookbridge.WithCursorStore(store))
	defer sub.Close()
	saved := func() uint64 { seq, _, _ := store.Load(); return seq }
	if next(t, sub) != 42 || saved() != 41 {
		t.Errorf("event 42 saved before it was handled: %d", saved())
	}
	if next(t, sub) != 43 || saved() != 42 {
		t.Errorf("event 42 not saved once the next was requested: %d", saved())
	}
	if err := sub.Commit(); err != nil || saved() != 43 {
		t.Errorf("Commit: %v, saved %d", err, saved())
	}
	req := srv.Requests()[0]
	if req.GetEarliest() || req.GetAfterSequence() != 41 {
		t.Errorf("request ignores the stored cursor: %v", req)
	}
}

func TestHeartbeatMovesThePositionOnlyForwardAndSavesIt(t *testing.T) {
	store := &hookbridge.MemoryCursorStore{}
	heartbeatSeen := make(chan struct{})
	srv, client := start(t, func(s *fakeserver.Stream) error {
		switch s.Call {
		case 0:
			s.Start(0)
			s.Events(fakeserver.Event(3, "a"))
			s.Heartbeat(20, 2) // earlier: ignored
			s.Heartbeat(20, 9)
			<-heartbeatSeen
			return status.Error(codes.Internal, "stream broke") // no trailer
		default:
			s.Events(fakeserver.Event(12, "a"))
			return s.Wait()
		}
	})
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast, hookbridge.WithCursorStore(store),
		hookbridge.OnReconnect(func(time.Duration, *hookbridge.Error) {}))
	defer sub.Close()
	if next(t, sub) != 3 {
		t.Fatal("first event")
	}
	go func() {
		for {
			if seq, _, _ := store.Load(); seq == 9 {
				close(heartbeatSeen)
				return
			}
			time.Sleep(time.Millisecond)
		}
	}()
	if got := next(t, sub); got != 12 {
		t.Errorf("sequence %d", got)
	}
	if got := srv.Requests()[1].GetAfterSequence(); got != 9 {
		t.Errorf("resumed after %d, want the heartbeat's 9", got)
	}
}

func TestStatusesThatAreNotRetriedEndTheSubscription(t *testing.T) {
	for _, code := range []codes.Code{codes.OutOfRange, codes.InvalidArgument, codes.Unauthenticated,
		codes.PermissionDenied, codes.Canceled, codes.FailedPrecondition} {
		t.Run(hookbridge.CodeName(code), func(t *testing.T) {
			srv, client := start(t, func(s *fakeserver.Stream) error {
				s.ResumeAfter(3)
				return status.Error(code, "refused")
			})
			reconnects := 0
			sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast,
				hookbridge.OnReconnect(func(time.Duration, *hookbridge.Error) { reconnects++ }))
			defer sub.Close()
			if sub.Next() {
				t.Fatal("an event")
			}
			var e *hookbridge.Error
			if !errors.As(sub.Err(), &e) || e.Code != code || e.Message != "refused" ||
				!e.HasResumeAfter || e.ResumeAfter != 3 {
				t.Fatalf("Err %#v", sub.Err())
			}
			if reconnects != 0 || len(srv.Requests()) != 1 {
				t.Errorf("retried: %d reconnects, %d requests", reconnects, len(srv.Requests()))
			}
			if sub.Next() {
				t.Error("Next after the end")
			}
		})
	}
}

func TestRetryableStatusesReconnect(t *testing.T) {
	for _, code := range []codes.Code{codes.Unavailable, codes.ResourceExhausted, codes.Aborted,
		codes.Internal, codes.Unknown, codes.DeadlineExceeded} {
		t.Run(hookbridge.CodeName(code), func(t *testing.T) {
			_, client := start(t, func(s *fakeserver.Stream) error {
				if s.Call == 0 {
					return status.Error(code, "try again")
				}
				s.Events(fakeserver.Event(1, "a"))
				return s.Wait()
			})
			var causes []codes.Code
			sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast,
				hookbridge.OnReconnect(func(_ time.Duration, c *hookbridge.Error) { causes = append(causes, c.Code) }))
			defer sub.Close()
			if next(t, sub) != 1 || len(causes) != 1 || causes[0] != code {
				t.Errorf("reconnect causes %v", causes)
			}
		})
	}
}

func TestServerInfoFailures(t *testing.T) {
	srv, client := start(t, nil)
	srv.SetInfo(nil, status.Error(codes.Unauthenticated, "no token"))
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast)
	if sub.Next() || status.Code(sub.Err()) != codes.Unauthenticated {
		t.Errorf("Err %v", sub.Err())
	}
	if len(srv.Requests()) != 0 {
		t.Error("subscribed without server info")
	}
}

func TestGapsAreReportedAndSkipped(t *testing.T) {
	store := &hookbridge.MemoryCursorStore{}
	srv, client := start(t, func(s *fakeserver.Stream) error {
		if s.Call == 0 {
			s.Start(0)
			s.Gap(1, 5)
			s.Events(fakeserver.Event(6, "a"))
			s.Gap(7, 9)
			return status.Error(codes.Unavailable, "bye")
		}
		s.Events(fakeserver.Event(10, "a"))
		return s.Wait()
	})
	var gaps []hookbridge.Gap
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast, hookbridge.Earliest(),
		hookbridge.WithCursorStore(store),
		hookbridge.AllowGaps(func(g hookbridge.Gap) { gaps = append(gaps, g) }))
	defer sub.Close()
	if next(t, sub) != 6 || len(gaps) != 1 || gaps[0] != (hookbridge.Gap{First: 1, Last: 5}) {
		t.Fatalf("gaps %v", gaps)
	}
	if next(t, sub) != 10 || len(gaps) != 2 || gaps[1] != (hookbridge.Gap{First: 7, Last: 9}) {
		t.Fatalf("gaps %v", gaps)
	}
	reqs := srv.Requests()
	if !reqs[0].GetAllowGaps() || reqs[1].GetAfterSequence() != 9 {
		t.Errorf("requests %v", reqs)
	}
}

func TestDuplicatesAreDropped(t *testing.T) {
	_, client := start(t, func(s *fakeserver.Stream) error {
		if s.Call == 0 {
			s.Events(fakeserver.Event(1, "a"), fakeserver.Event(2, "a"))
			return status.Error(codes.Unavailable, "bye")
		}
		// A misbehaving server repeats event 2.
		s.Events(fakeserver.Event(2, "a"), fakeserver.Event(3, "a"))
		return s.Wait()
	})
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast)
	defer sub.Close()
	if got := sequences(t, sub, 3); !equal(got, []uint64{1, 2, 3}) {
		t.Errorf("sequences %v", got)
	}
}

func TestCancellationEndsCleanlyWithoutReconnecting(t *testing.T) {
	established := make(chan struct{})
	srv, client := start(t, func(s *fakeserver.Stream) error {
		s.Start(0)
		close(established)
		return s.Wait()
	})
	ctx, cancel := context.WithCancel(context.Background())
	reconnects := 0
	sub := client.Subscribe(ctx, hookbridge.Filter{}, fast,
		hookbridge.OnReconnect(func(time.Duration, *hookbridge.Error) { reconnects++ }))
	go func() {
		<-established
		cancel()
	}()
	begun := time.Now()
	if sub.Next() {
		t.Fatal("an event")
	}
	if sub.Err() != nil || reconnects != 0 || len(srv.Requests()) != 1 {
		t.Errorf("Err %v, %d reconnects, %d requests", sub.Err(), reconnects, len(srv.Requests()))
	}
	if time.Since(begun) > 5*time.Second {
		t.Errorf("cancellation took %v", time.Since(begun))
	}
}

func TestCloseFromAnotherGoroutine(t *testing.T) {
	_, client := start(t, func(s *fakeserver.Stream) error { return s.Wait() })
	sub := client.Subscribe(context.Background(), hookbridge.Filter{})
	go func() {
		time.Sleep(50 * time.Millisecond)
		sub.Close()
	}()
	if sub.Next() || sub.Err() != nil {
		t.Errorf("Err %v", sub.Err())
	}
}

func TestCancellationDuringTheWaitBeforeARetry(t *testing.T) {
	_, client := start(t, func(s *fakeserver.Stream) error {
		return fakeserver.Unavailable("down", 0, time.Hour)
	})
	ctx, cancel := context.WithCancel(context.Background())
	sub := client.Subscribe(ctx, hookbridge.Filter{},
		hookbridge.OnReconnect(func(w time.Duration, _ *hookbridge.Error) {
			if w < time.Hour {
				t.Errorf("wait %v below RetryInfo", w)
			}
			cancel()
		}))
	if sub.Next() || sub.Err() != nil {
		t.Errorf("Err %v", sub.Err())
	}
}

func TestSilentStreamIsReplacedAfterThreeHeartbeatIntervals(t *testing.T) {
	srv, client := start(t, func(s *fakeserver.Stream) error {
		if s.Call == 0 {
			s.Start(0)
			return s.Wait() // silent: no heartbeat
		}
		s.Events(fakeserver.Event(1, "a"))
		return s.Wait()
	})
	info := proto(srv)
	info.HeartbeatInterval = durationpb.New(20 * time.Millisecond)
	srv.SetInfo(info, nil)
	var causes []*hookbridge.Error
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast,
		hookbridge.OnReconnect(func(_ time.Duration, c *hookbridge.Error) { causes = append(causes, c) }))
	defer sub.Close()
	begun := time.Now()
	if next(t, sub) != 1 {
		t.Fatal("event")
	}
	if len(causes) != 1 || causes[0].Code != codes.DeadlineExceeded {
		t.Fatalf("causes %v", causes)
	}
	if d := time.Since(begun); d < 60*time.Millisecond {
		t.Errorf("gave up on the stream after %v, before 3 intervals", d)
	}
}

func TestHeartbeatsKeepAQuietStream(t *testing.T) {
	srv, client := start(t, func(s *fakeserver.Stream) error {
		// 400 ms in all, more than the 300 ms a silent stream is given.
		for i := 0; i < 20; i++ {
			time.Sleep(20 * time.Millisecond)
			s.Heartbeat(0, 0)
		}
		s.Events(fakeserver.Event(1, "a"))
		return s.Wait()
	})
	info := proto(srv)
	info.HeartbeatInterval = durationpb.New(100 * time.Millisecond)
	srv.SetInfo(info, nil)
	reconnects := 0
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, fast,
		hookbridge.OnReconnect(func(time.Duration, *hookbridge.Error) { reconnects++ }))
	defer sub.Close()
	if next(t, sub) != 1 || reconnects != 0 {
		t.Errorf("%d reconnects on a stream with heartbeats", reconnects)
	}
}

// proto copies the fake server's current GetServerInfoResponse.
func proto(srv *fakeserver.Server) *hookbridgev1.GetServerInfoResponse {
	return gproto.Clone(srv.Info).(*hookbridgev1.GetServerInfoResponse)
}

func TestReceiveLimitComesFromServerInfo(t *testing.T) {
	big := strings.Repeat("x", 5<<20) // above gRPC's default 4 MiB
	srv, client := start(t, func(s *fakeserver.Stream) error {
		ev := fakeserver.Event(1, "big")
		ev.RawBody = []byte(big)
		if err := s.Events(ev); err != nil {
			return err
		}
		return s.Wait()
	})
	info := proto(srv)
	info.MaxResponseBytes = 6 << 20
	srv.SetInfo(info, nil)
	sub := client.Subscribe(context.Background(), hookbridge.Filter{}, hookbridge.IncludeRaw(),
		hookbridge.OnReconnect(func(_ time.Duration, c *hookbridge.Error) { t.Errorf("reconnect: %v", c) }))
	defer sub.Close()
	if next(t, sub) != 1 || len(sub.Event().GetRawBody()) != len(big) {
		t.Errorf("raw body of %d bytes", len(sub.Event().GetRawBody()))
	}
}

// Without the server's max_response_bytes, gRPC's default 4 MiB limit
// refuses the same event.
func TestDefaultReceiveLimitRefusesLargeEvents(t *testing.T) {
	srv, client := start(t, func(s *fakeserver.Stream) error {
		ev := fakeserver.Event(1, "big")
		ev.RawBody = make([]byte, 5<<20)
		s.Events(ev)
		return s.Wait()
	})
	info := proto(srv)
	info.MaxResponseBytes = 0 // not announced: the default applies
	srv.SetInfo(info, nil)
	ctx, cancel := context.WithCancel(context.Background())
	var cause *hookbridge.Error
	sub := client.Subscribe(ctx, hookbridge.Filter{}, hookbridge.OnReconnect(func(_ time.Duration, c *hookbridge.Error) {
		cause = c
		cancel()
	}))
	if sub.Next() || sub.Err() != nil {
		t.Fatalf("Next: %v", sub.Err())
	}
	if cause == nil || cause.Code != codes.ResourceExhausted {
		t.Errorf("cause %v", cause)
	}
}

func TestTokenIsSentOnEveryCall(t *testing.T) {
	srv, client := start(t, func(s *fakeserver.Stream) error { return s.Wait() }, hookbridge.WithToken("s3cret"))
	if _, err := client.ServerInfo(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := client.EventTypes(context.Background()); err != nil {
		t.Fatal(err)
	}
	for _, a := range srv.Authorization() {
		if a != "Bearer s3cret" {
			t.Errorf("authorization %q", a)
		}
	}
	if len(srv.Authorization()) != 2 {
		t.Errorf("authorization on %d of 2 calls", len(srv.Authorization()))
	}
}

func TestTLSWithCustomCAAndServerName(t *testing.T) {
	dir := t.TempDir()
	caFile, cert, err := fakeserver.NewCA(dir, "hookbridge.test")
	if err != nil {
		t.Fatal(err)
	}
	srv, err := fakeserver.Start(func(s *fakeserver.Stream) error {
		s.Events(fakeserver.Event(1, "a"))
		return s.Wait()
	}, cert)
	if err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	client, err := hookbridge.Dial(context.Background(), srv.Target(),
		hookbridge.WithTLS(caFile), hookbridge.WithServerName("hookbridge.test"), hookbridge.WithToken("t"))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	sub := client.Subscribe(context.Background(), hookbridge.Filter{})
	defer sub.Close()
	if next(t, sub) != 1 {
		t.Fatal("event")
	}
	if got := srv.Authorization(); len(got) == 0 || got[0] != "Bearer t" {
		t.Errorf("authorization %v", got)
	}

	// The wrong name, or the system roots, fail the handshake: UNAVAILABLE.
	for _, opts := range [][]hookbridge.Option{
		{hookbridge.WithTLS(caFile), hookbridge.WithServerName("other.test")},
		{hookbridge.WithTLS(""), hookbridge.WithServerName("hookbridge.test")},
	} {
		c, err := hookbridge.Dial(context.Background(), srv.Target(), opts...)
		if err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err = c.ServerInfo(ctx)
		cancel()
		c.Close()
		if status.Code(err) != codes.Unavailable {
			t.Errorf("untrusted server: %v", err)
		}
	}
	if _, err := hookbridge.Dial(context.Background(), srv.Target(), hookbridge.WithTLS(dir+"/missing.pem")); err == nil {
		t.Error("a missing CA file is accepted")
	}
}

func TestRunSavesOnlyHandledEvents(t *testing.T) {
	_, client := start(t, func(s *fakeserver.Stream) error {
		s.Events(fakeserver.Event(1, "a"), fakeserver.Event(2, "a"), fakeserver.Event(3, "a"))
		return s.Wait()
	})
	store := &hookbridge.MemoryCursorStore{}
	failed := errors.New("handler failed")
	err := client.Run(context.Background(), hookbridge.Filter{}, func(ev *hookbridge.Event) error {
		if ev.GetSequence() == 3 {
			return failed
		}
		return nil
	}, hookbridge.WithCursorStore(store))
	if err != failed {
		t.Errorf("Run: %v", err)
	}
	if seq, _, _ := store.Load(); seq != 2 {
		t.Errorf("saved %d, want 2 (event 3 failed)", seq)
	}

	// Cancelling ends Run with nil, the last handled event saved.
	ctx, cancel := context.WithCancel(context.Background())
	var mu sync.Mutex
	store = &hookbridge.MemoryCursorStore{}
	err = client.Run(ctx, hookbridge.Filter{}, func(ev *hookbridge.Event) error {
		mu.Lock()
		defer mu.Unlock()
		if ev.GetSequence() == 3 {
			cancel()
		}
		return nil
	}, hookbridge.WithCursorStore(store))
	if err != nil {
		t.Errorf("Run after cancel: %v", err)
	}
	if seq, _, _ := store.Load(); seq != 3 {
		t.Errorf("saved %d, want 3", seq)
	}
}

func TestStatusErrorsFromUnaryCalls(t *testing.T) {
	srv, client := start(t, nil)
	srv.SetInfo(nil, status.Error(codes.PermissionDenied, "no"))
	_, err := client.ServerInfo(metadata.NewOutgoingContext(context.Background(), nil))
	var e *hookbridge.Error
	if !errors.As(err, &e) || e.Code != codes.PermissionDenied || err.Error() != "PERMISSION_DENIED: no" {
		t.Errorf("ServerInfo error %v", err)
	}
}
