package incident

import (
	"slices"
	"strings"
)

// Condition is a list body's condition: filter names joined by & (and), |
// (or) and parentheses, "( filterName1 & filterName2) | filterName3" in
// the SDK's words. Filters it names combine by it; every other filter must
// hold as well (without a condition, all must hold).
type Condition struct {
	// name is set on a leaf; else op ('&' or '|') joins left and right.
	name        string
	op          byte
	left, right *Condition
}

// Bounds of a condition: its length, and how deeply it nests.
const (
	MaxConditionLength = 1024
	maxConditionDepth  = 32
)

// filterSet is a v2 list body's filters: its string and integer filters,
// and the condition that combines them.
type filterSet struct {
	Filters   []Filter
	Condition *Condition
}

// parseFilterSet reads a v2 list body's string_filters, int_filters and
// condition.
func parseFilterSet(body map[string]any) (filterSet, error) {
	var q filterSet
	for _, key := range []string{"string_filters", "int_filters"} {
		f, err := parseFilters(body, key)
		if err != nil {
			return filterSet{}, err
		}
		q.Filters = append(q.Filters, f...)
	}
	return q, q.parseCondition(body)
}

// parseCondition reads the body's condition, if any, against the names of
// q's filters.
func (q *filterSet) parseCondition(body map[string]any) error {
	src := strings.TrimSpace(text(body["condition"]))
	if src == "" {
		return nil
	}
	refuse := func(reason string) error {
		return &ListError{Field: "condition", Value: src, Reason: reason}
	}
	if len(src) > MaxConditionLength {
		return refuse("longer than 1024 bytes")
	}
	p := conditionParser{src: src}
	c, err := p.or(0)
	if err == "" && p.peek() != 0 {
		err = "unexpected " + string(p.peek())
	}
	if err != "" {
		return refuse(err)
	}
	for _, name := range c.names(nil) {
		if !q.hasFilterNamed(name) {
			return refuse("no filter is named " + name)
		}
	}
	q.Condition = c
	return nil
}

func (q *filterSet) hasFilterNamed(name string) bool {
	for _, f := range q.Filters {
		if f.Name == name {
			return true
		}
	}
	return false
}

// conditionParser is a recursive-descent parser: or := and ('|' and)*;
// and := term ('&' term)*; term := name | '(' or ')'.
type conditionParser struct {
	src string
	pos int
}

func (p *conditionParser) peek() byte {
	for p.pos < len(p.src) && p.src[p.pos] == ' ' {
		p.pos++
	}
	if p.pos == len(p.src) {
		return 0
	}
	return p.src[p.pos]
}

func (p *conditionParser) or(depth int) (*Condition, string) {
	return p.binary(depth, '|', p.and)
}

func (p *conditionParser) and(depth int) (*Condition, string) {
	return p.binary(depth, '&', p.term)
}

func (p *conditionParser) binary(depth int, op byte, next func(int) (*Condition, string)) (*Condition, string) {
	left, err := next(depth)
	for err == "" && p.peek() == op {
		p.pos++
		var right *Condition
		if right, err = next(depth); err == "" {
			left = &Condition{op: op, left: left, right: right}
		}
	}
	return left, err
}

func (p *conditionParser) term(depth int) (*Condition, string) {
	if depth > maxConditionDepth {
		return nil, "nested more than 32 deep"
	}
	switch c := p.peek(); c {
	case 0:
		return nil, "ends early"
	case '(':
		p.pos++
		inner, err := p.or(depth + 1)
		if err != "" {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, "a ( is not closed"
		}
		p.pos++
		return inner, ""
	}
	start := p.pos
	for p.pos < len(p.src) && !strings.ContainsRune(" &|()", rune(p.src[p.pos])) {
		p.pos++
	}
	if p.pos == start {
		return nil, "unexpected " + string(p.src[p.pos])
	}
	return &Condition{name: p.src[start:p.pos]}, ""
}

// names lists the filter names the condition uses.
func (c *Condition) names(out []string) []string {
	if c.name != "" {
		return append(out, c.name)
	}
	return c.right.names(c.left.names(out))
}

func (c *Condition) eval(holds func(name string) bool) bool {
	switch {
	case c.name != "":
		return holds(c.name)
	case c.op == '&':
		return c.left.eval(holds) && c.right.eval(holds)
	}
	return c.left.eval(holds) || c.right.eval(holds)
}

// holds reports whether a record whose fields field reads passes the
// query's filters, combined by its condition.
func (q filterSet) holds(field func(string) value) bool {
	var used []string
	if q.Condition != nil {
		used = q.Condition.names(nil)
	}
	for _, f := range q.Filters {
		if f.Name != "" && slices.Contains(used, f.Name) {
			continue
		}
		if !f.holds(field(f.Field)) {
			return false
		}
	}
	if q.Condition == nil {
		return true
	}
	return q.Condition.eval(func(name string) bool {
		for _, f := range q.Filters {
			if f.Name == name && !f.holds(field(f.Field)) {
				return false
			}
		}
		return true
	})
}
