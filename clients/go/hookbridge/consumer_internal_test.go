package hookbridge

import (
	"fmt"
	"testing"
)

func TestAcknowledgePacksRunsIntoRanges(t *testing.T) {
	for _, tc := range []struct {
		in   []uint64
		want string
	}{
		{[]uint64{1}, "seqs [1] ranges []"},
		{[]uint64{3, 1, 2}, "seqs [] ranges [1..3]"},
		{[]uint64{1, 2, 4, 7, 8, 9, 11}, "seqs [4 11] ranges [1..2 7..9]"},
		{[]uint64{5, 5, 6}, "seqs [] ranges [5..6]"},
	} {
		ack := acknowledge(tc.in)
		var ranges []string
		for _, r := range ack.GetRanges() {
			ranges = append(ranges, fmt.Sprintf("%d..%d", r.GetFirst(), r.GetLast()))
		}
		if got := fmt.Sprintf("seqs %v ranges %v", ack.GetSequences(), ranges); got != tc.want {
			t.Errorf("%v: %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestNacksOfOneDelayAndReasonShareAMessage(t *testing.T) {
	var q requestQueue
	q.nack(1, 0, "a")
	q.nack(2, 0, "a")
	q.nack(3, 0, "b")
	q.acks = []uint64{4}
	q.extends = []uint64{5}
	rs := q.requests()
	if len(rs) != 4 || len(rs[0].GetAck().GetSequences()) != 1 ||
		fmt.Sprint(rs[1].GetNack().GetSequences()) != "[1 2]" || rs[2].GetNack().GetReason() != "b" ||
		fmt.Sprint(rs[3].GetExtend().GetSequences()) != "[5]" {
		t.Errorf("requests %v", rs)
	}
}
