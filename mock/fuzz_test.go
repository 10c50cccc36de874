package mock_test

import (
	"context"
	"net/http"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
)

// FuzzRequestPath feeds arbitrary bodies and content types through the
// engine: it must never panic, and every reply must be one the contract
// declares, with a body that validates against it.
func FuzzRequestPath(f *testing.F) {
	seeds := []struct{ ct, body string }{
		{"application/json;charset=UTF-8", req("acceptedIncident1", "")},
		{"application/json", commit(nil)},
		{"application/json", confirm(func(p map[string]any) { p["virtual_confirm_result"] = "true" })},
		{"application/json", req("acceptedIncident111", "")},
		{"application/json", `{"incident_num":`},
		{"application/json", `[]`},
		{"application/json", `null`},
		{"application/json", ``},
		{"text/plain", `{}`},
		{"", `{}`},
		{"application/json; charset=\"", `{}`},
		{"application/problem+json", `{"incident_num":"a","operator":"b","operate_key":"confirm","parameter":{"virtual_confirm_result":1e999}}`},
	}
	for _, s := range seeds {
		f.Add(s.ct, []byte(s.body))
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
	f.Fuzz(func(t *testing.T, contentType string, body []byte) {
		h := http.Header{}
		if contentType != "" {
			h.Set("Content-Type", contentType)
		}
		r := eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath, Header: h, Body: body})
		if r.Status != 200 && r.Status != 400 {
			t.Fatalf("status %d for a request to the operation", r.Status)
		}
		if v := spec.ValidateResponse(context.Background(), op, r.Status, r.Header, r.Body); len(v) > 0 {
			t.Fatalf("reply %d %s breaks the contract: %v", r.Status, r.Body, v)
		}
	})
}
