// Package floor is the speed benchmarks' floor: a hand-written net/http
// handler for POST /v1/external/incident/handle that checks the same
// fields as cocmock by hand and writes the same bytes, with no framework
// and no OpenAPI library.
package floor

import (
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"unicode/utf8"
)

// floorMaxBody is the edge's limit (httpd.DefaultMaxBody).
const floorMaxBody = 1 << 20

// OKBody is COC's success envelope, byte for byte what cocmock sends.
var OKBody = []byte(`{"error_code":"GOM.00000000","error_msg":null,"provider_code":"049","data":null}`)

var okLen = strconv.Itoa(len(OKBody))

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

// Handler is the floor: what a careful person would write by hand for
// POST /v1/external/incident/handle with no framework and no OpenAPI library.
func Handler(w http.ResponseWriter, r *http.Request) {
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
	_, _ = w.Write(OKBody)
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
		ErrorCode    string  `json:"error_code"`
		ErrorMsg     *string `json:"error_msg"`
		ProviderCode string  `json:"provider_code"`
		Data         any     `json:"data"`
	}{"GOM.00007256", &msg, "049", nil}
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
