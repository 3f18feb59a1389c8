package hookbridge

import "testing"

func TestPositionRules(t *testing.T) {
	var p position
	if p.delivered(0) {
		t.Fatal("an unknown position has delivered nothing")
	}
	// The start-after header sets it only while unknown.
	if !p.start(4) || p.seq != 4 {
		t.Fatalf("start on unknown: %+v", p)
	}
	if p.start(9) || p.seq != 4 {
		t.Fatalf("start on known: %+v", p)
	}
	// Events set it.
	p.event(7)
	if p.seq != 7 || !p.delivered(7) || !p.delivered(3) || p.delivered(8) {
		t.Fatalf("after event 7: %+v", p)
	}
	// A heartbeat / trailer / gap is taken only when later.
	if p.later(5) || p.seq != 7 {
		t.Errorf("earlier resume_after taken: %+v", p)
	}
	if p.later(7) || p.seq != 7 {
		t.Errorf("equal resume_after reported as a move: %+v", p)
	}
	if !p.later(12) || p.seq != 12 {
		t.Errorf("later resume_after not taken: %+v", p)
	}
	// On an unknown position, any value is later (even 0).
	var q position
	if !q.later(0) || !q.known || q.seq != 0 {
		t.Errorf("resume_after 0 on unknown: %+v", q)
	}
}
