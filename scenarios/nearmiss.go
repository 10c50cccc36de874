package scenarios

import (
	"fmt"
	"strconv"

	"github.com/cocmock/cocmock/internal/textcut"
)

// NearMiss is a rule that did not answer a request, with the first of its
// conditions the request failed and the value the request had: WireMock's
// near miss. It is plain text, made when the miss is recorded (only for a
// request no rule answered), so that it reads back from JSON as it was
// written and keeps nothing of the request alive.
type NearMiss struct {
	Rule      string `json:"rule"`
	Line      int    `json:"line"`
	Condition string `json:"condition"`
	// Actual is the request's value as rules compare it (quoted, cut to
	// maxActual bytes), "absent", or the incident's status.
	Actual string `json:"actual"`
	Want   string `json:"want"`
	Text   string `json:"text"`
}

// maxActual bounds the request value a near miss keeps.
const maxActual = 200

// String is the near miss in one line:
// rule commit-only: body.operate_key is "confirm", want "commitSolution1".
func (n NearMiss) String() string { return n.Text }

func newNearMiss(rule *Rule, condition, actual, want string) NearMiss {
	return NearMiss{
		Rule: rule.Name, Line: rule.Line, Condition: condition, Actual: actual, Want: want,
		Text: fmt.Sprintf("rule %s: %s is %s, want %s", rule.Name, condition, actual, want),
	}
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

// Explain lists why each rule for the operation did not answer (it is
// asked when none did): its first failing condition. allows tells
// whether a rule's state condition holds; state and pending describe the
// incident for the message.
func (sc *Scenario) Explain(operationID string, in Input, allows func(*Rule) bool, state, pending string) []NearMiss {
	var out []NearMiss
	for _, rule := range sc.Rules {
		if !rule.AppliesTo(operationID) {
			continue
		}
		missed := false
		for _, c := range rule.When {
			if m := c.failing(in); m != nil {
				v, present := c.Selector.Select(in)
				actual := "absent"
				if present {
					actual = strconv.Quote(textcut.Cut(TextOf(v), maxActual))
				}
				out = append(out, newNearMiss(rule, c.Selector.String(), actual, m.String()))
				missed = true
				break
			}
		}
		if !missed && rule.State != nil && allows != nil && !allows(rule) {
			actual := state
			switch {
			case state == "":
				actual = "no incident"
			case pending != "":
				actual += " with a pending " + pending + " approval"
			}
			out = append(out, newNearMiss(rule, "state", actual, rule.State.String()))
		}
	}
	return out
}
