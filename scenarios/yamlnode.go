package scenarios

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/cocmock/cocmock/internal/nearest"
	"github.com/cocmock/cocmock/openapi"
)

// Finding is one problem in a scenario file, with where it is.
type Finding struct {
	File string `json:"file"`
	Line int    `json:"line"`
	Msg  string `json:"message"`
	// Warning marks a finding that does not stop the file from loading: a
	// legal reply that likely misleads a client.
	Warning bool `json:"warning,omitempty"`
}

func (f Finding) String() string {
	msg := f.Msg
	if f.Warning {
		msg = "warning: " + msg
	}
	if f.Line > 0 {
		return fmt.Sprintf("%s:%d: %s", f.File, f.Line, msg)
	}
	return fmt.Sprintf("%s: %s", f.File, msg)
}

// Findings is every problem found while loading; it is the error Load returns.
type Findings []Finding

func (fs Findings) Error() string {
	parts := make([]string, len(fs))
	for i, f := range fs {
		parts[i] = f.String()
	}
	return strings.Join(parts, "\n")
}

// reader walks one file's YAML nodes and records findings with file:line.
type reader struct {
	file     string
	spec     *openapi.Spec
	lenient  bool // Options.Lenient
	findings Findings
	warnings Findings
}

func (r *reader) warnf(n *yaml.Node, format string, args ...any) {
	r.warnings = append(r.warnings, Finding{File: r.file, Line: n.Line, Msg: fmt.Sprintf(format, args...), Warning: true})
}

func (r *reader) errorf(n *yaml.Node, format string, args ...any) {
	line := 0
	if n != nil {
		line = n.Line
	}
	r.findings = append(r.findings, Finding{File: r.file, Line: line, Msg: fmt.Sprintf(format, args...)})
}

// mapping is a YAML mapping read strictly: every key must be taken by the
// reader, and done() reports the rest as unknown.
type mapping struct {
	r     *reader
	node  *yaml.Node
	keys  []string
	vals  map[string]*yaml.Node
	lines map[string]*yaml.Node
	taken map[string]bool
}

func (r *reader) mapping(n *yaml.Node, what string) *mapping {
	m := &mapping{r: r, node: n, vals: map[string]*yaml.Node{}, lines: map[string]*yaml.Node{}, taken: map[string]bool{}}
	if n == nil {
		return m
	}
	if n.Kind != yaml.MappingNode {
		r.errorf(n, "%s must be a mapping", what)
		return m
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if _, dup := m.vals[k.Value]; dup {
			r.errorf(k, "%s: key %q given twice", what, k.Value)
			continue
		}
		m.keys = append(m.keys, k.Value)
		m.vals[k.Value] = v
		m.lines[k.Value] = k
	}
	return m
}

func (m *mapping) has(key string) bool { _, ok := m.vals[key]; return ok }

// take returns the value of key (nil when absent) and marks it known.
func (m *mapping) take(key string) *yaml.Node {
	m.taken[key] = true
	return m.vals[key]
}

// done reports the keys nobody took, naming the ones that were allowed.
// done reports the keys nobody took, and whether there were any.
func (m *mapping) done(what string) (unknown bool) {
	var allowed []string
	for k := range m.taken {
		allowed = append(allowed, k)
	}
	slices.Sort(allowed)
	for _, k := range m.keys {
		if !m.taken[k] {
			if near := nearest.Word(k, allowed); near != "" {
				m.r.errorf(m.lines[k], "%s: unknown key %q; did you mean %q?", what, k, near)
			} else {
				m.r.errorf(m.lines[k], "%s: unknown key %q (known: %s)", what, k, strings.Join(allowed, ", "))
			}
			unknown = true
		}
	}
	return unknown
}

func (r *reader) str(n *yaml.Node, what string) string {
	if n == nil {
		return ""
	}
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		r.errorf(n, "%s must be a string", what)
		return ""
	}
	return n.Value
}

func (r *reader) integer(n *yaml.Node, what string) int {
	if n == nil {
		return 0
	}
	v, err := strconv.Atoi(n.Value)
	if n.Kind != yaml.ScalarNode || err != nil {
		r.errorf(n, "%s must be a whole number", what)
		return 0
	}
	return v
}

func (r *reader) boolean(n *yaml.Node, what string) (bool, bool) {
	if n == nil {
		return false, false
	}
	var b bool
	if n.Kind != yaml.ScalarNode || n.Decode(&b) != nil {
		r.errorf(n, "%s must be true or false", what)
		return false, false
	}
	return b, true
}

func (r *reader) seq(n *yaml.Node, what string) []*yaml.Node {
	if n == nil {
		return nil
	}
	if n.Kind != yaml.SequenceNode {
		r.errorf(n, "%s must be a list", what)
		return nil
	}
	return n.Content
}

// value decodes any YAML value into plain Go (map[string]any, []any, string,
// int, float64, bool, nil).
func (r *reader) value(n *yaml.Node, what string) any {
	var v any
	if err := n.Decode(&v); err != nil {
		r.errorf(n, "%s: %v", what, err)
		return nil
	}
	return v
}
