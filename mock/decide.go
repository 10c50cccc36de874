package mock

import (
	"encoding/json"
	"net/http"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// Incident is the simulated ticket; package incident holds its domain.
type Incident = incident.Incident

// decision is what the engine decided for a request, under its session's
// lock: a scenario reply to render, or an answer the incident domain gave.
type decision struct {
	rule string
	// reply is the rule's reply to render; nil when answer is the reply.
	reply *scenarios.Reply
	// answer, when reply is nil, is the operation's default answer (no
	// rule matched, or the rule asked for it), or a refusal of an unknown
	// incident. It is held by value: a decision costs the heap nothing.
	answer Reply
	// key is the incident the request names (a create's title: see
	// incident.KeyOf); num is the incident the exchange is about, for the
	// journal (a create's new number); before and after its status around
	// the request.
	key, num, before, after string
	pendingBefore           string
	// labelBefore and labelAfter are the incident's state labels around
	// the request (incident.StateLabel), for coverage.
	labelBefore, labelAfter string
	// incident is the incident as detail shows it before the rule, for
	// templates; set only for a templated reply.
	incident any
	// nearMisses explains, when no rule answered, why each rule did not.
	nearMisses []scenarios.NearMiss
}

// decide finds the first rule that holds for the request and, for a
// stateful rule, whose state condition holds for the incident; picks its
// reply; and applies to the incident what the reply implies. All of it
// happens under the session's lock, so that of many concurrent calls on one
// incident exactly one sees a given state.
// caller is who the gateway authenticated (an AK; "" unsigned): the
// operator of a v2 action, whose body names none.
func (e *Engine) decide(sess *session, sc *scenarios.Scenario, op *openapi.Operation, in scenarios.Input, faker *gofakeit.Faker, requestID, caller string) decision {
	var d decision
	e.sessions.change(sess, func() { d = e.decideLocked(sess, sc, op, in, faker, requestID, caller) })
	return d
}

// decideLocked is decide under the session's lock.
func (e *Engine) decideLocked(sess *session, sc *scenarios.Scenario, op *openapi.Operation, in scenarios.Input, faker *gofakeit.Faker, requestID, caller string) decision {
	now := e.clock.Now()

	d := decision{key: in.Key}
	if sc.State != nil && op.ID == incident.OpHandle {
		if v, ok := sc.State.Key.Select(in); ok && v != nil {
			d.key = scenarios.TextOf(v)
		}
	}
	var inc *incident.Incident
	if d.key != "" {
		inc = sess.incidents.Get(d.key)
	}
	// A handle call on a number nobody created: refused, or created as
	// the scenario says. A stateful scenario needs it now, for its rules'
	// state conditions, but stores it only if the call succeeds (handled):
	// a refused call creates nothing. Otherwise it is created if the call
	// succeeds.
	if inc == nil && d.key != "" && op.ID == incident.OpHandle && sc.State != nil {
		if sc.State.UnknownKeys == "reject" {
			d.answer, d.num = gomReply(http.StatusBadRequest, incident.CodeNotFound, incident.NotFoundMessage(d.key), nil), d.key
			return d
		}
		inc = incident.FirstUse(d.key, sc.State.Initial, now)
	}
	if inc != nil {
		d.before, d.pendingBefore = inc.Status, inc.PendingApproval
		d.labelBefore = inc.StateLabel(now)
	} else if op.ID == incident.OpHandle && d.key != "" {
		// A successful call on a number nobody created creates it at
		// TRIGGERED first (handled): that is where it moves from.
		d.labelBefore = incident.FirstUse(d.key, incident.StatusTriggered, now).StateLabel(now)
	}

	allows := func(r *scenarios.Rule) bool {
		return r.State == nil || (inc != nil && r.State.Allows(inc.Status, inc.PendingApproval))
	}
	rule := sc.Match(op.ID, in, allows)
	if rule == nil {
		d.nearMisses = sc.Explain(op.ID, in, allows, d.before, d.pendingBefore)
	}
	var reply *scenarios.Reply
	if rule != nil {
		d.rule = rule.Name
		reply = e.pickReply(sess, sc, rule, in, faker)
	}
	act := incident.Action{
		OperateKey: bodyString(in.Body, "operate_key"), Operator: bodyString(in.Body, "operator"),
		RequestID: requestID, Rule: d.rule, Time: now,
	}
	act.Parameter, _ = bodyValue(in.Body, "parameter").(map[string]any)
	if op.ID == incident.OpAction {
		act.OperateKey = bodyString(in.Body, "action")
		act.Parameter, _ = bodyValue(in.Body, "params").(map[string]any)
		act.Operator = caller
		if act.Operator == "" && inc != nil {
			act.Operator = inc.Operator()
		}
	}

	// A rule's own transition overrides the domain's effect.
	var then func(*incident.Incident)
	if rule != nil && rule.State.Moves() {
		then = func(inc *incident.Incident) { move(inc, rule.State, in) }
	}

	if reply == nil || reply.Default {
		d.answer, inc = e.defaultAnswer(sess, op, in, d.key, inc, act, then, faker)
		if reply != nil {
			d.answer.Delay = reply.Delay.Pick(faker.Rand)
		}
	} else {
		d.reply = reply
		if reply.Templated() {
			// Templates see the incident before the call's effect, as .State.
			d.incident = map[string]any{}
			if inc != nil {
				d.incident = inc.DetailMap()
			}
		}
		switch {
		case op.ID == incident.OpHandle && reply.Succeeds():
			inc = handled(sess.incidents, inc, d.key, act, then)
		case op.ID == incident.OpAction && reply.Succeeds() && inc != nil:
			// The rule says it succeeded: the action takes effect where
			// the incident's tasks offer it, and nowhere else.
			_ = inc.Perform(bodyString(in.Body, "task_id"), act, nil)
		}
	}
	if inc != nil {
		d.num, d.after = inc.Num, inc.Status
		d.labelAfter = inc.StateLabel(now)
		if sess.incidents.Get(inc.Num) == inc {
			sess.incidents.Put(inc) // counted again: it may have grown
		}
	} else if op.ID != incident.OpCreate {
		d.num = d.key
	}
	return d
}

// defaultAnswer is an operation's answer when no rule gives one: each
// operation's meaning is one domain function. then is a rule's own
// transition, for a handle call; key is the incident the call names. It
// returns the incident the answer is about, if any.
func (e *Engine) defaultAnswer(sess *session, op *openapi.Operation, in scenarios.Input, key string, inc *incident.Incident,
	act incident.Action, then func(*incident.Incident), faker *gofakeit.Faker) (Reply, *incident.Incident) {
	body, _ := in.Body.(map[string]any)
	switch op.ID {
	case incident.OpHandle:
		// Only without validation can a call name no incident (key "").
		return jsonReply(http.StatusOK, e.examples[op]), handled(sess.incidents, inc, key, act, then)
	case incident.OpCreate:
		// The number follows the clock and the seeded source (Prefer: seed= too).
		num := incident.NewNum(act.Time, faker.Rand.Uint64())
		for sess.incidents.Get(num) != nil {
			num = incident.NewNum(act.Time, faker.Rand.Uint64())
		}
		inc = incident.Create(num, body, act)
		sess.incidents.Put(inc)
		return gomReply(http.StatusOK, incident.CodeOK, "", map[string]string{"incident_num": num}), inc
	case incident.OpDetail:
		if inc == nil {
			return gomReply(http.StatusBadRequest, incident.CodeNotFound, incident.NotFoundMessage(key), nil), nil
		}
		return gomReply(http.StatusOK, incident.CodeOK, "", inc.Detail()), inc
	case incident.OpHistories, incident.OpHistoriesExternal, incident.OpHistoriesIssues:
		q, err := incident.ParseListQuery(body)
		if err != nil {
			return refused(err), inc
		}
		list := incident.Histories{Info: []incident.HistoryInfo{}}
		// The external incident list's path names incidents; the others say.
		if op.ID == incident.OpHistoriesExternal || in.Path["ticket_type"] == "incident" {
			list = sess.incidents.Histories(q)
		}
		return gomReply(http.StatusOK, incident.CodeOK, "", list), inc
	case incident.OpList:
		q, err := incident.ParseTicketQuery(body)
		if err != nil {
			return refused(err), nil
		}
		return gomReply(http.StatusOK, incident.CodeOK, "", sess.incidents.List(q, act.Time)), nil
	case incident.OpTasks, incident.OpAction, incident.OpHistoriesV2:
		if inc == nil {
			return gomReply(http.StatusBadRequest, incident.CodeNotFound, incident.NotFoundMessage(key), nil), nil
		}
		switch op.ID {
		case incident.OpTasks:
			return gomReply(http.StatusOK, incident.CodeOK, "", inc.Tasks(act.Time)), inc
		case incident.OpAction:
			if err := inc.Perform(bodyString(body, "task_id"), act, nil); err != nil {
				return refused(err), inc
			}
			return gomReply(http.StatusOK, incident.CodeOK, "", nil), inc
		}
		q, err := incident.ParseHistoryQuery(body)
		if err != nil {
			return refused(err), inc
		}
		return gomReply(http.StatusOK, incident.CodeOK, "", inc.HistoriesV2(q)), inc
	}
	return jsonReply(http.StatusOK, e.examples[op]), inc
}

// refused is the answer to a request the domain refuses (a list body it
// cannot evaluate, a stale task): 400 GOM.00007256 in the service's words.
func refused(err error) Reply {
	return gomReply(http.StatusBadRequest, incident.CodeInvalidParameter, err.Error(), nil)
}

// handled applies a successful handle call to incident num, first creating
// it at TRIGGERED when nobody has; then, if set, is the rule's own
// transition. It returns the incident, or nil when the call named none.
func handled(store *incident.Store, inc *incident.Incident, num string, act incident.Action, then func(*incident.Incident)) *incident.Incident {
	if num == "" {
		return nil
	}
	if inc == nil {
		inc = incident.FirstUse(num, incident.StatusTriggered, act.Time)
	}
	inc.HandleThen(act, then)
	if store.Get(num) != inc {
		store.Put(inc) // first use: stored now that the call succeeded
	}
	return inc
}

// move applies a rule's own transition to an incident. Values recorded by
// a rule that opens an approval wait in the approval: an agreed level
// change sets the level, a rejected one leaves it.
func move(inc *incident.Incident, tr *scenarios.Transition, in scenarios.Input) {
	if tr.To != "" {
		inc.Status = tr.To
	}
	if tr.Close != "" {
		inc.CloseApproval(tr.Close == "approve")
	}
	if tr.Open != "" {
		inc.PendingApproval = tr.Open
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
				inc.PendingLevel = text
			} else {
				inc.Level = text
			}
		case "type":
			inc.Type = text
		case "service_interrupt":
			b := text == "true"
			inc.ServiceInterrupt = &b
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

// decodeJSON decodes a body for matching without checking it; anything
// that is not JSON is an empty body.
func decodeJSON(body []byte) any {
	var v any
	if json.Unmarshal(body, &v) != nil {
		return nil
	}
	return v
}
