package scenarios_test

import (
	"strings"
	"testing"

	"github.com/cocmock/cocmock/scenarios"
)

// Each kind of rule that can never match is a finding with its line and
// the values that could.
func TestTheLinterCatchesDeadRules(t *testing.T) {
	for _, tc := range []struct {
		name, when, operation, want string
	}{
		{"a typo of an enum value names the nearest", `{body.operate_key: acceptIncident1}`, "HandleCocIncident",
			`body.operate_key can never be "acceptIncident1" (did you mean "acceptedIncident1"?): the rule never matches`},
		{"a value far from every enum value lists them", `{body.operate_key: escalate}`, "HandleCocIncident",
			`body.operate_key can never be "escalate": it is one of ["ReOpen", "acceptedIncident1", "agreed", "commitSolution1", "confirm", "forwardOther1", "incidentChangeLevel1", "incidentPause", "rejected"]`},
		{"a typo in an in list names the nearest", `{body.incident_level: {in: [level_1, level_X0]}}`, "CreateCocIncident",
			`body.incident_level can never be one of ["level_1", "level_X0"] (did you mean "level_10"?)`},
		{"a type the field cannot have", `{body.operate_key: confirm, body.parameter.virtual_confirm_result: maybe}`, "HandleCocIncident",
			`body.parameter.virtual_confirm_result can never be "maybe": it is a boolean, or one of ["false", "true"]`},
		{"a length it cannot reach", `{body.incident_title: ` + strings.Repeat("t", 201) + `}`, "CreateCocIncident",
			`body.incident_title can never be "ttt`},
		{"in with no value it can have", `{body.incident_level: {in: [P1, P2]}}`, "CreateCocIncident",
			`body.incident_level can never be one of ["P1", "P2"]`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			y := "name: x\ndescription: d\noperation: " + tc.operation + "\nrules:\n  - name: r\n    when: " + tc.when + "\n    respond: {status: 200, gom: {code: GOM.00000000}}\n"
			sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
			if sc != nil || len(findings) != 1 || findings[0].Line != 6 || !strings.Contains(findings[0].Msg, tc.want) {
				t.Fatalf("findings %v\nwant one on line 6 with %q", findings, tc.want)
			}
		})
	}
	t.Run("a path no request has is a warning (COC takes keys it does not name)", func(t *testing.T) {
		y := "name: x\ndescription: d\noperation: HandleCocIncident\nrules:\n  - name: r\n    when: {body.operat_key: confirm}\n    respond: {status: 200, gom: {code: GOM.00000000}}\n"
		sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
		if sc == nil || len(sc.Warnings) != 1 || sc.Warnings[0].Line != 6 || !strings.Contains(sc.Warnings[0].Msg, "body.operat_key is not a field of the request body of HandleCocIncident (a typo?)") {
			t.Fatalf("%v %v", findings, sc)
		}
	})
	t.Run("a field only an open object takes, a value of another branch, characters not bytes", func(t *testing.T) {
		y := "name: x\ndescription: d\nrules:\n  - name: a\n    operation: HandleCocIncident\n    when: {body.parameter.virtual_current_location_info.region_id: x, body.parameter.virtual_confirm_result: maybe}\n    respond: {status: 200, gom: {code: GOM.00000000}}\n  - name: b\n    operation: CreateCocIncident\n    when: {body.incident_title: " + strings.Repeat("事", 200) + "}\n    respond: {status: 200, gom: {code: GOM.00000000}}\n"
		if sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t)); sc == nil || len(sc.Warnings) != 0 {
			t.Fatalf("findings %v", findings)
		}
	})
	t.Run("values a request can have pass", func(t *testing.T) {
		y := "name: x\ndescription: d\noperation: HandleCocIncident\nrules:\n  - name: r\n    when: {body.operate_key: acceptedIncident1, body.parameter.virtual_confirm_result: \"true\", body.incident_num: {suffix: -X}}\n    respond: {status: 200, gom: {code: GOM.00000000}}\n"
		if sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t)); sc == nil {
			t.Fatal(findings)
		}
	})
}

// Findings come sorted by line, once each, and a bad name hides nothing.
func TestFindingsAreSortedDeduplicatedAndComplete(t *testing.T) {
	y := `name: Bad Name
description: d
operation: HandleCocIncident
rules:
  - name: typo
    respnd: {status: 200, gom: {code: GOM.00000000}}
  - name: teapot
    respond: {status: 418, gom: {code: GOM.00007256, message: m}}
  - name: dead
    when: {body.operate_key: acceptIncident1}
    respond: {status: 200, gom: {code: GOM.00000000}}
`
	_, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
	var lines []int
	for _, f := range findings {
		lines = append(lines, f.Line)
	}
	if len(findings) != 4 || lines[0] != 1 || lines[1] != 6 || lines[2] != 8 || lines[3] != 10 {
		t.Fatalf("%d findings on lines %v:\n%v", len(findings), lines, findings)
	}
}
