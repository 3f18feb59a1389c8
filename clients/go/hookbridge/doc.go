// Package hookbridge is the Go client of hookbridge's event stream
// (hookbridge.v1.EventBridgeService).
//
//	client, err := hookbridge.Dial(ctx, "hookbridge.internal:50051",
//		hookbridge.WithToken(os.Getenv("HOOKBRIDGE_TOKEN")),
//		hookbridge.WithTLS("/etc/hookbridge/ca.pem"))
//	if err != nil { ... }
//	defer client.Close()
//
//	sub := client.Subscribe(ctx, hookbridge.Filter{Types: []string{"comment.*"}},
//		hookbridge.Earliest(),
//		hookbridge.WithCursorStore(hookbridge.NewFileCursorStore("comments.cursor")))
//	defer sub.Close()
//	for sub.Next() {
//		ev := sub.Event()
//		if added := ev.GetCkeditor().GetCommentAdded(); added != nil {
//			fmt.Println(ev.GetSequence(), added.GetComment().GetContent())
//		}
//	}
//	if err := sub.Err(); err != nil { ... } // nil once ctx is cancelled
//
// A Subscription calls GetServerInfo before each stream and raises the
// call's receive limit to max_response_bytes, so every event the server
// accepted can be read. It hands out events one at a time in sequence
// order, skips what it does not know, advances its position on heartbeats,
// reports gaps (AllowGaps), and reconnects by itself after a retryable
// status or three silent heartbeat intervals, from the last event it handed
// out (or the server's resume-after position when later): no gap, no
// duplicate. The generated messages are in
// github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1 and
// .../gen/hookbridge/<provider>/v1.
package hookbridge
