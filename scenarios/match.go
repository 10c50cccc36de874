package scenarios

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// Input is what rules match on: the decoded request.
type Input struct {
	// Body is the decoded JSON body (numbers as float64 or json.Number).
	Body   any
	Header http.Header
	Query  url.Values
	// Path holds the values of the route's path parameters.
	Path map[string]string
	// Key is the incident the request names, wherever it names it (see
	// the selector key). Set it with SetKey.
	Key string
	// key is Key as an any, boxed once by SetKey rather than once per rule
	// that selects it; used only while it still equals Key.
	key any
}

// SetKey sets the incident the request names.
func (in *Input) SetKey(key string) { in.Key, in.key = key, key }

// Selector names one value of a request: body.<dotted.path>,
// header.<Name>, query.<name>, path.<name>, or key.
type Selector struct {
	source string // "body", "header", "query", "path" or "key"
	path   []string
	text   string
}

const selectorForms = "body.<path>, header.<Name>, query.<name>, path.<name> or key"

func (s Selector) String() string { return s.text }

// ParseSelector reads a selector such as body.parameter.cause.
func ParseSelector(text string) (Selector, error) {
	if text == "key" {
		return Selector{source: "key", text: text}, nil
	}
	source, rest, ok := strings.Cut(text, ".")
	if !ok || rest == "" {
		return Selector{}, fmt.Errorf("selector %q: want %s", text, selectorForms)
	}
	switch source {
	case "body":
		path := strings.Split(rest, ".")
		if slices.Contains(path, "") {
			return Selector{}, fmt.Errorf("selector %q has an empty path segment", text)
		}
		return Selector{source: source, path: path, text: text}, nil
	case "header":
		return Selector{source: source, path: []string{http.CanonicalHeaderKey(rest)}, text: text}, nil
	case "query", "path":
		return Selector{source: source, path: []string{rest}, text: text}, nil
	}
	return Selector{}, fmt.Errorf("selector %q: want %s", text, selectorForms)
}

// Select returns the selected value and whether it is present. Body values
// keep their JSON type; header and query values are strings.
func (s Selector) Select(in Input) (any, bool) {
	switch s.source {
	case "header":
		v := in.Header.Values(s.path[0])
		if len(v) == 0 {
			return nil, false
		}
		return v[0], true
	case "query":
		v, ok := in.Query[s.path[0]]
		if !ok || len(v) == 0 {
			return nil, false
		}
		return v[0], true
	case "path":
		v, ok := in.Path[s.path[0]]
		return v, ok
	case "key":
		if boxed, ok := in.key.(string); ok && boxed == in.Key { // SetKey's, still current
			return in.key, in.Key != ""
		}
		return in.Key, in.Key != ""
	}
	cur := in.Body
	for _, seg := range s.path {
		switch node := cur.(type) {
		case map[string]any:
			v, ok := node[seg]
			if !ok {
				return nil, false
			}
			cur = v
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return nil, false
			}
			cur = node[i]
		default:
			return nil, false
		}
	}
	return cur, true
}

// TextOf is the form values are compared in: strings as they are, numbers
// in their shortest decimal form (1.0 is "1"), booleans as true/false, null
// as "null". So `true` in a rule
// matches both the SDK's true and Terraform's "true".
func TextOf(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}

// Matcher tests one selected value. String says what it wants, in the
// words near misses use ("is \"x\"", "starts with \"IM\"").
type Matcher interface {
	Match(v any, present bool) bool
	String() string
}

// Condition is one entry of a rule's `when`: a selector and what its value
// must satisfy.
type Condition struct {
	Selector Selector
	Matchers []Matcher
	// Line is the condition's line in its file.
	Line int
}

// Holds reports whether the request satisfies the condition.
func (c Condition) Holds(in Input) bool {
	return c.failing(in) == nil
}

// failing returns the first matcher the request fails, or nil.
func (c Condition) failing(in Input) Matcher {
	v, present := c.Selector.Select(in)
	for _, m := range c.Matchers {
		if !m.Match(v, present) {
			return m
		}
	}
	return nil
}

// matcherKinds maps each matcher key of the file format to its compiler. To
// add a matcher, add an entry here and a type below; nothing else changes.
var matcherKinds = map[string]func(r *reader, n *yaml.Node) Matcher{
	"equals":  compileEquals,
	"in":      compileIn,
	"prefix":  compileAffix("prefix", strings.HasPrefix),
	"suffix":  compileAffix("suffix", strings.HasSuffix),
	"regex":   compileRegex,
	"present": compilePresent,
}

// compileCondition reads `selector: matcher` where the matcher is a scalar
// (equals) or a mapping of matcher keys, all of which must hold.
func (r *reader) compileCondition(key, val *yaml.Node) (Condition, bool) {
	sel, err := ParseSelector(key.Value)
	if err != nil {
		r.errorf(key, "%v", err)
		return Condition{}, false
	}
	c := Condition{Selector: sel, Line: key.Line}
	if val.Kind != yaml.MappingNode {
		c.Matchers = append(c.Matchers, compileEquals(r, val))
		return c, true
	}
	if len(val.Content) == 0 {
		r.errorf(val, "when %s: empty matcher; use one of %s", key.Value, strings.Join(matcherNames(), ", "))
		return Condition{}, false
	}
	for i := 0; i+1 < len(val.Content); i += 2 {
		k, v := val.Content[i], val.Content[i+1]
		compile, ok := matcherKinds[k.Value]
		if !ok {
			r.errorf(k, "when %s: unknown matcher %q (known: %s)", key.Value, k.Value, strings.Join(matcherNames(), ", "))
			continue
		}
		c.Matchers = append(c.Matchers, compile(r, v))
	}
	return c, true
}

func matcherNames() []string {
	names := make([]string, 0, len(matcherKinds))
	for k := range matcherKinds {
		names = append(names, k)
	}
	slices.Sort(names)
	return names
}

type equals string

func (m equals) Match(v any, present bool) bool { return present && TextOf(v) == string(m) }

func (m equals) String() string { return strconv.Quote(string(m)) }

func compileEquals(r *reader, n *yaml.Node) Matcher {
	if n.Kind != yaml.ScalarNode {
		r.errorf(n, "equals takes a scalar")
		return equals("")
	}
	return equals(TextOf(r.value(n, "equals")))
}

type in []string

func (m in) Match(v any, present bool) bool { return present && slices.Contains(m, TextOf(v)) }

func (m in) String() string {
	q := make([]string, len(m))
	for i, v := range m {
		q[i] = strconv.Quote(v)
	}
	return "one of [" + strings.Join(q, ", ") + "]"
}

func compileIn(r *reader, n *yaml.Node) Matcher {
	var out in
	for _, item := range r.seq(n, "in") {
		if item.Kind != yaml.ScalarNode {
			r.errorf(item, "in takes a list of scalars")
			continue
		}
		out = append(out, TextOf(r.value(item, "in")))
	}
	if n.Kind == yaml.SequenceNode && len(out) == 0 {
		r.errorf(n, "in needs at least one value")
	}
	return out
}

type affix struct {
	test func(s, affix string) bool
	kind string // "prefix" or "suffix"
	text string
}

func (m affix) String() string { return m.kind + " " + strconv.Quote(m.text) }

func (m affix) Match(v any, present bool) bool {
	return present && v != nil && m.test(TextOf(v), m.text)
}

func compileAffix(kind string, test func(s, affix string) bool) func(r *reader, n *yaml.Node) Matcher {
	return func(r *reader, n *yaml.Node) Matcher {
		return affix{test: test, kind: kind, text: r.str(n, kind)}
	}
}

type regex struct{ re *regexp.Regexp }

func (m regex) String() string { return "matching /" + m.re.String() + "/" }

func (m regex) Match(v any, present bool) bool {
	return present && v != nil && m.re.MatchString(TextOf(v))
}

func compileRegex(r *reader, n *yaml.Node) Matcher {
	re, err := regexp.Compile(r.str(n, "regex"))
	if err != nil {
		r.errorf(n, "regex: %v", err)
		return regex{re: regexp.MustCompile(`$^`)}
	}
	return regex{re: re}
}

type present bool

func (m present) String() string {
	if m {
		return "present"
	}
	return "absent"
}

func (m present) Match(_ any, isPresent bool) bool { return isPresent == bool(m) }

func compilePresent(r *reader, n *yaml.Node) Matcher {
	b, _ := r.boolean(n, "present")
	return present(b)
}
