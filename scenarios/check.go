package scenarios

import (
	"context"
	"fmt"
	"github.com/cocmock/cocmock/incident"
	"net/http"
	"time"

	"github.com/cocmock/cocmock/openapi"
)

// checkContract renders every reply that claims to be in contract with a
// fixed seed and a sample request, and checks it against the spec: its
// status must be declared and its body must validate.
func (r *reader) checkContract(sc *Scenario, spec *openapi.Spec) {
	for _, rule := range sc.Rules {
		ops := spec.Operations()
		if rule.Operation != "" {
			op, ok := spec.Operation(rule.Operation)
			if !ok {
				continue // already a finding
			}
			ops = []*openapi.Operation{op}
		}
		for _, reply := range rule.Replies() {
			if !reply.Contract || reply.Fault != NoFault || reply.Default {
				continue
			}
			for _, problem := range checkReply(reply, ops, spec) {
				r.findings = append(r.findings, Finding{File: r.file, Line: reply.Line,
					Msg: fmt.Sprintf("rule %q: %s (mark the reply contract: false if that is meant)", rule.Name, problem)})
			}
		}
	}
}

// checkReply returns what is wrong with a reply for the operations: it must
// be declared by at least one, and valid for each that declares it.
func checkReply(reply *Reply, ops []*openapi.Operation, spec *openapi.Spec) []string {
	var problems []string
	declared := 0
	for _, op := range ops {
		if !op.Declares(reply.Status) {
			continue
		}
		declared++
		// The incident templates see when a reply is checked at load.
		sample := incident.FirstUse("IM202403221515060171753781", incident.StatusTriggered, time.Unix(1711091706, 0))
		sampleBody := op.SampleRequest()
		if sampleBody == nil {
			sampleBody = map[string]any{} // as the engine gives a request without a body
		}
		data := Data{
			Body:      sampleBody,
			Header:    http.Header{},
			RequestID: "0123456789abcdef0123456789abcdef",
			Key:       sample.Num,
			State:     sample.Status,
		}
		if reply.Templated() { // only templates read it, and it costs a start-up
			data.Incident = sample.DetailMap()
		}
		header, err := reply.RenderHeader(data)
		if err != nil {
			problems = append(problems, fmt.Sprintf("header template: %v", err))
			continue
		}
		body, err := reply.Body.Render(data)
		if err != nil {
			problems = append(problems, fmt.Sprintf("body template: %v", err))
			continue
		}
		for _, v := range spec.ValidateResponse(context.Background(), op, reply.Status, header, body) {
			problems = append(problems, fmt.Sprintf("%s %d reply breaks the contract: %s", op.ID, reply.Status, v))
		}
	}
	if declared == 0 {
		problems = append(problems, fmt.Sprintf("status %d is not declared by the spec", reply.Status))
	}
	return problems
}
