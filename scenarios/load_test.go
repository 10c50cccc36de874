package scenarios_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

func spec(t testing.TB) *openapi.Spec {
	t.Helper()
	s, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestBuiltinScenariosLoadAndDescribeThemselves(t *testing.T) {
	set, err := scenarios.LoadBuiltin(spec(t))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"chaos", "default", "lifecycle", "outage", "slow", "throttled"}
	for _, name := range want {
		sc, ok := set.Get(name)
		if !ok {
			t.Fatalf("built-in %q missing; have %v", name, set.Names())
		}
		if len(sc.Description) < 40 {
			t.Errorf("%s: description %q does not say what it tests", name, sc.Description)
		}
	}
}

// Each broken file in testdata/scenarios/broken must fail with its own
// file:line and a message that says what is wrong.
func TestBrokenFilesReportFileAndLine(t *testing.T) {
	cases := map[string]struct {
		line int
		msg  string
	}{
		"bad-delay.yaml":         {5, "delay"},
		"bad-fake.yaml":          {6, `gofakeit has no function "nosuchthing"`},
		"bad-regex.yaml":         {6, "regex"},
		"bad-selector.yaml":      {5, `selector "cookie.session"`},
		"bad-template.yaml":      {7, "gom.message"},
		"moving-read.yaml":       {7, "only HandleCocIncident moves an incident"},
		"out-of-contract.yaml":   {6, "provider_code"},
		"two-kinds.yaml":         {4, "exactly one of respond, sequence or random"},
		"undeclared-status.yaml": {5, "status 418 is not declared"},
		"unknown-key.yaml":       {7, `unknown key "respnd"; did you mean "respond"?`},
		"unknown-operation.yaml": {5, `operation "ShowCocIncidentDetails" is not in the spec`},
		"zero-weight.yaml":       {7, "weight must be a whole number above 0"},
	}
	s := spec(t)
	entries, err := os.ReadDir("../testdata/scenarios/broken")
	if err != nil {
		t.Fatal(err)
	}
	if len(entries) != len(cases) {
		t.Fatalf("%d broken files, %d cases: keep them in step", len(entries), len(cases))
	}
	for file, want := range cases {
		t.Run(file, func(t *testing.T) {
			data, err := os.ReadFile("../testdata/scenarios/broken/" + file)
			if err != nil {
				t.Fatal(err)
			}
			sc, findings := scenarios.Parse(file, data, s)
			if sc != nil || len(findings) == 0 {
				t.Fatal("loaded without findings")
			}
			f := findings[0]
			if f.File != file || f.Line != want.line || !strings.Contains(f.Msg, want.msg) {
				t.Fatalf("finding %q, want %s:%d: …%s…", f.String(), file, want.line, want.msg)
			}
		})
	}
}

func TestLoadCollectsFindingsOfEveryFile(t *testing.T) {
	_, err := scenarios.Load(spec(t), scenarios.Source{Name: "broken", FS: os.DirFS("../testdata/scenarios/broken")})
	var findings scenarios.Findings
	if !errors.As(err, &findings) {
		t.Fatalf("err %v is not Findings", err)
	}
	files := map[string]bool{}
	for _, f := range findings {
		files[f.File] = true
	}
	if len(files) != 12 {
		t.Fatalf("findings from %d files, want 12:\n%v", len(files), err)
	}
	if !strings.Contains(err.Error(), "broken/unknown-key.yaml:7:") {
		t.Fatalf("error text lacks file:line: %v", err)
	}
}

func TestUserFilesOverrideBuiltinsByName(t *testing.T) {
	set, err := scenarios.Load(spec(t),
		scenarios.Source{Name: "builtin", FS: scenarios.Builtin()},
		scenarios.Source{Name: "override", FS: os.DirFS("../testdata/scenarios/override")})
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := set.Get("default")
	if sc.File != "override/default.yaml" || sc.Rules[0].Name != "always-400" {
		t.Fatalf("default comes from %s", sc.File)
	}
	if _, ok := set.Get("chaos"); !ok {
		t.Fatal("other built-ins must stay")
	}
}

func TestParseRejects(t *testing.T) {
	cases := []struct {
		name, yaml, want string
	}{
		{"no name", "description: d\nrules: []\n", "name is required"},
		{"bad name", "name: Big Name\ndescription: d\nrules: []\n", "use lower-case"},
		{"no description", "name: x\nrules: []\n", "description is required"},
		{"no rules", "name: x\ndescription: d\n", "rules are required"},
		{"two documents", "name: x\ndescription: d\nrules: []\n---\nname: y\n", "one scenario per file"},
		{"not yaml", "name: [\n", "yaml"},
		{"duplicate rule names", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {status: 200, gom: {code: GOM.00000000}}}\n  - {name: a, respond: {status: 200, gom: {code: GOM.00000000}}}\n", "name already used"},
		{"rule without reply", "name: x\ndescription: d\nrules:\n  - {name: a}\n", "found 0"},
		{"unknown matcher", "name: x\ndescription: d\nrules:\n  - {name: a, when: {body.x: {like: y}}, respond: {status: 200, gom: {code: GOM.00000000}}}\n", `unknown matcher "like"`},
		{"selector given twice", "name: x\ndescription: d\nrules:\n  - {name: a, when: {body.a: 1, body.a: 2}, respond: {status: 200, gom: {code: GOM.00000000}}}\n", "given twice"},
		{"when not a mapping", "name: x\ndescription: d\nrules:\n  - {name: a, when: [body.a], respond: {status: 200, gom: {code: GOM.00000000}}}\n", "when must be a mapping"},
		{"empty in", "name: x\ndescription: d\nrules:\n  - {name: a, when: {body.x: {in: []}}, respond: {status: 200, gom: {code: GOM.00000000}}}\n", "at least one value"},
		{"bad fault", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {fault: explode}}\n", `fault "explode"`},
		{"no status", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {gom: {code: GOM.00000000}}}\n", "needs a status"},
		{"bad then", "name: x\ndescription: d\nrules:\n  - {name: a, sequence: {then: loop, steps: [{status: 200, gom: {code: GOM.00000000}}]}}\n", `then "loop"`},
		{"empty sequence", "name: x\ndescription: d\nrules:\n  - {name: a, sequence: {steps: []}}\n", "at least one step"},
		{"weight outside random", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {weight: 3, status: 200, gom: {code: GOM.00000000}}}\n", `unknown key "weight"`},
		{"body and gom", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {status: 200, body: {}, gom: {code: GOM.00000000}}}\n", "at most one of body, gom or gateway"},
		{"gateway code without message", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {status: 503, gateway: {code: APIGW.0999}}}\n", "needs a message"},
		{"rule state without scenario state", "name: x\ndescription: d\nrules:\n  - {name: a, state: {}, respond: {status: 200, gom: {code: GOM.00000000}}}\n", "needs the scenario to declare state"},
		{"unknown operation", "name: x\ndescription: d\noperation: Nope\nrules: []\n", `operation "Nope" is not in the spec`},
		{"gom code breaks the contract", "name: x\ndescription: d\nrules:\n  - {name: a, respond: {status: 200, gom: {code: not-a-code}}}\n", "error_code"},
	}
	s := spec(t)
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			sc, findings := scenarios.Parse("x.yaml", []byte(tc.yaml), s)
			if sc != nil {
				t.Fatal("loaded")
			}
			if !strings.Contains(strings.ToLower(findings.Error()), strings.ToLower(tc.want)) {
				t.Fatalf("findings %q, want one containing %q", findings.Error(), tc.want)
			}
		})
	}
}

func TestDelayParsing(t *testing.T) {
	s := spec(t)
	for text, want := range map[string][2]string{"250ms": {"250ms", "250ms"}, "100ms..2s": {"100ms", "2s"}, "0s": {"0s", "0s"}} {
		y := "name: x\ndescription: d\nrules:\n  - {name: a, respond: {status: 200, gom: {code: GOM.00000000}, delay: " + text + "}}\n"
		sc, findings := scenarios.Parse("x.yaml", []byte(y), s)
		if sc == nil {
			t.Fatalf("%s: %v", text, findings)
		}
		d := sc.Rules[0].Respond.Delay
		if d.Min.String() != want[0] || d.Max.String() != want[1] {
			t.Fatalf("%s: got %v..%v", text, d.Min, d.Max)
		}
	}
}
