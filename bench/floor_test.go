// Package bench measures cocmock's speed against the machine's floor: a
// hand-written net/http handler that checks the same fields by hand and
// writes the same bytes. It holds benchmarks only; nothing here is timed by
// a test.
package bench

import (
	"bytes"
	"github.com/cocmock/cocmock/bench/floor"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
)

// TestFloorMatchesCocmock keeps the comparison honest: for the benchmark's
// mix both servers must answer with the same status, the same header names
// and the same body bytes, and must refuse the same broken requests. It
// checks behaviour only; nothing is timed.
func TestFloorMatchesCocmock(t *testing.T) {
	_, coc := newCocmock(t)
	floorH := http.HandlerFunc(floor.Handler)
	do := func(h http.Handler, ct string, body []byte) *httptest.ResponseRecorder {
		r := httptest.NewRequest(http.MethodPost, handlePath, bytes.NewReader(body))
		if ct != "" {
			r.Header.Set("Content-Type", ct)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i, body := range mix {
		f, c := do(floorH, "application/json", body), do(coc, "application/json", body)
		if f.Code != http.StatusOK || c.Code != http.StatusOK {
			t.Fatalf("mix[%d]: floor %d %s, cocmock %d %s", i, f.Code, f.Body, c.Code, c.Body)
		}
		if !bytes.Equal(f.Body.Bytes(), c.Body.Bytes()) || !bytes.Equal(c.Body.Bytes(), floor.OKBody) {
			t.Errorf("mix[%d]: bodies differ:\nfloor   %s\ncocmock %s", i, f.Body, c.Body)
		}
		if fk, ck := headerText(f.Header()), headerText(c.Header()); fk != ck {
			t.Errorf("mix[%d]: headers differ:\nfloor   %s\ncocmock %s", i, fk, ck)
		}
		for _, w := range []*httptest.ResponseRecorder{f, c} {
			if id := w.Header().Get("X-Request-Id"); len(id) != 32 || strings.Trim(id, "0123456789abcdef") != "" {
				t.Errorf("mix[%d]: X-Request-Id %q", i, id)
			}
		}
	}
	bad := []struct {
		name, ct, body string
	}{
		{"text/plain", "text/plain", string(acceptBody)},
		{"empty body", "application/json", ""},
		{"not JSON", "application/json", "{"},
		{"empty operator", "application/json", `{"incident_num":"IM1","operator":"","operate_key":"confirm","parameter":{"virtual_confirm_result":true,"virtual_confirm_comment":""}}`},
		{"long incident_num", "application/json", `{"incident_num":"` + strings.Repeat("x", 256) + `","operator":"u","operate_key":"acceptedIncident1"}`},
		{"unknown key", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident111"}`},
		{"commit without mtm_type", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"commitSolution1","parameter":{"is_service_interrupt":true,"cause":"","solution":""}}`},
		{"commit bad bool", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"commitSolution1","parameter":{"mtm_type":"t","is_service_interrupt":"yes","cause":"","solution":""}}`},
		{"commit long cause", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"commitSolution1","parameter":{"mtm_type":"t","is_service_interrupt":true,"cause":"` + strings.Repeat("c", 10001) + `","solution":""}}`},
		{"commit without parameter", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"commitSolution1"}`},
		{"confirm long comment", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"confirm","parameter":{"virtual_confirm_result":false,"virtual_confirm_comment":"` + strings.Repeat("c", 301) + `"}}`},
		{"confirm bad result", "application/json", `{"incident_num":"IM1","operator":"u","operate_key":"confirm","parameter":{"virtual_confirm_result":1,"virtual_confirm_comment":""}}`},
	}
	for _, tc := range bad {
		f, c := do(floorH, tc.ct, []byte(tc.body)), do(coc, tc.ct, []byte(tc.body))
		if f.Code != http.StatusBadRequest || c.Code != http.StatusBadRequest {
			t.Errorf("%s: floor %d, cocmock %d (%s)", tc.name, f.Code, c.Code, c.Body)
			continue
		}
		for _, w := range []*httptest.ResponseRecorder{f, c} {
			if !bytes.Contains(w.Body.Bytes(), []byte(`"error_code":"GOM.00007256"`)) {
				t.Errorf("%s: body %s", tc.name, w.Body)
			}
		}
	}
}

// headerText lists a reply's headers, the request id's value left out.
func headerText(h http.Header) string {
	lines := make([]string, 0, len(h))
	for k, v := range h {
		if k == "X-Request-Id" {
			v = []string{"<id>"}
		}
		lines = append(lines, k+": "+strings.Join(v, ", "))
	}
	slices.Sort(lines)
	return strings.Join(lines, "; ")
}
