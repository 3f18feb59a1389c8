package hookbridge

import (
	"context"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"

	hookbridgev1 "github.com/hookbridge/hookbridge/clients/go/gen/hookbridge/v1"
)

// defaultInfoTimeout bounds the GetServerInfo call made before each stream.
const defaultInfoTimeout = 15 * time.Second

// streamSetup asks the server for its limits before a stream is opened (a
// restarted server may have other ones): the call options that raise the
// receive limit to max_response_bytes plus margin (gRPC's default is 4 MiB),
// and how long the stream may stay silent (three heartbeat intervals; 0: no
// bound).
func (c *Client) streamSetup(ctx context.Context, timeout time.Duration, margin uint64) ([]grpc.CallOption, time.Duration, *Error) {
	if c.conn != nil {
		// Do not wait out the channel's own reconnect backoff.
		c.conn.ResetConnectBackoff()
	}
	infoCtx, cancel := context.WithTimeout(ctx, timeout)
	info, err := c.api.GetServerInfo(infoCtx, &hookbridgev1.GetServerInfoRequest{})
	cancel()
	if err != nil {
		return nil, 0, NewError(err, nil)
	}
	var opts []grpc.CallOption
	if limit := info.GetMaxResponseBytes(); limit > 0 {
		limit += margin
		if limit > math.MaxInt32 {
			limit = math.MaxInt32
		}
		opts = append(opts, grpc.MaxCallRecvMsgSize(int(limit)))
	}
	var idle time.Duration
	if hb := info.GetHeartbeatInterval(); hb != nil {
		if d := hb.AsDuration(); d > 0 {
			idle = 3 * d
		}
	}
	return opts, idle, nil
}

// watchdog cancels a stream when nothing (no message, no heartbeat) has
// arrived for idle: the connection is gone without the transport noticing.
type watchdog struct {
	idle  time.Duration
	timer *time.Timer // nil without a bound
	fired atomic.Bool
}

// startWatchdog calls cancel once the stream has been silent for idle (0:
// never).
func startWatchdog(idle time.Duration, cancel context.CancelFunc) *watchdog {
	w := &watchdog{idle: idle}
	if idle > 0 {
		w.timer = time.AfterFunc(idle, func() {
			w.fired.Store(true)
			cancel()
		})
	}
	return w
}

// heard restarts the silence bound: something arrived.
func (w *watchdog) heard() {
	if w != nil && w.timer != nil {
		w.timer.Reset(w.idle)
	}
}

func (w *watchdog) stop() {
	if w != nil && w.timer != nil {
		w.timer.Stop()
	}
}

// cause is the error of a stream the watchdog ended, or nil when it did
// not end it.
func (w *watchdog) cause() *Error {
	if w == nil || !w.fired.Load() {
		return nil
	}
	return &Error{
		Code:    codes.DeadlineExceeded,
		Message: fmt.Sprintf("no event or heartbeat for %v (3 heartbeat intervals)", w.idle),
	}
}
