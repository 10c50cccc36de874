package scenarios

import (
	"bytes"
	"encoding/json"
	"fmt"
	"github.com/cocmock/cocmock/incident"
	"net/http"
	"strconv"
	"strings"
	"text/template"

	"github.com/brianvoe/gofakeit/v6"
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

// Faker is the source set by WithFaker (a fixed-seed one when none was).
func (d Data) Faker() *gofakeit.Faker {
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
	if err := tm.Funcs(templateFuncs(d.Faker())).Execute(b, d); err != nil {
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
	_, params, _ := strings.Cut(spec, ":")
	product := 1
	for _, p := range strings.Split(params, ",") {
		n, err := strconv.Atoi(strings.TrimSpace(p))
		if err != nil {
			continue
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

// compileText parses s as a template when it contains an action.
func compileText(s string) (*Text, error) {
	if !strings.Contains(s, "{{") {
		return &Text{static: s}, nil
	}
	tm, err := template.New("").Option("missingkey=zero").Funcs(templateFuncs(gofakeit.New(1))).Parse(s)
	if err != nil {
		return nil, err
	}
	return &Text{tmpl: tm}, nil
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
