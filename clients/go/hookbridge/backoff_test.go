package hookbridge

import (
	"testing"
	"time"
)

func TestBackoffCeilingDoublesFrom100msTo10s(t *testing.T) {
	b := newBackoff(DefaultInitialBackoff, DefaultMaxBackoff)
	b.random = func() float64 { return 1 } // the ceiling itself
	want := []time.Duration{100, 200, 400, 800, 1600, 3200, 6400, 10000, 10000, 10000}
	for i, w := range want {
		if got := b.next(0); got != w*time.Millisecond {
			t.Errorf("attempt %d: wait %v, want %v", i, got, w*time.Millisecond)
		}
	}
}

func TestBackoffFullJitterStaysWithinTheCeiling(t *testing.T) {
	b := newBackoff(DefaultInitialBackoff, DefaultMaxBackoff)
	for attempt := 0; attempt < 12; attempt++ {
		ceiling := b.ceiling()
		low, high := ceiling, time.Duration(0)
		for i := 0; i < 2000; i++ {
			probe := *b // same attempt, fresh draw
			w := probe.next(0)
			if w < 0 || w > ceiling {
				t.Fatalf("attempt %d: wait %v outside [0, %v]", attempt, w, ceiling)
			}
			if w < low {
				low = w
			}
			if w > high {
				high = w
			}
		}
		// Full jitter: draws spread over the whole range, not near the ceiling.
		if low > ceiling/10 || high < ceiling*9/10 {
			t.Errorf("attempt %d: waits span only %v..%v of [0, %v]", attempt, low, high, ceiling)
		}
		b.next(0)
	}
	if b.ceiling() != DefaultMaxBackoff {
		t.Errorf("ceiling after 12 attempts: %v", b.ceiling())
	}
}

func TestBackoffResetStartsOver(t *testing.T) {
	b := newBackoff(DefaultInitialBackoff, DefaultMaxBackoff)
	for i := 0; i < 5; i++ {
		b.next(0)
	}
	if b.ceiling() != 3200*time.Millisecond {
		t.Fatalf("ceiling after 5 attempts: %v", b.ceiling())
	}
	b.reset()
	if b.ceiling() != DefaultInitialBackoff {
		t.Errorf("ceiling after reset: %v", b.ceiling())
	}
}

func TestBackoffRetryInfoSetsTheLeastWait(t *testing.T) {
	b := newBackoff(DefaultInitialBackoff, DefaultMaxBackoff)
	b.random = func() float64 { return 0.5 }
	if got := b.next(time.Second); got != time.Second {
		t.Errorf("wait with RetryInfo 1s: %v", got)
	}
	// A RetryInfo below the drawn wait changes nothing.
	b.reset()
	if got := b.next(10 * time.Millisecond); got != 50*time.Millisecond {
		t.Errorf("wait with RetryInfo 10ms: %v, want 50ms", got)
	}
}
