package mock_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

const (
	handlePath = "/v1/external/incident/handle"
	okBody     = `{"error_code":"GOM.00000000","error_msg":null,"provider_code":"049","data":null}`
)

func newEngine(t testing.TB, opts ...mock.Option) *mock.Engine {
	t.Helper()
	return mocktest.NewEngine(t, mocktest.WithEngineOptions(opts...))
}

// call posts a JSON body as the SDK does.
func call(eng *mock.Engine, body string) mock.Reply {
	return eng.Serve(context.Background(), mock.Request{
		ID: "0123456789abcdef0123456789abcdef", Method: http.MethodPost, Path: handlePath,
		Header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}},
		Body:   []byte(body),
	})
}

// req builds a request body from the three common fields and a parameter
// given as raw JSON ("" leaves parameter out).
func req(key, parameter string) string {
	b := `{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"` + key + `"`
	if parameter != "" {
		b += `,"parameter":` + parameter
	}
	return b + "}"
}

func commit(mutate func(p map[string]any)) string {
	p := map[string]any{"mtm_type": "inc_type_p_config_issues", "is_service_interrupt": true, "cause": "100001", "solution": "20001"}
	if mutate != nil {
		mutate(p)
	}
	b, _ := json.Marshal(p)
	return req("commitSolution1", string(b))
}

func confirm(mutate func(p map[string]any)) string {
	p := map[string]any{"virtual_confirm_result": false, "virtual_confirm_comment": "13"}
	if mutate != nil {
		mutate(p)
	}
	b, _ := json.Marshal(p)
	return req("confirm", string(b))
}

func withField(field, value string) string {
	fields := map[string]string{
		"incident_num": `"IM202403221515060171753781"`,
		"operator":     `"7da46971b7e24eed90cf777cc2ff8b91"`,
		"operate_key":  `"acceptedIncident1"`,
	}
	fields[field] = value
	return `{"incident_num":` + fields["incident_num"] + `,"operator":` + fields["operator"] + `,"operate_key":` + fields["operate_key"] + `}`
}

func quoted(s string) string { b, _ := json.Marshal(s); return string(b) }

func TestContract(t *testing.T) {
	eng := newEngine(t)
	type want struct {
		status int
		// field is the field the error message must name ("" for success).
		field string
	}
	ok := want{status: 200}
	bad := func(field string) want { return want{status: 400, field: field} }
	long := func(n int) string { return strings.Repeat("x", n) }

	cases := []struct {
		name string
		body string
		want want
	}{
		// The documented examples.
		{"page example: accept with parameter {} → 200", req("acceptedIncident1", `{}`), ok},
		{"page example: commitSolution1 → 200", commit(nil), ok},
		{"page example: confirm → 200", confirm(nil), ok},

		// Quirks of real clients.
		{"SDK accept without parameter → 200", req("acceptedIncident1", ""), ok},
		{"accept with parameter null → 200", req("acceptedIncident1", `null`), ok},
		{"Terraform confirm with string booleans → 200", confirm(func(p map[string]any) { p["virtual_confirm_result"] = "false" }), ok},
		{"Terraform commit with string boolean and string times → 200", commit(func(p map[string]any) {
			p["is_service_interrupt"] = "true"
			p["start_time"] = "1712345678000"
			p["fault_recovery_time"] = "1712349999000"
		}), ok},
		{"SDK commit with integer times → 200", commit(func(p map[string]any) { p["start_time"] = 1712345678000 }), ok},
		{"unknown extra keys are accepted → 200", commit(func(p map[string]any) { p["extra"] = "x" }), ok},
		{"unknown top-level key is accepted → 200", `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1","x":1}`, ok},
		{"custom tenant mtm_type → 200", commit(func(p map[string]any) { p["mtm_type"] = "my_own_type" }), ok},

		// Required fields and their limits.
		{"incident_num missing → 400", `{"operator":"u","operate_key":"acceptedIncident1"}`, bad("incident_num")},
		{"operator missing → 400", `{"incident_num":"IM1","operate_key":"acceptedIncident1"}`, bad("operator")},
		{"operate_key missing → 400", `{"incident_num":"IM1","operator":"u"}`, bad("operate_key")},
		{"incident_num empty → 400 (a choice; the page allows 0)", withField("incident_num", `""`), bad("incident_num")},
		{"operator empty → 400", withField("operator", `""`), bad("operator")},
		{"incident_num 255 characters → 200", withField("incident_num", quoted(long(255))), ok},
		{"incident_num 256 characters → 400", withField("incident_num", quoted(long(256))), bad("incident_num")},
		{"operator 255 characters → 200", withField("operator", quoted(long(255))), ok},
		{"operator 256 characters → 400", withField("operator", quoted(long(256))), bad("operator")},
		{"incident_num a number → 400", withField("incident_num", `123`), bad("incident_num")},

		// operate_key.
		{"operate_key unknown → 400", req("acceptedIncident111", ""), bad("operate_key")},
		{"operate_key is case-sensitive → 400", req("reopen", ""), bad("operate_key")},
		{"operate_key 256 characters → 400", withField("operate_key", quoted(long(256))), bad("operate_key")},

		// parameter's shape.
		{"parameter a string → 400", req("forwardOther1", `"x"`), bad("parameter")},
		{"parameter an array → 400", req("forwardOther1", `[]`), bad("parameter")},

		// acceptedIncident1.
		{"accept with a parameter key → 200 (nothing forbids it)", req("acceptedIncident1", `{"a":1}`), ok},

		// commitSolution1.
		{"commitSolution1 without parameter → 400", req("commitSolution1", ""), bad("parameter")},
		{"commitSolution1 with parameter null → 400", req("commitSolution1", "null"), bad("parameter")},
		{"commitSolution1 without mtm_type → 400", commit(func(p map[string]any) { delete(p, "mtm_type") }), bad("parameter.mtm_type")},
		{"commitSolution1 with empty mtm_type → 400", commit(func(p map[string]any) { p["mtm_type"] = "" }), bad("parameter.mtm_type")},
		{"commitSolution1 without is_service_interrupt → 400", commit(func(p map[string]any) { delete(p, "is_service_interrupt") }), bad("parameter.is_service_interrupt")},
		{"commitSolution1 is_service_interrupt \"yes\" → 400", commit(func(p map[string]any) { p["is_service_interrupt"] = "yes" }), bad("parameter.is_service_interrupt")},
		{"commitSolution1 is_service_interrupt 1 → 400", commit(func(p map[string]any) { p["is_service_interrupt"] = 1 }), bad("parameter.is_service_interrupt")},
		{"commitSolution1 without cause → 400", commit(func(p map[string]any) { delete(p, "cause") }), bad("parameter.cause")},
		{"commitSolution1 without solution → 400", commit(func(p map[string]any) { delete(p, "solution") }), bad("parameter.solution")},
		{"commitSolution1 cause 10000 characters → 200", commit(func(p map[string]any) { p["cause"] = long(10000) }), ok},
		{"commitSolution1 cause 10001 characters → 400", commit(func(p map[string]any) { p["cause"] = long(10001) }), bad("parameter.cause")},
		{"commitSolution1 solution 10000 characters → 200", commit(func(p map[string]any) { p["solution"] = long(10000) }), ok},
		{"commitSolution1 solution 10001 characters → 400", commit(func(p map[string]any) { p["solution"] = long(10001) }), bad("parameter.solution")},
		{"commitSolution1 start_time not digits → 400", commit(func(p map[string]any) { p["start_time"] = "yesterday" }), bad("parameter.start_time")},
		{"commitSolution1 start_time fractional → 400", commit(func(p map[string]any) { p["start_time"] = 1.5 }), bad("parameter.start_time")},

		// confirm.
		{"confirm without parameter → 400", req("confirm", ""), bad("parameter")},
		{"confirm without virtual_confirm_result → 400", confirm(func(p map[string]any) { delete(p, "virtual_confirm_result") }), bad("parameter.virtual_confirm_result")},
		{"confirm virtual_confirm_result \"TRUE\" → 400", confirm(func(p map[string]any) { p["virtual_confirm_result"] = "TRUE" }), bad("parameter.virtual_confirm_result")},
		{"confirm without virtual_confirm_comment → 400", confirm(func(p map[string]any) { delete(p, "virtual_confirm_comment") }), bad("parameter.virtual_confirm_comment")},
		{"confirm comment 300 characters → 200", confirm(func(p map[string]any) { p["virtual_confirm_comment"] = long(300) }), ok},
		{"confirm comment 301 characters → 400", confirm(func(p map[string]any) { p["virtual_confirm_comment"] = long(301) }), bad("parameter.virtual_confirm_comment")},

		// The other six keys take any parameter, or none.
		{"forwardOther1 without parameter → 200", req("forwardOther1", ""), ok},
		{"incidentPause with inferred keys → 200", req("incidentPause", `{"pause_reason":"r","pause_end_time":1}`), ok},
		{"agreed with {} → 200", req("agreed", `{}`), ok},
		{"rejected with a comment → 200", req("rejected", `{"virtual_confirm_comment":"no"}`), ok},
		{"incidentChangeLevel1 with a level → 200", req("incidentChangeLevel1", `{"virtual_target_level":"level_20"}`), ok},
		{"ReOpen with null → 200", req("ReOpen", `null`), ok},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := call(eng, tc.body)
			if r.Status != tc.want.status {
				t.Fatalf("status %d, want %d; body %s; violations %q", r.Status, tc.want.status, r.Body, r.Header.Get(mock.ViolationsHeader))
			}
			if tc.want.status == 200 {
				if string(r.Body) != okBody {
					t.Fatalf("body %s, want %s", r.Body, okBody)
				}
				return
			}
			var env incident.Envelope
			if err := json.Unmarshal(r.Body, &env); err != nil {
				t.Fatal(err)
			}
			if env.ErrorCode != "GOM.00007256" || env.ProviderCode != "049" || env.ErrorMsg == nil {
				t.Fatalf("envelope %s", r.Body)
			}
			if prefix := "The field[" + tc.want.field + "] value["; !strings.HasPrefix(*env.ErrorMsg, prefix) || !strings.HasSuffix(*env.ErrorMsg, "] invalid") {
				t.Fatalf("error_msg %q, want %q…] invalid", *env.ErrorMsg, prefix)
			}
			if r.Header.Get(mock.ViolationsHeader) == "" {
				t.Fatal("no " + mock.ViolationsHeader + " header")
			}
		})
	}
}

func TestEnvelopeBytes(t *testing.T) {
	eng := newEngine(t)
	cases := []struct {
		name   string
		req    mock.Request
		status int
		body   string
	}{
		{
			name:   "success is the service's envelope, byte for byte",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(req("acceptedIncident1", ""))},
			status: 200,
			body:   okBody,
		},
		{
			name:   "invalid operate_key names the field and value as COC does",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(req("acceptedIncident111", ""))},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The field[operate_key] value[acceptedIncident111] invalid","provider_code":"049","data":null}`,
		},
		{
			name:   "missing field is named with value null",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(`{"operator":"u","operate_key":"confirm","parameter":{"virtual_confirm_result":true,"virtual_confirm_comment":"c"}}`)},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The field[incident_num] value[null] invalid","provider_code":"049","data":null}`,
		},
		{
			name:   "a long value is shortened in the message",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(withField("operator", quoted(strings.Repeat("y", 300))))},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The field[operator] value[` + strings.Repeat("y", 64) + `...] invalid","provider_code":"049","data":null}`,
		},
		{
			name:   "malformed JSON → 400 GOM envelope",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(`{"incident_num":`)},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The request body is not valid JSON","provider_code":"049","data":null}`,
		},
		{
			name:   "empty body → 400 GOM envelope",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader()},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The request body is required","provider_code":"049","data":null}`,
		},
		{
			name:   "a JSON array body → 400 GOM envelope",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: jsonHeader(), Body: []byte(`[]`)},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The request body must be a JSON object","provider_code":"049","data":null}`,
		},
		{
			name:   "text/plain → 400 GOM envelope naming the type",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: http.Header{"Content-Type": {"text/plain; charset=utf-8"}}, Body: []byte(req("acceptedIncident1", ""))},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The content type[text/plain] is not supported, use application/json","provider_code":"049","data":null}`,
		},
		{
			name:   "no content type → 400 GOM envelope",
			req:    mock.Request{Method: "POST", Path: handlePath, Header: http.Header{}, Body: []byte(req("acceptedIncident1", ""))},
			status: 400,
			body:   `{"error_code":"GOM.00007256","error_msg":"The content type[] is not supported, use application/json","provider_code":"049","data":null}`,
		},
		{
			name:   "oversize body → 413 gateway body with the request id",
			req:    mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: jsonHeader(), Oversize: true},
			status: 413,
			body:   `{"error_code":"APIGW.0201","error_msg":"Request entity too large.","request_id":"0123456789abcdef0123456789abcdef"}`,
		},
		{
			name:   "unknown path → 404 APIGW.0101",
			req:    mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: "/v1/external/nope", Header: jsonHeader()},
			status: 404,
			body:   `{"error_code":"APIGW.0101","error_msg":"The API does not exist or has not been published in the environment.","request_id":"0123456789abcdef0123456789abcdef"}`,
		},
		{
			name:   "wrong method on the path → 404 APIGW.0101",
			req:    mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "DELETE", Path: handlePath},
			status: 404,
			body:   `{"error_code":"APIGW.0101","error_msg":"The API does not exist.","request_id":"0123456789abcdef0123456789abcdef"}`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			r := eng.Serve(context.Background(), tc.req)
			if r.Status != tc.status || string(r.Body) != tc.body {
				t.Fatalf("got %d %s\nwant %d %s", r.Status, r.Body, tc.status, tc.body)
			}
			if ct := r.Header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
		})
	}
}

func TestViolationsHeaderListsEveryViolation(t *testing.T) {
	eng := newEngine(t)
	r := call(eng, `{"operator":"","operate_key":"commitSolution1","parameter":{"mtm_type":"","is_service_interrupt":"maybe","cause":"c"}}`)
	got := r.Header.Get(mock.ViolationsHeader)
	for _, field := range []string{"incident_num:", "operator:", "parameter.mtm_type:", "parameter.is_service_interrupt:", "parameter.solution:"} {
		if !strings.Contains(got, field) {
			t.Errorf("%s header %q lacks %q", mock.ViolationsHeader, got, field)
		}
	}
	if !strings.Contains(string(r.Body), "The field[incident_num] value[null] invalid") {
		t.Errorf("the message must name the first violation (shallowest, then by name): %s", r.Body)
	}
}

func TestRequestIDsAreHexAndSeeded(t *testing.T) {
	a, b := newEngine(t), newEngine(t)
	for range 5 {
		ida, idb := a.NewRequestID(), b.NewRequestID()
		if ida != idb {
			t.Fatalf("same seed, different ids: %s %s", ida, idb)
		}
		if len(ida) != 32 || strings.Trim(ida, "0123456789abcdef") != "" {
			t.Fatalf("id %q is not 32 lowercase hex characters", ida)
		}
	}
	if c := newEngine(t, mock.WithSeed(2)); c.NewRequestID() == newEngine(t).NewRequestID() {
		t.Fatal("different seeds gave the same first id")
	}
}

func jsonHeader() http.Header { return http.Header{"Content-Type": {"application/json"}} }

// A value outside a union type is told in words a user can act on, not
// kin-openapi's "doesn't match any schema from anyOf".
func TestViolationsSayWhatIsExpected(t *testing.T) {
	r := call(newEngine(t), confirm(func(p map[string]any) { p["virtual_confirm_result"] = "yes" }))
	if v := r.Header.Get(mock.ViolationsHeader); !strings.Contains(v, `parameter.virtual_confirm_result: must be a boolean, or one of ["false", "true"]`) || strings.Contains(v, "anyOf") {
		t.Fatalf("%q", v)
	}
}
