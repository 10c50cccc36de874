package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

func TestJournalCutsHugeHeadersAndRedactsCookies(t *testing.T) {
	eng := newEngine(t)
	h := http.Header{
		"Content-Type": {"application/json"}, "X-Pad": {strings.Repeat("p", 1<<20)},
		"Cookie": {"session=s3cret"}, "Proxy-Authorization": {"Basic czNjcmV0"},
	}
	eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: h, Body: []byte(mocktest.HandleBody("IM1", "acceptedIncident1"))})
	x, _ := eng.Requests("", mock.Filter{})
	got := x[0].Request
	size := 0
	for k, vs := range got.Header {
		for _, v := range vs {
			size += len(k) + len(v)
		}
	}
	if size > 8<<10 || !got.HeadersTruncated {
		t.Fatalf("journal kept %d header bytes (truncated=%v)", size, got.HeadersTruncated)
	}
	if got.Header.Get("Cookie") != mock.Redacted || got.Header.Get("Proxy-Authorization") != mock.Redacted {
		t.Fatalf("secrets in clear: %v", got.Header)
	}
	if len(h.Get("X-Pad")) != 1<<20 {
		t.Fatal("the request's own headers were changed")
	}
}

func TestJournalStaysValidJSONForBodiesThatAreNotUTF8(t *testing.T) {
	eng := newEngine(t)
	body := []byte("{\"incident_num\":\"IM\xff\xfe\",\"operator\":\"u\",\"operate_key\":\"acceptedIncident1\"}")
	eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: jsonHeader(), Body: body})
	x, _ := eng.Requests("", mock.Filter{})
	out, err := json.Marshal(x)
	if err != nil || !json.Valid(out) || !utf8.Valid(out) {
		t.Fatalf("journal JSON invalid: %v", err)
	}
	if x[0].Request.BodyEncoding != "base64" {
		t.Fatalf("body_encoding %q", x[0].Request.BodyEncoding)
	}
}

func TestIncidentHistoryKeepsLittleOfHugeParameters(t *testing.T) {
	eng := newEngine(t)
	big := strings.Repeat("x", 900<<10)
	for range 30 {
		send(eng, mocktest.HandleBodyWith("IM-BIG", "forwardOther1", map[string]any{"virtual_send_comment": big}))
	}
	if st := eng.Stats(); st.StateBytes > 512<<10 {
		t.Fatalf("one incident holds %d bytes after 30 calls with 0.9 MB parameters", st.StateBytes)
	}
}

// Many sessions, each with a journal and incidents: what they hold stays
// within the budgets, the sessions used last keep theirs.
func TestBudgetsHoldUnderSessionChurn(t *testing.T) {
	const journalCap, stateCap = 256 << 10, 256 << 10
	eng := newEngine(t, mock.WithJournalBytes(journalCap), mock.WithStateBytes(stateCap), mock.WithMaxSessions(1000))
	pad := strings.Repeat("c", 2000)
	for i := range 3000 {
		sess := fmt.Sprintf("s%d", i%500)
		send(eng, mocktest.HandleBodyWith(fmt.Sprintf("IM-%d", i), "forwardOther1", map[string]any{"virtual_send_comment": pad}), "X-Cocmock-Session: "+sess)
		if i%97 != 0 {
			continue
		}
		if st := eng.Stats(); st.JournalBytes > journalCap || st.StateBytes > stateCap {
			t.Fatalf("after %d requests: journal %d, state %d bytes", i+1, st.JournalBytes, st.StateBytes)
		}
	}
	if x, _ := eng.Requests("s499", mock.Filter{}); len(x) == 0 {
		t.Fatal("the session used last lost its journal")
	}
	if _, ok := eng.Incident("s499", "IM-2999"); !ok {
		t.Fatal("the session used last lost its incident")
	}
}

// A single session (the default one) over the budgets loses its oldest
// exchanges and incidents, not the newest.
func TestBudgetsHoldForOneSession(t *testing.T) {
	eng := newEngine(t, mock.WithJournalBytes(64<<10), mock.WithStateBytes(64<<10))
	for i := range 500 {
		send(eng, mocktest.HandleBody(fmt.Sprintf("IM-%d", i), "acceptedIncident1"))
	}
	st := eng.Stats()
	if st.JournalBytes > 64<<10 || st.StateBytes > 64<<10 || st.JournalEntries == 0 || st.Incidents == 0 {
		t.Fatalf("%+v", st)
	}
	if _, ok := eng.Incident("", "IM-499"); !ok {
		t.Fatal("the newest incident was dropped")
	}
	if _, ok := eng.Incident("", "IM-0"); ok {
		t.Fatal("the oldest incident was kept over the budget")
	}
}

// Once over a budget, the engine frees a sixteenth of it at once rather
// than just enough: the walk over every session is then made once per
// many requests, not on each one while the budget stays full.
func TestAFullBudgetIsFreedDownToALowMark(t *testing.T) {
	const journalCap = 64 << 10
	eng := newEngine(t, mock.WithJournalBytes(journalCap))
	crossed := 0
	for i := range 400 {
		before := eng.Stats().JournalBytes
		send(eng, mocktest.HandleBody(fmt.Sprintf("IM-%d", i), "acceptedIncident1"), fmt.Sprint("X-Cocmock-Session: s", i%50))
		after := eng.Stats().JournalBytes
		if after < before { // this request went over and the engine freed
			crossed++
			if after > journalCap-journalCap/16 {
				t.Fatalf("freed to %d bytes, above the low mark %d", after, journalCap-journalCap/16)
			}
		}
	}
	if crossed == 0 {
		t.Fatal("the budget was never reached: the test proves nothing")
	}
}

// A new session costs nothing until it holds something: no journal is
// allocated up front.
func TestNewSessionsCostLittle(t *testing.T) {
	eng := newEngine(t)
	send(eng, mocktest.HandleBody("IM1", "acceptedIncident1"), "X-Cocmock-Session: warm")
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	for i := range 500 {
		eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "GET", Path: "/v1/external/nope",
			Header: http.Header{mock.SessionHeader: {fmt.Sprintf("s%d", i)}}})
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / 500; per > 32<<10 {
		t.Fatalf("a new session with one exchange allocates %d bytes", per)
	}
}

// A cut that splits a character keeps the body as text, not base64.
func TestACutBodyStaysText(t *testing.T) {
	eng := newEngine(t)
	body := mocktest.HandleBodyWith("IM1", "forwardOther1", map[string]any{"virtual_send_comment": strings.Repeat("事", 30000)})
	send(eng, body)
	x, _ := eng.Requests("", mock.Filter{})
	if !x[0].Request.Truncated || x[0].Request.BodyEncoding != "" || !utf8.Valid(x[0].Request.Body) {
		t.Fatalf("truncated %v, encoding %q", x[0].Request.Truncated, x[0].Request.BodyEncoding)
	}
}

// A flood of short headers is cut too: names count.
func TestAFloodOfHeadersIsCut(t *testing.T) {
	eng := newEngine(t)
	h := http.Header{"Content-Type": {"application/json"}}
	for i := range 30000 {
		h.Set(fmt.Sprintf("X-H%d", i), "v")
	}
	eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: h, Body: []byte(mocktest.HandleBody("IM1", "acceptedIncident1"))})
	x, _ := eng.Requests("", mock.Filter{})
	if n := len(x[0].Request.Header); n > 2000 || !x[0].Request.HeadersTruncated {
		t.Fatalf("%d header names kept", n)
	}
	if st := eng.Stats(); st.JournalBytes > 256<<10 { // counted with each map entry's own cost
		t.Fatalf("one exchange counts %d bytes", st.JournalBytes)
	}
}
