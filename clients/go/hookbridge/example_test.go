package hookbridge_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"os"
	"os/signal"

	"github.com/hookbridge/hookbridge/clients/go/hookbridge"
)

// Subscribe to comment events over TLS, resuming from a cursor file, until
// Ctrl-C.
func ExampleClient_Subscribe() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	client, err := hookbridge.Dial(ctx, "hookbridge.internal:50051",
		hookbridge.WithToken(os.Getenv("HOOKBRIDGE_TOKEN")),
		hookbridge.WithTLS("/etc/hookbridge/ca.pem"))
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()

	sub := client.Subscribe(ctx, hookbridge.Filter{Types: []string{"comment.*"}},
		hookbridge.Earliest(), // only without a stored cursor
		hookbridge.WithCursorStore(hookbridge.NewFileCursorStore("comments.cursor")))
	defer sub.Close()
	for sub.Next() {
		ev := sub.Event()
		switch {
		case ev.GetCkeditor().GetCommentAdded() != nil:
			c := ev.GetCkeditor().GetCommentAdded().GetComment()
			fmt.Println(ev.GetSequence(), "comment", c.GetId(), c.GetContent())
		case ev.GetUntyped() != nil:
			fmt.Println(ev.GetSequence(), ev.GetType(), ev.GetUntyped().AsMap())
		}
	}
	var hbErr *hookbridge.Error
	if errors.As(sub.Err(), &hbErr) {
		log.Fatalf("subscription ended: %v (reason %s)", hbErr, hbErr.Reason)
	} else if sub.Err() != nil {
		log.Fatal(sub.Err())
	}
}

// The callback style: the cursor is saved once handle returned nil.
func ExampleClient_Run() {
	ctx := context.Background()
	client, err := hookbridge.Dial(ctx, "localhost:50051")
	if err != nil {
		log.Fatal(err)
	}
	defer client.Close()
	err = client.Run(ctx, hookbridge.Filter{Sources: []string{"ckeditor"}},
		func(ev *hookbridge.Event) error {
			fmt.Println(ev.GetSequence(), ev.GetType())
			return nil
		},
		hookbridge.WithCursorStore(hookbridge.NewFileCursorStore("ckeditor.cursor")),
		hookbridge.AllowGaps(func(g hookbridge.Gap) { log.Printf("lost %d..%d", g.First, g.Last) }))
	if err != nil {
		log.Fatal(err)
	}
}
