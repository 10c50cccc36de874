package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock/mocktest"
	"net/http"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

const (
	triggered    = "INCIDENT_STATUS_TRIGGERED"
	acknowledged = "INCIDENT_STATUS_ACKNOWLEDGED"
	rejectedSt   = "INCIDENT_STATUS_REJECTED"
	resolved     = "INCIDENT_STATUS_RESOLVED"
	completed    = "INCIDENT_STATUS_COMPLETED"
)

// op builds a request body for an operation on a ticket.
func op(num, key string) string { return mocktest.HandleBody(num, key) }

func lifecycleEngine(t testing.TB) *mock.Engine {
	return newEngine(t, mock.WithScenario("lifecycle"))
}

// seed puts a ticket in a state through the sandbox API.
func seed(t testing.TB, eng *mock.Engine, session, num, status, pending string) {
	t.Helper()
	if _, err := eng.PutIncident(session, num, mock.IncidentState{Status: status, PendingApproval: pending}); err != nil {
		t.Fatal(err)
	}
}

func TestLifecycleRecordsTicketFields(t *testing.T) {
	eng := lifecycleEngine(t)
	// First use starts at level_30: level_20 is an escalation, applied at once.
	for _, key := range []string{"acceptedIncident1", "incidentChangeLevel1", "commitSolution1"} {
		if r := send(eng, op("IM-F", key)); r.Status != 200 {
			t.Fatalf("%s: %d %s", key, r.Status, r.Body)
		}
	}
	tk, ok := eng.Incident("", "IM-F")
	if !ok {
		t.Fatal("no ticket")
	}
	if tk.Status != resolved || tk.Level != "level_20" || tk.Type != "inc_type_p_config_issues" || tk.ServiceInterrupt == nil || !*tk.ServiceInterrupt {
		t.Fatalf("ticket %+v", tk)
	}
	if len(tk.History) != 3 || tk.History[1].PendingAfter != "" || tk.History[1].Action != "incidentChangeLevel1" {
		t.Fatalf("history %+v", tk.History)
	}
	if tk.Put {
		t.Fatal("a ticket created on first use is not seeded")
	}
}

func TestRejectedDeEscalationLeavesTheLevel(t *testing.T) {
	eng := lifecycleEngine(t)
	if _, err := eng.PutIncident("", "IM-L", mock.IncidentState{Status: acknowledged, Level: "level_10"}); err != nil {
		t.Fatal(err)
	}
	send(eng, op("IM-L", "incidentChangeLevel1"))
	if tk, _ := eng.Incident("", "IM-L"); tk.Level != "level_10" || tk.PendingLevel != "level_20" || tk.PendingApproval != "level" {
		t.Fatalf("while pending: %+v", tk)
	}
	send(eng, op("IM-L", "rejected"))
	if tk, _ := eng.Incident("", "IM-L"); tk.Level != "level_10" || tk.PendingLevel != "" || tk.PendingApproval != "" {
		t.Fatalf("after rejected: %+v", tk)
	}
	send(eng, op("IM-L", "incidentChangeLevel1"))
	send(eng, op("IM-L", "agreed"))
	if tk, _ := eng.Incident("", "IM-L"); tk.Level != "level_20" || tk.PendingLevel != "" {
		t.Fatalf("after agreed: %+v", tk)
	}
}

func TestUnknownTicketsCreatedTriggered(t *testing.T) {
	eng := lifecycleEngine(t)
	if r := send(eng, op("IM-NEW", "commitSolution1")); r.Status != 400 || !strings.Contains(string(r.Body), "IM-NEW is INCIDENT_STATUS_TRIGGERED") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	// Refused, the call created nothing; accepted, it creates the ticket.
	if _, ok := eng.Incident("", "IM-NEW"); ok {
		t.Fatal("a refused call on an unknown number created it")
	}
	if r := send(eng, op("IM-NEW", "acceptedIncident1")); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if tk, ok := eng.Incident("", "IM-NEW"); !ok || tk.Status != acknowledged || len(tk.History) != 1 {
		t.Fatalf("%v %+v", ok, tk)
	}
}

func TestUnknownTicketsRejectedWhenTheScenarioSaysSo(t *testing.T) {
	spec, _ := openapi.Load("embedded", openapi.Embedded())
	builtin, _ := fsReadFile(scenarios.Builtin(), "lifecycle.yaml")
	strict := strings.Replace(strings.Replace(string(builtin), "name: lifecycle", "name: strict", 1), "unknown: create", "unknown: reject", 1)
	sc, findings := scenarios.Parse("strict.yaml", []byte(strict), spec)
	if sc == nil {
		t.Fatal(findings)
	}
	set, err := scenarios.Load(spec, scenarios.Source{Name: "builtin", FS: scenarios.Builtin()}, scenarios.Source{Name: "t", FS: mapFS("strict.yaml", strict)})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mock.New(spec, set, mock.WithSeed(1), mock.WithScenario("strict"))
	if err != nil {
		t.Fatal(err)
	}
	r := send(eng, op("IM-GHOST", "acceptedIncident1"))
	if r.Status != 400 || string(r.Body) != `{"error_code":"COC.00067003","error_msg":"The incident IM-GHOST does not exist","provider_code":"049","data":null}` {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if _, ok := eng.Incident("", "IM-GHOST"); ok {
		t.Fatal("a rejected unknown ticket was created")
	}
	seed(t, eng, "", "IM-SEEDED", triggered, "")
	if r := send(eng, op("IM-SEEDED", "acceptedIncident1")); r.Status != 200 {
		t.Fatalf("a seeded ticket: %d %s", r.Status, r.Body)
	}
}

func TestTwentyParallelAcceptsOneWinner(t *testing.T) {
	eng := lifecycleEngine(t)
	const n = 20
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- send(eng, op("IM-RACE", "acceptedIncident1")).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 1 || count[400] != n-1 {
		t.Fatalf("got %v, want one 200 and %d×400", count, n-1)
	}
	tk, _ := eng.Incident("", "IM-RACE")
	if tk.Status != acknowledged || len(tk.History) != 1 { // refusals are not history
		t.Fatalf("ticket %s with %d history entries", tk.Status, len(tk.History))
	}
}

func TestFiftySessionsDriveTheSameTicketIndependently(t *testing.T) {
	eng := lifecycleEngine(t)
	flow := []string{"acceptedIncident1", "commitSolution1", "confirm-true"}
	var wg sync.WaitGroup
	errs := make(chan string, 50*len(flow))
	for i := range 50 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sess := fmt.Sprintf("run-%02d", i)
			for _, key := range flow {
				if r := send(eng, op("IM-SHARED", key), mock.SessionHeader+": "+sess); r.Status != 200 {
					errs <- fmt.Sprintf("%s %s: %d %s", sess, key, r.Status, r.Body)
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Error(e)
	}
	for i := range 50 {
		sess := fmt.Sprintf("run-%02d", i)
		tk, ok := eng.Incident(sess, "IM-SHARED")
		if !ok || tk.Status != completed || len(tk.History) != 3 {
			t.Fatalf("%s: %+v", sess, tk)
		}
		if _, total := eng.Requests(sess, mock.Filter{}); total != 3 {
			t.Fatalf("%s journal has %d entries, want 3", sess, total)
		}
	}
	if _, ok := eng.Incident("", "IM-SHARED"); ok {
		t.Fatal("the default session saw a ticket of a named session")
	}
}

func TestSessionsAreIsolatedAndBounded(t *testing.T) {
	eng := newEngine(t, mock.WithMaxSessions(3))
	if err := eng.SetScenario("a", "outage"); err != nil {
		t.Fatal(err)
	}
	if r := send(eng, accept("IM1"), mock.SessionHeader+": a"); r.Status != 503 {
		t.Fatalf("session a's scenario: %d", r.Status)
	}
	if r := send(eng, accept("IM1"), mock.SessionHeader+": b"); r.Status != 200 {
		t.Fatalf("session b must keep the default: %d", r.Status)
	}
	if r := send(eng, accept("IM1")); r.Status != 200 {
		t.Fatalf("the default session must keep the default: %d", r.Status)
	}
	if err := eng.SetScenario("", "nope"); err == nil {
		t.Fatal("an unknown scenario was accepted")
	}
	for _, s := range []string{"c", "d", "e"} {
		send(eng, accept("IM1"), mock.SessionHeader+": "+s)
	}
	if st := eng.Stats(); st.Sessions != 3 {
		t.Fatalf("%d sessions held, want 3", st.Sessions)
	}
	if eng.ActiveScenario("a") != "default" {
		t.Fatal("session a, least recently used, should have been dropped")
	}
}

func TestResetReturnsASessionToStart(t *testing.T) {
	eng := lifecycleEngine(t)
	send(eng, op("IM-X", "acceptedIncident1"), mock.SessionHeader+": s1")
	send(eng, op("IM-X", "acceptedIncident1"), mock.SessionHeader+": s2")
	eng.Reset("s1")
	if _, ok := eng.Incident("s1", "IM-X"); ok {
		t.Fatal("reset kept the ticket")
	}
	if _, total := eng.Requests("s1", mock.Filter{}); total != 0 {
		t.Fatal("reset kept the journal")
	}
	if _, ok := eng.Incident("s2", "IM-X"); !ok {
		t.Fatal("resetting s1 touched s2")
	}
	eng.ResetAll()
	if _, ok := eng.Incident("s2", "IM-X"); ok {
		t.Fatal("reset all kept s2's ticket")
	}
}

func TestJournal(t *testing.T) {
	eng := newEngine(t, mock.WithJournalSize(10), mock.WithScenario("lifecycle"))
	h := http.Header{"Content-Type": {"application/json"}, "Authorization": {"SDK-HMAC-SHA256 Access=AK, SignedHeaders=x, Signature=abc"},
		"X-Auth-Token": {"tok"}, "X-Security-Token": {"sec"}, "User-Agent": {"probe"}}
	r := eng.Serve(context.Background(), mock.Request{ID: "id-1", Method: "POST", Path: handlePath, Header: h, Body: []byte(op("IM-J", "acceptedIncident1"))})
	if r.Status != 200 {
		t.Fatal(r.Status)
	}
	send(eng, op("IM-J", "acceptedIncident1")) // refused: already accepted
	send(eng, `{"incident_num":"IM-J"}`)       // invalid
	send(eng, op("IM-K", "acceptedIncident1")) // another ticket

	entries, total := eng.Requests("", mock.Filter{})
	if total != 4 || entries[0].IncidentNum != "IM-K" {
		t.Fatalf("%d entries, newest %q", total, entries[0].IncidentNum)
	}
	first := entries[3]
	for _, name := range []string{"Authorization", "X-Auth-Token", "X-Security-Token"} {
		if got := first.Request.Header.Get(name); got != mock.Redacted {
			t.Errorf("%s journaled as %q", name, got)
		}
	}
	if first.Request.Header.Get("User-Agent") != "probe" || first.Scenario != "lifecycle" || first.Rule != "accept" ||
		first.StatusBefore != triggered || first.StatusAfter != acknowledged || first.RequestID != "id-1" {
		t.Fatalf("entry %+v", first)
	}
	if b, _ := json.Marshal(first); strings.Contains(string(b), "Signature=abc") || strings.Contains(string(b), `"tok"`) {
		t.Fatalf("a secret reached the journal: %s", b)
	}
	if len(entries[1].Violations) == 0 || entries[1].Status != 400 {
		t.Fatalf("invalid request entry %+v", entries[1])
	}

	filters := []struct {
		f    mock.Filter
		want int
	}{
		{mock.Filter{IncidentNum: "IM-J"}, 3},
		{mock.Filter{OperateKey: "acceptedIncident1"}, 3},
		{mock.Filter{Status: 400}, 2},
		{mock.Filter{Rule: "refuse-accept"}, 1},
		{mock.Filter{IncidentNum: "IM-J", Status: 200}, 1},
		{mock.Filter{Limit: 2}, 4},
	}
	for _, tc := range filters {
		got, total := eng.Requests("", tc.f)
		if total != tc.want {
			t.Errorf("%+v: count %d, want %d", tc.f, total, tc.want)
		}
		if tc.f.Limit > 0 && len(got) != tc.f.Limit {
			t.Errorf("%+v: %d entries returned", tc.f, len(got))
		}
	}

	for i := range 100 { // ten times the journal size
		send(eng, op(fmt.Sprintf("IM-B%d", i), "forwardOther1"))
	}
	entries, total = eng.Requests("", mock.Filter{})
	if total != 10 || len(entries) != 10 || entries[0].IncidentNum != "IM-B99" || entries[9].IncidentNum != "IM-B90" {
		t.Fatalf("after 100 requests the journal holds %d, newest %s", total, entries[0].IncidentNum)
	}
	if st := eng.Stats(); st.JournalEntries != 10 {
		t.Fatalf("stats count %d journal entries", st.JournalEntries)
	}
}

func TestJournalKeepsBodiesAsSent(t *testing.T) {
	eng := newEngine(t)
	send(eng, `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`)
	send(eng, `{"incident_num":`)
	entries, _ := eng.Requests("", mock.Filter{})
	b, err := json.Marshal(entries)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		`"body":{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`, // JSON: the value, keys as sent
		`"body":"{\"incident_num\":"`, // not JSON: a string
	} {
		if !strings.Contains(string(b), want) {
			t.Errorf("journal lacks %s:\n%s", want, b)
		}
	}
	var back []mock.Exchange
	if err := json.Unmarshal(b, &back); err != nil || string(back[1].Request.Body) != `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}` {
		t.Fatalf("round trip: %v %s", err, back[1].Request.Body)
	}
}

func TestJournalCutsLongBodiesAndKeepsOnlyTheCut(t *testing.T) {
	eng := newEngine(t)
	big := `{"incident_num":"IM1","operator":"u","operate_key":"forwardOther1","parameter":{"x":"` + strings.Repeat("y", 200<<10) + `"}}`
	send(eng, big)
	entries, _ := eng.Requests("", mock.Filter{})
	b := entries[0].Request.Body
	if !entries[0].Request.Truncated || len(b) != 64<<10 || cap(b) > 64<<10 {
		t.Fatalf("kept %d bytes (cap %d), truncated=%v", len(b), cap(b), entries[0].Request.Truncated)
	}
}

func TestSessionStateIsBounded(t *testing.T) {
	eng := lifecycleEngine(t)
	for i := range mock.MaxIncidentsPerSession + 5 {
		if _, err := eng.PutIncident("", fmt.Sprintf("IM-%05d", i), mock.IncidentState{Status: triggered}); err != nil {
			t.Fatal(err)
		}
	}
	if st := eng.Stats(); st.Incidents != mock.MaxIncidentsPerSession {
		t.Fatalf("%d tickets held, want %d", st.Incidents, mock.MaxIncidentsPerSession)
	}
	if _, ok := eng.Incident("", "IM-00000"); ok {
		t.Fatal("the oldest ticket should have been forgotten")
	}
	if _, ok := eng.Incident("", fmt.Sprintf("IM-%05d", mock.MaxIncidentsPerSession+4)); !ok {
		t.Fatal("the newest ticket is gone")
	}
}

func TestReadingASessionDoesNotCreateIt(t *testing.T) {
	eng := lifecycleEngine(t)
	eng.Requests("typo", mock.Filter{})
	eng.Incidents("typo")
	eng.Incident("typo", "IM1")
	eng.ActiveScenario("typo")
	eng.Reset("typo")
	eng.ClearRequests("typo")
	if st := eng.Stats(); st.Sessions != 0 {
		t.Fatalf("%d sessions after reads only", st.Sessions)
	}
}

func TestSeedRefusesUnknownStatuses(t *testing.T) {
	eng := lifecycleEngine(t)
	_, err := eng.PutIncident("", "IM1", mock.IncidentState{Status: "BOGUS"})
	if err == nil || !strings.Contains(err.Error(), "INCIDENT_STATUS_RESOLVED") {
		t.Fatalf("err %v, want one listing the known states", err)
	}
	if _, err := eng.PutIncident("", "IM1", mock.IncidentState{Status: acknowledged, PendingApproval: "level", PendingLevel: "level_10"}); err != nil {
		t.Fatal(err)
	}
	if _, err := eng.PutIncident("", "IM1", mock.IncidentState{Status: acknowledged, PendingLevel: "level_10"}); err == nil {
		t.Fatal("a pending level without a level approval was taken")
	}
}

// Every row of the lifecycle table (DESIGN.md): put the ticket in a state,
// operate, read it back.
func TestLifecycleTable(t *testing.T) {
	eng := lifecycleEngine(t)
	cases := []struct {
		from, pending, key, to, pendingAfter string
	}{
		{triggered, "", "acceptedIncident1", acknowledged, ""},
		{triggered, "", "forwardOther1", triggered, ""},
		{triggered, "", "rejected", rejectedSt, ""},
		{rejectedSt, "", "ReOpen", triggered, ""},
		{rejectedSt, "", "agreed", completed, ""},
		{acknowledged, "", "commitSolution1", resolved, ""},
		{acknowledged, "", "forwardOther1", acknowledged, ""},
		{acknowledged, "", "incidentChangeLevel1-down", acknowledged, "level"},
		{acknowledged, "", "incidentPause", acknowledged, "pause"},
		{acknowledged, "pause", "agreed", acknowledged, ""},
		{acknowledged, "pause", "rejected", acknowledged, ""},
		{acknowledged, "level", "agreed", acknowledged, ""},
		{acknowledged, "level", "rejected", acknowledged, ""},
		{resolved, "", "confirm-true", completed, ""},
		{resolved, "", "confirm-false", acknowledged, ""},
	}
	for i, tc := range cases {
		t.Run(fmt.Sprintf("%s/%s + %s → %s", tc.from, tc.pending, tc.key, tc.to), func(t *testing.T) {
			num := fmt.Sprintf("IM-T%02d", i)
			seed(t, eng, "", num, tc.from, tc.pending)
			r := send(eng, mocktest.HandleBody(num, tc.key))
			if r.Status != 200 || string(r.Body) != okBody {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
			tk, _ := eng.Incident("", num)
			if tk.Status != tc.to || tk.PendingApproval != tc.pendingAfter || len(tk.History) != 1 {
				t.Fatalf("ticket %s pending %q history %d; want %s pending %q", tk.Status, tk.PendingApproval, len(tk.History), tc.to, tc.pendingAfter)
			}
			if h := tk.History[0]; h.StatusBefore != tc.from || h.StatusAfter != tc.to || h.Rule == "" {
				t.Fatalf("history %+v", h)
			}
		})
	}
}

// Every operation the table does not allow, in every status.
func TestLifecycleRefusals(t *testing.T) {
	eng := lifecycleEngine(t)
	allowed := map[string][]string{
		triggered:    {"acceptedIncident1", "forwardOther1", "rejected"},
		rejectedSt:   {"ReOpen", "agreed"},
		acknowledged: {"commitSolution1", "forwardOther1", "incidentChangeLevel1", "incidentPause"},
		resolved:     {"confirm-true", "confirm-false"},
		completed:    {},
	}
	keys := []string{"acceptedIncident1", "commitSolution1", "confirm-true", "confirm-false", "forwardOther1",
		"incidentPause", "agreed", "rejected", "incidentChangeLevel1", "ReOpen"}
	statuses := []string{triggered, rejectedSt, acknowledged, resolved, completed}
	n := 0
	for _, status := range statuses {
		for _, key := range keys {
			if slices.Contains(allowed[status], key) {
				continue
			}
			n++
			num := fmt.Sprintf("IM-R%03d", n)
			t.Run(status+" refuses "+key, func(t *testing.T) {
				seed(t, eng, "", num, status, "")
				r := send(eng, mocktest.HandleBody(num, key))
				var env incident.Envelope
				if err := json.Unmarshal(r.Body, &env); err != nil || r.Status != 400 || env.ErrorCode != "GOM.00007256" || env.ErrorMsg == nil {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
				operateKey, _, _ := strings.Cut(key, "-")
				if msg := *env.ErrorMsg; !strings.Contains(msg, num) || !strings.Contains(msg, status) || !strings.Contains(msg, operateKey+" needs") {
					t.Fatalf("message %q must name the ticket, its status and what %s needs", msg, operateKey)
				}
				if tk, _ := eng.Incident("", num); tk.Status != status || tk.PendingApproval != "" || len(tk.History) != 0 {
					t.Fatalf("refusal moved the ticket or wrote history: %+v", tk)
				}
			})
		}
	}
	if n != 39 {
		t.Fatalf("%d refusals walked, want 39 (5 statuses × 10 operations − 11 allowed)", n)
	}
}

// The lifecycle scenario's v1 rules and the domain's workflow (the v2
// tasks) are one matrix: in every status and approval, a v1 key is allowed
// exactly when a task offers its v2 action.
func TestLifecycleRulesAndV2TasksAllowTheSame(t *testing.T) {
	eng := lifecycleEngine(t)
	v2 := map[string][]string{
		"acceptedIncident1": {"accepted"}, "forwardOther1": {"unAcceptedForward", "acceptedForward"},
		"rejected": {"rejected"}, "ReOpen": {"ReOpen"}, "commitSolution1": {"commitSolution"}, "confirm-true": {"confirm"},
		"incidentChangeLevel1": {"changeLevel"}, "incidentPause": {"incidentPause"}, "agreed": {"agreed"},
	}
	n := 0
	for _, status := range []string{triggered, rejectedSt, acknowledged, resolved, completed} {
		for _, pending := range []string{"", "pause", "level"} {
			if pending != "" && status != acknowledged && status != resolved {
				continue
			}
			for key, actions := range v2 {
				n++
				num := fmt.Sprintf("IM-M%03d", n)
				seed(t, eng, "", num, status, pending)
				r := do(eng, "GET", "/v2/incidents/"+num+"/tasks", "")
				var tasks struct {
					Data []incident.Task `json:"data"`
				}
				if err := json.Unmarshal(r.Body, &tasks); err != nil || r.Status != 200 {
					t.Fatalf("%d %s", r.Status, r.Body)
				}
				offered := false
				for _, task := range tasks.Data {
					for _, op := range task.Operations {
						offered = offered || slices.Contains(actions, op.Key)
					}
				}
				allowed := send(eng, mocktest.HandleBody(num, key)).Status == 200
				if offered != allowed {
					t.Errorf("%s pending %q: v1 %s allowed %v, v2 %v offered %v", status, pending, key, allowed, actions, offered)
				}
			}
		}
	}
}
