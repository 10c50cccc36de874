package mock

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

func TestJournalKeepsTheNewestMaxAcrossManyWraps(t *testing.T) {
	j := newJournal(50)
	for i := range 1000 {
		j.add(Exchange{RequestID: fmt.Sprintf("%04d", i)}) // every one the same size
	}
	one := (&Exchange{RequestID: "0000"}).size()
	if j.len() != 50 || j.bytes != 50*one {
		t.Fatalf("held %d (%d bytes), want 50 (%d bytes)", j.len(), j.bytes, 50*one)
	}
	if len(j.ring) > 50 {
		t.Fatalf("ring has %d slots for a journal of 50", len(j.ring))
	}
	next := 999
	j.newestFirst(func(x *Exchange) bool {
		if x.RequestID != fmt.Sprintf("%04d", next) {
			t.Fatalf("got %s, want %d", x.RequestID, next)
		}
		next--
		return true
	})
	if next != 949 {
		t.Fatalf("newestFirst stopped at %d", next)
	}
}

func TestJournalRingShrinksWhenTheBudgetEmptiesIt(t *testing.T) {
	j := newJournal(1000)
	for i := range 1000 {
		j.add(Exchange{RequestID: fmt.Sprint(i)})
	}
	for j.len() > 3 {
		j.dropOldest()
	}
	if len(j.ring) > 4*minJournalRing {
		t.Fatalf("ring keeps %d slots for 3 exchanges", len(j.ring))
	}
	var got []string
	j.newestFirst(func(x *Exchange) bool { got = append(got, x.RequestID); return true })
	if fmt.Sprint(got) != "[999 998 997]" {
		t.Fatalf("after shrinking: %v", got)
	}
	if j.add(Exchange{RequestID: "1000"}); j.len() != 4 {
		t.Fatalf("held %d after one more", j.len())
	}
}

func TestAFullJournalKeepsAnExchangeWithoutAllocating(t *testing.T) {
	j := newJournal(100)
	x := Exchange{RequestID: "r", Request: journalMessage(nil, []byte(`{"a":1}`))}
	for range 300 {
		j.add(x)
	}
	if n := testing.AllocsPerRun(10, func() {
		for range 200 {
			j.add(x)
		}
	}); n != 0 {
		t.Fatalf("200 adds allocate %.0f times once the ring is full", n)
	}
}

// TestAnExchangeCountsTheHeadersTheJournalKeeps: a message's headers count
// in the byte budget as kept, secrets redacted and long values cut, for
// the request and the reply alike.
func TestAnExchangeCountsTheHeadersTheJournalKeeps(t *testing.T) {
	bare := (&Exchange{Request: journalMessage(nil, nil), Reply: journalMessage(nil, nil)}).size()
	for _, h := range []http.Header{
		{"Content-Type": {"application/json"}, "X-Request-Id": {"abc"}, "Accept": {"a", "b"}},
		{"Authorization": {strings.Repeat("s", 300)}, "X-Sdk-Date": {"20240322T151506Z"}},
		{"X-Big": {strings.Repeat("v", 3*maxJournalHeader)}, "X-Small": {"w"}},
	} {
		req, rep := journalMessage(h, nil), journalMessage(h, nil)
		x := Exchange{Request: req, Reply: rep}
		want := bare + 2*(headerBytes(req.Header)-headerBytes(nil))
		if got := x.size(); got != want {
			t.Errorf("%v: counts %d, want %d (the kept headers)", h, got, want)
		}
		if headerBytes(req.Header) > headerBytes(h) {
			t.Errorf("%v: the kept headers count more than the sent ones", h)
		}
	}
}
