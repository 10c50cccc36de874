package mock

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/scenarios"
)

// Sequence counters count against the state budget: a session that makes
// only counters is trimmed of its oldest ones to stay within it.
func TestSequenceCountersAreTrimmedToTheStateBudget(t *testing.T) {
	const budget = 64 << 10
	s := newSessions(10, 10, 1<<20, budget, 1, nil)
	sess := s.get("")
	for i := range 5000 {
		s.change(sess, func() { sess.next(fmt.Sprint("per-", i)) })
		s.enforce(sess)
	}
	if got := s.stateBytes.Load(); got > budget || got != int64(sess.stateBytes()) {
		t.Fatalf("state %d bytes (session %d), budget %d", got, sess.stateBytes(), budget)
	}
	if n := sess.counters.Len(); n == 0 || n >= 5000 {
		t.Fatalf("%d counters kept of 5000", n)
	}
	if _, ok := sess.counters.Get("per-4999"); !ok {
		t.Fatal("the newest counter was dropped")
	}
}

// A counter key longer than maxCounterKey (a client's value) is kept as
// its hash: it costs a hash's bytes, and still counts on.
func TestALongCounterKeyIsKeptAsItsHash(t *testing.T) {
	sess := newSession("", 10, 1, nil)
	key := strings.Repeat("k", 10_000)
	if a, b := sess.next(key), sess.next(key); a != 0 || b != 1 {
		t.Fatalf("the key counted %d, %d", a, b)
	}
	if got := sess.counters.Bytes(); got != 64+counterOverhead {
		t.Fatalf("the counter costs %d bytes, want %d", got, 64+counterOverhead)
	}
}

// An exchange's near misses count in the journal's budget.
func TestNearMissesCountInAnExchangesSize(t *testing.T) {
	x := Exchange{}
	without := x.size()
	x.NearMisses = []scenarios.NearMiss{{Rule: "r", Condition: "body.x", Actual: strings.Repeat("a", 1000), Want: `"b"`}}
	if got := x.size(); got < without+1000 {
		t.Fatalf("size %d with a 1000-byte near miss, %d without", got, without)
	}
}
