package mock_test

import (
	"context"
	"net/http"
	"slices"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
)

// FuzzRequestPath feeds arbitrary bodies, content types, scenario names and
// incident numbers to every operation of the workflow: it must never
// panic; a request naming an unknown scenario gets the sandbox's
// problem+json; every other reply is a network fault or a status the
// contract declares, with a body that validates. One engine serves the
// whole run, so incidents created and moved by earlier inputs are read by
// later ones.
func FuzzRequestPath(f *testing.F) {
	type target struct{ method, path string }
	targets := []target{
		{"POST", handlePath}, {"POST", createPath}, {"GET", detailPath}, {"POST", historyPath}, {"POST", "/v1/external/incident/list-histories"},
	}
	seeds := []struct {
		ct, scenario, body string
		target             uint8
		num                string
	}{
		{"application/json;charset=UTF-8", "", req("acceptedIncident1", ""), 0, ""},
		{"application/json", "", commit(nil), 0, ""},
		{"application/json", "lifecycle", confirm(func(p map[string]any) { p["virtual_confirm_result"] = "true" }), 0, ""},
		{"application/json", "chaos", req("acceptedIncident111", ""), 0, ""},
		{"application/json", "", accept("IM1-E503"), 0, ""},
		{"application/json", "", accept("IM1-RESET"), 0, ""},
		{"application/json", "nope", accept("IM1"), 0, ""},
		{"application/json", "", `{"incident_num":`, 0, ""},
		{"application/json", "", `[]`, 0, ""},
		{"application/json", "", `null`, 0, ""},
		{"application/json", "", ``, 0, ""},
		{"text/plain", "", `{}`, 0, ""},
		{"", "", `{}`, 0, ""},
		{"application/json; charset=\"", "", `{}`, 0, ""},
		{"application/problem+json", "", `{"incident_num":"a","operator":"b","operate_key":"confirm","parameter":{"virtual_confirm_result":1e999}}`, 0, ""},
		{"application/json", "", createBody(nil), 1, ""},
		{"application/json", "lifecycle", createBody(map[string]string{"incident_title": `"t-FLAKY"`}), 1, ""},
		{"application/json", "", "", 2, "IM202403221515060171753781"},
		{"application/json", "", "", 2, "x-E404"},
		{"application/json", "", "", 2, "%zz"},
		{"application/json", "", `{"string_filters":[{"field":"ticket_id","operator":"=","values":["IM1"]}],"sort_filter":{"field":"start_time","operator":"desc"}}`, 3, ""},
		{"application/json", "", `{"string_filters":[{"field":"action","operator":"like","values":[""]}]}`, 4, ""},
	}
	for _, s := range seeds {
		f.Add(s.ct, s.scenario, []byte(s.body), s.target, s.num)
	}
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		f.Fatal(err)
	}
	eng := newEngine(f)
	known := eng.Scenarios().Names()
	f.Fuzz(func(t *testing.T, contentType, scenario string, body []byte, which uint8, num string) {
		tg := targets[int(which)%len(targets)]
		path := tg.path
		if tg.method == "GET" {
			path += num
		}
		op, _, err := spec.Route(tg.method, path)
		if err != nil {
			return // a number with a slash is another path: routing is tested elsewhere
		}
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		if scenario != "" {
			h.Set(mock.ScenarioHeader, scenario)
		}
		r := eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: tg.method, Path: path, Header: h, Body: body})
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
