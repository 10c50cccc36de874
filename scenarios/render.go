package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"text/template"
	"text/template/parse"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/internal/textcut"
)

// Data is what reply templates see.
type Data struct {
	// Body is the decoded request body.
	Body any
	// Header is the request's headers: {{ .Header.Get "X-Name" }}.
	Header http.Header
	// RequestID is the reply's X-Request-Id.
	RequestID string
	// Key is the incident the request names (the selector key); State is
	// its status before the rule, for rules of stateful scenarios.
	Key   string
	State string
	// Pending is the key's pending approval ("pause", "level"), if any.
	Pending string
	// Incident is the incident as the detail read shows it, before the
	// rule; nil when the request names none that exists.
	Incident any
	// faker feeds the fake function; it is the engine's seeded source.
	faker *gofakeit.Faker
}

// WithFaker returns d with the source the fake function draws from.
func (d Data) WithFaker(f *gofakeit.Faker) Data {
	d.faker = f
	return d
}

// FakerOf is the source set by WithFaker (a fixed-seed one when none was).
// A function, not a method of Data: templates may call any method of the
// data they see, and a faker would give them every generator unbounded.
func FakerOf(d Data) *gofakeit.Faker {
	if d.faker == nil {
		return gofakeit.New(1)
	}
	return d.faker
}

// Text is a string of a reply that may be a Go template.
type Text struct {
	static string
	tmpl   *template.Template
}

// Static reports whether the text is the same for every request.
func (t *Text) Static() bool { return t == nil || t.tmpl == nil }

// Render evaluates the text for one request.
func (t *Text) Render(d Data) (string, error) {
	if t == nil {
		return "", nil
	}
	if t.tmpl == nil {
		return t.static, nil
	}
	// Templates are shared by every request; each render binds fake to its
	// own seeded source on a clone.
	tm, err := t.tmpl.Clone()
	if err != nil {
		return "", err
	}
	b := &cappedBuilder{max: MaxRender}
	if err := tm.Funcs(templateFuncs(FakerOf(d))).Execute(b, d); err != nil {
		return "", err
	}
	return b.String(), nil
}

// Bounds of what a template may produce, whatever the request feeds it.
const (
	// MaxRender is the most one template text renders to.
	MaxRender = 64 << 10
	// maxFakeParam bounds each number given to a gofakeit function, and
	// maxFakeProduct their product (paragraph:a,b,c makes a×b×c words).
	maxFakeParam   = 1000
	maxFakeProduct = 10000
)

// cappedBuilder is a strings.Builder that refuses to grow past max, so that
// a template stops as soon as its output is too long.
type cappedBuilder struct {
	strings.Builder
	max int
}

func (b *cappedBuilder) Write(p []byte) (int, error) {
	if b.Len()+len(p) > b.max {
		return 0, fmt.Errorf("the template renders more than %d bytes", b.max)
	}
	return b.Builder.Write(p)
}

// checkFakeParams refuses sizes that would make a fake value huge: a
// request value can reach fake ({{ fake .Body.operator }}).
func checkFakeParams(spec string) error {
	name, params, _ := strings.Cut(spec, ":")
	// Only a function's name and numbers: gofakeit expands every {…} it is
	// given, so any other text ({{ fake .Body.x }} with a crafted x) could
	// ask for generators of any size.
	if !fakeName.MatchString(name) {
		return fmt.Errorf("fake %q: want a gofakeit function's name, letters and digits only", textcut.Cut(spec, 64))
	}
	product := 1
	for _, p := range strings.Split(params, ",") {
		if params == "" {
			break
		}
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			return fmt.Errorf("fake %q: parameters are whole numbers only (sentence:5, number:1,100)", textcut.Cut(spec, 64))
		}
		if n > maxFakeParam || n < 0 {
			return fmt.Errorf("fake %q: %d is out of range (0 to %d)", spec, n, maxFakeParam)
		}
		if product *= max(n, 1); product > maxFakeProduct {
			return fmt.Errorf("fake %q: the sizes multiply past %d", spec, maxFakeProduct)
		}
	}
	return nil
}

var fakeName = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9]{0,63}$`)

// compileText parses s as a template when it contains an action.
func compileText(s string) (*Text, error) {
	if !strings.Contains(s, "{{") {
		return &Text{static: s}, nil
	}
	tm, err := template.New("").Option("missingkey=zero").Funcs(templateFuncs(gofakeit.New(1))).Parse(s)
	if err != nil {
		return nil, err
	}
	for _, t := range tm.Templates() {
		if err := (rangeCheck{tm: tm, in: map[string]bool{}}).check(t.Tree.Root, 1); err != nil {
			return nil, err
		}
	}
	return &Text{tmpl: tm}, nil
}

// The template's step budget, checked at load: text/template has no way
// to stop a loop once it runs ({{range 100000000000}}{{end}} spun a core
// for good, output or not), so what loops may do is bounded by its shape.
// A range over a number is at most maxRangeCount, and ranges over numbers
// nested in one another at most maxRangeSteps in all; a range over
// anything else (request data: as long as the body is) nests with no
// other range.
const (
	maxRangeCount = 1000
	maxRangeSteps = 10000
)

// rangeCheck walks a template's trees: check's steps is the product of
// the number ranges around a node, or 0 inside a range over data. A
// {{template}} call is walked where it is called, with the steps around
// it (a defined template called in a range loops as that range does);
// in names the templates being walked, so that recursion is a finding.
type rangeCheck struct {
	tm *template.Template
	in map[string]bool
}

func (rc rangeCheck) check(n parse.Node, steps int) error {
	switch n := n.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := rc.check(c, steps); err != nil {
				return err
			}
		}
	case *parse.IfNode:
		return rc.branches(n.List, n.ElseList, steps)
	case *parse.WithNode:
		return rc.branches(n.List, n.ElseList, steps)
	case *parse.RangeNode:
		count, isNumber := rangeCount(n.Pipe)
		switch {
		case steps == 0:
			return fmt.Errorf("a range inside a range over request data: it could loop for as long as the body squared; nest number ranges only")
		case isNumber && count > maxRangeCount:
			return fmt.Errorf("range %d: at most %d a range", count, maxRangeCount)
		case isNumber && steps*max(count, 1) > maxRangeSteps:
			return fmt.Errorf("nested ranges of %d steps in all: at most %d", steps*max(count, 1), maxRangeSteps)
		case isNumber:
			steps *= max(count, 1)
		default:
			if steps > 1 {
				return fmt.Errorf("a range over request data inside a range: nest number ranges only")
			}
			steps = 0
		}
		return rc.branches(n.List, n.ElseList, steps)
	case *parse.TemplateNode:
		if rc.in[n.Name] {
			return fmt.Errorf("template %q calls itself: it could loop for good", n.Name)
		}
		called := rc.tm.Lookup(n.Name)
		if called == nil || called.Tree == nil {
			return nil // text/template reports it when it runs
		}
		rc.in[n.Name] = true
		defer delete(rc.in, n.Name)
		return rc.check(called.Tree.Root, steps)
	case *parse.ActionNode, *parse.TextNode, *parse.CommentNode, *parse.BreakNode, *parse.ContinueNode:
	}
	return nil
}

func (rc rangeCheck) branches(list, elseList *parse.ListNode, steps int) error {
	if err := rc.check(list, steps); err != nil {
		return err
	}
	return rc.check(elseList, steps)
}

// rangeCount reads a range over a number literal ({{range 10}}).
func rangeCount(pipe *parse.PipeNode) (int, bool) {
	if pipe == nil || len(pipe.Cmds) != 1 || len(pipe.Cmds[0].Args) != 1 {
		return 0, false
	}
	num, ok := pipe.Cmds[0].Args[0].(*parse.NumberNode)
	if !ok || !num.IsInt {
		return 0, false
	}
	if num.Int64 > 1<<30 || num.Int64 < 0 {
		return 1 << 30, true
	}
	return int(num.Int64), true
}

// templateFuncs are the functions templates may call; none reads files or
// the environment.
func templateFuncs(f *gofakeit.Faker) template.FuncMap {
	return template.FuncMap{
		// fake "name" or fake "name:params" calls a gofakeit function
		// (https://github.com/brianvoe/gofakeit#functions) with the
		// engine's seeded source, e.g. fake "sentence:5", fake "uuid".
		"fake": func(spec string) (string, error) {
			name, _, _ := strings.Cut(spec, ":")
			if gofakeit.GetFuncLookup(name) == nil {
				return "", fmt.Errorf("fake %q: gofakeit has no function %q", spec, name)
			}
			if err := checkFakeParams(spec); err != nil {
				return "", err
			}
			return f.Generate("{" + spec + "}"), nil
		},
		// json encodes a value: {{ json .Body.parameter }}.
		"json": func(v any) (string, error) {
			b, err := json.Marshal(v)
			return string(b), err
		},
		// default gives a fallback for an empty value: {{ default "x" .Key }}.
		"default": func(def string, v any) string {
			if v == nil || v == "" {
				return def
			}
			return fmt.Sprint(v)
		},
	}
}

// Body is a reply body: any JSON value whose strings may be templates.
// Object keys keep the order they have in the file.
type Body struct {
	root node
	// fixed holds the bytes of a body that is the same for every request,
	// rendered once at load.
	fixed []byte
}

func newBody(root node) *Body {
	b := &Body{root: root}
	if b.Static() {
		var buf bytes.Buffer
		_ = root.render(&buf, Data{}) // a static body has nothing that can fail
		b.fixed = buf.Bytes()
	}
	return b
}

type nodeKind int

const (
	nodeValue  nodeKind = iota // a fixed JSON value, encoded at load
	nodeText                   // a string that may be a template
	nodeObject                 // keys in file order
	nodeArray
	nodeRequestID // the reply's request id, for gateway bodies
)

type node struct {
	kind  nodeKind
	raw   []byte // nodeValue
	text  *Text  // nodeText
	keys  []string
	items []node // nodeObject values, nodeArray items
}

// Static reports whether the body is the same for every request.
func (b *Body) Static() bool { return b == nil || b.root.static() }

// fixedCode is the error_code of a body that is the same for every request.
func (b *Body) fixedCode() string {
	if b == nil || b.fixed == nil {
		return ""
	}
	var v struct {
		ErrorCode string `json:"error_code"`
	}
	_ = json.Unmarshal(b.fixed, &v)
	return v.ErrorCode
}

func (n node) templated() bool {
	switch n.kind {
	case nodeText:
		return !n.text.Static()
	case nodeObject, nodeArray:
		for _, it := range n.items {
			if it.templated() {
				return true
			}
		}
	}
	return false
}

func (n node) static() bool {
	switch n.kind {
	case nodeText:
		return n.text.Static()
	case nodeRequestID:
		return false
	case nodeObject, nodeArray:
		for _, it := range n.items {
			if !it.static() {
				return false
			}
		}
	}
	return true
}

// Render encodes the body for one request as compact JSON. The bytes of a
// static body are shared: callers must not write to them.
func (b *Body) Render(d Data) ([]byte, error) {
	if b == nil {
		return nil, nil
	}
	if b.fixed != nil {
		return b.fixed, nil
	}
	var buf bytes.Buffer
	if err := b.root.render(&buf, d); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

func (n node) render(buf *bytes.Buffer, d Data) error {
	switch n.kind {
	case nodeValue:
		buf.Write(n.raw)
	case nodeText:
		s, err := n.text.Render(d)
		if err != nil {
			return err
		}
		writeJSONString(buf, s)
	case nodeRequestID:
		writeJSONString(buf, d.RequestID)
	case nodeObject:
		buf.WriteByte('{')
		for i, k := range n.keys {
			if i > 0 {
				buf.WriteByte(',')
			}
			writeJSONString(buf, k)
			buf.WriteByte(':')
			if err := n.items[i].render(buf, d); err != nil {
				return err
			}
		}
		buf.WriteByte('}')
	case nodeArray:
		buf.WriteByte('[')
		for i, it := range n.items {
			if i > 0 {
				buf.WriteByte(',')
			}
			if err := it.render(buf, d); err != nil {
				return err
			}
		}
		buf.WriteByte(']')
	}
	return nil
}

func writeJSONString(buf *bytes.Buffer, s string) {
	b, _ := incident.Marshal(s) // a string always encodes
	buf.Write(b)
}

func valueNode(v any) (node, error) {
	raw, err := incident.Marshal(v)
	if err != nil {
		return node{}, err
	}
	return node{kind: nodeValue, raw: raw}, nil
}

func objectNode(keys []string, items []node) node {
	return node{kind: nodeObject, keys: keys, items: items}
}
