package scenarios_test

import (
	"encoding/json"
	"math/rand"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/scenarios"
)

func body(t *testing.T, s string) any {
	t.Helper()
	var v any
	dec := json.NewDecoder(stringsReader(s))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// rule compiles a one-rule scenario whose rule has the given `when`.
func rule(t *testing.T, when string) *scenarios.Rule {
	t.Helper()
	y := "name: x\ndescription: d\nrules:\n  - name: r\n    when: " + when + "\n    respond: {status: 200, gom: {code: GOM.00000000}}\n"
	sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
	if sc == nil {
		t.Fatalf("%s: %v", when, findings)
	}
	return sc.Rules[0]
}

func TestMatchers(t *testing.T) {
	in := scenarios.Input{
		Body: body(t, `{"incident_num":"IM2024-E400","operator":"u1",
			"parameter":{"cause":"disk full","list":["a","b"],"nothing":null,"n":42,"flag":true,"sflag":"true"}}`),
		Header: http.Header{"X-Team": {"blue"}},
		Query:  url.Values{"mode": {"strict"}},
	}
	cases := []struct {
		when string
		want bool
	}{
		{`{body.operator: u1}`, true},
		{`{body.operator: u2}`, false},
		{`{body.parameter.n: 42}`, true},
		{`{body.parameter.flag: true}`, true},
		{`{body.parameter.sflag: true}`, true}, // Terraform's "true" matches true
		{`{body.parameter.cause: disk full}`, true},
		{`{body.parameter.list.1: b}`, true},
		{`{body.parameter.list.7: b}`, false},
		{`{body.parameter.nothing: null}`, true},
		{`{body.parameter.missing: x}`, false},
		{`{body.operator: {in: [u0, u1]}}`, true},
		{`{body.operator: {in: [u0]}}`, false},
		{`{body.incident_num: {prefix: IM2024}}`, true},
		{`{body.incident_num: {prefix: IM2025}}`, false},
		{`{body.incident_num: {suffix: -E400}}`, true},
		{`{body.incident_num: {suffix: -E401}}`, false},
		{`{body.incident_num: {regex: '^IM[0-9]{4}-E4..$'}}`, true},
		{`{body.incident_num: {regex: '^X'}}`, false},
		{`{body.parameter.cause: {present: true}}`, true},
		{`{body.parameter.solution: {present: true}}`, false},
		{`{body.parameter.solution: {present: false}}`, true},
		{`{body.parameter.nothing: {present: true}}`, true},
		{`{body.parameter.nothing: {prefix: n}}`, false}, // null has no text to match
		{`{header.X-Team: blue}`, true},
		{`{header.x-team: blue}`, true}, // header names are case-insensitive
		{`{header.X-Team: red}`, false},
		{`{header.X-Other: {present: false}}`, true},
		{`{query.mode: strict}`, true},
		{`{query.mode: {in: [lax]}}`, false},
		{`{query.other: {present: true}}`, false},
		{`{body.operator: u1, header.X-Team: blue}`, true}, // all must hold
		{`{body.operator: u1, header.X-Team: red}`, false},
		{`{body.incident_num: {prefix: IM, suffix: -E400}}`, true},
		{`{body.incident_num: {prefix: IM, suffix: -E401}}`, false},
	}
	for _, tc := range cases {
		t.Run(tc.when, func(t *testing.T) {
			if got := rule(t, tc.when).Matches(in); got != tc.want {
				t.Fatalf("Matches = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestFirstMatchingRuleWins(t *testing.T) {
	y := `name: x
description: d
rules:
  - {name: specific, when: {body.parameter.a: "1"}, respond: {status: 400, gom: {code: GOM.00007256, message: m}}}
  - {name: general, respond: {status: 200, gom: {code: GOM.00000000}}}
  - {name: never, respond: {status: 200, gom: {code: GOM.00000000}}}
`
	sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
	if sc == nil {
		t.Fatal(findings)
	}
	if r := sc.Match("HandleCocIncident", scenarios.Input{Body: body(t, `{"parameter":{"a":1}}`)}, nil); r.Name != "specific" {
		t.Fatalf("got %s", r.Name)
	}
	if r := sc.Match("HandleCocIncident", scenarios.Input{Body: body(t, `{"parameter":{"a":2}}`)}, nil); r.Name != "general" {
		t.Fatalf("got %s", r.Name)
	}
}

func TestSequenceSteps(t *testing.T) {
	steps := []*scenarios.Reply{{Status: 1}, {Status: 2}, {Status: 3}}
	last := &scenarios.Sequence{Steps: steps}
	cycle := &scenarios.Sequence{Steps: steps, Cycle: true}
	var gotLast, gotCycle []int
	for n := range 7 {
		gotLast = append(gotLast, last.Step(n).Status)
		gotCycle = append(gotCycle, cycle.Step(n).Status)
	}
	if want := []int{1, 2, 3, 3, 3, 3, 3}; !equalInts(gotLast, want) {
		t.Fatalf("repeat-last %v, want %v", gotLast, want)
	}
	if want := []int{1, 2, 3, 1, 2, 3, 1}; !equalInts(gotCycle, want) {
		t.Fatalf("cycle %v, want %v", gotCycle, want)
	}
}

func TestRandomFollowsWeightsAndSeed(t *testing.T) {
	y := `name: x
description: d
rules:
  - name: r
    random:
      - {weight: 9, status: 200, gom: {code: GOM.00000000}}
      - {weight: 1, status: 400, gom: {code: GOM.00007256}}
`
	sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
	if sc == nil {
		t.Fatal(findings)
	}
	rnd := sc.Rules[0].Random
	draw := func(seed int64) []int {
		rng := rand.New(rand.NewSource(seed))
		out := make([]int, 10000)
		for i := range out {
			out[i] = rnd.Choose(rng).Status
		}
		return out
	}
	a, b := draw(7), draw(7)
	if !equalInts(a, b) {
		t.Fatal("same seed, different draws")
	}
	n400 := 0
	for _, s := range a {
		if s == 400 {
			n400++
		}
	}
	if n400 < 800 || n400 > 1200 { // 10% of 10000, with a wide margin
		t.Fatalf("weight 1 of 10 drew %d of 10000", n400)
	}
}

func TestTemplatesSeeRequestAndFake(t *testing.T) {
	y := `name: x
description: d
rules:
  - name: r
    respond:
      status: 400
      headers: {X-Who: '{{ .Body.operator }}'}
      body:
        provider_code: "049"
        error_code: GOM.00007256
        error_msg: '{{ .Body.incident_num }} by {{ .Header.Get "X-Team" }} ({{ .RequestID }}) {{ fake "uuid" }}'
        data: null
`
	sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
	if sc == nil {
		t.Fatal(findings)
	}
	reply := sc.Rules[0].Respond
	d := scenarios.Data{Body: body(t, `{"incident_num":"IM9","operator":"op"}`), Header: http.Header{"X-Team": {"blue"}}, RequestID: "rid"}
	h, err := reply.RenderHeader(d)
	if err != nil || h.Get("X-Who") != "op" {
		t.Fatalf("header %v %v", h, err)
	}
	render := func() string {
		b, err := reply.Body.Render(d.WithFaker(newFaker(3)))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	first := render()
	var env map[string]any
	if err := json.Unmarshal([]byte(first), &env); err != nil {
		t.Fatal(err)
	}
	msg := env["error_msg"].(string)
	if len(msg) < len("IM9 by blue (rid) ")+36 || msg[:len("IM9 by blue (rid) ")] != "IM9 by blue (rid) " {
		t.Fatalf("error_msg %q", msg)
	}
	if render() != first {
		t.Fatal("the same seed must render the same fake values")
	}
	if first[:len(`{"provider_code":"049","error_code"`)] != `{"provider_code":"049","error_code"` {
		t.Fatalf("keys must keep file order: %s", first)
	}
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// A request value can reach fake and range: neither can size the output
// past the caps, whatever the request says.
func TestTemplatesAreBoundedWhateverTheRequest(t *testing.T) {
	y := `name: x
description: d
operation: HandleCocIncident
rules:
  - name: fake-from-request
    when: {body.operate_key: forwardOther1}
    respond: {status: 400, contract: false, gom: {code: GOM.00007256, message: '{{ fake .Body.operator }}'}}
  - name: range-over-request
    respond: {status: 400, gom: {code: GOM.00007256, message: '{{ range .Body.parameter.items }}{{ $.Body.operator }}{{ end }}'}}
`
	sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
	if sc == nil {
		t.Fatal(findings)
	}
	for _, tc := range []struct {
		rule, body, want string
	}{
		{"fake-from-request", `{"operator":"lettern:200000000"}`, "out of range"},
		{"fake-from-request", `{"operator":"paragraph:1000,1000,1000"}`, "multiply past"},
		{"range-over-request", `{"operator":"` + strings.Repeat("x", 1000) + `","parameter":{"items":[` + strings.Repeat("1,", 999) + `1]}}`, "renders more than"},
	} {
		rule := sc.Rules[0]
		if tc.rule != rule.Name {
			rule = sc.Rules[1]
		}
		_, err := rule.Respond.Body.Render(scenarios.Data{Body: body(t, tc.body)}.WithFaker(newFaker(1)))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s with %.40s: %v, want …%s…", tc.rule, tc.body, err, tc.want)
		}
	}
	if _, err := sc.Rules[0].Respond.Body.Render(scenarios.Data{Body: body(t, `{"operator":"lettern:12"}`)}.WithFaker(newFaker(1))); err != nil {
		t.Fatalf("a small fake was refused: %v", err)
	}
}
