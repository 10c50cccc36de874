// Package scenarios reads scenario files: named, ordered rules that choose
// the mock's replies. Everything in a file is compiled when it is loaded
// (selectors, matchers, regexes, templates, weights, delays) and every reply
// that claims to be in contract is checked against the spec then, so that a
// request only evaluates.
package scenarios

import (
	"github.com/cocmock/cocmock/incident"
	"math/rand"
	"net/http"
	"slices"
	"time"
)

// Set is a loaded, immutable collection of scenarios.
type Set struct {
	byName   map[string]*Scenario
	names    []string
	warnings Findings
}

// Warnings lists the findings that did not stop any file from loading.
func (s *Set) Warnings() Findings { return s.warnings }

// Get returns the scenario with that name.
func (s *Set) Get(name string) (*Scenario, bool) {
	sc, ok := s.byName[name]
	return sc, ok
}

// Names lists the scenario names, sorted.
func (s *Set) Names() []string { return slices.Clone(s.names) }

// States lists every state the stateful scenarios name (initial states and
// the states of their rules), sorted.
func (s *Set) States() []string {
	seen := map[string]bool{}
	for _, sc := range s.byName {
		if sc.State == nil {
			continue
		}
		seen[sc.State.Initial] = true
		for _, r := range sc.Rules {
			if r.State == nil {
				continue
			}
			for _, st := range r.State.In {
				seen[st] = true
			}
			if r.State.To != "" {
				seen[r.State.To] = true
			}
		}
	}
	out := make([]string, 0, len(seen))
	for st := range seen {
		out = append(out, st)
	}
	slices.Sort(out)
	return out
}

// Scenarios lists the scenarios, sorted by name.
func (s *Set) Scenarios() []*Scenario {
	out := make([]*Scenario, len(s.names))
	for i, n := range s.names {
		out[i] = s.byName[n]
	}
	return out
}

// Scenario is one file: a name, a description and ordered rules.
type Scenario struct {
	Name        string
	Description string
	// File is where the scenario was read from ("builtin:default.yaml" for
	// an embedded one).
	File string
	// Operation, when set, is the operationId of the rules that name
	// none; a rule without either applies to every operation of the spec.
	Operation string
	// Inert is set on a built-in scenario whose operation the served spec
	// lacks: it is listed but never matches.
	Inert bool
	// State, when set, gives every value of its key a state machine.
	State *StateMachine
	Rules []*Rule
	// Warnings are findings that did not stop the file from loading.
	Warnings Findings
}

// Match returns the first rule for the operation whose conditions all hold
// and that accept takes (nil accepts all), or nil.
func (sc *Scenario) Match(operationID string, in Input, accept func(*Rule) bool) *Rule {
	if sc.Inert {
		return nil
	}
	for _, rule := range sc.Rules {
		if rule.AppliesTo(operationID) && rule.Matches(in) && (accept == nil || accept(rule)) {
			return rule
		}
	}
	return nil
}

// StateMachine declares per-key state for a scenario.
type StateMachine struct {
	// Key selects the value that names a state machine (a ticket number).
	Key Selector
	// Initial is the state of a key seen for the first time.
	Initial string
	// UnknownKeys says what happens to a key seen for the first time:
	// "create" (the default) starts it in Initial, "reject" answers 400
	// COC.00067003 unless it was seeded.
	UnknownKeys string
}

// Rule is one entry of a scenario: when its conditions hold, it gives one of
// its replies.
type Rule struct {
	Name string
	// Line is the rule's line in its file.
	Line int
	// Operation is the operationId the rule answers (its own, or its
	// scenario's); empty means every operation.
	Operation string
	When      []Condition
	// State, when set, makes the rule apply only in some states and move the
	// key to another.
	State *Transition
	// Exactly one of Respond, Sequence and Random is set.
	Respond  *Reply
	Sequence *Sequence
	Random   *Random
}

// AppliesTo reports whether the rule answers an operation.
func (r *Rule) AppliesTo(operationID string) bool {
	return r.Operation == "" || r.Operation == operationID
}

// Moves reports whether the rule's own transition changes the key's record
// (rather than leaving the change to the operation's default effect).
func (t *Transition) Moves() bool {
	return t != nil && (t.To != "" || t.Open != "" || t.Close != "" || len(t.Record) > 0)
}

// Matches reports whether every condition of the rule holds.
func (r *Rule) Matches(in Input) bool {
	for _, c := range r.When {
		if !c.Holds(in) {
			return false
		}
	}
	return true
}

// Transition is a rule's state condition and effect. Besides its state, a
// key's record may hold one pending approval (a pause or a level change)
// and a few recorded fields.
type Transition struct {
	// In lists the states the rule applies in; empty means any state.
	In []string
	// Pending, when set, is a condition on the pending approval: "none",
	// "any", or the kinds that must be pending.
	Pending []string
	// To is the state after the rule; empty means unchanged.
	To string
	// Open starts a pending approval of this kind.
	Open string
	// Close ends the pending approval: "approve" applies what it asked for
	// (a recorded level), "reject" drops it.
	Close string
	// Record copies request values into the key's record. While the rule
	// opens an approval, the values wait in the approval until it is
	// approved.
	Record []Recording
}

// Recording copies one request value into a field of the key's record.
type Recording struct {
	Field string
	From  Selector
}

// recordFields are the fields a transition may record.
var recordFields = []string{"level", "type", "service_interrupt"}

// Allows reports whether the rule applies to a key in state with the given
// pending approval ("" for none).
func (t *Transition) Allows(state, pending string) bool {
	if len(t.In) > 0 && !slices.Contains(t.In, state) {
		return false
	}
	switch {
	case len(t.Pending) == 0:
		return true
	case t.Pending[0] == "none":
		return pending == ""
	case t.Pending[0] == "any":
		return pending != ""
	}
	return slices.Contains(t.Pending, pending)
}

// Replies lists every reply a rule can give, in file order.
func (r *Rule) Replies() []*Reply {
	switch {
	case r.Respond != nil:
		return []*Reply{r.Respond}
	case r.Sequence != nil:
		return r.Sequence.Steps
	case r.Random != nil:
		return r.Random.Choices
	}
	return nil
}

// Sequence gives its steps in order, one per call.
type Sequence struct {
	Steps []*Reply
	// Cycle starts again from the first step after the last; otherwise the
	// last step repeats.
	Cycle bool
	// Per, when set, keeps one count per value of the selector (one per
	// ticket, say) instead of one for the rule.
	Per *Selector
}

// Step returns the reply for the n-th call (counting from 0).
func (s *Sequence) Step(n int) *Reply {
	if s.Cycle {
		return s.Steps[n%len(s.Steps)]
	}
	return s.Steps[min(n, len(s.Steps)-1)]
}

// Random picks one of its choices by weight.
type Random struct {
	Choices []*Reply
	total   int
}

// Choose picks a reply using rng.
func (r *Random) Choose(rng *rand.Rand) *Reply {
	n := rng.Intn(r.total)
	for _, c := range r.Choices {
		if n < c.Weight {
			return c
		}
		n -= c.Weight
	}
	return r.Choices[len(r.Choices)-1]
}

// Fault is a deliberate network failure instead of a reply.
type Fault string

// The faults a reply can ask for.
const (
	NoFault        Fault = ""
	FaultReset     Fault = "reset"     // close with a TCP RST
	FaultEmpty     Fault = "empty"     // close without writing a byte
	FaultMalformed Fault = "malformed" // promise a longer body than is written
	FaultHang      Fault = "hang"      // write nothing until the client gives up
)

// faults lists every fault in the order the docs give them.
var faults = []Fault{FaultReset, FaultEmpty, FaultMalformed, FaultHang}

// Faults lists the faults a reply may be.
func Faults() []Fault { return slices.Clone(faults) }

// Reply is one compiled reply of a rule.
type Reply struct {
	Line    int
	Status  int
	Headers []Header
	// Body renders the reply's body; nil means an empty body.
	Body *Body
	// Delay is waited before answering.
	Delay Delay
	Fault Fault
	// Contract is false for a reply deliberately outside the spec.
	Contract bool
	// Weight is the reply's share in a random rule.
	Weight int
	// Default asks for the operation's default answer (what cocmock
	// answers when no rule matches), after Delay.
	Default bool
	// Code is the body's error_code when the file gives it as a fixed
	// string (a gom: shorthand or a literal body), else "".
	Code string
}

// Succeeds reports whether the reply is COC's success (200 GOM.00000000)
// delivered: a handle call answered so takes effect on the incident.
func (r *Reply) Succeeds() bool {
	return r.Fault == NoFault && (r.Default || r.Status == http.StatusOK && r.Code == incident.CodeOK)
}

// Header is a reply header whose value may be a template.
type Header struct {
	Name  string
	Value *Text
}

// Delay is a fixed wait (Min == Max) or a range to pick from uniformly.
type Delay struct {
	Min, Max time.Duration
}

// Pick returns the wait for one reply.
func (d Delay) Pick(rng *rand.Rand) time.Duration {
	if d.Max <= d.Min {
		return d.Min
	}
	return d.Min + time.Duration(rng.Int63n(int64(d.Max-d.Min)+1))
}

// Templated reports whether the reply has Go templates, whose output only
// a request can tell. (A gateway body's request id changes too, but it is
// always a string, so the check at load covers it.)
func (r *Reply) Templated() bool {
	if r.Body != nil && r.Body.root.templated() {
		return true
	}
	for _, h := range r.Headers {
		if !h.Value.Static() {
			return true
		}
	}
	return false
}

// RenderHeader renders the reply's headers.
func (r *Reply) RenderHeader(d Data) (http.Header, error) {
	h := http.Header{}
	for _, hd := range r.Headers {
		v, err := hd.Value.Render(d)
		if err != nil {
			return nil, err
		}
		h.Add(hd.Name, v)
	}
	return h, nil
}
