package mock

import (
	"net/http"
	"strings"
	"time"

	"github.com/cocmock/cocmock/mock/incident"
	"github.com/cocmock/cocmock/scenarios"
)

// Reply is what the engine answers; the HTTP edge writes it to the wire.
type Reply struct {
	Status int
	Header http.Header
	Body   []byte
	// Delay is how long to wait before answering; the wait ends early when
	// the client goes away.
	Delay time.Duration
	// Fault, when set, replaces the reply with a broken connection.
	Fault Fault
	// Session, Scenario and Rule say who answered, and IncidentNum and
	// OperateKey what about, for the access log; they are not sent.
	Session, Scenario, Rule string
	IncidentNum, OperateKey string
	// Violations lists how a templated reply breaks the contract (sent
	// to the client in X-Cocmock-Violations too), for the journal.
	Violations []string
}

// Fault is a deliberate network failure instead of a reply; the scenario
// files name them.
type Fault = scenarios.Fault

// The faults, as the edge produces them.
const (
	NoFault        = scenarios.NoFault
	FaultReset     = scenarios.FaultReset
	FaultEmpty     = scenarios.FaultEmpty
	FaultMalformed = scenarios.FaultMalformed
	FaultHang      = scenarios.FaultHang
)

// Codes the engine itself answers with; COC's own are in package incident.
const (
	CodeOK               = incident.CodeOK
	CodeInvalidParameter = incident.CodeInvalidParameter
	CodeNotFound         = incident.CodeNotFound

	GatewayNoAPI     = "APIGW.0101"
	GatewayAuth      = "APIGW.0301"
	GatewayThrottled = "APIGW.0308"
)

// GatewayBody is the API gateway's error body.
type GatewayBody struct {
	ErrorCode string `json:"error_code"`
	ErrorMsg  string `json:"error_msg"`
	RequestID string `json:"request_id"`
}

func jsonReply(status int, body []byte) Reply {
	return Reply{Status: status, Header: http.Header{"Content-Type": {"application/json"}}, Body: body}
}

// gomReply is a reply in COC's envelope.
func gomReply(status int, code, msg string, data any) Reply {
	return jsonReply(status, must(incident.MarshalReply(code, msg, data)))
}

// gatewayReply is a reply in the API gateway's error shape.
func gatewayReply(status int, code, msg, requestID string) Reply {
	return jsonReply(status, mustJSON(GatewayBody{ErrorCode: code, ErrorMsg: msg, RequestID: requestID}))
}

// headerSafe makes a string fit in one header value.
func headerSafe(s string) string {
	return strings.Map(func(r rune) rune {
		if r < 0x20 || r == 0x7f {
			return ' '
		}
		return r
	}, s)
}

// GatewayError is the gateway's own reply for a status, in its body shape.
func GatewayError(status int, requestID string) Reply {
	w := scenarios.Gateway(status)
	return gatewayReply(status, w.Code, w.Message, requestID)
}
