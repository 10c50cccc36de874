package mock_test

import (
	"context"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

func TestValidationModes(t *testing.T) {
	// commitSolution1 without its cause: the contract says 400.
	invalid := mocktest.HandleBodyWith("IM-V", "commitSolution1", map[string]any{"mtm_type": "t", "is_service_interrupt": "yes", "solution": "s"})
	valid := mocktest.HandleBody("IM-V", "acceptedIncident1")
	for _, tc := range []struct {
		mode                    mock.Validation
		body                    string
		status                  int
		header, journaled, move bool
	}{
		{mock.ValidationEnforce, valid, 200, false, false, true},
		{mock.ValidationEnforce, invalid, 400, true, true, false},
		{mock.ValidationReport, valid, 200, false, false, true},
		{mock.ValidationReport, invalid, 200, true, true, true},
		{mock.ValidationOff, valid, 200, false, false, true},
		{mock.ValidationOff, invalid, 200, false, false, true},
		{mock.ValidationOff, "not json at all", 200, false, false, false},
	} {
		t.Run(string(tc.mode)+" "+tc.body[:min(len(tc.body), 40)], func(t *testing.T) {
			eng := newEngine(t, mock.WithValidation(tc.mode))
			r := send(eng, tc.body)
			if r.Status != tc.status || (r.Header.Get(mock.ViolationsHeader) != "") != tc.header {
				t.Fatalf("%d violations header %q", r.Status, r.Header.Get(mock.ViolationsHeader))
			}
			x, _ := eng.Requests("", mock.Filter{})
			if (len(x[0].Violations) > 0) != tc.journaled || x[0].RequestValid == tc.journaled {
				t.Fatalf("journal: violations %v, request_valid %v", x[0].Violations, x[0].RequestValid)
			}
			if _, moved := eng.Incident("", "IM-V"); moved != tc.move {
				t.Fatalf("incident moved: %v, want %v", moved, tc.move)
			}
			if st := eng.Stats(); st.Incidents > 1 {
				t.Fatalf("%d incidents: a call naming none created one", st.Incidents)
			}
		})
	}
	t.Run("report mode names the violation in words a user can act on", func(t *testing.T) {
		r := send(newEngine(t, mock.WithValidation(mock.ValidationReport)), invalid)
		if v := r.Header.Get(mock.ViolationsHeader); !strings.Contains(v, "parameter.cause") {
			t.Fatalf("%q", v)
		}
	})
}

// A body that breaks the contract is still filed under its incident and
// operate_key in the journal, read as an accepted body's are.
func TestARefusedBodyIsJournaledUnderItsKeys(t *testing.T) {
	eng := newEngine(t)
	r := send(eng, `{"incident_num":"IM-REFUSED","operator":"u","operate_key":"acceptIncident1"}`)
	if r.Status != 400 {
		t.Fatalf("status %d", r.Status)
	}
	x, _ := eng.Requests("", mock.Filter{IncidentNum: "IM-REFUSED", OperateKey: "acceptIncident1"})
	if len(x) != 1 {
		t.Fatalf("the refused call is not filed under IM-REFUSED / acceptIncident1: %+v", x)
	}
	// A key given twice: the last one, as encoding/json reads it.
	if r := send(eng, `{"incident_num":"IM-FIRST","incident_num":"IM-LAST","operator":"u","operate_key":"acceptIncident1"}`); r.Status != 400 {
		t.Fatalf("status %d", r.Status)
	}
	if x, _ := eng.Requests("", mock.Filter{IncidentNum: "IM-LAST", OperateKey: "acceptIncident1"}); len(x) != 1 {
		t.Fatalf("the refused call with incident_num twice is not filed under the last one: %+v", x)
	}
}

// Replies with the same headers share one map; a header that one reply
// adds (report mode's violations, Prefer's, a throttled reply's wait) must
// reach no other, however many are answered at once.
func TestAHeaderOneReplyAddsReachesNoOther(t *testing.T) {
	eng := newEngine(t, mock.WithValidation(mock.ValidationReport))
	invalid := mocktest.HandleBodyWith("IM-H", "commitSolution1", map[string]any{"mtm_type": "t", "is_service_interrupt": true, "solution": "s"})
	plain := func(t *testing.T, r mock.Reply) {
		t.Helper()
		if len(r.Header) != 2 || r.Header.Get("Content-Type") != "application/json" || r.Header.Get(mock.RuleHeader) == "" {
			t.Fatalf("a plain reply's headers: %v", r.Header)
		}
	}
	first := send(eng, accept("IM-H"))
	plain(t, first)
	if r := send(eng, invalid); r.Header.Get(mock.ViolationsHeader) == "" || r.Header.Get(mock.RuleHeader) == "" {
		t.Fatalf("report mode: %v", r.Header)
	}
	plain(t, send(eng, accept("IM-H")))
	if r := send(eng, accept("IM-H"), "Prefer: code=200"); r.Header.Get("Preference-Applied") != "code=200" {
		t.Fatalf("Prefer: %v", r.Header)
	}
	plain(t, send(eng, accept("IM-H")))
	plain(t, first) // the first reply's headers, read again after all that

	var wg sync.WaitGroup
	for g := range 8 {
		wg.Go(func() {
			for i := range 200 {
				switch (g + i) % 3 {
				case 0:
					if r := send(eng, invalid); r.Header.Get(mock.ViolationsHeader) == "" {
						t.Errorf("report mode lost its header: %v", r.Header)
					}
				case 1:
					if r := send(eng, accept("IM-H"), "Prefer: code=200"); r.Header.Get("Preference-Applied") == "" || r.Header.Get(mock.ViolationsHeader) != "" {
						t.Errorf("Prefer: %v", r.Header)
					}
				default:
					if r := send(eng, accept("IM-H")); len(r.Header) != 2 {
						t.Errorf("a plain reply carries another's header: %v", r.Header)
					}
				}
			}
		})
	}
	wg.Wait()
}

// What the engine hands out (a gateway error, the journal's entries, the
// event stream's) is the caller's to change: none of it reaches a reply,
// however the engine shares headers among its own.
func TestHeadersTheEngineHandsOutAreTheCallersToChange(t *testing.T) {
	eng := newEngine(t)
	w, err := eng.Watch("", false)
	if err != nil {
		t.Fatal(err)
	}
	defer w.Close()
	mine := func(r mock.Reply) {
		t.Helper()
		if v := r.Header.Get("X-Mine"); v != "" {
			t.Fatalf("a reply carries a header set on %s: %v", v, r.Header)
		}
	}
	g := mock.GatewayError(http.StatusServiceUnavailable, "id")
	g.Header.Set("X-Mine", "a gateway error")
	mine(send(eng, accept("IM-O")))
	xs, _ := eng.Requests("", mock.Filter{})
	xs[0].Reply.Header.Set("X-Mine", "a journal entry's reply")
	xs[0].Request.Header.Set("X-Mine", "a journal entry's request")
	seen := <-w.C
	seen.Reply.Header.Set("X-Mine", "a watched exchange")
	mine(send(eng, accept("IM-O")))
	mine(send(eng, `{"incident_num":"IM-O","operator":"u","operate_key":"nope"}`))
	mine(mock.GatewayError(http.StatusServiceUnavailable, "id"))
	xs, _ = eng.Requests("", mock.Filter{})
	for _, x := range xs {
		if x.Reply.Header.Get("X-Mine") != "" || x.Request.Header.Get("X-Mine") != "" {
			t.Fatalf("the journal kept a change made to a copy: %v %v", x.Request.Header, x.Reply.Header)
		}
	}
}

// A watcher that stopped reading misses exchanges without costing each
// request a copy of them: a request allocates what it would with nobody
// watching.
func TestAStalledWatcherCostsARequestNoCopy(t *testing.T) {
	allocs := func(watch bool) float64 {
		eng := newEngine(t)
		if watch {
			w, err := eng.Watch("", false)
			if err != nil {
				t.Fatal(err)
			}
			defer w.Close()
		}
		for range 2 * mock.MaxWatchers * 64 { // past the watcher's buffer and the journal's warm-up
			send(eng, accept("IM-W"))
		}
		return testing.AllocsPerRun(200, func() { send(eng, accept("IM-W")) })
	}
	if stalled, none := allocs(true), allocs(false); stalled > none {
		t.Fatalf("a request allocates %.0f times with a stalled watcher, %.0f with none", stalled, none)
	}
}

// A JSON body sent as another content type is filed under its keys, and
// matched, alike in every validation mode: enforce refuses it, report
// answers it as off does.
func TestABodySentAsAnotherTypeIsFiledAlikeInEveryMode(t *testing.T) {
	body := `{"incident_num":"IM-TP","operator":"u","operate_key":"acceptedIncident1"}`
	statuses := map[mock.Validation]int{}
	for _, v := range []mock.Validation{mock.ValidationEnforce, mock.ValidationReport, mock.ValidationOff} {
		eng := newEngine(t, mock.WithValidation(v))
		r := eng.Serve(context.Background(), mock.Request{
			ID: "0123456789abcdef0123456789abcdef", Method: http.MethodPost, Path: handlePath,
			Header: http.Header{"Content-Type": {"text/plain"}}, Body: []byte(body),
		})
		statuses[v] = r.Status
		xs, _ := eng.Requests("", mock.Filter{})
		if len(xs) != 1 || xs[0].IncidentNum != "IM-TP" || xs[0].OperateKey != "acceptedIncident1" {
			t.Fatalf("%s: filed as %q %q", v, xs[0].IncidentNum, xs[0].OperateKey)
		}
	}
	if statuses[mock.ValidationEnforce] != 400 || statuses[mock.ValidationReport] != statuses[mock.ValidationOff] {
		t.Fatalf("statuses by mode: %v", statuses)
	}
}
