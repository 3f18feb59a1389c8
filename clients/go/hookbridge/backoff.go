package hookbridge

import (
	"math/rand"
	"time"
)

// Default waits between reconnect attempts.
const (
	DefaultInitialBackoff = 100 * time.Millisecond
	DefaultMaxBackoff     = 10 * time.Second
)

// backoff computes the waits between reconnect attempts: exponential from
// initial to max, with full jitter (a uniform draw between 0 and the
// ceiling), reset once a stream delivers.
type backoff struct {
	initial, max time.Duration
	attempt      int
	random       func() float64 // in [0, 1); math/rand unless a test sets it
}

func newBackoff(initial, max time.Duration) *backoff {
	r := rand.New(rand.NewSource(time.Now().UnixNano()))
	return &backoff{initial: initial, max: max, random: r.Float64}
}

// ceiling is the largest wait of the next attempt.
func (b *backoff) ceiling() time.Duration {
	c := b.initial
	for i := 0; i < b.attempt && c < b.max; i++ {
		c *= 2
	}
	if c > b.max {
		c = b.max
	}
	return c
}

// next returns the wait before the next attempt, at least least (a
// RetryInfo's delay), and raises the ceiling for the one after.
func (b *backoff) next(least time.Duration) time.Duration {
	wait := time.Duration(b.random() * float64(b.ceiling()))
	if b.ceiling() < b.max {
		b.attempt++
	}
	if wait < least {
		wait = least
	}
	return wait
}

// reset starts again from the initial ceiling.
func (b *backoff) reset() { b.attempt = 0 }
