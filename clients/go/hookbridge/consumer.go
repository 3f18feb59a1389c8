package hookbridge

import (
	"context"
	"errors"
	"io"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/metadata"
	"google.golang.org/protobuf/types/known/durationpb"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
)

// ErrConsumerClosed is what Consumer.Next returns once the consumer was
// closed, or the context given to Consume was cancelled.
var ErrConsumerClosed = errors.New("hookbridge: consumer closed")

// DefaultCloseTimeout bounds the flush of Consumer.Close.
const DefaultCloseTimeout = 5 * time.Second

const (
	// ackDelay is how long a queued acknowledgement may wait for others to
	// share its Acknowledge message while the application still has
	// messages to handle; none when it has none, or asks for more.
	ackDelay = 5 * time.Millisecond
	// maxAckBatch acknowledgements are sent at once without waiting.
	maxAckBatch = 512
	// consumeMargin is added to max_response_bytes for a Consume stream's
	// receive limit: a ConsumedEvent wraps the event in a field header and
	// its delivery_attempt.
	consumeMargin = 32
)

// ConsumeOptions configures Consume; the zero value is usable. The
// callbacks run on the consumer's own goroutine, one at a time: they must
// not block for long, nor call Close.
type ConsumeOptions struct {
	// MemberID names this member in the server's metrics, logs and console
	// (the pod name, say); "" lets the server make one up.
	MemberID string
	// OnConsuming is called each time a stream is established, with the
	// member id sent ("" when the server chooses one).
	OnConsuming func(memberID string)
	// OnReconnect is called before each retry, with the wait and the status
	// that ended the stream or the attempt.
	OnReconnect func(wait time.Duration, cause *Error)
	// OnRejected is called for each `rejected` response: acknowledgements,
	// nacks or extensions of events that were no longer outstanding at this
	// member (acknowledged already, or redelivered elsewhere after their
	// deadline). Not an error: the server ignored them. Without it they are
	// ignored here too.
	OnRejected func(sequences []uint64, reason string)
	// OnGap is called for each Gap: matching events the log's retention
	// removed before the consumer acknowledged them.
	OnGap func(Gap)
	// The waits between attempts: exponential from InitialBackoff to
	// MaxBackoff with full jitter (default 100 ms to 10 s).
	InitialBackoff, MaxBackoff time.Duration
	// CloseTimeout bounds the flush that Close (and cancelling the context
	// given to Consume) does before the stream ends; 0: DefaultCloseTimeout,
	// negative: no flush.
	CloseTimeout time.Duration
}

// Message is one event delivered to this member of a durable consumer.
// Settle it with Ack or Nack (from any goroutine); Extend restarts its ack
// deadline while it is being worked on. Once Ack or Nack was called, later
// calls of any of the three do nothing; so do all three on a message
// delivered by a stream that has ended since (the server has taken it back
// and delivers it again, to this member or another).
type Message struct {
	// Event is the event, as in a subscription.
	Event *Event
	// DeliveryAttempt is 1 for the first delivery of this event to the
	// consumer, 2 for the next...
	DeliveryAttempt uint32

	consumer *Consumer
	epoch    uint64
	settled  atomic.Bool
}

// Sequence is the event's sequence.
func (m *Message) Sequence() uint64 { return m.Event.GetSequence() }

// Ack says the event is done: it is never delivered to this consumer
// again once the server confirms (Consumer.Confirmed, Consumer.Flush).
// It is queued and sent promptly, with others, without waiting for the
// confirmation.
func (m *Message) Ack() {
	if m.settled.CompareAndSwap(false, true) {
		m.consumer.enqueue(m.epoch, func(q *requestQueue) { q.acks = append(q.acks, m.Sequence()) })
	}
}

// Nack gives the event back, to be delivered again (to any member) after
// delay (0: at once); reason is kept if it becomes a dead letter.
func (m *Message) Nack(delay time.Duration, reason string) {
	if m.settled.CompareAndSwap(false, true) {
		m.consumer.enqueue(m.epoch, func(q *requestQueue) { q.nack(m.Sequence(), delay, reason) })
	}
}

// Extend restarts the event's ack deadline, for handling that takes long.
func (m *Message) Extend() {
	if !m.settled.Load() {
		m.consumer.enqueue(m.epoch, func(q *requestQueue) { q.extends = append(q.extends, m.Sequence()) })
	}
}

// nackBatch is the negative acknowledgements of one delay and reason.
type nackBatch struct {
	sequences []uint64
	delay     time.Duration
	reason    string
}

// requestQueue is what the application settled and the sender has not
// sent yet.
type requestQueue struct {
	acks    []uint64
	nacks   []nackBatch
	extends []uint64
}

func (q *requestQueue) nack(seq uint64, delay time.Duration, reason string) {
	if n := len(q.nacks); n > 0 && q.nacks[n-1].delay == delay && q.nacks[n-1].reason == reason {
		q.nacks[n-1].sequences = append(q.nacks[n-1].sequences, seq)
		return
	}
	q.nacks = append(q.nacks, nackBatch{sequences: []uint64{seq}, delay: delay, reason: reason})
}

func (q *requestQueue) empty() bool {
	return len(q.acks) == 0 && len(q.nacks) == 0 && len(q.extends) == 0
}

// requests turns the queue into ConsumeRequests: one Acknowledge with the
// contiguous sequences as ranges, one NegativeAcknowledge per delay and
// reason, one ExtendDeadline.
func (q *requestQueue) requests() []*hookbridgev1.ConsumeRequest {
	var out []*hookbridgev1.ConsumeRequest
	if len(q.acks) > 0 {
		out = append(out, &hookbridgev1.ConsumeRequest{Request: &hookbridgev1.ConsumeRequest_Ack{Ack: acknowledge(q.acks)}})
	}
	for _, n := range q.nacks {
		nack := &hookbridgev1.NegativeAcknowledge{Sequences: n.sequences, Reason: n.reason}
		if n.delay > 0 {
			nack.Delay = durationpb.New(n.delay)
		}
		out = append(out, &hookbridgev1.ConsumeRequest{Request: &hookbridgev1.ConsumeRequest_Nack{Nack: nack}})
	}
	if len(q.extends) > 0 {
		out = append(out, &hookbridgev1.ConsumeRequest{Request: &hookbridgev1.ConsumeRequest_Extend{
			Extend: &hookbridgev1.ExtendDeadline{Sequences: q.extends}}})
	}
	return out
}

// acknowledge packs sequences into an Acknowledge: runs of two or more
// consecutive sequences as ranges, the others one by one.
func acknowledge(sequences []uint64) *hookbridgev1.Acknowledge {
	sorted := append([]uint64(nil), sequences...)
	sort.Slice(sorted, func(i, j int) bool { return sorted[i] < sorted[j] })
	ack := &hookbridgev1.Acknowledge{}
	for i := 0; i < len(sorted); {
		j := i
		for j+1 < len(sorted) && sorted[j+1] <= sorted[j]+1 {
			j++
		}
		if sorted[j] > sorted[i] {
			ack.Ranges = append(ack.Ranges, &hookbridgev1.SequenceRange{First: sorted[i], Last: sorted[j]})
		} else {
			ack.Sequences = append(ack.Sequences, sorted[i])
		}
		i = j + 1
	}
	return ack
}

// Consumer is this process's membership in a durable consumer's group
// (docs/CONSUMERS.md): the events the server hands to it, across as many
// Consume streams as reconnecting takes.
//
//	consumer := client.Consume(ctx, "indexer", hookbridge.ConsumeOptions{MemberID: hostname})
//	defer consumer.Close()
//	for {
//		msg, err := consumer.Next(ctx)
//		if err != nil {
//			break // ErrConsumerClosed once ctx is cancelled, else an *Error
//		}
//		if err := handle(msg.Event); err != nil {
//			msg.Nack(time.Minute, err.Error())
//			continue
//		}
//		msg.Ack()
//	}
//
// A stream ending with a retryable status (or silent for three heartbeat
// intervals) is opened again with the same member id after a backoff; the
// messages it delivered are no longer this member's, so settling them does
// nothing (the server delivers them again). Other statuses (NOT_FOUND for
// an unknown consumer, PERMISSION_DENIED...) end the consumer with an
// *Error. Next is for one goroutine at a time; the rest is safe from any.
type Consumer struct {
	client  *Client
	name    string
	opts    ConsumeOptions
	ctx     context.Context // the streams'; cancelled by Close
	cancel  context.CancelFunc
	backoff *backoff

	urgent   chan struct{} // wakes the sender now
	lazy     chan struct{} // wakes the sender within ackDelay
	loopDone chan struct{}
	closing  sync.Once

	mu          sync.Mutex
	changed     chan struct{} // closed and replaced whenever the state below changes
	received    []*Message    // delivered by the open stream, not handed out yet
	epoch       uint64        // counts streams; messages of another one are stale
	live        bool          // a stream of this epoch is open
	queue       requestQueue  // settled, not sent yet
	sending     bool          // the sender is writing what it took from queue
	unconfirmed map[uint64]bool
	confirmed   uint64
	done        bool
	err         error
}

// Consume joins the group of the durable consumer named consumer and starts
// receiving its events (the stream opens at once, in the background). ctx
// bounds the consumer's life: cancelling it is Close. Outgoing metadata in
// ctx is sent with every call.
func (c *Client) Consume(ctx context.Context, consumer string, opts ConsumeOptions) *Consumer {
	if opts.InitialBackoff <= 0 {
		opts.InitialBackoff = DefaultInitialBackoff
	}
	if opts.MaxBackoff <= 0 {
		opts.MaxBackoff = DefaultMaxBackoff
	}
	if opts.CloseTimeout == 0 {
		opts.CloseTimeout = DefaultCloseTimeout
	}
	// The streams outlive ctx by the final flush: their context is not
	// derived from it.
	base := context.Background()
	if md, ok := metadata.FromOutgoingContext(ctx); ok {
		base = metadata.NewOutgoingContext(base, md)
	}
	streamCtx, cancel := context.WithCancel(base)
	c2 := &Consumer{
		client:   c,
		name:     consumer,
		opts:     opts,
		ctx:      streamCtx,
		cancel:   cancel,
		backoff:  newBackoff(opts.InitialBackoff, opts.MaxBackoff),
		urgent:   make(chan struct{}, 1),
		lazy:     make(chan struct{}, 1),
		loopDone: make(chan struct{}),
		changed:  make(chan struct{}),
	}
	go c2.loop()
	go func() {
		select {
		case <-ctx.Done():
			c2.Close()
		case <-c2.loopDone:
		}
	}()
	return c2
}

// Next waits for the next message and returns it; the error is
// ErrConsumerClosed after Close (or the cancellation of Consume's
// context), the *Error that ended the consumer, or ctx's error when ctx
// ends first (the consumer goes on).
func (c *Consumer) Next(ctx context.Context) (*Message, error) {
	for {
		c.mu.Lock()
		if len(c.received) > 0 {
			m := c.received[0]
			c.received[0] = nil
			c.received = c.received[1:]
			c.mu.Unlock()
			return m, nil
		}
		if c.done {
			err := c.err
			c.mu.Unlock()
			if err == nil {
				err = ErrConsumerClosed
			}
			return nil, err
		}
		changed := c.changed
		settled := !c.queue.empty()
		c.mu.Unlock()
		if settled { // nothing else to handle meanwhile: send them now
			wake(c.urgent)
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
}

// Confirmed counts the acknowledgements the server has confirmed durable.
func (c *Consumer) Confirmed() uint64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.confirmed
}

// Flush sends what was settled and waits until every acknowledgement sent
// so far is confirmed, rejected, or lost with its stream (its event is
// delivered again); nil then, ctx's error if it ends first.
func (c *Consumer) Flush(ctx context.Context) error {
	wake(c.urgent)
	for {
		c.mu.Lock()
		idle := c.done || (c.queue.empty() && !c.sending && len(c.unconfirmed) == 0)
		changed := c.changed
		c.mu.Unlock()
		if idle {
			return nil
		}
		select {
		case <-changed:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// Close flushes (bounded by CloseTimeout) and ends the consumer: the
// stream closes, the server gives the unacknowledged events to the other
// members, Next returns ErrConsumerClosed. Safe to call more than once.
func (c *Consumer) Close() error {
	c.closing.Do(func() {
		if c.opts.CloseTimeout > 0 {
			ctx, cancel := context.WithTimeout(context.Background(), c.opts.CloseTimeout)
			c.Flush(ctx)
			cancel()
		}
		c.cancel()
	})
	<-c.loopDone
	return nil
}

// Err is why the consumer ended: nil while it runs or after Close, else the
// *Error.
func (c *Consumer) Err() error {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.err
}

// wake signals ch without blocking.
func wake(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// changedLocked wakes everything waiting for a change of state.
func (c *Consumer) changedLocked() {
	close(c.changed)
	c.changed = make(chan struct{})
}

// enqueue adds a settlement of a message of stream epoch, unless that
// stream has ended.
func (c *Consumer) enqueue(epoch uint64, add func(*requestQueue)) {
	c.mu.Lock()
	if !c.live || epoch != c.epoch {
		c.mu.Unlock()
		return // stale: the server took the event back
	}
	acks := len(c.queue.acks)
	add(&c.queue)
	// Acknowledgements wait a moment for others while the application has
	// more to handle; the rest goes now.
	now := len(c.queue.acks) == acks || len(c.received) == 0 || len(c.queue.acks) >= maxAckBatch
	c.changedLocked()
	c.mu.Unlock()
	if now {
		wake(c.urgent)
	} else {
		wake(c.lazy)
	}
}

// loop runs streams until the consumer is closed or fails.
func (c *Consumer) loop() {
	defer close(c.loopDone)
	for {
		cause := c.stream()
		if c.ctx.Err() != nil {
			c.finish(nil)
			return
		}
		if !cause.Retryable() {
			c.finish(cause)
			return
		}
		wait := c.backoff.next(cause.RetryDelay)
		if c.opts.OnReconnect != nil {
			c.opts.OnReconnect(wait, cause)
		}
		timer := time.NewTimer(wait)
		select {
		case <-timer.C:
		case <-c.ctx.Done():
			timer.Stop()
			c.finish(nil)
			return
		}
	}
}

// finish ends the consumer with err (nil: closed).
func (c *Consumer) finish(err error) {
	c.mu.Lock()
	c.done, c.err = true, err
	c.received = nil
	c.changedLocked()
	c.mu.Unlock()
	c.cancel()
}

// stream runs one Consume stream to its end and says why it ended.
func (c *Consumer) stream() *Error {
	callOpts, idle, cause := c.client.streamSetup(c.ctx, defaultInfoTimeout, consumeMargin)
	if cause != nil {
		return cause
	}
	ctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	dog := startWatchdog(idle, cancel)
	defer dog.stop()
	stream, err := c.client.api.Consume(ctx, callOpts...)
	if err != nil {
		if cause := dog.cause(); cause != nil {
			return cause
		}
		return NewError(err, nil)
	}
	start := &hookbridgev1.ConsumeRequest{Request: &hookbridgev1.ConsumeRequest_Start{
		Start: &hookbridgev1.ConsumeStart{Consumer: c.name, MemberId: c.opts.MemberID}}}
	if err := stream.Send(start); err == nil {
		// A stream the server refused at once (unknown consumer, not
		// allowed) ends without headers: Recv then returns its status.
		if header, err := stream.Header(); err == nil && len(header) > 0 && c.opts.OnConsuming != nil {
			c.opts.OnConsuming(c.opts.MemberID)
		}
	} // else Recv returns the status

	c.mu.Lock()
	c.epoch++
	epoch := c.epoch
	c.live = true
	c.unconfirmed = map[uint64]bool{}
	c.mu.Unlock()
	sent := make(chan struct{})
	go func() {
		defer close(sent)
		c.send(ctx, stream)
	}()

	for {
		resp, err := stream.Recv()
		if err != nil {
			cause = c.ended(err, dog, stream)
			break
		}
		dog.heard()
		c.backoff.reset() // the stream delivers
		c.receive(epoch, resp)
	}
	cancel()
	<-sent
	// Whatever this stream delivered is no longer this member's.
	c.mu.Lock()
	c.live = false
	c.received = nil
	c.queue = requestQueue{}
	c.sending = false
	c.unconfirmed = nil
	c.changedLocked()
	c.mu.Unlock()
	return cause
}

// ended says why a stream ended, given the error its Recv returned.
func (c *Consumer) ended(err error, dog *watchdog, stream hookbridgev1.EventBridgeService_ConsumeClient) *Error {
	switch {
	case c.ctx.Err() != nil:
		return &Error{Code: codes.Canceled, Message: "closed"}
	case dog.cause() != nil:
		return dog.cause()
	case errors.Is(err, io.EOF):
		return &Error{Code: codes.OK, Message: "the server ended the stream"}
	}
	return NewError(err, stream.Trailer())
}

// receive takes one response of the stream of epoch.
func (c *Consumer) receive(epoch uint64, resp *hookbridgev1.ConsumeResponse) {
	switch {
	case len(resp.GetEvents()) > 0:
		c.mu.Lock()
		for _, e := range resp.GetEvents() {
			c.received = append(c.received, &Message{
				Event: e.GetEvent(), DeliveryAttempt: e.GetDeliveryAttempt(), consumer: c, epoch: epoch})
		}
		c.changedLocked()
		c.mu.Unlock()
	case resp.GetAcknowledged() != nil:
		set := resp.GetAcknowledged()
		c.mu.Lock()
		c.resolveLocked(set.GetSequences(), set.GetRanges(), true)
		c.mu.Unlock()
	case resp.GetRejected() != nil:
		rejected := resp.GetRejected()
		c.mu.Lock()
		c.resolveLocked(rejected.GetSequences(), nil, false)
		c.mu.Unlock()
		if c.opts.OnRejected != nil {
			c.opts.OnRejected(rejected.GetSequences(), rejected.GetReason())
		}
	case resp.GetGap() != nil:
		if c.opts.OnGap != nil {
			c.opts.OnGap(Gap{First: resp.GetGap().GetFirstSequence(), Last: resp.GetGap().GetLastSequence()})
		}
	}
	// A heartbeat only fed the watchdog; anything else is skipped.
}

// resolveLocked takes sequences and ranges off the acknowledgements
// waiting for confirmation, counting them as confirmed when confirmed.
func (c *Consumer) resolveLocked(sequences []uint64, ranges []*hookbridgev1.SequenceRange, confirmed bool) {
	resolve := func(seq uint64) {
		if c.unconfirmed[seq] {
			delete(c.unconfirmed, seq)
			if confirmed {
				c.confirmed++
			}
		}
	}
	for _, seq := range sequences {
		resolve(seq)
	}
	for _, r := range ranges {
		if r.GetLast() < r.GetFirst() {
			continue
		}
		if r.GetLast()-r.GetFirst() >= uint64(len(c.unconfirmed)) {
			for seq := range c.unconfirmed { // a range wider than what waits
				if seq >= r.GetFirst() && seq <= r.GetLast() {
					resolve(seq)
				}
			}
			continue
		}
		for seq := r.GetFirst(); ; seq++ {
			resolve(seq)
			if seq == r.GetLast() {
				break
			}
		}
	}
	c.changedLocked()
}

// send writes what the application settles to stream until ctx ends (the
// stream's end) or a write fails (Recv then reports why).
func (c *Consumer) send(ctx context.Context, stream hookbridgev1.EventBridgeService_ConsumeClient) {
	for {
		select {
		case <-c.urgent:
		case <-c.lazy:
			timer := time.NewTimer(ackDelay)
			select {
			case <-timer.C:
			case <-c.urgent:
			case <-ctx.Done():
			}
			timer.Stop()
		case <-ctx.Done():
			return
		}
		if ctx.Err() != nil {
			return
		}
		c.mu.Lock()
		taken := c.queue
		c.queue = requestQueue{}
		for _, seq := range taken.acks {
			c.unconfirmed[seq] = true
		}
		c.sending = !taken.empty()
		c.mu.Unlock()
		var err error
		for _, req := range taken.requests() {
			if err = stream.Send(req); err != nil {
				break
			}
		}
		c.mu.Lock()
		c.sending = false
		c.changedLocked()
		c.mu.Unlock()
		if err != nil {
			return
		}
	}
}
