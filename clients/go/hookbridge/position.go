package hookbridge

// position is where a subscription got to: the sequence a new Subscribe
// continues after. It moves to each event handed to the application, and
// to a Heartbeat's resume_after, a hookbridge-resume-after trailer or a
// Gap's last sequence only when that is later. The hookbridge-start-after
// header sets it only while it is unknown (a live, earliest or since start
// before any event): a reconnect then goes on from where that stream began.
type position struct {
	seq   uint64
	known bool
}

// event records an event handed to the application.
func (p *position) event(seq uint64) {
	p.seq, p.known = seq, true
}

// later takes seq when it is later than the position (or the position is
// unknown), and says whether it did.
func (p *position) later(seq uint64) bool {
	if p.known && seq <= p.seq {
		return false
	}
	p.seq, p.known = seq, true
	return true
}

// start takes a stream's hookbridge-start-after when there is no position.
func (p *position) start(seq uint64) bool {
	if p.known {
		return false
	}
	p.seq, p.known = seq, true
	return true
}

// delivered says whether an event with this sequence was already handed
// out (a duplicate, which is dropped).
func (p *position) delivered(seq uint64) bool {
	return p.known && seq <= p.seq
}
