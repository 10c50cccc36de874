package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

const (
	createPath  = "/v1/external/incident/create"
	detailPath  = "/v1/external/incident/"
	historyPath = "/v1/incident/list-histories"
)

// do sends one request to the engine as a client would.
func do(eng *mock.Engine, method, path, body string, headers ...string) mock.Reply {
	h := http.Header{"Content-Type": {"application/json;charset=UTF-8"}}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ": ")
		h.Set(k, v)
	}
	return eng.Serve(context.Background(), mock.Request{
		ID: "0123456789abcdef0123456789abcdef", Method: method, Path: path, Header: h, Body: []byte(body),
	})
}

// createBody is CreateCocIncident's body as the SDK sends it, with fields
// replaced or added by extra (raw JSON values; "" removes a field).
func createBody(extra map[string]string) string {
	fields := map[string]string{
		"incident_level": `"level_50"`, "is_service_interrupt": `"false"`,
		"incident_type": `"inc_type_p_security_issues"`, "incident_title": `"Login fails"`,
		"incident_source": `"incident_source_forwarding"`, "creator": `"9605B67C741D4553887A3462771107D3"`,
		"incident_assignee": `["9605B67C741D4553887A3462771107D3"]`,
	}
	for k, v := range extra {
		if v == "" {
			delete(fields, k)
		} else {
			fields[k] = v
		}
	}
	parts := make([]string, 0, len(fields))
	for k, v := range fields {
		parts = append(parts, quoted(k)+":"+v)
	}
	return "{" + strings.Join(parts, ",") + "}"
}

// envelope decodes a COC reply.
type envelope struct {
	ErrorCode    string          `json:"error_code"`
	ErrorMsg     *string         `json:"error_msg"`
	ProviderCode string          `json:"provider_code"`
	Data         json.RawMessage `json:"data"`
}

func decode(t *testing.T, r mock.Reply) envelope {
	t.Helper()
	var env envelope
	if err := json.Unmarshal(r.Body, &env); err != nil {
		t.Fatalf("%d %s: %v", r.Status, r.Body, err)
	}
	return env
}

func create(t *testing.T, eng *mock.Engine, extra map[string]string) string {
	t.Helper()
	r := do(eng, "POST", createPath, createBody(extra))
	env := decode(t, r)
	var data struct {
		IncidentNum string `json:"incident_num"`
	}
	if r.Status != 200 || env.ErrorCode != "GOM.00000000" || json.Unmarshal(env.Data, &data) != nil || data.IncidentNum == "" {
		t.Fatalf("create: %d %s", r.Status, r.Body)
	}
	return data.IncidentNum
}

func detail(t *testing.T, eng *mock.Engine, num string) incident.Detail {
	t.Helper()
	r := do(eng, "GET", detailPath+num, "")
	env := decode(t, r)
	var d incident.Detail
	if r.Status != 200 || json.Unmarshal(env.Data, &d) != nil {
		t.Fatalf("detail %s: %d %s", num, r.Status, r.Body)
	}
	return d
}

func TestWorkflowCreateHandleReadAndList(t *testing.T) {
	for _, scenario := range []string{"default", "lifecycle"} {
		t.Run(scenario, func(t *testing.T) {
			eng := newEngine(t, mock.WithScenario(scenario))
			num := create(t, eng, map[string]string{"is_service_interrupt": "true", "region": `["cn-north-4"]`})
			d := detail(t, eng, num)
			if d.Status != triggered || d.IncidentLevel != "level_50" || !d.IsServiceInterrupt || d.IncidentTitle != "Login fails" ||
				d.CreateTime == 0 || len(d.Region) != 1 || len(d.EnumDataList) == 0 {
				t.Fatalf("after create: %+v", d)
			}
			steps := []struct{ body, status string }{
				{op(num, "acceptedIncident1"), acknowledged},
				{`{"incident_num":"` + num + `","operator":"u","operate_key":"commitSolution1","parameter":{"mtm_type":"inc_type_p_networking_issues","is_service_interrupt":false,"cause":"c","solution":"s","fault_recovery_time":1711091706017}}`, resolved},
				{op(num, "confirm-true"), completed},
			}
			for _, s := range steps {
				if r := send(eng, s.body); r.Status != 200 {
					t.Fatalf("%s: %d %s", s.body, r.Status, r.Body)
				}
				if d := detail(t, eng, num); d.Status != s.status {
					t.Fatalf("after %s: %s, want %s", s.body, d.Status, s.status)
				}
			}
			d = detail(t, eng, num)
			if d.IncidentType != "inc_type_p_networking_issues" || d.IsServiceInterrupt || d.FaultRecoveryTime != 1711091706017 || d.HandleTime == 0 {
				t.Fatalf("commitSolution1 did not record its fields: %+v", d)
			}
			r := do(eng, "POST", historyPath, `{"string_filters":[{"field":"ticket_id","operator":"=","values":["`+num+`"]}],"sort_filter":{"field":"start_time","operator":"asc"}}`)
			var list incident.Histories
			if json.Unmarshal(decode(t, r).Data, &list) != nil || len(list.Info) != 4 {
				t.Fatalf("history: %s", r.Body)
			}
			for i, want := range []string{"create", "acceptedIncident1", "commitSolution1", "confirm"} {
				if h := list.Info[i]; h.Action != want || h.TicketID != num || h.ActionNameEn == "" || h.StartTime == 0 {
					t.Fatalf("history[%d] = %+v, want %s", i, h, want)
				}
			}
			if r := do(eng, "GET", detailPath+"IM-NOBODY", ""); r.Status != 400 || decode(t, r).ErrorCode != "COC.00067003" {
				t.Fatalf("unknown ticket: %d %s", r.Status, r.Body)
			}
		})
	}
}

func TestDefaultScenarioMovesTheIncidentWhateverItsStatus(t *testing.T) {
	eng := newEngine(t)
	for _, tc := range []struct {
		key, status, level, pending string
	}{
		{"confirm-true", completed, "level_30", ""}, // lenient: no need to be resolved first
		{"acceptedIncident1", acknowledged, "level_30", ""},
		{"incidentChangeLevel1", acknowledged, "level_20", ""}, // an escalation applies at once
		{"incidentPause", acknowledged, "level_20", "pause"},
		{"agreed", acknowledged, "level_20", ""},
		{"rejected", rejectedSt, "level_20", ""},
		{"ReOpen", triggered, "level_20", ""},
		{"commitSolution1", resolved, "level_20", ""},
		{"confirm-false", acknowledged, "level_20", ""},
	} {
		if r := send(eng, op("IM-LENIENT", tc.key)); r.Status != 200 {
			t.Fatalf("%s: %d %s", tc.key, r.Status, r.Body)
		}
		inc, _ := eng.Incident("", "IM-LENIENT")
		if inc.Status != tc.status || inc.Level != tc.level || inc.PendingApproval != tc.pending {
			t.Fatalf("after %s: %s %s pending %q; want %s %s %q", tc.key, inc.Status, inc.Level, inc.PendingApproval, tc.status, tc.level, tc.pending)
		}
	}
}

func TestDeEscalationWaitsForApprovalAndOnlyConfirmWaitsForIt(t *testing.T) {
	eng := lifecycleEngine(t)
	seed(t, eng, "", "IM-D", acknowledged, "")
	lower := `{"incident_num":"IM-D","operator":"u","operate_key":"incidentChangeLevel1","parameter":{"virtual_target_level":"level_50"}}`
	if r := send(eng, lower); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if inc, _ := eng.Incident("", "IM-D"); inc.Level != incident.DefaultLevel || inc.PendingLevel != "level_50" {
		t.Fatalf("a de-escalation applied at once: %+v", inc)
	}
	if r := send(eng, op("IM-D", "commitSolution1")); r.Status != 200 {
		t.Fatalf("an open approval blocked commitSolution1: %d %s", r.Status, r.Body)
	}
	if r := send(eng, op("IM-D", "confirm-true")); r.Status != 400 || !strings.Contains(string(r.Body), "pending level approval") {
		t.Fatalf("confirm with an open approval: %d %s", r.Status, r.Body)
	}
	if r := send(eng, op("IM-D", "agreed")); r.Status != 200 {
		t.Fatalf("agreed on a resolved ticket: %d %s", r.Status, r.Body)
	}
	if r := send(eng, op("IM-D", "confirm-true")); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if d := detail(t, eng, "IM-D"); d.Status != completed || d.IncidentLevel != "level_50" {
		t.Fatalf("%+v", d)
	}
}

func TestChangeLevelNeedsATargetLevel(t *testing.T) {
	eng := newEngine(t)
	for body, want := range map[string]int{
		req("incidentChangeLevel1", `{"virtual_target_level":"level_10"}`): 200,
		req("incidentChangeLevel1", `{"virtual_target_level":"level_60"}`): 400,
		req("incidentChangeLevel1", `{"virtual_target_level":"P1"}`):       400,
		req("incidentChangeLevel1", `{}`):                                  400,
		req("incidentChangeLevel1", ""):                                    400,
	} {
		if r := call(eng, body); r.Status != want {
			t.Errorf("%s: %d, want %d", body, r.Status, want)
		}
	}
}

func TestCreateContract(t *testing.T) {
	eng := newEngine(t)
	long := func(n int) string { return quoted(strings.Repeat("x", n)) }
	for _, tc := range []struct {
		name  string
		extra map[string]string
		want  int
	}{
		{"the SDK's body", nil, 200},
		{"is_service_interrupt as Terraform's JSON boolean", map[string]string{"is_service_interrupt": "true"}, 200},
		{"is_service_interrupt yes", map[string]string{"is_service_interrupt": `"yes"`}, 400},
		{"title of 200", map[string]string{"incident_title": long(200)}, 200},
		{"title of 201", map[string]string{"incident_title": long(201)}, 400},
		{"empty title", map[string]string{"incident_title": `""`}, 400},
		{"description of 600", map[string]string{"incident_description": long(600)}, 200},
		{"description of 601", map[string]string{"incident_description": long(601)}, 400},
		{"one region", map[string]string{"region": `["cn-north-4"]`}, 200},
		{"two regions", map[string]string{"region": `["a","b"]`}, 400},
		{"enterprise project of 255", map[string]string{"enterprise_project": "[" + long(255) + "]"}, 200},
		{"enterprise project of 256", map[string]string{"enterprise_project": "[" + long(256) + "]"}, 400},
		{"two cloud services", map[string]string{"current_cloud_service": `["a","b"]`}, 400},
		{"level_60", map[string]string{"incident_level": `"level_60"`}, 400},
		{"unknown source", map[string]string{"incident_source": `"incident_source_email"`}, 400},
		{"start_time in ms", map[string]string{"start_time": "1711091706017"}, 200},
		{"start_time as a word", map[string]string{"start_time": `"soon"`}, 400},
		{"scene and role", map[string]string{"assignee_scene": `"s"`, "assignee_role": `"r"`, "incident_ownership": `"o"`}, 200},
		{"type of 255", map[string]string{"incident_type": long(255)}, 200},
		{"type of 256", map[string]string{"incident_type": long(256)}, 400},
		{"creator of 255", map[string]string{"creator": long(255)}, 200},
		{"creator of 256", map[string]string{"creator": long(256)}, 400},
		{"assignee of 255", map[string]string{"incident_assignee": "[" + long(255) + "]"}, 200},
		{"assignee of 256", map[string]string{"incident_assignee": "[" + long(256) + "]"}, 400},
		{"scene of 256", map[string]string{"assignee_scene": long(256)}, 400},
		{"role of 256", map[string]string{"assignee_role": long(256)}, 400},
		{"ownership of 256", map[string]string{"incident_ownership": long(256)}, 400},
		{"unknown keys are accepted", map[string]string{"war_room": `true`}, 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := do(eng, "POST", createPath, createBody(tc.extra))
			if r.Status != tc.want {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
	for _, field := range []string{"incident_level", "is_service_interrupt", "incident_type", "incident_title", "incident_source", "creator"} {
		t.Run("without "+field, func(t *testing.T) {
			r := do(eng, "POST", createPath, createBody(map[string]string{field: ""}))
			if env := decode(t, r); r.Status != 400 || !strings.Contains(*env.ErrorMsg, field) {
				t.Fatalf("%d %s", r.Status, r.Body)
			}
		})
	}
}

func TestDetailPathLimit(t *testing.T) {
	eng := newEngine(t)
	for n, want := range map[int]int{255: 400, 256: 400} {
		r := do(eng, "GET", detailPath+strings.Repeat("9", n), "")
		code := decode(t, r).ErrorCode
		if r.Status != want || (n == 255) != (code == "COC.00067003") {
			t.Errorf("%d characters: %d %s", n, r.Status, r.Body)
		}
	}
}

func TestHistoryListContract(t *testing.T) {
	eng := newEngine(t)
	ticket := `{"field":"ticket_id","operator":"=","values":["IM1"]}`
	filters := func(n int) string {
		f := []string{ticket}
		for range n - 1 {
			f = append(f, `{"field":"action","operator":"!=","values":["x"]}`)
		}
		return `{"string_filters":[` + strings.Join(f, ",") + `]}`
	}
	sorted := func(sort string) string { return `{"string_filters":[` + ticket + `],"sort_filter":` + sort + `}` }
	for body, want := range map[string]int{
		filters(20): 200, filters(21): 400,
		sorted(`{"field":"start_time","operator":"desc"}`): 200,
		sorted(`{"field":"start_time","operator":"up"}`):   400,
		// sort_filter is a free ObjectFilter in the SDK: any field.
		sorted(`{"field":"stop_time","operator":"asc"}`): 200,
		sorted(`{"field":"action"}`):                     200,
		// The page: the ticket id goes in string_filters.
		``: 400, `{}`: 400,
		`{"string_filters":[{"field":"action","operator":"=","values":["create"]}]}`: 400,
		// Operators are an open set; those cocmock cannot evaluate are named.
		`{"string_filters":[` + ticket + `,{"field":"start_time","operator":">=","values":["1"]}]}`:      200,
		`{"string_filters":[` + ticket + `,{"field":"start_time","operator":"between","values":["1"]}]}`: 400,
	} {
		if r := do(eng, "POST", historyPath, body); r.Status != want {
			t.Errorf("%.60s: %d, want %d: %s", body, r.Status, want, r.Body)
		}
	}
	if r := do(eng, "POST", "/v1/alarms/list-histories", `{}`); r.Status != 400 {
		t.Errorf("ticket_type alarms: %d", r.Status)
	}
	// The SDK's enum has issues_mgmt: a valid path, and no problem tickets.
	r := do(eng, "POST", "/v1/external/issues_mgmt/list-histories", filters(1))
	if r.Status != 200 || !strings.Contains(string(r.Body), `"info":[]`) {
		t.Errorf("the external issues list: %d %s", r.Status, r.Body)
	}
}

func TestAHistoryListWithoutATicketFilterSaysWhatItNeeds(t *testing.T) {
	eng := newEngine(t)
	r := do(eng, "POST", historyPath, `{"sort_filter":{"field":"start_time","operator":"desc"}}`)
	if got := decode(t, r); r.Status != 400 || got.ErrorCode != incident.CodeInvalidParameter || !strings.Contains(*got.ErrorMsg, "a ticket_id filter") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	r = do(eng, "POST", historyPath, `{"string_filters":[{"field":"ticket_id","operator":"=","values":["IM1"]},{"field":"action","operator":"between","values":["a"]}]}`)
	if got := decode(t, r); r.Status != 400 || !strings.Contains(*got.ErrorMsg, "The field[string_filters.operator] value[between] invalid") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

func TestCreatedNumbersFollowTheClockAndTheSeed(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 28, 9, 30, 5, 0, time.FixedZone("CST", 8*3600))}
	numbers := func() []string {
		eng := newEngine(t, mock.WithSeed(42), mock.WithClock(clock))
		return []string{create(t, eng, nil), create(t, eng, nil)}
	}
	a, b := numbers(), numbers()
	if fmt.Sprint(a) != fmt.Sprint(b) || a[0] == a[1] {
		t.Fatalf("seed 42 gave %v then %v", a, b)
	}
	if !regexp.MustCompile(`^IM20261128013005[0-9]{10}$`).MatchString(a[0]) {
		t.Fatalf("%s: want IM + the UTC time + 10 digits", a[0])
	}
}

func TestReadsNeitherCreateNorWriteHistory(t *testing.T) {
	eng := newEngine(t)
	send(eng, op("IM-R", "acceptedIncident1"))
	for range 3 {
		detail(t, eng, "IM-R")
		do(eng, "POST", historyPath, `{"string_filters":[{"field":"ticket_id","operator":"=","values":["IM-R"]}]}`)
	}
	do(eng, "GET", detailPath+"IM-GHOST", "")
	if inc, _ := eng.Incident("", "IM-R"); len(inc.History) != 1 {
		t.Fatalf("reads wrote history: %+v", inc.History)
	}
	if _, ok := eng.Incident("", "IM-GHOST"); ok {
		t.Fatal("a detail read created an incident")
	}
}

func TestTerraformsDetailReadAndTheHandlePath(t *testing.T) {
	eng := newEngine(t)
	num := create(t, eng, nil)
	// Terraform sends Content-Type: application/json and no body.
	r := do(eng, "GET", detailPath+num, "", "Content-Type: application/json")
	if r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	// A GET on the handle path reads a ticket named "handle".
	if r := do(eng, "GET", handlePath, ""); r.Status != 400 || !strings.Contains(string(r.Body), "The incident handle does not exist") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}

func TestMagicValuesSteerEveryOperation(t *testing.T) {
	eng := newEngine(t)
	if r := do(eng, "POST", createPath, createBody(map[string]string{"incident_title": `"t-E429"`})); r.Status != 429 {
		t.Fatalf("create -E429: %d", r.Status)
	}
	if r := do(eng, "GET", detailPath+"IM1-E404", ""); r.Status != 400 || decode(t, r).ErrorCode != "COC.00067003" {
		t.Fatalf("detail -E404: %d %s", r.Status, r.Body)
	}
	// A 200 carrying a GOM error: the SDK returns err == nil.
	if r := call(eng, req("acceptedIncident1", "")); r.Status != 200 {
		t.Fatal(r.Status)
	}
	r := send(eng, op("IM-X-E200", "acceptedIncident1"))
	if env := decode(t, r); r.Status != 200 || env.ErrorCode != "GOM.00007256" {
		t.Fatalf("-E200: %d %s", r.Status, r.Body)
	}
	if _, ok := eng.Incident("", "IM-X-E200"); ok {
		t.Fatal("a 200 carrying an error moved an incident")
	}
	// -SLOW gives the operation's own answer, late.
	slow := do(eng, "POST", createPath, createBody(map[string]string{"incident_title": `"t-SLOW"`}))
	if slow.Status != 200 || slow.Delay != 3*time.Second || !strings.Contains(string(slow.Body), `"incident_num":"IM`) {
		t.Fatalf("create -SLOW: %d %v %s", slow.Status, slow.Delay, slow.Body)
	}
}

func TestRulesKeyedOnPathAndOperationAndSeeingTheIncident(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "custom.yaml"), []byte(`name: custom
description: path selectors, per-rule operations, templates over the incident
rules:
  - name: gone
    operation: ShowCocIncidentDetail
    when: {path.incident_num: {prefix: IM-GONE}}
    respond: {status: 400, gom: {code: COC.00067003, message: 'gone {{ .Key }}'}}
  - name: echo-status
    operation: HandleCocIncident
    when: {body.operate_key: forwardOther1}
    respond: {status: 400, gom: {code: GOM.00007256, message: 'was {{ .Incident.status }}'}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir(dir), mocktest.WithScenario("custom"))
	if r := do(eng, "GET", detailPath+"IM-GONE-1", ""); r.Status != 400 || !strings.Contains(string(r.Body), "gone IM-GONE-1") || r.Header.Get(mock.RuleHeader) != "gone" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if r := send(eng, op("IM-GONE-1", "acceptedIncident1")); r.Status != 200 {
		t.Fatalf("the detail rule answered a handle call: %d", r.Status)
	}
	if r := send(eng, op("IM-GONE-1", "forwardOther1")); !strings.Contains(string(r.Body), "was "+acknowledged) {
		t.Fatalf("template did not see the incident: %s", r.Body)
	}
}

func TestARulesOwnTransitionOverridesTheEffectButKeepsItsFields(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "custom.yaml"), []byte(`name: custom
description: explicit transitions on top of the domain's effect
operation: HandleCocIncident
state: {key: body.incident_num, initial: INCIDENT_STATUS_ACKNOWLEDGED}
rules:
  - name: commit-closes
    when: {body.operate_key: commitSolution1}
    state: {to: INCIDENT_STATUS_COMPLETED}
    respond: {status: 200, gom: {code: GOM.00000000}}
  - name: accept-by-default
    when: {body.operate_key: acceptedIncident1}
    state: {to: INCIDENT_STATUS_REJECTED}
    respond: {default: true}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir(dir), mocktest.WithScenario("custom"))
	body := `{"incident_num":"IM-O","operator":"u","operate_key":"commitSolution1","parameter":{"mtm_type":"t","is_service_interrupt":true,"cause":"c","solution":"s","fault_recovery_time":1711091706017}}`
	if r := send(eng, body); r.Status != 200 {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if d := detail(t, eng, "IM-O"); d.Status != completed || d.FaultRecoveryTime != 1711091706017 || d.HandleTime == 0 || !d.IsServiceInterrupt {
		t.Fatalf("explicit to: lost the solution's fields: %+v", d)
	}
	if r := send(eng, op("IM-P", "acceptedIncident1")); r.Status != 200 || r.Header.Get(mock.RuleHeader) != "accept-by-default" {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
	if d := detail(t, eng, "IM-P"); d.Status != rejectedSt {
		t.Fatalf("default: true dropped the rule's to: %s", d.Status)
	}
}

func TestTemplatesOverAnUnknownIncidentSeeNothingRatherThanFail(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "t.yaml"), []byte(`name: t
description: a template reading the incident of a number nobody created
rules:
  - name: echo
    operation: HandleCocIncident
    respond: {status: 400, gom: {code: GOM.00007256, message: 'status [{{ with .Incident }}{{ .status }}{{ end }}]'}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir(dir), mocktest.WithScenario("t"))
	if r := send(eng, op("IM-NEW", "acceptedIncident1")); r.Status != 400 || !strings.Contains(string(r.Body), "status []") {
		t.Fatalf("%d %s", r.Status, r.Body)
	}
}
