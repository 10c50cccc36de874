package mock

import (
	"encoding/json"
	"fmt"
	"net/http"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// match is the outcome of matching a request against a scenario's rules.
type match struct {
	rule  string
	reply *scenarios.Reply // nil: no rule matched
	// refused is set when the request is answered without a rule (an
	// unknown ticket in a scenario that rejects them).
	refused *Reply
	// key, before and after describe the ticket of a stateful rule.
	key, before, after string
	pendingBefore      string
}

// match finds the first rule that holds for the request and, for a stateful
// rule, whose state condition holds for the request's ticket; picks its
// reply; and moves the ticket. All of it happens under the session's lock,
// so that of many concurrent calls on one ticket exactly one sees a given
// state.
func (e *Engine) match(sess *session, sc *scenarios.Scenario, op *openapi.Operation, in scenarios.Input, faker *gofakeit.Faker, requestID string) match {
	if !sc.AppliesTo(op.ID) {
		return match{}
	}
	sess.mu.Lock()
	defer sess.mu.Unlock()

	var ticket *Ticket
	var m match
	if sc.State != nil {
		if v, ok := sc.State.Key.Select(in); ok && v != nil {
			m.key = scenarios.TextOf(v)
			ticket, _ = sess.tickets.get(m.key)
			if ticket == nil {
				if sc.State.UnknownKeys == "reject" {
					r := gomReply(http.StatusBadRequest, CodeTicketNotFound, fmt.Sprintf("The incident %s does not exist", m.key))
					return match{refused: &r, key: m.key}
				}
				ticket = &Ticket{IncidentNum: m.key, Status: sc.State.Initial}
				sess.tickets.put(m.key, ticket)
			}
			m.before, m.pendingBefore = ticket.Status, ticket.PendingApproval
		}
	}
	rule := sc.Match(in, func(r *scenarios.Rule) bool {
		return r.State == nil || (ticket != nil && r.State.Allows(ticket.Status, ticket.PendingApproval))
	})
	if rule == nil {
		return m
	}
	m.rule = rule.Name
	m.reply = e.pickReply(sess, sc, rule, in, faker)
	if rule.State != nil {
		move(ticket, rule.State, in)
		ticket.addHistory(Operation{
			Time: e.clock.Now(), RequestID: requestID,
			OperateKey: bodyString(in.Body, "operate_key"), Operator: bodyString(in.Body, "operator"),
			Parameter: bodyValue(in.Body, "parameter"), Rule: rule.Name, Status: m.reply.Status,
			StatusBefore: m.before, StatusAfter: ticket.Status,
			PendingBefore: m.pendingBefore, PendingAfter: ticket.PendingApproval,
		})
		m.after = ticket.Status
	}
	return m
}

// move applies a transition to a ticket. Values recorded by a rule that
// opens an approval wait in the approval: an agreed level change sets the
// level, a rejected one leaves it.
func move(t *Ticket, tr *scenarios.Transition, in scenarios.Input) {
	if tr.To != "" {
		t.Status = tr.To
	}
	switch tr.Close {
	case "approve":
		if t.PendingLevel != "" {
			t.Level = t.PendingLevel
		}
		t.PendingApproval, t.PendingLevel = "", ""
	case "reject":
		t.PendingApproval, t.PendingLevel = "", ""
	}
	if tr.Open != "" {
		t.PendingApproval = tr.Open
	}
	for _, rec := range tr.Record {
		v, ok := rec.From.Select(in)
		if !ok || v == nil {
			continue
		}
		text := scenarios.TextOf(v)
		switch rec.Field {
		case "level":
			if tr.Open != "" {
				t.PendingLevel = text
			} else {
				t.Level = text
			}
		case "type":
			t.Type = text
		case "service_interrupt":
			b := text == "true"
			t.ServiceInterrupt = &b
		}
	}
}

// pickReply takes the rule's reply: its only one, the next step of its
// sequence, or a weighted random choice. The caller holds sess.mu.
func (e *Engine) pickReply(sess *session, sc *scenarios.Scenario, rule *scenarios.Rule, in scenarios.Input, faker *gofakeit.Faker) *scenarios.Reply {
	switch {
	case rule.Sequence != nil:
		key := sc.Name + "\x00" + rule.Name
		if per := rule.Sequence.Per; per != nil {
			v, _ := per.Select(in)
			key += "\x00" + scenarios.TextOf(v)
		}
		return rule.Sequence.Step(sess.next(key))
	case rule.Random != nil:
		return rule.Random.Choose(faker.Rand)
	}
	return rule.Respond
}

func bodyValue(body any, key string) any {
	if m, ok := body.(map[string]any); ok {
		return m[key]
	}
	return nil
}

func bodyString(body any, key string) string {
	s, _ := bodyValue(body, key).(string)
	return s
}

// peekKeys reads incident_num and operate_key from a body that failed
// validation, so that the journal can still be filtered by them.
func peekKeys(body []byte) (incidentNum, operateKey string) {
	var v struct {
		IncidentNum any `json:"incident_num"`
		OperateKey  any `json:"operate_key"`
	}
	if json.Unmarshal(body, &v) != nil {
		return "", ""
	}
	s1, _ := v.IncidentNum.(string)
	s2, _ := v.OperateKey.(string)
	return s1, s2
}
