package mock_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
)

// tasks reads an incident's v2 tasks.
func tasks(t *testing.T, eng *mock.Engine, num string, headers ...string) []incident.Task {
	t.Helper()
	var out []incident.Task
	readData(t, do(eng, "GET", "/v2/incidents/"+num+"/tasks", "", headers...), &out)
	return out
}

// taskFor is the task id that offers an action, or "".
func taskFor(list []incident.Task, action string) string {
	for _, task := range list {
		for _, op := range task.Operations {
			if op.Key == action {
				return op.TaskID
			}
		}
	}
	return ""
}

func actionBody(task, action, params string) string {
	if params == "" {
		params = "{}"
	}
	return `{"task_id":"` + task + `","action":"` + action + `","params":` + params + `}`
}

// act runs a v2 action at the task that offers it.
func act(t *testing.T, eng *mock.Engine, num, action, params string, headers ...string) mock.Reply {
	t.Helper()
	task := taskFor(tasks(t, eng, num, headers...), action)
	if task == "" {
		t.Fatalf("no task of %s offers %s: %+v", num, action, tasks(t, eng, num, headers...))
	}
	return do(eng, "POST", "/v2/incidents/"+num+"/actions", actionBody(task, action, params), headers...)
}

func historiesV2(t *testing.T, eng *mock.Engine, num, body string) (h incident.HistoriesV2) {
	t.Helper()
	readData(t, do(eng, "POST", "/v2/incidents/"+num+"/histories", body), &h)
	return h
}

// readData decodes a 200's data into v.
func readData(t *testing.T, r mock.Reply, v any) {
	t.Helper()
	if env := decode(t, r); r.Status != 200 || json.Unmarshal(env.Data, v) != nil {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

func TestV1AndV2AreTwoViewsOfOneIncident(t *testing.T) {
	for _, scenario := range []string{"default", "lifecycle"} {
		t.Run(scenario, func(t *testing.T) {
			eng := newEngine(t, mock.WithScenario(scenario))
			num := create(t, eng, nil)

			// v2 lists what v1 created.
			r := do(eng, "POST", "/v2/incidents/list", `{"string_filters":[{"field":"ticket_id","operator":"=","values":["`+num+`"]}],"contain_total":true}`)
			var list struct {
				Tickets []incident.Ticket `json:"tickets"`
				Total   int               `json:"total"`
			}
			if env := decode(t, r); r.Status != 200 || json.Unmarshal(env.Data, &list) != nil || list.Total != 1 || list.Tickets[0].TicketID != num {
				t.Fatalf("list: %d %s", r.Status, r.Body)
			}

			before := tasks(t, eng, num)
			if len(before) != 1 || before[0].Key != "accept" || before[0].State != "running" {
				t.Fatalf("tasks of a new incident: %+v", before)
			}
			if r := act(t, eng, num, "accepted", ""); r.Status != 200 {
				t.Fatalf("accepted: %d %s", r.Status, r.Body)
			}
			after := tasks(t, eng, num)
			if after[0].Key != "handle" || after[0].Operations[0].TaskID == before[0].Operations[0].TaskID {
				t.Fatalf("the node did not move: %+v", after)
			}
			// A stale task id is refused, naming the field and what is current.
			r = do(eng, "POST", "/v2/incidents/"+num+"/actions", actionBody(before[0].Operations[0].TaskID, "accepted", ""))
			if env := decode(t, r); r.Status != 400 || env.ErrorCode != incident.CodeInvalidParameter ||
				!strings.Contains(*env.ErrorMsg, "The field[task_id] value["+before[0].Operations[0].TaskID+"] invalid") ||
				!strings.Contains(*env.ErrorMsg, after[0].Operations[0].TaskID) {
				t.Fatalf("stale task: %d %s", r.Status, r.Body)
			}
			// An action the task does not offer is refused, naming what it offers.
			r = do(eng, "POST", "/v2/incidents/"+num+"/actions", actionBody(after[0].Operations[0].TaskID, "confirm", ""))
			if env := decode(t, r); r.Status != 400 || !strings.Contains(*env.ErrorMsg, "The field[action] value[confirm] invalid") || !strings.Contains(*env.ErrorMsg, "commitSolution") {
				t.Fatalf("action not offered: %d %s", r.Status, r.Body)
			}
			// A v1 call moves it too, and v2 sees it.
			commit := `{"incident_num":"` + num + `","operator":"alice","operate_key":"commitSolution1","parameter":{"mtm_type":"inc_type_p_config_issues","is_service_interrupt":false,"cause":"c","solution":"s"}}`
			if r := send(eng, commit); r.Status != 200 {
				t.Fatalf("v1 commit: %d %s", r.Status, r.Body)
			}
			if got := tasks(t, eng, num); got[0].Key != "verify" {
				t.Fatalf("after a v1 commit: %+v", got)
			}
			if r := act(t, eng, num, "confirm", `{"virtual_confirm_result":"true","virtual_confirm_comment":"ok"}`); r.Status != 200 {
				t.Fatalf("confirm: %d %s", r.Status, r.Body)
			}
			if d := detail(t, eng, num); d.Status != completed || d.IncidentType != "inc_type_p_config_issues" {
				t.Fatalf("detail: %+v", d)
			}
			if got := tasks(t, eng, num); len(got) != 0 {
				t.Fatalf("a completed incident has tasks: %+v", got)
			}

			// Every entry, v1 and v2, in both history shapes, in order.
			want := "create accepted commitSolution1 confirm"
			h := historiesV2(t, eng, num, `{}`)
			var v2 []string
			for _, e := range h.Info {
				v2 = append(v2, e.Action)
				if e.StartTime == "" || e.ActionNameEn == "" || len(e.EnumDataList) == 0 {
					t.Errorf("v2 entry %+v", e)
				}
			}
			if strings.Join(v2, " ") != want || h.Total != 4 {
				t.Fatalf("v2 history %v (total %d), want %s", v2, h.Total, want)
			}
			r = do(eng, "POST", historyPath, `{"string_filters":[{"field":"ticket_id","operator":"=","values":["`+num+`"]}]}`)
			var v1 incident.Histories
			if env := decode(t, r); json.Unmarshal(env.Data, &v1) != nil || len(v1.Info) != 4 || v1.Info[1].Action != "accepted" || v1.Info[2].Operator != "alice" {
				t.Fatalf("v1 history: %s", r.Body)
			}
			if desc := historiesV2(t, eng, num, `{"sort_filter":{"field":"start_time","operator":"desc","values":["start_time"],"name":"start_time"}}`); desc.Info[0].Action != "confirm" {
				t.Fatalf("desc: %+v", desc.Info)
			}
		})
	}
}

func TestAnApprovedPauseSuspendsUntilRecoveryOrItsEnd(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	eng := newEngine(t, mock.WithClock(clock))
	num := create(t, eng, nil)
	act(t, eng, num, "accepted", "")
	end := clock.now.Add(time.Hour).UnixMilli()
	if r := act(t, eng, num, "incidentPause", fmt.Sprintf(`{"pause_end_time":"%d","pause_reason":"vendor"}`, end)); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	got := tasks(t, eng, num)
	if len(got) != 2 || got[1].Key != "approvePause" || taskFor(got, "changeLevel") != "" {
		t.Fatalf("a pending pause: %+v", got)
	}
	act(t, eng, num, "agreed", `{"pause_approve_conclusion":"true"}`)
	got = tasks(t, eng, num)
	if got[0].State != incident.TaskSuspended || taskFor(got, "commitSolution") != "" || taskFor(got, "recovery") == "" {
		t.Fatalf("an agreed pause: %+v", got)
	}
	clock.now = clock.now.Add(2 * time.Hour) // past pause_end_time
	if got := tasks(t, eng, num); got[0].State != incident.TaskRunning || taskFor(got, "commitSolution") == "" {
		t.Fatalf("past its end: %+v", got)
	}
	// Paused again without an end, only recovery resumes it.
	act(t, eng, num, "incidentPause", "")
	act(t, eng, num, "agreed", "")
	clock.now = clock.now.Add(1000 * time.Hour)
	if got := tasks(t, eng, num); got[0].State != incident.TaskSuspended {
		t.Fatalf("a pause without an end: %+v", got)
	}
	act(t, eng, num, "recovery", "")
	if got := tasks(t, eng, num); got[0].State != incident.TaskRunning {
		t.Fatalf("after recovery: %+v", got)
	}
}

func TestAgreedClosesARejectedIncident(t *testing.T) {
	eng := newEngine(t)
	num := create(t, eng, nil)
	if r := act(t, eng, num, "rejected", `{"virtual_confirm_comment":"duplicate"}`); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if got := tasks(t, eng, num); got[0].Key != "reopen" || taskFor(got, "agreed") == "" || taskFor(got, "ReOpen") == "" {
		t.Fatalf("%+v", got)
	}
	act(t, eng, num, "agreed", "")
	if d := detail(t, eng, num); d.Status != completed {
		t.Fatalf("%+v", d)
	}
}

func TestV2OperationsOnAnUnknownIncident(t *testing.T) {
	eng := newEngine(t)
	for _, r := range []mock.Reply{
		do(eng, "GET", "/v2/incidents/IM-NOPE/tasks", ""),
		do(eng, "POST", "/v2/incidents/IM-NOPE/actions", actionBody("x", "accepted", "")),
		do(eng, "POST", "/v2/incidents/IM-NOPE/histories", `{}`),
	} {
		if env := decode(t, r); r.Status != 400 || env.ErrorCode != incident.CodeNotFound {
			t.Errorf("%d %s", r.Status, r.Body)
		}
	}
	if n := len(eng.Incidents("")); n != 0 {
		t.Fatalf("reads or a refused action created %d incidents", n)
	}
}

func TestSessionsIsolateV2(t *testing.T) {
	eng := newEngine(t)
	num := create(t, eng, nil)
	r := do(eng, "GET", "/v2/incidents/"+num+"/tasks", "", "X-Cocmock-Session: other")
	if r.Status != 400 {
		t.Fatalf("another session sees the incident: %d %s", r.Status, r.Body)
	}
	r = do(eng, "POST", "/v2/incidents/list", `{"contain_total":true}`, "X-Cocmock-Session: other")
	if !strings.Contains(string(r.Body), `"tickets":[],"total":0`) {
		t.Fatalf("another session lists: %s", r.Body)
	}
}

func TestMagicValuesReachTheV2Operations(t *testing.T) {
	eng := newEngine(t)
	if r := do(eng, "GET", "/v2/incidents/IM1-E429/tasks", ""); r.Status != 429 {
		t.Fatalf("tasks: %d %s", r.Status, r.Body)
	}
	if r := do(eng, "POST", "/v2/incidents/IM1-E500/actions", actionBody("t", "accepted", "")); r.Status != 500 {
		t.Fatalf("action: %d %s", r.Status, r.Body)
	}
}

func TestListIncidentsFiltersSortsAndPages(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	eng := newEngine(t, mock.WithClock(clock))
	var nums []string
	for i := range 5 {
		level := fmt.Sprintf(`"level_%d0"`, (i*2)%5+1) // 10 30 50 20 40: not in creation order
		nums = append(nums, create(t, eng, map[string]string{"incident_level": level, "incident_title": fmt.Sprintf(`"db %d"`, i)}))
		clock.now = clock.now.Add(time.Minute)
	}
	ms := func(i int) string {
		return fmt.Sprint(time.Date(2026, 12, 8, 9, i, 0, 0, time.UTC).UnixMilli())
	}
	list := func(body string) (ids []string, total int) {
		t.Helper()
		r := do(eng, "POST", "/v2/incidents/list", body)
		var data struct {
			Tickets []incident.Ticket `json:"tickets"`
			Total   *int              `json:"total"`
		}
		if env := decode(t, r); r.Status != 200 || json.Unmarshal(env.Data, &data) != nil {
			t.Fatalf("%s: %d %s", body, r.Status, r.Body)
		}
		for _, tk := range data.Tickets {
			ids = append(ids, tk.Title)
		}
		if data.Total != nil {
			total = *data.Total
		}
		return ids, total
	}
	for _, tc := range []struct{ body, want string }{
		{`{}`, "[db 4 db 3 db 2 db 1 db 0] 0"}, // newest first, no total unless asked
		{`{"contain_total":true,"per_page":2}`, "[db 4 db 3] 5"},
		{`{"contain_total":true,"per_page":2,"page":3}`, "[db 0] 5"},
		{`{"contain_total":true,"per_page":2,"page":9}`, "[] 5"},
		{`{"per_page":1,"contain_all":true}`, "[db 4 db 3 db 2 db 1 db 0] 0"},
		{`{"sort_filter":{"field":"create_time","operator":"asc","values":[]}}`, "[db 0 db 1 db 2 db 3 db 4] 0"},
		{`{"sort_filter":{"field":"level_id","operator":"desc","values":[]}}`, "[db 2 db 4 db 1 db 3 db 0] 0"},
		// Terraform's window: >= and <= on create_time, as strings.
		{`{"string_filters":[{"field":"create_time","operator":">=","values":["` + ms(1) + `"],"name":"s"},{"field":"create_time","operator":"<=","values":["` + ms(3) + `"],"name":"e"}]}`, "[db 3 db 2 db 1] 0"},
		{`{"int_filters":[{"field":"create_time","operator":">","values":[` + ms(3) + `]}]}`, "[db 4] 0"},
		{`{"string_filters":[{"field":"title","operator":"endwith","values":["2","4"]}]}`, "[db 4 db 2] 0"},
		{`{"string_filters":[{"field":"level_id","operator":"in","values":["level_10","level_50"]}]}`, "[db 2 db 0] 0"},
		{`{"string_filters":[{"field":"level_id","operator":"!=","values":["level_10"]}]}`, "[db 4 db 3 db 2 db 1] 0"},
		// condition: named filters combine as it says.
		{`{"string_filters":[{"field":"title","operator":"=","values":["db 0"],"name":"a"},{"field":"title","operator":"=","values":["db 1"],"name":"b"},{"field":"level_id","operator":"like","values":["0"],"name":"c"}],"condition":"(a | b) & c"}`, "[db 1 db 0] 0"},
		{`{"ticket_types":["issues_mgmt"]}`, "[] 0"},
		{`{"ticket_types":["incident"],"contain_sub_ticket":true}`, "[db 4 db 3 db 2 db 1 db 0] 0"},
	} {
		ids, total := list(tc.body)
		if got := fmt.Sprint(ids, " ", total); got != tc.want {
			t.Errorf("%s: %s, want %s", tc.body, got, tc.want)
		}
	}
	for _, body := range []string{
		`{"condition":"a & "}`,
		`{"string_filters":[{"field":"title","operator":"=","values":["x"],"name":"a"}],"condition":"a & ghost"}`,
		`{"string_filters":[{"field":"title","operator":"~","values":["x"]}]}`,
		`{"sort_filter":{"field":"title","operator":"sideways","values":[]}}`,
	} {
		if r := do(eng, "POST", "/v2/incidents/list", body); r.Status != 400 || decode(t, r).ErrorCode != incident.CodeInvalidParameter {
			t.Errorf("%s: %d %s", body, r.Status, r.Body)
		}
	}
	_ = nums
}

func TestV2FieldLimits(t *testing.T) {
	eng := newEngine(t)
	repeat := func(n int) string { return strings.Repeat("a", n) }
	filters := func(n int) string {
		f := make([]string, n)
		for i := range f {
			f[i] = `{"field":"title","operator":"like","values":["x"]}`
		}
		return "[" + strings.Join(f, ",") + "]"
	}
	values := func(n int) string {
		v := make([]string, n)
		for i := range v {
			v[i] = `"x"`
		}
		return `[{"field":"title","operator":"in","values":[` + strings.Join(v, ",") + `]}]`
	}
	condition := func(n int) string { // "a & a & … a", padded to n bytes
		c := "a" + strings.Repeat(" & a", (n-1)/4)
		return c + strings.Repeat(" ", n-len(c))
	}
	for _, tc := range []struct {
		name, method, path, body string
		ok                       bool
	}{
		{"incident_id 50", "GET", "/v2/incidents/" + repeat(50) + "/tasks", "", true},
		{"incident_id 51", "GET", "/v2/incidents/" + repeat(51) + "/tasks", "", false},
		{"task_id 100", "POST", "/v2/incidents/IM1/actions", actionBody(repeat(100), "accepted", ""), true},
		{"task_id 101", "POST", "/v2/incidents/IM1/actions", actionBody(repeat(101), "accepted", ""), false},
		{"task_id empty", "POST", "/v2/incidents/IM1/actions", actionBody("", "accepted", ""), false},
		{"action 100", "POST", "/v2/incidents/IM1/actions", actionBody("t", repeat(100), ""), true},
		{"action 101", "POST", "/v2/incidents/IM1/actions", actionBody("t", repeat(101), ""), false},
		{"params a level", "POST", "/v2/incidents/IM1/actions", actionBody("t", "changeLevel", `{"virtual_target_level":"level_20"}`), true},
		{"params not a level", "POST", "/v2/incidents/IM1/actions", actionBody("t", "changeLevel", `{"virtual_target_level":"level_99"}`), false},
		{"params boolean as text", "POST", "/v2/incidents/IM1/actions", actionBody("t", "confirm", `{"virtual_confirm_result":"false"}`), true},
		{"params boolean as a word", "POST", "/v2/incidents/IM1/actions", actionBody("t", "confirm", `{"virtual_confirm_result":"maybe"}`), false},
		{"per_page 200", "POST", "/v2/incidents/list", `{"per_page":200}`, true},
		{"per_page 201", "POST", "/v2/incidents/list", `{"per_page":201}`, false},
		{"per_page 0", "POST", "/v2/incidents/list", `{"per_page":0}`, false},
		{"page 1000000", "POST", "/v2/incidents/list", `{"page":1000000}`, true},
		{"page 1000001", "POST", "/v2/incidents/list", `{"page":1000001}`, false},
		{"20 filters", "POST", "/v2/incidents/list", `{"string_filters":` + filters(20) + `}`, true},
		{"21 filters", "POST", "/v2/incidents/list", `{"string_filters":` + filters(21) + `}`, false},
		{"100 values", "POST", "/v2/incidents/list", `{"string_filters":` + values(100) + `}`, true},
		{"101 values", "POST", "/v2/incidents/list", `{"string_filters":` + values(101) + `}`, false},
		{"null values (the SDK's nil)", "POST", "/v2/incidents/list", `{"string_filters":[{"field":"title","operator":"in","values":null}]}`, true},
		{"filter without field", "POST", "/v2/incidents/list", `{"string_filters":[{"operator":"in","values":[]}]}`, false},
		{"condition 1024", "POST", "/v2/incidents/list", `{"string_filters":[{"field":"title","operator":"like","values":["x"],"name":"a"}],"condition":"` + condition(1024) + `"}`, true},
		{"condition 1025", "POST", "/v2/incidents/list", `{"string_filters":[{"field":"title","operator":"like","values":["x"],"name":"a"}],"condition":"` + condition(1025) + `"}`, false},
		{"group_by_filter as a list (Terraform)", "POST", "/v2/incidents/list", `{"group_by_filter":[{"field":"level_id","operator":"=","values":[]}]}`, true},
		{"group_by_filter as one (the SDK)", "POST", "/v2/incidents/list", `{"group_by_filter":{"field":"level_id","operator":"=","values":[]}}`, true},
		{"histories incident_id in the body (Terraform)", "POST", "/v2/incidents/IM1/histories", `{"incident_id":"IM1"}`, true},
	} {
		r := do(eng, tc.method, tc.path, tc.body)
		// A valid request on an unknown incident is COC.00067003; an invalid
		// one is GOM.00007256 from the contract.
		code := decode(t, r).ErrorCode
		valid := code != incident.CodeInvalidParameter
		if valid != tc.ok {
			t.Errorf("%s: %d %s", tc.name, r.Status, r.Body)
		}
	}
}

// A session's numbers follow from the seed and its own requests, not from
// what other sessions do meanwhile, and a reset starts them again.
func TestEachSessionHasItsOwnRandomStream(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)}
	numbers := func(eng *mock.Engine, session string) []string {
		var out []string
		for range 3 {
			r := do(eng, "POST", createPath, createBody(nil), "X-Cocmock-Session: "+session)
			var data struct {
				IncidentNum string `json:"incident_num"`
			}
			readData(t, r, &data)
			out = append(out, data.IncidentNum)
		}
		return out
	}
	alone := newEngine(t, mock.WithSeed(5), mock.WithClock(clock))
	want := numbers(alone, "a")

	busy := newEngine(t, mock.WithSeed(5), mock.WithClock(clock))
	numbers(busy, "b") // another session's traffic first
	do(busy, "POST", createPath, createBody(nil))
	if got := numbers(busy, "a"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("session a got %v after other traffic, %v alone", got, want)
	}
	if other := numbers(alone, "b"); other[0] == want[0] {
		t.Fatalf("two sessions drew the same number %s", other[0])
	}
	busy.Reset("a")
	if got := numbers(busy, "a"); fmt.Sprint(got) != fmt.Sprint(want) {
		t.Fatalf("after a reset, session a got %v, want %v", got, want)
	}
}

func TestASessionIDOverItsCapIsRefusedAndNotKept(t *testing.T) {
	eng := newEngine(t)
	ok := strings.Repeat("s", mock.MaxSessionID)
	if r := do(eng, "GET", detailPath+"IM1", "", "X-Cocmock-Session: "+ok); r.Status != 400 || decode(t, r).ErrorCode != incident.CodeNotFound {
		t.Fatalf("%d bytes: %d %s", len(ok), r.Status, r.Body)
	}
	r := do(eng, "GET", detailPath+"IM1", "", "X-Cocmock-Session: "+ok+"s")
	if r.Status != 400 || r.Header.Get("Content-Type") != mock.ProblemType || !strings.Contains(string(r.Body), "at most 255") {
		t.Fatalf("%d bytes: %d %s", len(ok)+1, r.Status, r.Body)
	}
	if n := len(eng.Sessions()); n != 2 { // the default one and the 255-byte one
		t.Fatalf("%d sessions kept", n)
	}
}
