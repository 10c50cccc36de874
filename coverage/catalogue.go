// Package coverage is the contract coverage of a client's test run: the
// catalogue of every outcome a client of the served operations can meet
// (each declared status with its documented error codes, the 200 carrying
// a GOM error, each fault, the gateway's throttling and lock-out, each
// lifecycle transition and refusal) and of what it can send (operations,
// operate_keys and actions, optional fields, enum values), each with a
// stable id; per session, how often the client met or sent each.
//
// The catalogue is derived, not listed by hand: replies from the spec's
// declared responses and their examples, request items from its request
// schemas, transitions by running the incident domain's own transitions
// from every state. Operations added to the spec are covered without a
// change here.
package coverage

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// Kinds of catalogue items.
const (
	KindReply     = "reply"
	KindFault     = "fault"
	KindGateway   = "gateway"
	KindLifecycle = "lifecycle"
	KindSent      = "sent"
)

// Item is one catalogue entry: its stable id, its kind, and how to make
// cocmock produce it (or what to send).
type Item struct {
	ID   string `json:"id"`
	Kind string `json:"kind"`
	How  string `json:"how"`
}

// Catalogue is every item, in a fixed order, with the lookups that map an
// exchange to its items without building an id.
type Catalogue struct {
	Items []Item
	index map[string]int

	replies   map[replyKey]int
	faults    map[scenarios.Fault]int
	slow      int
	throttled int
	lockedOut int
	refused   int // a signature or token refused
	lifecycle map[transitionKey]int
	refusals  map[string]int // a wrong-state refusal, by operate_key or action
	sentOps   map[string]int
	// sentFields holds, per operation, the body fields it can send as a
	// tree by key, so that a request's keys are looked up as they are,
	// without building a path for each.
	sentFields map[string]*field
}

// field is a body field the catalogue counts: its item (-1 for a field
// every request carries), its enum values' items, and its own fields.
type field struct {
	item     int
	values   map[string]int
	children map[string]*field
}

// at finds or makes the field at a dotted path under f.
func (f *field) at(path string) *field {
	for _, key := range strings.Split(path, ".") {
		next := f.children[key]
		if next == nil {
			next = &field{item: -1}
			if f.children == nil {
				f.children = map[string]*field{}
			}
			f.children[key] = next
		}
		f = next
	}
	return f
}

type replyKey struct {
	op     string
	status int
	code   string
}

type transitionKey struct{ action, from, to string }

// Index is an item's position in Items, or -1.
func (c *Catalogue) Index(id string) int {
	if i, ok := c.index[id]; ok {
		return i
	}
	return -1
}

func (c *Catalogue) add(it Item) int {
	if i, ok := c.index[it.ID]; ok {
		return i
	}
	c.index[it.ID] = len(c.Items)
	c.Items = append(c.Items, it)
	return len(c.Items) - 1
}

// magic says how the default scenario produces a reply, by status and
// code: the suffix of the incident number (the title for a create).
// TestEveryHowProducesItsItem holds each to what it names.
var magic = map[replyKey]string{
	{status: 200, code: incident.CodeInvalidParameter}: "-E200",
	{status: 400, code: incident.CodeInvalidParameter}: "-E400",
	{status: 400, code: incident.CodeNotFound}:         "-E404",
	{status: 401, code: "APIGW.0301"}:                  "-E401",
	{status: 413, code: "APIGW.0201"}:                  "-E413",
	{status: 429, code: "APIGW.0308"}:                  "-E429",
	{status: 500, code: "APIGW.0103"}:                  "-E500",
	{status: 503, code: "APIGW.0201"}:                  "-E503",
}

// New derives the catalogue from a spec and the incident domain.
func New(spec *openapi.Spec) *Catalogue {
	c := &Catalogue{
		index: map[string]int{}, replies: map[replyKey]int{}, faults: map[scenarios.Fault]int{},
		lifecycle: map[transitionKey]int{}, refusals: map[string]int{}, sentOps: map[string]int{},
		sentFields: map[string]*field{},
	}
	ops := spec.Operations()
	slices.SortFunc(ops, func(a, b *openapi.Operation) int { return strings.Compare(a.ID, b.ID) })
	for _, op := range ops {
		c.addReplies(op)
	}
	for _, f := range scenarios.Faults() {
		c.faults[f] = c.add(Item{ID: "fault/" + string(f), Kind: KindFault, How: "end the incident number with -" + strings.ToUpper(string(f)) + ", or a scenario reply with fault: " + string(f)})
	}
	c.slow = c.add(Item{ID: "fault/slow", Kind: KindFault, How: "end the incident number with -SLOW, or a scenario reply with a delay"})
	c.throttled = c.add(Item{ID: "gateway/throttled", Kind: KindGateway, How: "run with --rate-limit N and send more than N a second"})
	c.refused = c.add(Item{ID: "gateway/signature-refused", Kind: KindGateway, How: "run with --auth aksk and sign with a wrong SK"})
	c.lockedOut = c.add(Item{ID: "gateway/locked-out", Kind: KindGateway, How: "run with --auth aksk and fail the signature more than --auth-lock-after times in a row"})
	c.addLifecycle(spec)
	for _, op := range ops {
		c.addSent(op)
	}
	return c
}

// addReplies adds each declared status of an operation with each error
// code its examples document, and for a GOM operation the 200 carrying
// its documented GOM refusal (the official SDK returns it as a success).
func (c *Catalogue) addReplies(op *openapi.Operation) {
	gom := false
	for _, status := range op.Statuses() {
		for _, code := range exampleCodes(op, status) {
			if status == 400 && code == incident.CodeInvalidParameter {
				gom = true
			}
			c.replies[replyKey{op.ID, status, code}] = c.add(Item{
				ID: fmt.Sprintf("%s/%d/%s", op.ID, status, code), Kind: KindReply, How: replyHow(op, status, code),
			})
		}
	}
	if gom && op.Declares(200) {
		c.replies[replyKey{op.ID, 200, incident.CodeInvalidParameter}] = c.add(Item{
			ID: op.ID + "/200/" + incident.CodeInvalidParameter, Kind: KindReply, How: replyHow(op, 200, incident.CodeInvalidParameter),
		})
	}
}

// exampleCodes are the error codes the examples of a declared response
// carry, sorted.
func exampleCodes(op *openapi.Operation, status int) []string {
	var out []string
	for _, ex := range op.Examples(status) {
		if m, ok := ex.Value.(map[string]any); ok {
			if code, ok := m["error_code"].(string); ok && code != "" {
				out = append(out, code)
			}
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func replyHow(op *openapi.Operation, status int, code string) string {
	where := "the incident number"
	if op.ID == incident.OpCreate {
		where = "incident_title"
	}
	switch {
	case status == 200 && code == incident.CodeOK:
		return "send a valid request"
	case status == 400 && code == incident.CodeInvalidParameter:
		return "send a request that breaks the contract, or end " + where + " with -E400"
	}
	how := fmt.Sprintf("send Prefer: code=%d", status)
	if status == 200 {
		how = "a scenario reply with status 200 and that gom code"
	}
	if suffix, ok := magic[replyKey{status: status, code: code}]; ok {
		how = fmt.Sprintf("end %s with %s, or %s", where, suffix, how)
	}
	return how
}

// labelled is an incident state as a transition id writes it.
type labelled struct {
	status, pending string
	paused          bool
}

// states are every state an incident can stand in: each status, an open
// approval on an acknowledged or resolved one, an agreed pause.
func states() []labelled {
	var out []labelled
	for _, st := range incident.Statuses {
		out = append(out, labelled{status: st})
		if st == incident.StatusAcknowledged || st == incident.StatusResolved {
			out = append(out, labelled{st, incident.ApprovalPause, false}, labelled{st, incident.ApprovalLevel, false})
		}
	}
	return append(out, labelled{incident.StatusAcknowledged, "", true})
}

// variants are the parameters whose values change what a transition does:
// confirm's result, a level change's direction (from level_30).
func variants(key string) []map[string]any {
	switch incident.Transition(key) {
	case "confirm":
		return []map[string]any{{"virtual_confirm_result": true}, {"virtual_confirm_result": false}}
	case "incidentChangeLevel1":
		return []map[string]any{{"virtual_target_level": "level_10"}, {"virtual_target_level": "level_50"}}
	}
	return []map[string]any{nil}
}

// addLifecycle runs every v1 operate_key and v2 action the workflow offers
// from every state through the domain's own transition, and adds each
// (key, before, after) it gives; and one refusal per key.
func (c *Catalogue) addLifecycle(spec *openapi.Spec) {
	var keys []string
	if op, ok := spec.Operation(incident.OpHandle); ok {
		for _, f := range op.RequestFields() {
			if f.Path == "operate_key" {
				keys = append(keys, f.Enum...)
			}
		}
	}
	if _, ok := spec.Operation(incident.OpAction); ok {
		keys = append(keys, incident.Actions...)
	}
	keys = slices.Compact(slices.Sorted(slices.Values(keys)))
	now := time.Unix(1_800_000_000, 0)
	for _, key := range keys {
		for _, st := range states() {
			for _, p := range variants(key) {
				inc := incident.Seeded("IM-CATALOGUE", incident.State{Status: st.status, PendingApproval: st.pending, Paused: st.paused}, now)
				if !offers(inc, key, now) {
					continue
				}
				before := inc.StateLabel(now)
				inc.Handle(incident.Action{OperateKey: key, Parameter: p, Time: now})
				tk := transitionKey{key, before, inc.StateLabel(now)}
				if _, ok := c.lifecycle[tk]; !ok {
					c.lifecycle[tk] = c.add(Item{ID: "lifecycle/" + key + "/" + tk.from + "→" + tk.to, Kind: KindLifecycle,
						How: fmt.Sprintf("bring an incident to %s (PUT /__admin/incidents/{num} seeds one) and send %s%s", tk.from, key, paramsText(p))})
				}
			}
		}
		c.refusals[key] = c.add(Item{ID: "lifecycle/" + key + "/refused", Kind: KindLifecycle,
			How: "send " + key + " in a state that does not allow it (v1: under --scenario lifecycle; v2: with a stale task id)"})
	}
}

// offers reports whether the incident's workflow offers a v1 key (through
// the v2 action of the same transition) or a v2 action at now.
func offers(inc *incident.Incident, key string, now time.Time) bool {
	for _, t := range inc.Tasks(now) {
		for _, op := range t.Operations {
			if op.Key == key || incident.Transition(op.Key) == key {
				return true
			}
		}
	}
	return false
}

func paramsText(p map[string]any) string {
	if len(p) == 0 {
		return ""
	}
	var parts []string
	for k, v := range p {
		parts = append(parts, fmt.Sprintf("%s: %v", k, v))
	}
	slices.Sort(parts)
	return " with " + strings.Join(parts, ", ")
}

// addSent adds what a client can send to an operation: the operation, each
// optional body field, each value of each enum field (operate_key's and
// the actions among them).
func (c *Catalogue) addSent(op *openapi.Operation) {
	c.sentOps[op.ID] = c.add(Item{ID: "sent/" + op.ID, Kind: KindSent, How: "call " + op.ID})
	root := &field{item: -1}
	value := func(f *field, path, v string) {
		if f.values == nil {
			f.values = map[string]int{}
		}
		f.values[v] = c.add(Item{ID: "sent/" + op.ID + "/" + path + "=" + v, Kind: KindSent, How: "send " + path + " " + strconv.Quote(v)})
	}
	for _, rf := range op.RequestFields() {
		f := root.at(rf.Path)
		if !rf.Required {
			f.item = c.add(Item{ID: "sent/" + op.ID + "/" + rf.Path, Kind: KindSent, How: "send " + rf.Path})
		}
		for _, v := range rf.Enum {
			value(f, rf.Path, v)
		}
	}
	if op.ID == incident.OpAction {
		for _, a := range incident.Actions {
			value(root.at("action"), "action", a)
		}
	}
	c.sentFields[op.ID] = root
}
