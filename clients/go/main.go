// Command hookbridge-subscriber subscribes to hookbridge and prints each
// matching event as one JSON line.
//
// After each event it saves the event's sequence (the cursor) to a file;
// when started again it resumes right after that sequence, so a restart
// neither skips nor repeats an event. Without a cursor file it starts live,
// or at the oldest retained event with -earliest.
//
//	clients/go/build.sh    # stubs and binary into build/clients/go
//	build/clients/go/bin/hookbridge-subscriber -target localhost:50051 \
//	    -types 'comment.*' -cursor comments.cursor
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"unicode"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/grpc/status"
	"google.golang.org/protobuf/encoding/protojson"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
)

const (
	startAfterHeader   = "hookbridge-start-after"
	resumeAfterTrailer = "hookbridge-resume-after"
)

// listFlag collects comma-separated values; the flag may also repeat.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(value string) error {
	for _, item := range strings.Split(value, ",") {
		if item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

func envOr(name, fallback string) string {
	if value, ok := os.LookupEnv(name); ok {
		return value
	}
	return fallback
}

// loadCursor returns the sequence saved in path; ok is false when there is
// no file.
func loadCursor(path string) (sequence uint64, ok bool, err error) {
	data, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	sequence, err = strconv.ParseUint(strings.TrimSpace(string(data)), 10, 64)
	if err != nil {
		return 0, false, fmt.Errorf("%s does not hold a sequence number: %w", path, err)
	}
	return sequence, true, nil
}

// saveCursor replaces path with sequence atomically: a crash leaves the old
// or the new cursor, never a torn one.
func saveCursor(path string, sequence uint64) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".cursor-")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op once renamed
	if _, err := fmt.Fprintf(tmp, "%d\n", sequence); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

// jsonLine renders event as one line of JSON with proto field names.
func jsonLine(event *hookbridgev1.Event) ([]byte, error) {
	data, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(event)
	if err != nil {
		return nil, err
	}
	// protojson varies its whitespace on purpose; compact it to one line.
	var line bytes.Buffer
	if err := json.Compact(&line, data); err != nil {
		return nil, err
	}
	line.WriteByte('\n')
	return line.Bytes(), nil
}

func run() int {
	target := flag.String("target", envOr("HOOKBRIDGE_TARGET", "localhost:50051"),
		"hookbridge gRPC address (default: $HOOKBRIDGE_TARGET or localhost:50051)")
	var types, sources listFlag
	flag.Var(&types, "types", "event types or patterns, comma-separated, e.g. 'comment.*,*.removed'")
	flag.Var(&sources, "sources", "source names, comma-separated")
	cursorPath := flag.String("cursor", envOr("HOOKBRIDGE_CURSOR", "hookbridge.cursor"),
		"file holding the last sequence processed (default: $HOOKBRIDGE_CURSOR or ./hookbridge.cursor)")
	earliest := flag.Bool("earliest", false,
		"without a cursor file, start at the oldest retained event (default: live)")
	count := flag.Int("count", 0, "exit after this many events (0: never)")
	flag.Parse()
	if flag.NArg() > 0 {
		fmt.Fprintf(os.Stderr, "hookbridge-subscriber: unexpected argument %q\n", flag.Arg(0))
		return 2
	}

	request := &hookbridgev1.SubscribeRequest{Types: types, Sources: sources}
	cursor, haveCursor, err := loadCursor(*cursorPath)
	if err != nil {
		fmt.Fprintf(os.Stderr, "hookbridge-subscriber: %v\n", err)
		return 2
	}
	switch {
	case haveCursor: // resume right after the last event processed
		request.Start = &hookbridgev1.SubscribeRequest_AfterSequence{AfterSequence: cursor}
	case *earliest:
		request.Start = &hookbridgev1.SubscribeRequest_Earliest{Earliest: true}
	default: // live: only events appended from now on
	}

	// Ctrl-C or SIGTERM cancels the stream.
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// No TLS here; put hookbridge behind TLS and use credentials/tls in production.
	// (grpc.WithInsecure: Debian's grpc-go 1.33 predates credentials/insecure.)
	conn, err := grpc.Dial(*target, grpc.WithInsecure())
	if err != nil {
		fmt.Fprintf(os.Stderr, "hookbridge-subscriber: %v\n", err)
		return 1
	}
	defer conn.Close()

	// The subscriber token, from the environment (flags show in the process list).
	if token := os.Getenv("HOOKBRIDGE_TOKEN"); token != "" {
		ctx = metadata.AppendToOutgoingContext(ctx, "authorization", "Bearer "+token)
	}
	stream, err := hookbridgev1.NewEventBridgeServiceClient(conn).Subscribe(ctx, request)
	if err != nil {
		return reportEnd(err, nil)
	}
	// The server sends this once the stream is established.
	if header, err := stream.Header(); err == nil {
		if start := header.Get(startAfterHeader); len(start) > 0 {
			fmt.Fprintf(os.Stderr, "hookbridge-subscriber: streaming events after sequence %s\n", start[0])
		}
	}
	processed := 0
	var pending []*hookbridgev1.Event
	for *count == 0 || processed < *count {
		if len(pending) == 0 {
			response, err := stream.Recv()
			if err == io.EOF {
				return 0 // the server ended the stream
			}
			if err != nil {
				if ctx.Err() != nil {
					return 130 // interrupted
				}
				return reportEnd(err, stream.Trailer())
			}
			pending = response.GetEvents()
			continue
		}
		event := pending[0]
		pending = pending[1:]
		processed++
		// Process the event; here: print it.
		line, err := jsonLine(event)
		if err != nil {
			fmt.Fprintf(os.Stderr, "hookbridge-subscriber: %v\n", err)
			return 1
		}
		if _, err := os.Stdout.Write(line); err != nil {
			return 1
		}
		// Only then move the cursor past it.
		if err := saveCursor(*cursorPath, event.GetSequence()); err != nil {
			fmt.Fprintf(os.Stderr, "hookbridge-subscriber: saving the cursor: %v\n", err)
			return 1
		}
	}
	return 0 // -count events processed; the deferred stop and Close end the stream
}

// reportEnd prints why the stream ended and, when the stream had started,
// the server's hookbridge-resume-after trailer: every matching event up to
// that sequence was sent, so a restart may resume from there.
func reportEnd(err error, trailer metadata.MD) int {
	st := status.Convert(err)
	message := fmt.Sprintf("hookbridge-subscriber: stream ended: %s: %s", codeName(st.Code()), st.Message())
	if resume := trailer.Get(resumeAfterTrailer); len(resume) > 0 {
		message += fmt.Sprintf(" (%s: %s)", resumeAfterTrailer, resume[0])
	}
	fmt.Fprintln(os.Stderr, message)
	return 1
}

// codeName spells a status code as in the gRPC spec, e.g. OUT_OF_RANGE.
func codeName(code codes.Code) string {
	var name strings.Builder
	previous := rune(0)
	for _, r := range code.String() { // e.g. "OutOfRange"
		if unicode.IsUpper(r) && unicode.IsLower(previous) {
			name.WriteByte('_')
		}
		name.WriteRune(unicode.ToUpper(r))
		previous = r
	}
	return name.String()
}

func main() {
	os.Exit(run())
}
