// Command hookbridge-subscribe subscribes to hookbridge and prints each
// matching event as one line of JSON (the protobuf JSON mapping with the
// proto field names), reconnecting by itself, and keeps a cursor file when
// asked to; or consumes a durable consumer's events as one member of its
// group, printing and acknowledging each:
//
//	hookbridge-subscribe --target HOST:PORT [--ca FILE | --tls] [--server-name NAME]
//	    [--types a,b] [--sources a,b] [--subjects a,b] [--environment-ids a,b]
//	    [--cursor FILE] [--earliest | --after N] [--include-raw] [--allow-gaps]
//	    [--count N]
//	hookbridge-subscribe --target HOST:PORT ... --consumer NAME [--member ID]
//	    [--nack] [--nack-delay MS] [--no-ack] [--count N]
//
// The token comes from $HOOKBRIDGE_TOKEN, the default target from
// $HOOKBRIDGE_TARGET (else localhost:50051). Exit status: 0 after --count
// events or on SIGINT/SIGTERM, 1 after an error, 2 for a usage error.
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
	"strconv"
	"strings"
	"syscall"
	"time"

	"google.golang.org/protobuf/encoding/protojson"
	"google.golang.org/protobuf/proto"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
	"github.com/hookbridge/hookbridge/clients/go/hookbridge"
)

const usageText = `usage: hookbridge-subscribe --target HOST:PORT [--ca FILE | --tls] [--server-name NAME]
    [--types a,b] [--sources a,b] [--subjects a,b] [--environment-ids a,b]
    [--cursor FILE] [--earliest | --after N] [--include-raw] [--allow-gaps]
    [--count N]
       hookbridge-subscribe --target HOST:PORT ... --consumer NAME [--member ID]
    [--nack] [--nack-delay MS] [--no-ack] [--count N]

Prints each matching event as one JSON line; with --consumer, each event of
the durable consumer NAME as one JSON line of {"event", "delivery_attempt"},
then acknowledges it (or nacks it, or leaves it alone). The token comes from
$HOOKBRIDGE_TOKEN; --target defaults to $HOOKBRIDGE_TARGET or localhost:50051.
List flags take comma-separated values and may repeat.
`

// listFlag collects comma-separated values; the flag may repeat.
type listFlag []string

func (l *listFlag) String() string { return strings.Join(*l, ",") }

func (l *listFlag) Set(value string) error {
	for _, item := range strings.Split(value, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// options is the parsed command line.
type options struct {
	target     string
	ca         string
	tls        bool
	serverName string
	filter     hookbridge.Filter
	cursor     string
	earliest   bool
	after      uint64
	hasAfter   bool
	includeRaw bool
	allowGaps  bool
	count      uint64

	// Consumer mode.
	consumer  string
	member    string
	nack      bool
	nackDelay time.Duration
	noAck     bool
}

// usageError is a bad command line (exit status 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

// parse reads the command line; getenv supplies the default target.
func parse(args []string, getenv func(string) string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("hookbridge-subscribe", flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprint(stderr, usageText)
		fmt.Fprintln(stderr, "\nflags:")
		fs.PrintDefaults()
	}
	target := getenv("HOOKBRIDGE_TARGET")
	if target == "" {
		target = "localhost:50051"
	}
	var types, sources, subjects, environments listFlag
	var after, count, nackDelay string
	fs.StringVar(&o.target, "target", target, "hookbridge gRPC address HOST:PORT")
	fs.StringVar(&o.ca, "ca", "", "TLS, trusting the CA certificates in `FILE`")
	fs.BoolVar(&o.tls, "tls", false, "TLS, trusting the system's root certificates")
	fs.StringVar(&o.serverName, "server-name", "", "expect this `NAME` in the server's certificate (TLS only)")
	fs.Var(&types, "types", "event types or patterns, e.g. 'comment.*'")
	fs.Var(&sources, "sources", "source names")
	fs.Var(&subjects, "subjects", "subjects (document, asset, file ids)")
	fs.Var(&environments, "environment-ids", "provider environment ids")
	fs.StringVar(&o.cursor, "cursor", "", "resume after the sequence in `FILE` and keep it there")
	fs.BoolVar(&o.earliest, "earliest", false, "start at the oldest retained event (without a stored cursor)")
	fs.StringVar(&after, "after", "", "start after sequence `N` (without a stored cursor)")
	fs.BoolVar(&o.includeRaw, "include-raw", false, "include each event's original request body")
	fs.BoolVar(&o.allowGaps, "allow-gaps", false, "report evicted events as gaps and go on instead of failing")
	fs.StringVar(&count, "count", "", "exit 0 after `N` events (0: no limit); with --consumer, once their acknowledgements are confirmed")
	fs.StringVar(&o.consumer, "consumer", "", "consume the durable consumer `NAME` as a member of its group")
	fs.StringVar(&o.member, "member", "", "with --consumer: the member `ID` (default: the server chooses)")
	fs.BoolVar(&o.nack, "nack", false, "with --consumer: negatively acknowledge each event instead")
	fs.StringVar(&nackDelay, "nack-delay", "", "with --nack: deliver it again after `MS` milliseconds")
	fs.BoolVar(&o.noAck, "no-ack", false, "with --consumer: leave each event unacknowledged until its deadline")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, usageError{fmt.Sprintf("unexpected argument %q", fs.Arg(0))}
	}
	o.filter = hookbridge.Filter{Types: types, Sources: sources, Subjects: subjects, EnvironmentIDs: environments}
	set := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { set[f.Name] = true })
	if o.target == "" {
		return nil, usageError{"--target is empty"}
	}
	if set["ca"] && o.ca == "" {
		return nil, usageError{"--ca needs a file"}
	}
	if set["ca"] && set["tls"] {
		return nil, usageError{"--ca and --tls exclude each other (--ca implies TLS)"}
	}
	if set["server-name"] && !set["ca"] && !o.tls {
		return nil, usageError{"--server-name needs --ca or --tls"}
	}
	if set["after"] {
		n, err := number("after", after, "a sequence number", 64)
		if err != nil {
			return nil, err
		}
		o.after, o.hasAfter = n, true
	}
	if o.hasAfter && o.earliest {
		return nil, usageError{"--earliest and --after exclude each other"}
	}
	if set["count"] {
		n, err := number("count", count, "a number", 64)
		if err != nil {
			return nil, err
		}
		o.count = n
	}
	if set["consumer"] {
		if o.consumer == "" {
			return nil, usageError{"--consumer needs a name"}
		}
		for _, name := range []string{"types", "sources", "subjects", "environment-ids", "cursor", "earliest", "after", "include-raw", "allow-gaps"} {
			if set[name] {
				return nil, usageError{fmt.Sprintf("--%s does not go with --consumer (the consumer has its own filter and position)", name)}
			}
		}
	} else {
		for _, name := range []string{"member", "nack", "nack-delay", "no-ack"} {
			if set[name] {
				return nil, usageError{fmt.Sprintf("--%s needs --consumer", name)}
			}
		}
	}
	if o.nack && o.noAck {
		return nil, usageError{"--nack and --no-ack exclude each other"}
	}
	if set["nack-delay"] {
		n, err := number("nack-delay", nackDelay, "a number of milliseconds", 32)
		if err != nil {
			return nil, err
		}
		if !o.nack {
			return nil, usageError{"--nack-delay needs --nack"}
		}
		o.nackDelay = time.Duration(n) * time.Millisecond
	}
	return o, nil
}

// number parses the value of --flag as an unsigned number of bits bits.
func number(flag, value, what string, bits int) (uint64, error) {
	n, err := strconv.ParseUint(value, 10, bits)
	if err != nil {
		return 0, usageError{fmt.Sprintf("--%s %q: not %s", flag, value, what)}
	}
	return n, nil
}

// reconnectLine and gapLine print the stderr lines of both modes.
func reconnectLine(stderr io.Writer) func(time.Duration, *hookbridge.Error) {
	return func(wait time.Duration, cause *hookbridge.Error) {
		fmt.Fprintf(stderr, "reconnecting in %d ms: %v\n", wait.Milliseconds(), cause)
	}
}

func gapLine(stderr io.Writer) func(hookbridge.Gap) {
	return func(g hookbridge.Gap) {
		fmt.Fprintf(stderr, "gap: sequences %d..%d were not retained\n", g.First, g.Last)
	}
}

// jsonLine renders a message (an event) as one line of JSON with the proto
// field names.
func jsonLine(m proto.Message) ([]byte, error) {
	data, err := protojson.MarshalOptions{UseProtoNames: true}.Marshal(m)
	if err != nil {
		return nil, err
	}
	// protojson varies its whitespace on purpose; make it one compact line.
	var line bytes.Buffer
	if err := json.Compact(&line, data); err != nil {
		return nil, err
	}
	line.WriteByte('\n')
	return line.Bytes(), nil
}

// run is the program; it returns the exit status.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	o, err := parse(args, getenv, stderr)
	if errors.Is(err, flag.ErrHelp) {
		return 0
	}
	if err != nil {
		var ue usageError
		if errors.As(err, &ue) {
			fmt.Fprintf(stderr, "hookbridge-subscribe: %v\n", err)
			fmt.Fprint(stderr, usageText)
		} // else the flag package printed the error and the usage
		return 2
	}

	dialOpts := []hookbridge.Option{}
	if token := getenv("HOOKBRIDGE_TOKEN"); token != "" {
		dialOpts = append(dialOpts, hookbridge.WithToken(token))
	}
	if o.ca != "" || o.tls {
		dialOpts = append(dialOpts, hookbridge.WithTLS(o.ca))
	}
	if o.serverName != "" {
		dialOpts = append(dialOpts, hookbridge.WithServerName(o.serverName))
	}
	client, err := hookbridge.Dial(ctx, o.target, dialOpts...)
	if err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	defer client.Close()
	if o.consumer != "" {
		return consume(ctx, client, o, stdout, stderr)
	}

	subOpts := []hookbridge.SubscribeOption{
		hookbridge.OnSubscribed(func(startAfter uint64) {
			fmt.Fprintf(stderr, "subscribed: streaming events after sequence %d\n", startAfter)
		}),
		hookbridge.OnReconnect(reconnectLine(stderr)),
	}
	switch {
	case o.earliest:
		subOpts = append(subOpts, hookbridge.Earliest())
	case o.hasAfter:
		subOpts = append(subOpts, hookbridge.AfterSequence(o.after))
	}
	if o.cursor != "" {
		subOpts = append(subOpts, hookbridge.WithCursorStore(hookbridge.NewFileCursorStore(o.cursor)))
	}
	if o.includeRaw {
		subOpts = append(subOpts, hookbridge.IncludeRaw())
	}
	if o.allowGaps {
		subOpts = append(subOpts, hookbridge.AllowGaps(gapLine(stderr)))
	}

	sub := client.Subscribe(ctx, o.filter, subOpts...)
	defer sub.Close()
	var printed uint64
	for sub.Next() {
		line, err := jsonLine(sub.Event())
		if err != nil {
			fmt.Fprintf(stderr, "error: rendering event %d: %v\n", sub.Event().GetSequence(), err)
			return 1
		}
		if _, err := stdout.Write(line); err != nil {
			fmt.Fprintf(stderr, "error: writing to stdout: %v\n", err)
			return 1
		}
		printed++
		if o.count > 0 && printed >= o.count {
			// The event is printed: it is handled, save the cursor.
			if err := sub.Commit(); err != nil {
				fmt.Fprintf(stderr, "error: %v\n", err)
				return 1
			}
			return 0
		}
	}
	if err := sub.Err(); err != nil {
		fmt.Fprintf(stderr, "error: %v\n", err)
		return 1
	}
	return 0 // cancelled: SIGINT or SIGTERM
}

// consume is the --consumer mode: print each event, then settle it.
func consume(ctx context.Context, client *hookbridge.Client, o *options, stdout, stderr io.Writer) int {
	c := client.Consume(ctx, o.consumer, hookbridge.ConsumeOptions{
		MemberID: o.member,
		OnConsuming: func(member string) {
			if member == "" {
				member = "(server-chosen)"
			}
			fmt.Fprintf(stderr, "consuming: %s as member %s\n", o.consumer, member)
		},
		OnReconnect: reconnectLine(stderr),
		OnRejected: func(sequences []uint64, reason string) {
			fmt.Fprintf(stderr, "rejected: %d sequences: %s\n", len(sequences), reason)
		},
		OnGap: gapLine(stderr),
	})
	defer c.Close() // flushes what was settled
	var printed, acked uint64
	for {
		msg, err := c.Next(ctx)
		if err != nil {
			if ctx.Err() != nil || errors.Is(err, hookbridge.ErrConsumerClosed) {
				return 0 // cancelled: SIGINT or SIGTERM
			}
			fmt.Fprintf(stderr, "error: %v\n", err)
			return 1
		}
		line, err := jsonLine(&hookbridgev1.ConsumedEvent{Event: msg.Event, DeliveryAttempt: msg.DeliveryAttempt})
		if err != nil {
			fmt.Fprintf(stderr, "error: rendering event %d: %v\n", msg.Sequence(), err)
			return 1
		}
		if _, err := stdout.Write(line); err != nil {
			fmt.Fprintf(stderr, "error: writing to stdout: %v\n", err)
			return 1
		}
		switch {
		case o.noAck:
		case o.nack:
			msg.Nack(o.nackDelay, "hookbridge-subscribe --nack")
		default:
			msg.Ack()
			acked++
		}
		printed++
		if o.count > 0 && printed >= o.count {
			if c.Flush(ctx) != nil {
				return 0 // cancelled while waiting
			}
			if confirmed := c.Confirmed(); confirmed < acked {
				fmt.Fprintf(stderr, "error: %d of %d acknowledgements were not confirmed (rejected, or their stream ended: those events are delivered again)\n",
					acked-confirmed, acked)
				return 1
			}
			return 0
		}
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}
