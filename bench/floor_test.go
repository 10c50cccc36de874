// Package bench measures cocmock's speed against the machine's floor: a
// hand-written net/http handler that checks the same fields by hand and
// writes the same bytes. It holds benchmarks only; nothing here is timed by
// a test.
package bench

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"slices"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// floorMaxBody is the edge's limit (httpd.DefaultMaxBody).
const floorMaxBody = 1 << 20

// okBody is COC's success envelope, byte for byte what cocmock sends.
var okBody = []byte(`{"error_code":"GOM.00000000","error_msg":null,"provider_code":"049","data":null}`)

var okLen = strconv.Itoa(len(okBody))

var tooLargeBody = []byte(`{"error_code":"APIGW.0201","error_msg":"Request entity too large","request_id":"`)

// operateKeys is the contract's enum of operate_key.
var operateKeys = map[string]bool{
	"acceptedIncident1": true, "commitSolution1": true, "confirm": true,
	"forwardOther1": true, "incidentPause": true, "agreed": true,
	"rejected": true, "incidentChangeLevel1": true, "ReOpen": true,
}

type floorRequest struct {
	IncidentNum string         `json:"incident_num"`
	Operator    string         `json:"operator"`
	OperateKey  string         `json:"operate_key"`
	Parameter   map[string]any `json:"parameter"`
}

// floorHandler is the floor: what a careful person would write by hand for
// POST /v1/external/incident/handle with no framework and no OpenAPI library.
func floorHandler(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h["X-Request-Id"] = []string{floorRequestID()}
	h["Content-Type"] = []string{"application/json"}
	if r.Method != http.MethodPost || r.URL.Path != "/v1/external/incident/handle" {
		http.NotFound(w, r)
		return
	}
	if r.ContentLength > floorMaxBody {
		floorTooLarge(w)
		return
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, floorMaxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			floorTooLarge(w)
		}
		return
	}
	if !isJSON(r.Header.Get("Content-Type")) {
		floorInvalid(w, "The content type["+r.Header.Get("Content-Type")+"] is not supported, use application/json")
		return
	}
	if len(body) == 0 {
		floorInvalid(w, "The request body is required")
		return
	}
	var req floorRequest
	if err := json.Unmarshal(body, &req); err != nil {
		floorInvalid(w, "The request body is not valid JSON")
		return
	}
	if msg := req.check(); msg != "" {
		floorInvalid(w, msg)
		return
	}
	h["Content-Length"] = []string{okLen}
	// cocmock names the scenario rule that answered; the floor sends the
	// same header so that both replies are the same bytes on the wire.
	h["X-Cocmock-Rule"] = []string{"success"}
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(okBody)
}

// check applies the contract's rules by hand and returns COC's message for
// the first broken one, or "".
func (r *floorRequest) check() string {
	for _, f := range [...]struct{ name, value string }{
		{"incident_num", r.IncidentNum}, {"operator", r.Operator}, {"operate_key", r.OperateKey},
	} {
		if f.value == "" || utf8.RuneCountInString(f.value) > 255 {
			return invalidField(f.name, f.value)
		}
	}
	if !operateKeys[r.OperateKey] {
		return invalidField("operate_key", r.OperateKey)
	}
	p := r.Parameter
	switch r.OperateKey {
	case "acceptedIncident1":
		if len(p) > 0 {
			return invalidField("parameter", "{...}")
		}
	case "commitSolution1":
		if p == nil {
			return invalidField("parameter", "null")
		}
		if s, ok := p["mtm_type"].(string); !ok || s == "" {
			return invalidField("parameter.mtm_type", "")
		}
		if !boolLike(p["is_service_interrupt"]) {
			return invalidField("parameter.is_service_interrupt", "")
		}
		for _, k := range [...]string{"cause", "solution"} {
			if s, ok := p[k].(string); !ok || utf8.RuneCountInString(s) > 10000 {
				return invalidField("parameter."+k, "")
			}
		}
		for _, k := range [...]string{"start_time", "fault_recovery_time"} {
			if v, present := p[k]; present && !epochMillis(v) {
				return invalidField("parameter."+k, "")
			}
		}
	case "confirm":
		if p == nil {
			return invalidField("parameter", "null")
		}
		if !boolLike(p["virtual_confirm_result"]) {
			return invalidField("parameter.virtual_confirm_result", "")
		}
		if s, ok := p["virtual_confirm_comment"].(string); !ok || utf8.RuneCountInString(s) > 300 {
			return invalidField("parameter.virtual_confirm_comment", "")
		}
	}
	return ""
}

func boolLike(v any) bool {
	switch x := v.(type) {
	case bool:
		return true
	case string:
		return x == "true" || x == "false"
	}
	return false
}

func epochMillis(v any) bool {
	switch x := v.(type) {
	case float64:
		return x >= 0 && x == float64(int64(x))
	case string:
		if len(x) == 0 || len(x) > 19 {
			return false
		}
		for i := 0; i < len(x); i++ {
			if x[i] < '0' || x[i] > '9' {
				return false
			}
		}
		return true
	}
	return false
}

func invalidField(field, value string) string {
	return "The field[" + field + "] value[" + value + "] invalid"
}

// isJSON accepts application/json with any parameters, as the contract does.
func isJSON(ct string) bool {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.EqualFold(strings.TrimSpace(ct), "application/json")
}

func floorInvalid(w http.ResponseWriter, msg string) {
	env := struct {
		ProviderCode string  `json:"provider_code"`
		ErrorCode    string  `json:"error_code"`
		ErrorMsg     *string `json:"error_msg"`
		Data         any     `json:"data"`
	}{"049", "GOM.00007256", &msg, nil}
	b, _ := json.Marshal(env)
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusBadRequest)
	_, _ = w.Write(b)
}

func floorTooLarge(w http.ResponseWriter) {
	id := w.Header().Get("X-Request-Id")
	b := append(append(append([]byte{}, tooLargeBody...), id...), `"}`...)
	w.Header()["Content-Length"] = []string{strconv.Itoa(len(b))}
	w.WriteHeader(http.StatusRequestEntityTooLarge)
	_, _ = w.Write(b)
}

// floorRequestID is 32 lowercase hex characters from the runtime's
// per-thread generator.
func floorRequestID() string {
	var b [16]byte
	u, v := rand.Uint64(), rand.Uint64()
	for j := range 8 {
		b[j] = byte(u >> (8 * j))
		b[8+j] = byte(v >> (8 * j))
	}
	return hex.EncodeToString(b[:])
}

// TestFloorMatchesCocmock keeps the comparison honest: for the benchmark's
// mix both servers must answer with the same status, the same header names
// and the same body bytes, and must refuse the same broken requests. It
// checks behaviour only; nothing is timed.
func TestFloorMatchesCocmock(t *testing.T) {
	_, coc := newCocmock(t)
	floor := http.HandlerFunc(floorHandler)
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
		f, c := do(floor, "application/json", body), do(coc, "application/json", body)
		if f.Code != http.StatusOK || c.Code != http.StatusOK {
			t.Fatalf("mix[%d]: floor %d %s, cocmock %d %s", i, f.Code, f.Body, c.Code, c.Body)
		}
		if !bytes.Equal(f.Body.Bytes(), c.Body.Bytes()) || !bytes.Equal(c.Body.Bytes(), okBody) {
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
		f, c := do(floor, tc.ct, []byte(tc.body)), do(coc, tc.ct, []byte(tc.body))
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
