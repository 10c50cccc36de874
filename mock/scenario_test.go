package mock_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// send posts a body with extra headers ("Name: value").
func send(eng *mock.Engine, body string, headers ...string) mock.Reply {
	h := http.Header{"Content-Type": {"application/json"}}
	for _, kv := range headers {
		k, v, _ := strings.Cut(kv, ": ")
		h.Add(k, v)
	}
	return eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: h, Body: []byte(body)})
}

func accept(num string) string {
	return `{"incident_num":"` + num + `","operator":"u","operate_key":"acceptedIncident1"}`
}

func TestMagicIncidentNumbers(t *testing.T) {
	eng := newEngine(t)
	gw := func(code string) string {
		return `{"error_code":"` + code + `",`
	}
	cases := []struct {
		suffix   string
		status   int
		prefix   string
		delay    time.Duration
		fault    mock.Fault
		header   string
		rulename string
	}{
		{"-E400", 400, `{"error_code":"GOM.00007256","error_msg":"Invalid parameters","provider_code":"049","data":null}`, 0, "", "", "magic-E400"},
		{"-E401", 401, gw("APIGW.0301"), 0, "", "", "magic-E401"},
		{"-E404", 400, `{"error_code":"COC.00067003","error_msg":"The incident IM1-E404 does not exist","provider_code":"049","data":null}`, 0, "", "", "magic-E404"},
		{"-E413", 413, gw("APIGW.0201"), 0, "", "", "magic-E413"},
		{"-E429", 429, gw("APIGW.0308"), 0, "", "Retry-After", "magic-E429"},
		{"-E500", 500, gw("APIGW.0103"), 0, "", "", "magic-E500"},
		{"-E503", 503, gw("APIGW.0201"), 0, "", "", "magic-E503"},
		{"-SLOW", 200, okBody, 3 * time.Second, "", "", "magic-SLOW"},
		{"-HANG", 0, "", 0, mock.FaultHang, "", "magic-HANG"},
		{"-RESET", 0, "", 0, mock.FaultReset, "", "magic-RESET"},
		{"-EMPTY", 0, "", 0, mock.FaultEmpty, "", "magic-EMPTY"},
		{"-MALFORMED", 200, "", 0, mock.FaultMalformed, "", "magic-MALFORMED"},
		{"", 200, okBody, 0, "", "", "success"},
	}
	for _, tc := range cases {
		t.Run("IM1"+tc.suffix, func(t *testing.T) {
			r := send(eng, accept("IM1"+tc.suffix))
			if r.Status != tc.status || r.Fault != tc.fault || r.Delay != tc.delay || !strings.HasPrefix(string(r.Body), tc.prefix) {
				t.Fatalf("got %d %q fault=%q delay=%v", r.Status, r.Body, r.Fault, r.Delay)
			}
			if tc.header != "" && r.Header.Get(tc.header) == "" {
				t.Fatalf("no %s header", tc.header)
			}
			if got := r.Header.Get(mock.RuleHeader); got != tc.rulename {
				t.Fatalf("rule %q, want %q", got, tc.rulename)
			}
			if strings.HasPrefix(tc.prefix, `{"error_code":"APIGW`) && !strings.HasSuffix(string(r.Body), `"request_id":"0123456789abcdef0123456789abcdef"}`) {
				t.Fatalf("gateway body must carry the request id: %s", r.Body)
			}
		})
	}
	t.Run("-FLAKY fails once per ticket, then succeeds", func(t *testing.T) {
		var got []int
		for _, num := range []string{"A-FLAKY", "A-FLAKY", "A-FLAKY", "B-FLAKY", "B-FLAKY"} {
			got = append(got, send(eng, accept(num)).Status)
		}
		if fmt.Sprint(got) != "[503 200 200 503 200]" {
			t.Fatalf("statuses %v", got)
		}
	})
}

func TestScenarioSelection(t *testing.T) {
	eng := newEngine(t)
	t.Run("header picks the scenario", func(t *testing.T) {
		r := send(eng, accept("IM1"), mock.ScenarioHeader+": outage")
		if r.Status != 503 {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("unknown scenario is a problem listing the known names", func(t *testing.T) {
		r := send(eng, accept("IM1"), mock.ScenarioHeader+": nope")
		if r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
		}
		var p struct {
			Title     string   `json:"title"`
			Scenarios []string `json:"scenarios"`
		}
		if err := json.Unmarshal(r.Body, &p); err != nil {
			t.Fatal(err)
		}
		if fmt.Sprint(p.Scenarios) != "[chaos default lifecycle outage slow throttled]" {
			t.Fatalf("problem %s", r.Body)
		}
	})
	t.Run("WithScenario sets the default", func(t *testing.T) {
		eng := newEngine(t, mock.WithScenario("outage"))
		if r := send(eng, accept("IM1")); r.Status != 503 {
			t.Fatalf("status %d", r.Status)
		}
	})
	t.Run("unknown default scenario fails New", func(t *testing.T) {
		spec, _ := openapi.Load("embedded", openapi.Embedded())
		set, _ := scenarios.LoadBuiltin(spec)
		if _, err := mock.New(spec, set, mock.WithScenario("nope")); err == nil {
			t.Fatal("New accepted an unknown scenario")
		}
	})
	t.Run("an unknown scenario is the sandbox's problem even for an invalid body", func(t *testing.T) {
		r := send(eng, `{}`, mock.ScenarioHeader+": nope")
		if r.Status != 404 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
		r = send(eng, `{}`, "Prefer: code=abc")
		if r.Status != 400 || r.Header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("bad Prefer on an invalid body: %d %s", r.Status, r.Body)
		}
	})
	t.Run("invalid requests get 400 whatever the scenario", func(t *testing.T) {
		r := send(eng, `{}`, mock.ScenarioHeader+": outage")
		if r.Status != 400 {
			t.Fatalf("status %d", r.Status)
		}
	})
}

func TestUserScenarioReplyKinds(t *testing.T) {
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir("../testdata/scenarios/good"), mocktest.WithScenario("custom"))
	t.Run("header matcher and templated header", func(t *testing.T) {
		r := send(eng, accept("IM1"), "X-Team: blue")
		if r.Status != 200 || r.Header.Get("X-Echo") != "u" {
			t.Fatalf("%d %v", r.Status, r.Header)
		}
	})
	t.Run("query matcher", func(t *testing.T) {
		r := eng.Serve(context.Background(), mock.Request{Method: "POST", Path: handlePath, RawQuery: "mode=strict", Header: jsonHeader(), Body: []byte(accept("IM1"))})
		if r.Status != 400 || !strings.Contains(string(r.Body), "strict mode") {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("sequence cycles", func(t *testing.T) {
		var got []int
		for range 7 {
			got = append(got, send(eng, req("forwardOther1", "")).Status)
		}
		if fmt.Sprint(got) != "[200 400 503 200 400 503 200]" {
			t.Fatalf("statuses %v", got)
		}
	})
	t.Run("random with fake values", func(t *testing.T) {
		seen := map[int]bool{}
		for range 40 {
			r := send(eng, req("incidentPause", ""))
			seen[r.Status] = true
			if r.Status == 400 && strings.Contains(string(r.Body), "{{") {
				t.Fatalf("template not rendered: %s", r.Body)
			}
		}
		if !seen[200] || !seen[400] {
			t.Fatalf("40 draws of a 1:1 random gave only %v", seen)
		}
	})
	t.Run("reply outside the contract is sent as written", func(t *testing.T) {
		r := send(eng, accept("IM1-TEAPOT"))
		if r.Status != 418 || string(r.Body) != `"short and stout"` {
			t.Fatalf("%d %s", r.Status, r.Body)
		}
	})
	t.Run("no matching rule falls back to the default answer, and says so", func(t *testing.T) {
		r := send(eng, req("ReOpen", ""))
		if r.Status != 200 || string(r.Body) != okBody || r.Header.Get(mock.RuleHeader) != mock.NoRule {
			t.Fatalf("%d %s rule=%q", r.Status, r.Body, r.Header.Get(mock.RuleHeader))
		}
	})
}

func TestSequenceCountsAreExactUnderConcurrency(t *testing.T) {
	eng := newEngine(t, mock.WithScenario("throttled"))
	const n = 99 // the throttled cycle is 200, 200, 429
	statuses := make(chan int, n)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			statuses <- send(eng, accept("IM1")).Status
		}()
	}
	wg.Wait()
	close(statuses)
	count := map[int]int{}
	for s := range statuses {
		count[s]++
	}
	if count[200] != 66 || count[429] != 33 {
		t.Fatalf("got %v, want 66×200 and 33×429", count)
	}
}

func TestSameSeedSameReplies(t *testing.T) {
	run := func() []string {
		eng := newEngine(t, mock.WithSeed(42), mock.WithScenario("chaos"))
		var out []string
		for i := range 200 {
			id := eng.NewRequestID()
			r := eng.Serve(context.Background(), mock.Request{ID: id, Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(accept(fmt.Sprintf("IM%d", i)))})
			out = append(out, fmt.Sprintf("%s %d %s %s %v", id, r.Status, r.Body, r.Fault, r.Delay))
		}
		return out
	}
	a, b := run(), run()
	kinds := map[string]bool{}
	for i := range a {
		if a[i] != b[i] {
			t.Fatalf("reply %d differs:\n%s\n%s", i, a[i], b[i])
		}
		kinds[strings.Fields(a[i])[1]] = true
	}
	if len(kinds) < 4 {
		t.Fatalf("chaos gave only %v in 200 calls", kinds)
	}
	c := newEngine(t, mock.WithSeed(43), mock.WithScenario("chaos"))
	same := 0
	for i := range 50 {
		id := c.NewRequestID()
		r := c.Serve(context.Background(), mock.Request{ID: id, Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(accept(fmt.Sprintf("IM%d", i)))})
		if fmt.Sprintf("%s %d %s %s %v", id, r.Status, r.Body, r.Fault, r.Delay) == a[i] {
			same++
		}
	}
	if same == 50 {
		t.Fatal("another seed gave the very same replies")
	}
}

func TestPrefer(t *testing.T) {
	eng := newEngine(t)
	cases := []struct {
		name, prefer string
		status       int
		body         string
		applied      string
	}{
		{"code=400 gives the first 400 example", "code=400", 400, `{"error_code":"GOM.00007256","error_msg":"Invalid parameters","provider_code":"049","data":null}`, "code=400"},
		{"example by name", "example=ticketNotFound", 400, `{"error_code":"COC.00067003","error_msg":"The incident does not exist","provider_code":"049","data":null}`, "example=ticketNotFound"},
		{"code and example together", "code=400, example=ticketNotFound", 400, `{"error_code":"COC.00067003","error_msg":"The incident does not exist","provider_code":"049","data":null}`, "code=400, example=ticketNotFound"},
		{"gateway example carries this request's id", "code=401", 401, `{"error_code":"APIGW.0301","error_msg":"Incorrect IAM authentication information: verify aksk signature fail","request_id":"0123456789abcdef0123456789abcdef"}`, "code=401"},
		{"unknown preferences are not applied", "respond-async, code=200", 200, okBody, "code=200"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := send(eng, accept("IM1"), "Prefer: "+tc.prefer)
			if r.Status != tc.status || string(r.Body) != tc.body || r.Header.Get("Preference-Applied") != tc.applied {
				t.Fatalf("got %d %s applied=%q", r.Status, r.Body, r.Header.Get("Preference-Applied"))
			}
		})
	}
	t.Run("dynamic=true generates a body that fits the schema", func(t *testing.T) {
		spec, _ := openapi.Load("embedded", openapi.Embedded())
		op, _, _ := spec.Route("POST", handlePath)
		for _, code := range []int{200, 400, 429} {
			r := send(eng, accept("IM1"), fmt.Sprintf("Prefer: dynamic=true, code=%d", code))
			if r.Status != code {
				t.Fatalf("status %d", r.Status)
			}
			if v := spec.ValidateResponse(context.Background(), op, r.Status, r.Header, r.Body); len(v) > 0 {
				t.Fatalf("generated %s breaks the contract: %v", r.Body, v)
			}
		}
	})
	t.Run("seed=N makes one reply reproducible", func(t *testing.T) {
		a := send(eng, accept("IM1"), mock.ScenarioHeader+": chaos", "Prefer: seed=7")
		for range 5 {
			b := send(eng, accept("IM1"), mock.ScenarioHeader+": chaos", "Prefer: seed=7")
			if a.Status != b.Status || string(a.Body) != string(b.Body) || a.Delay != b.Delay || a.Fault != b.Fault {
				t.Fatalf("seed=7 gave %d/%v then %d/%v", a.Status, a.Delay, b.Status, b.Delay)
			}
		}
		if a.Header.Get("Preference-Applied") != "seed=7" {
			t.Fatalf("Preference-Applied %q", a.Header.Get("Preference-Applied"))
		}
	})
	t.Run("seed=0 is a seed like any other", func(t *testing.T) {
		a := send(eng, accept("IM1"), "Prefer: dynamic=true, seed=0")
		b := send(eng, accept("IM1"), "Prefer: dynamic=true, seed=0")
		if string(a.Body) != string(b.Body) {
			t.Fatalf("seed=0 gave %s then %s", a.Body, b.Body)
		}
	})
	for _, bad := range []string{"code=418", "code=abc", "example=nope", "code=200, example=ticketNotFound", "dynamic=maybe", "seed=x", "example="} {
		t.Run("unusable "+bad+" is a problem", func(t *testing.T) {
			r := send(eng, accept("IM1"), "Prefer: "+bad)
			if r.Status != 400 || r.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s %s", r.Status, r.Header.Get("Content-Type"), r.Body)
			}
		})
	}
}

// A templated reply was checked at load with sample values; what a request
// puts into it is checked again, and a breach is reported, not hidden.
func TestTemplatedReplyBreakingTheContractIsReported(t *testing.T) {
	file := `name: echo-code
description: Puts a code chosen by the request into error_code, which the contract constrains.
rules:
  - name: echo
    respond:
      status: 400
      body: {provider_code: "049", error_code: '{{ if eq .Body.operator "bad" }}oops{{ else }}GOM.00000001{{ end }}', error_msg: x, data: null}
`
	spec, _ := openapi.Load("embedded", openapi.Embedded())
	set, err := scenarios.Load(spec, scenarios.Source{Name: "builtin", FS: scenarios.Builtin()}, scenarios.Source{Name: "t", FS: mapFS("echo.yaml", file)})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mock.New(spec, set, mock.WithSeed(1), mock.WithScenario("echo-code"))
	if err != nil {
		t.Fatal(err)
	}
	if r := send(eng, `{"incident_num":"IM1","operator":"good","operate_key":"acceptedIncident1"}`); r.Header.Get(mock.ViolationsHeader) != "" {
		t.Fatalf("a reply in contract was flagged: %s", r.Header.Get(mock.ViolationsHeader))
	}
	r := send(eng, `{"incident_num":"IM1","operator":"bad","operate_key":"acceptedIncident1"}`)
	if !strings.Contains(r.Header.Get(mock.ViolationsHeader), "error_code") || string(r.Body) == "" {
		t.Fatalf("breach not reported: %v %s", r.Header, r.Body)
	}
	if entries, _ := eng.Requests("", mock.Filter{}); len(entries[0].ReplyViolations) == 0 || len(entries[0].Violations) != 0 || !entries[0].RequestValid {
		t.Fatalf("the journal must show the reply's breach apart from the request's: %+v", entries[0])
	}
}

// A fault is journaled with what the client saw instead of a reply.
func TestFaultsAreJournaledWithWhatTheClientSaw(t *testing.T) {
	eng := newEngine(t)
	send(eng, accept("IM1-RESET"))
	x, _ := eng.Requests("", mock.Filter{})
	if x[0].Fault != mock.FaultReset || !strings.Contains(x[0].ClientSaw, "connection reset") {
		t.Fatalf("%+v", x[0])
	}
	send(eng, accept("IM1"))
	if x, _ := eng.Requests("", mock.Filter{}); x[0].ClientSaw != "" {
		t.Fatalf("%q", x[0].ClientSaw)
	}
}

// A 500 is the same answer however it is asked for: the magic -E500, a
// Prefer: code=500, or a scenario's bare status 500.
func TestOne500AnswerWhicheverWayItIsAskedFor(t *testing.T) {
	spec, _ := openapi.Load("embedded", openapi.Embedded())
	set, err := scenarios.Load(spec, scenarios.Source{Name: "builtin", FS: scenarios.Builtin()},
		scenarios.Source{Name: "t", FS: mapFS("bare.yaml", "name: bare\ndescription: a bare 500\nrules:\n  - name: five\n    respond: {status: 500}\n")})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mock.New(spec, set, mock.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"error_code":"APIGW.0103","error_msg":"The backend does not exist.","request_id":"0123456789abcdef0123456789abcdef"}`
	for name, r := range map[string]mock.Reply{
		"-E500":             send(eng, mocktest.HandleBody("IM1-E500", "acceptedIncident1")),
		"Prefer: code=500":  send(eng, mocktest.HandleBody("IM1", "acceptedIncident1"), "Prefer: code=500"),
		"a bare status 500": send(eng, mocktest.HandleBody("IM1", "acceptedIncident1"), "X-Cocmock-Scenario: bare"),
	} {
		if r.Status != 500 || string(r.Body) != want {
			t.Errorf("%s: %d %s", name, r.Status, r.Body)
		}
	}
}

// {{ fake .Body.x }} takes a function's name and numbers only: a crafted
// value ({…} that gofakeit would expand) is refused at once, and templates
// have no faker of their own to call (.Faker took 28 s and 597 MiB for one
// request before).
func TestFakeTakesANameAndNumbersOnly(t *testing.T) {
	spec, _ := openapi.Load("embedded", openapi.Embedded())
	file := "name: f\ndescription: d\nrules:\n  - name: echo\n    respond: {status: 400, gom: {code: GOM.00007256, message: '{{ with .Header.Get \"X-Fake\" }}{{ fake . }}{{ end }}'}}\n"
	set, err := scenarios.Load(spec, scenarios.Source{Name: "builtin", FS: scenarios.Builtin()}, scenarios.Source{Name: "t", FS: mapFS("f.yaml", file)})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mock.New(spec, set, mock.WithSeed(1), mock.WithScenario("f"))
	if err != nil {
		t.Fatal(err)
	}
	for operator, ok := range map[string]bool{
		"sentence:5": true,
		"sentence:5}{sentence:1000}{sentence:1000": false,
		"paragraph:1000,1000,1000,\"x\"":           false,
		"regex:[a-z]{1000000}":                     false,
	} {
		start := time.Now()
		r := send(eng, mocktest.HandleBody("IM1", "acceptedIncident1"), "X-Fake: "+operator)
		if ok != (r.Status == 400) || time.Since(start) > 2*time.Second {
			t.Errorf("operator %q: %d after %v: %.200s", operator, r.Status, time.Since(start), r.Body)
		}
	}
	_, findings := scenarios.Parse("g.yaml", []byte("name: g\ndescription: d\nrules:\n  - name: raw\n    respond: {status: 400, gom: {code: GOM.00007256, message: '{{ .Faker.Sentence 5 }}'}}\n"), spec)
	if len(findings) == 0 {
		t.Fatal("a template reached a faker through the data")
	}
}
