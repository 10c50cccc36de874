package scenarios

import (
	"fmt"
	"strings"

	"github.com/cocmock/cocmock/internal/nearest"
	"github.com/cocmock/cocmock/openapi"
)

// lintWhen checks a rule's body conditions against the request schema of
// the operations the rule answers: a path no request has, or a value no
// valid request can have, makes a rule that never matches, so it is a
// finding, with the values that could.
func (r *reader) lintWhen(rule *Rule) {
	var ops []*openapi.Operation
	if rule.Operation != "" {
		if op, ok := r.spec.Operation(rule.Operation); ok {
			ops = append(ops, op)
		}
	} else {
		ops = r.spec.Operations()
	}
	if len(ops) == 0 {
		return // an unknown operation is a finding of its own
	}
	// The rule's own top-level equals and in conditions narrow the schema
	// (operate_key: confirm picks confirm's rules of parameter).
	when := map[string][]string{}
	for _, c := range rule.When {
		if c.Selector.source != "body" || len(c.Selector.path) != 1 {
			continue
		}
		for _, m := range c.Matchers {
			switch m := m.(type) {
			case equals:
				when[c.Selector.path[0]] = []string{string(m)}
			case in:
				when[c.Selector.path[0]] = m
			}
		}
	}
	for _, c := range rule.When {
		if c.Selector.source != "body" {
			continue
		}
		var fields []openapi.Field
		var names []string
		for _, op := range ops {
			names = append(names, op.ID)
			if f, ok := op.BodyField(c.Selector.path, when); ok {
				fields = append(fields, f)
			}
		}
		if len(fields) == 0 {
			// COC takes keys its contract does not name, so this is not
			// certain to be dead: a warning, likely a typo.
			if !absentWanted(c) {
				r.warnings = append(r.warnings, Finding{File: r.file, Line: c.Line, Warning: true,
					Msg: fmt.Sprintf("rule %q: %s is not a field of the request body of %s (a typo?); only a request with a key the contract does not name can match", rule.Name, c.Selector, strings.Join(names, ", "))})
			}
			continue
		}
		for _, m := range c.Matchers {
			if why := unreachable(m, fields); why != "" {
				f := Finding{File: r.file, Line: c.Line, Msg: fmt.Sprintf("rule %q: %s %s: the rule never matches", rule.Name, c.Selector, why)}
				if r.lenient {
					// Requests that break the contract are answered: one may match.
					f.Warning, f.Msg = true, fmt.Sprintf("rule %q: %s %s: only a request that breaks the contract can match", rule.Name, c.Selector, why)
					r.warnings = append(r.warnings, f)
					continue
				}
				r.findings = append(r.findings, f)
			}
		}
	}
}

// absentWanted reports a condition that asks for the field to be absent.
func absentWanted(c Condition) bool {
	for _, m := range c.Matchers {
		if p, ok := m.(present); ok && !bool(p) {
			return true
		}
	}
	return false
}

// unreachable says why no valid request can meet a matcher, or "".
func unreachable(m Matcher, fields []openapi.Field) string {
	accepts := func(text string) (bool, string) {
		var want string
		for _, f := range fields {
			ok, w := f.Accepts(text)
			if ok {
				return true, ""
			}
			want = w
		}
		return false, want
	}
	// An enum typo names the nearest value rather than all of them.
	near := func(v string) string {
		var enum []string
		for _, f := range fields {
			enum = append(enum, f.Enum()...)
		}
		if n := nearest.Word(v, enum); n != "" {
			return fmt.Sprintf(" (did you mean %q?)", n)
		}
		return ""
	}
	switch m := m.(type) {
	case equals:
		if ok, want := accepts(string(m)); !ok {
			if n := near(string(m)); n != "" {
				return fmt.Sprintf("can never be %q%s", string(m), n)
			}
			return fmt.Sprintf("can never be %q: it is %s", string(m), want)
		}
	case in:
		var wants, nears string
		for _, v := range m {
			ok, want := accepts(v)
			if ok {
				return ""
			}
			wants = want
			if n := near(v); n != "" && nears == "" {
				nears = n
			}
		}
		if nears != "" {
			return fmt.Sprintf("can never be %s%s", m, nears)
		}
		return fmt.Sprintf("can never be %s: it is %s", m, wants)
	}
	return ""
}
