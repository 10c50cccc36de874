package mock_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// A request no rule answered says, for each rule, the first condition it
// failed and the request's value.
func TestNearMissesExplainTheDefaultAnswer(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "three.yaml"), []byte(`name: three
description: three rules, none of which a confirm call meets
operation: HandleCocIncident
state: {key: body.incident_num, initial: INCIDENT_STATUS_TRIGGERED}
rules:
  - name: commit-only
    when: {body.operate_key: commitSolution1}
    respond: {status: 400, gom: {code: GOM.00007256, message: commit}}
  - name: team-red
    when: {header.X-Team: {in: [red, blue]}, body.operate_key: confirm}
    respond: {status: 400, gom: {code: GOM.00007256, message: red}}
  - name: resolved-only
    when: {body.operate_key: confirm}
    state: {in: [INCIDENT_STATUS_RESOLVED]}
    respond: {status: 200, gom: {code: GOM.00000000}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir(dir), mocktest.WithScenario("three"))
	r := send(eng, mocktest.HandleBody("IM-N", "confirm"))
	if r.Header.Get(mock.RuleHeader) != mock.NoRule {
		t.Fatalf("rule header %q", r.Header.Get(mock.RuleHeader))
	}
	x, _ := eng.Requests("", mock.Filter{})
	var got []string
	for _, n := range x[0].NearMisses {
		got = append(got, n.String())
	}
	want := []string{
		`rule commit-only: body.operate_key is "confirm", want "commitSolution1"`,
		`rule team-red: header.X-Team is absent, want one of ["red", "blue"]`,
		`rule resolved-only: state is INCIDENT_STATUS_TRIGGERED, want [INCIDENT_STATUS_RESOLVED]`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("near misses:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	b, _ := json.Marshal(x[0])
	if !strings.Contains(string(b), `"near_misses":[{"rule":"commit-only","line":6,"condition":"body.operate_key","actual":"\"confirm\"","want":"\"commitSolution1\""`) {
		t.Fatalf("journal JSON: %s", b)
	}
	// A request a specific rule answers has no near misses.
	send(eng, mocktest.HandleBody("IM-N", "commitSolution1"))
	if x, _ := eng.Requests("", mock.Filter{}); len(x[0].NearMisses) != 0 {
		t.Fatalf("%v", x[0].NearMisses)
	}
}

// A journal read back (a client decoding /__admin/requests into
// mock.Exchange) keeps its near misses and writes them out again.
func TestNearMissesReadBackFromJSON(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "one.yaml"), []byte("name: one\ndescription: one rule a confirm call misses\noperation: HandleCocIncident\nrules:\n  - name: commit-only\n    when: {body.operate_key: commitSolution1}\n    respond: {status: 400, gom: {code: GOM.00007256, message: m}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir(dir), mocktest.WithScenario("one"))
	send(eng, mocktest.HandleBody("IM-J", "confirm"))
	x, _ := eng.Requests("", mock.Filter{})
	if len(x[0].NearMisses) != 1 {
		t.Fatalf("%+v", x[0].NearMisses)
	}
	b, err := json.Marshal(x[0])
	if err != nil {
		t.Fatal(err)
	}
	var back mock.Exchange
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	again, err := json.Marshal(back)
	if err != nil || string(again) != string(b) {
		t.Fatalf("round trip changed the exchange:\n%s\n%s", b, again)
	}
}

// A near miss keeps at most 200 bytes of the request's value, cut on a
// character, however long the value.
func TestANearMissKeepsLittleOfAHugeValue(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "one.yaml"), []byte(`name: one
description: one rule a long header misses
operation: HandleCocIncident
rules:
  - name: x-only
    when: {header.X-Team: red}
    respond: {status: 400, gom: {code: GOM.00007256, message: x}}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir(dir), mocktest.WithScenario("one"))
	send(eng, mocktest.HandleBody("IM-LONG", "acceptedIncident1"), "X-Team: "+strings.Repeat("中", 10_000))
	x, _ := eng.Requests("", mock.Filter{})
	if len(x) != 1 || len(x[0].NearMisses) != 1 {
		t.Fatalf("%+v", x)
	}
	actual := x[0].NearMisses[0].Actual
	if len(actual) > 210 || !strings.HasPrefix(actual, `"中`) || !strings.HasSuffix(actual, `中…"`) {
		t.Fatalf("the near miss keeps %d bytes: %.80s…", len(actual), actual)
	}
}
