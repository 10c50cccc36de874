package scenarios

import (
	"encoding/json"
	"fmt"
	"strconv"
)

// NearMiss is a rule that did not answer a request, with the first of its
// conditions the request failed and the value the request had: WireMock's
// near miss. It holds references, not text, so that recording one costs a
// request little; the words are made when it is read.
type NearMiss struct {
	rule *Rule
	// cond is the index of the failing condition in rule.When, or -1 when
	// the rule's state condition failed.
	cond    int
	matcher Matcher
	actual  any
	present bool
	// state and pending are the incident's, for a failed state condition.
	state, pending string
}

// Rule is the name of the rule that missed.
func (n NearMiss) Rule() string { return n.rule.Name }

// Condition is what failed: a selector, or "state".
func (n NearMiss) Condition() string {
	if n.cond < 0 {
		return "state"
	}
	return n.rule.When[n.cond].Selector.String()
}

// Actual is the request's value, as rules compare it, or "absent".
func (n NearMiss) Actual() string {
	switch {
	case n.cond < 0 && n.state == "":
		return "no incident"
	case n.cond < 0 && n.pending != "":
		return n.state + " with a pending " + n.pending + " approval"
	case n.cond < 0:
		return n.state
	case !n.present:
		return "absent"
	}
	return strconv.Quote(TextOf(n.actual))
}

// Want is what the condition asked for.
func (n NearMiss) Want() string {
	if n.cond < 0 {
		return n.rule.State.String()
	}
	return n.matcher.String()
}

// String is the near miss in one line:
// rule commit-only: body.operate_key is "confirm", want "commitSolution1".
func (n NearMiss) String() string {
	return fmt.Sprintf("rule %s: %s is %s, want %s", n.Rule(), n.Condition(), n.Actual(), n.Want())
}

// MarshalJSON writes the near miss for the journal.
func (n NearMiss) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Rule      string `json:"rule"`
		Line      int    `json:"line"`
		Condition string `json:"condition"`
		Actual    string `json:"actual"`
		Want      string `json:"want"`
		Text      string `json:"text"`
	}{n.Rule(), n.rule.Line, n.Condition(), n.Actual(), n.Want(), n.String()})
}

// String says what a state condition asks for.
func (t *Transition) String() string {
	want := "any status"
	if len(t.In) > 0 {
		want = fmt.Sprint(t.In)
	}
	if len(t.Pending) > 0 {
		want += fmt.Sprintf(", pending %v", t.Pending)
	}
	return want
}

// Explain lists why each rule for the operation before stop (all of them
// when stop is nil) did not answer: its first failing condition. allows
// tells whether a rule's state condition holds (nil: it has none to fail);
// state and pending describe the incident for the message.
func (sc *Scenario) Explain(operationID string, in Input, stop *Rule, allows func(*Rule) bool, state, pending string) []NearMiss {
	var out []NearMiss
	for _, rule := range sc.Rules {
		if rule == stop {
			break
		}
		if !rule.AppliesTo(operationID) {
			continue
		}
		missed := false
		for i, c := range rule.When {
			if m := c.failing(in); m != nil {
				v, present := c.Selector.Select(in)
				out = append(out, NearMiss{rule: rule, cond: i, matcher: m, actual: v, present: present})
				missed = true
				break
			}
		}
		if !missed && rule.State != nil && allows != nil && !allows(rule) {
			out = append(out, NearMiss{rule: rule, cond: -1, state: state, pending: pending})
		}
	}
	return out
}
