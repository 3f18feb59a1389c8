package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/types/known/structpb"

	ckeditorv1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/ckeditor/v1"
	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
	"github.com/hookbridge/hookbridge/clients/go/internal/fakeserver"
)

// syncBuffer is a bytes.Buffer the client's goroutine and the test share.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func env(vars map[string]string) func(string) string {
	return func(name string) string { return vars[name] }
}

func TestUsageErrorsExit2(t *testing.T) {
	for _, args := range [][]string{
		{"--bogus"},
		{"extra"},
		{"--earliest", "--after", "3"},
		{"--after", "x"},
		{"--count", "-1"},
		{"--ca", "f", "--tls"},
		{"--server-name", "n"},
		{"--target", ""},
		{"--ca", ""},
	} {
		var stderr syncBuffer
		if code := run(context.Background(), args, env(nil), &syncBuffer{}, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
	if code := run(context.Background(), []string{"--help"}, env(nil), &syncBuffer{}, &syncBuffer{}); code != 0 {
		t.Errorf("--help: exit %d", code)
	}
}

func TestParse(t *testing.T) {
	o, err := parse([]string{"--types", "a,b", "--types", "c", "--sources", "s", "--subjects", "x,y",
		"--environment-ids", "e", "--after", "7", "--include-raw", "--allow-gaps", "--count", "3",
		"--ca", "ca.pem", "--server-name", "n"}, env(map[string]string{"HOOKBRIDGE_TARGET": "h:1"}), &syncBuffer{})
	if err != nil {
		t.Fatal(err)
	}
	if o.target != "h:1" || strings.Join(o.filter.Types, ",") != "a,b,c" || o.filter.Sources[0] != "s" ||
		len(o.filter.Subjects) != 2 || o.filter.EnvironmentIDs[0] != "e" || !o.hasAfter || o.after != 7 ||
		!o.includeRaw || !o.allowGaps || o.count != 3 || o.ca != "ca.pem" || o.serverName != "n" {
		t.Errorf("options %+v", o)
	}
	if o, _ := parse(nil, env(nil), &syncBuffer{}); o.target != "localhost:50051" {
		t.Errorf("default target %q", o.target)
	}
}

func startServer(t *testing.T, script func(*fakeserver.Stream) error) *fakeserver.Server {
	t.Helper()
	srv, err := fakeserver.Start(script, nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(srv.Stop)
	return srv
}

func typedEvent(seq uint64) *hookbridgev1.Event {
	ev := fakeserver.Event(seq, "comment.added")
	ev.Payload = &hookbridgev1.Event_Ckeditor{Ckeditor: &ckeditorv1.CkeditorEvent{
		Event: &ckeditorv1.CkeditorEvent_CommentAdded{CommentAdded: &ckeditorv1.CommentAdded{
			Comment: &ckeditorv1.CommentAdded_Comment{Id: "c-1", Content: "hi"}}}}}
	return ev
}

func TestPrintsJSONLinesSavesCursorAndStopsAfterCount(t *testing.T) {
	srv := startServer(t, func(s *fakeserver.Stream) error {
		s.Start(s.Request.GetAfterSequence())
		untyped, _ := structpb.NewStruct(map[string]interface{}{"action": "opened"})
		plain := fakeserver.Event(5, "issues")
		plain.Untyped = untyped
		s.Events(typedEvent(4), plain, fakeserver.Event(6, "x"))
		return s.Wait()
	})
	dir := t.TempDir()
	cursor := filepath.Join(dir, "events.cursor")
	if err := os.WriteFile(cursor, []byte("3\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	var stdout, stderr syncBuffer
	code := run(context.Background(), []string{"--target", srv.Target(), "--cursor", cursor, "--earliest", "--count", "2"},
		env(map[string]string{"HOOKBRIDGE_TOKEN": "tok"}), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout %q", stdout.String())
	}
	var first map[string]interface{}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	comment := first["ckeditor"].(map[string]interface{})["comment_added"].(map[string]interface{})["comment"].(map[string]interface{})
	if first["sequence"] != "4" || first["type"] != "comment.added" || comment["id"] != "c-1" {
		t.Errorf("first line %s", lines[0])
	}
	if !strings.Contains(lines[1], `"untyped":{"action":"opened"}`) {
		t.Errorf("second line %s", lines[1])
	}
	if data, _ := os.ReadFile(cursor); string(data) != "5\n" {
		t.Errorf("cursor %q, want 5", data)
	}
	if got := stderr.String(); got != "subscribed: streaming events after sequence 3\n" {
		t.Errorf("stderr %q", got)
	}
	req := srv.Requests()[0]
	if req.GetAfterSequence() != 3 || req.GetEarliest() {
		t.Errorf("request %v", req)
	}
	if a := srv.Authorization(); len(a) == 0 || a[0] != "Bearer tok" {
		t.Errorf("authorization %v", a)
	}
}

func TestReconnectAndGapAndErrorLines(t *testing.T) {
	srv := startServer(t, func(s *fakeserver.Stream) error {
		switch s.Call {
		case 0:
			s.Start(0)
			s.Gap(1, 4)
			s.Events(fakeserver.Event(5, "a"))
			s.ResumeAfter(6)
			return fakeserver.Unavailable("the server is shutting down", 6, 0)
		default:
			s.Start(s.Request.GetAfterSequence())
			s.ResumeAfter(6)
			return status.Error(codes.OutOfRange, "events after 6 are no longer retained; the oldest is 9")
		}
	})
	var stdout, stderr syncBuffer
	code := run(context.Background(), []string{"--target", srv.Target(), "--allow-gaps", "--earliest"},
		env(nil), &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := regexp.MustCompile(`^subscribed: streaming events after sequence 0
gap: sequences 1\.\.4 were not retained
reconnecting in \d+ ms: UNAVAILABLE: the server is shutting down \(hookbridge-resume-after: 6\)
subscribed: streaming events after sequence 6
error: OUT_OF_RANGE: events after 6 are no longer retained; the oldest is 9 \(hookbridge-resume-after: 6\)
$`)
	if !want.MatchString(stderr.String()) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if !strings.Contains(stdout.String(), `"sequence":"5"`) {
		t.Errorf("stdout %q", stdout.String())
	}
}

func TestCancellationExits0(t *testing.T) {
	srv := startServer(t, func(s *fakeserver.Stream) error {
		s.Start(0)
		return s.Wait()
	})
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int)
	var stderr syncBuffer
	go func() { done <- run(ctx, []string{"--target", srv.Target()}, env(nil), &syncBuffer{}, &stderr) }()
	for !strings.Contains(stderr.String(), "subscribed") {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	select {
	case code := <-done:
		if code != 0 {
			t.Errorf("exit %d: %s", code, stderr.String())
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no exit after cancellation")
	}
}

func TestConsumerModeUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"--consumer", "c", "--types", "a"},
		{"--consumer", "c", "--earliest"},
		{"--consumer", "c", "--after", "3"},
		{"--consumer", "c", "--cursor", "f"},
		{"--consumer", "c", "--include-raw"},
		{"--consumer", ""},
		{"--nack"},
		{"--member", "m"},
		{"--no-ack"},
		{"--consumer", "c", "--nack", "--no-ack"},
		{"--consumer", "c", "--nack-delay", "5"},
		{"--consumer", "c", "--nack", "--nack-delay", "soon"},
	} {
		var stderr syncBuffer
		if code := run(context.Background(), args, env(nil), &syncBuffer{}, &stderr); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, stderr.String())
		}
	}
}

// startConsumer runs a fake server whose Consume calls run script.
func startConsumer(t *testing.T, script func(*fakeserver.ConsumeStream) error) *fakeserver.Server {
	t.Helper()
	srv := startServer(t, nil)
	srv.SetConsumeScript(script)
	return srv
}

func TestConsumerModePrintsAcknowledgesAndWaitsForTheConfirmations(t *testing.T) {
	srv := startConsumer(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, typedEvent(4))
		s.Events(3, fakeserver.Event(5, "x"))
		var seqs []uint64
		for len(seqs) < 2 {
			r := s.Request(10 * time.Second)
			if r.GetAck() == nil {
				return status.Errorf(codes.InvalidArgument, "request %v", r)
			}
			seqs = append(seqs, r.GetAck().GetSequences()...)
			for _, rg := range r.GetAck().GetRanges() {
				for q := rg.GetFirst(); q <= rg.GetLast(); q++ {
					seqs = append(seqs, q)
				}
			}
		}
		s.Rejected("not outstanding at this member", 9)
		s.Acknowledged(seqs...)
		return s.Wait()
	})
	var stdout, stderr syncBuffer
	code := run(context.Background(), []string{"--target", srv.Target(), "--consumer", "indexer", "--member", "m1", "--count", "2"},
		env(map[string]string{"HOOKBRIDGE_TOKEN": "tok"}), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	lines := strings.Split(strings.TrimSuffix(stdout.String(), "\n"), "\n")
	if len(lines) != 2 {
		t.Fatalf("stdout %q", stdout.String())
	}
	var first struct {
		Event           map[string]interface{} `json:"event"`
		DeliveryAttempt int                    `json:"delivery_attempt"`
	}
	if err := json.Unmarshal([]byte(lines[0]), &first); err != nil {
		t.Fatal(err)
	}
	if first.Event["sequence"] != "4" || first.Event["ckeditor"] == nil || first.DeliveryAttempt != 1 {
		t.Errorf("first line %s", lines[0])
	}
	if !strings.Contains(lines[1], `"delivery_attempt":3`) || !strings.Contains(lines[1], `"sequence":"5"`) {
		t.Errorf("second line %s", lines[1])
	}
	if got := stderr.String(); got != "consuming: indexer as member m1\nrejected: 1 sequences: not outstanding at this member\n" {
		t.Errorf("stderr %q", got)
	}
	if start := srv.Starts()[0]; start.GetConsumer() != "indexer" || start.GetMemberId() != "m1" {
		t.Errorf("start %v", start)
	}
}

func TestConsumerModeNacks(t *testing.T) {
	nacks := make(chan *hookbridgev1.NegativeAcknowledge, 1)
	srv := startConsumer(t, func(s *fakeserver.ConsumeStream) error {
		s.Established()
		s.Events(1, fakeserver.Event(7, "x"))
		nacks <- s.Request(10 * time.Second).GetNack()
		return s.Wait()
	})
	var stdout, stderr syncBuffer
	code := run(context.Background(), []string{"--target", srv.Target(), "--consumer", "indexer", "--nack", "--nack-delay", "1500", "--count", "1"},
		env(nil), &stdout, &stderr)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	nack := <-nacks
	if len(nack.GetSequences()) != 1 || nack.GetSequences()[0] != 7 || nack.GetDelay().AsDuration() != 1500*time.Millisecond ||
		nack.GetReason() != "hookbridge-subscribe --nack" {
		t.Errorf("nack %v", nack)
	}
	if got := stderr.String(); got != "consuming: indexer as member (server-chosen)\n" {
		t.Errorf("stderr %q", got)
	}
}

func TestConsumerModeErrorLine(t *testing.T) {
	srv := startConsumer(t, func(s *fakeserver.ConsumeStream) error {
		if s.Call == 0 {
			s.Established()
			return fakeserver.Unavailable("the server is shutting down", 0, 0)
		}
		return status.Error(codes.NotFound, `no consumer "indexer"`)
	})
	var stdout, stderr syncBuffer
	code := run(context.Background(), []string{"--target", srv.Target(), "--consumer", "indexer"}, env(nil), &stdout, &stderr)
	if code != 1 {
		t.Fatalf("exit %d: %s", code, stderr.String())
	}
	want := regexp.MustCompile(`^consuming: indexer as member \(server-chosen\)
reconnecting in \d+ ms: UNAVAILABLE: the server is shutting down
error: NOT_FOUND: no consumer "indexer"
$`)
	if !want.MatchString(stderr.String()) {
		t.Errorf("stderr:\n%s", stderr.String())
	}
	if stdout.String() != "" {
		t.Errorf("stdout %q", stdout.String())
	}
}
