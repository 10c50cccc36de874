package mock

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/scenarios"
)

// Reply is what the engine answers; the HTTP edge writes it to the wire.
type Reply struct {
	Status int
	// Header is the reply's headers. Replies that carry the same headers,
	// as most of the engine's own do, share one map: read it, and give a
	// reply a copy before changing its headers (r.Header =
	// r.Header.Clone()). The engine's own changes copy shared headers first
	// (setHeader).
	Header http.Header
	// Body may be shared too (a default answer's is the operation's
	// example, sent again with every such answer): read it only.
	Body []byte
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
	// sharedHeader says Header is shared with other replies.
	sharedHeader bool
}

// setHeader sets one of the reply's headers, on its own copy of them when
// they are shared.
func (r *Reply) setHeader(key, value string) {
	if r.sharedHeader || r.Header == nil {
		h := make(http.Header, len(r.Header)+1)
		for k, v := range r.Header {
			h[k] = v
		}
		r.Header, r.sharedHeader = h, false
	}
	r.Header.Set(key, value)
}

// jsonHeader is the headers of a JSON reply that has no other, shared by
// all such replies (never written to: see setHeader). A map per reply,
// and another for the rule's name, were a fifth of what the engine
// allocated for a request.
var jsonHeader = http.Header{"Content-Type": {"application/json"}}

// ruleHeaders holds, for each rule of one scenario set (and NoRule), the
// headers of a JSON reply with its X-Cocmock-Rule, built with the set and
// shared by its replies: as many as the set's rules, which are in memory
// anyway. It is never written to after it is built.
type ruleHeaders struct {
	byRule map[string]http.Header
}

func ruleHeadersOf(set *scenarios.Set) *ruleHeaders {
	c := &ruleHeaders{byRule: map[string]http.Header{}}
	add := func(rule string) {
		c.byRule[rule] = http.Header{"Content-Type": jsonHeader["Content-Type"], RuleHeader: {rule}}
	}
	add(NoRule)
	for _, sc := range set.Scenarios() {
		for _, r := range sc.Rules {
			add(r.Name)
		}
	}
	return c
}

// name gives the reply the rule's X-Cocmock-Rule: a reply with jsonHeader
// takes the rule's shared headers; any other, or one whose rule is not in
// the set (a request still on the set before a reload), gets them set on
// its own.
func (c *ruleHeaders) name(r *Reply, rule string) {
	h, ok := c.byRule[rule]
	if !ok || !r.sharedHeader || len(r.Header) != 1 || !slices.Equal(r.Header["Content-Type"], jsonHeader["Content-Type"]) { // not jsonHeader's
		r.setHeader(RuleHeader, rule)
		return
	}
	r.Header = h
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

// jsonReply is a JSON reply; its headers are shared (jsonHeader).
func jsonReply(status int, body []byte) Reply {
	return Reply{Status: status, Header: jsonHeader, Body: body, sharedHeader: true}
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
	r := gatewayReply(status, w.Code, w.Message, requestID)
	r.Header, r.sharedHeader = r.Header.Clone(), false // the caller's to change
	return r
}
