package mock_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
)

// FuzzRequestPath feeds arbitrary bodies, content types and scenario names
// through the engine: it must never panic; a request naming an unknown
// scenario gets the sandbox's problem+json; every other reply is a network
// fault or a status the contract declares, with a body that validates.
func FuzzRequestPath(f *testing.F) {
	seeds := []struct{ ct, scenario, body string }{
		{"application/json;charset=UTF-8", "", req("acceptedIncident1", "")},
		{"application/json", "", commit(nil)},
		{"application/json", "lifecycle", confirm(func(p map[string]any) { p["virtual_confirm_result"] = "true" })},
		{"application/json", "chaos", req("acceptedIncident111", "")},
		{"application/json", "", accept("IM1-E503")},
		{"application/json", "", accept("IM1-RESET")},
		{"application/json", "nope", accept("IM1")},
		{"application/json", "", `{"incident_num":`},
		{"application/json", "", `[]`},
		{"application/json", "", `null`},
		{"application/json", "", ``},
		{"text/plain", "", `{}`},
		{"", "", `{}`},
		{"application/json; charset=\"", "", `{}`},
		{"application/problem+json", "", `{"incident_num":"a","operator":"b","operate_key":"confirm","parameter":{"virtual_confirm_result":1e999}}`},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.scenario, []byte(s.body))
	}
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		f.Fatal(err)
	}
	op, _, err := spec.Route(http.MethodPost, handlePath)
	if err != nil {
		f.Fatal(err)
	}
	eng := newEngine(f)
	known := eng.Scenarios().Names()
	f.Fuzz(func(t *testing.T, contentType, scenario string, body []byte) {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if scenario != "" {
			h.Set(mock.ScenarioHeader, scenario)
		}
		r := eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: h, Body: body})
		switch {
		case scenario != "" && !slices.Contains(known, h.Get(mock.ScenarioHeader)):
			if r.Status != 404 || r.Header.Get("Content-Type") != mock.ProblemType {
				t.Fatalf("unknown scenario %q: %d %s", scenario, r.Status, r.Body)
			}
		case r.Fault != mock.NoFault:
		case !op.Declares(r.Status):
			t.Fatalf("status %d is not declared", r.Status)
		default:
			if v := spec.ValidateResponse(context.Background(), op, r.Status, r.Header, r.Body); len(v) > 0 {
				t.Fatalf("reply %d %s breaks the contract: %v", r.Status, r.Body, v)
			}
		}
	})
}
