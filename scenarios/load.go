package scenarios

import (
	"bytes"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"regexp"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/openapi"
)

//go:embed *.yaml
var builtin embed.FS

// Builtin returns the scenario files embedded in the binary.
func Builtin() fs.FS { return builtin }

// Source is a folder of scenario files (*.yaml, *.yml).
type Source struct {
	// Name prefixes file names in findings ("builtin", or the folder's path).
	Name string
	FS   fs.FS
	// Files, when set, are the only files of FS read (a source that is one
	// file is its folder with Files naming it).
	Files []string
}

// Load reads every source in order; a later source's scenario replaces an
// earlier one of the same name (user files override built-ins). All
// findings of all files are returned together as Findings.
func Load(spec *openapi.Spec, sources ...Source) (*Set, error) {
	return LoadWith(spec, Options{}, sources...)
}

// Options change how scenario files are checked.
type Options struct {
	// Lenient is for a server that answers requests breaking the contract
	// (--validation report or off): a `when` value the contract refuses can
	// then reach the rules, so it is a warning rather than an error.
	Lenient bool
}

// LoadWith is Load with options.
func LoadWith(spec *openapi.Spec, opts Options, sources ...Source) (*Set, error) {
	set := &Set{byName: map[string]*Scenario{}}
	var findings Findings
	for _, src := range sources {
		files, err := scenarioFiles(src.FS)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", src.Name, err)
		}
		if src.Files != nil {
			files = src.Files
		}
		if len(files) > MaxFiles {
			findings = append(findings, Finding{File: src.Name, Msg: fmt.Sprintf("%d scenario files: at most %d are read", len(files), MaxFiles)})
			files = files[:MaxFiles]
		}
		inSource := map[string]string{}
		for _, name := range files {
			file := src.Name + "/" + name
			data, problem, err := readFile(src.FS, name)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", path.Join(src.Name, name), err)
			}
			if problem != "" {
				findings = append(findings, Finding{File: file, Msg: problem})
				continue
			}
			sc, fileFindings := ParseWith(file, data, spec, opts)
			findings = append(findings, fileFindings...)
			if sc == nil {
				continue
			}
			if other, dup := inSource[sc.Name]; dup {
				findings = append(findings, Finding{File: file, Line: 1, Msg: fmt.Sprintf("scenario %q is also defined in %s", sc.Name, other)})
				continue
			}
			inSource[sc.Name] = file
			set.byName[sc.Name] = sc
		}
	}
	if len(findings) > 0 {
		return nil, sortFindings(findings)
	}
	for name := range set.byName {
		set.names = append(set.names, name)
	}
	slices.Sort(set.names)
	for _, name := range set.names { // of the scenarios in use: an overridden one's are moot
		set.warnings = append(set.warnings, set.byName[name].Warnings...)
	}
	return set, nil
}

// sortFindings orders findings by file and line and drops repeats.
func sortFindings(fs Findings) Findings {
	slices.SortStableFunc(fs, func(a, b Finding) int {
		if c := strings.Compare(a.File, b.File); c != 0 {
			return c
		}
		return a.Line - b.Line
	})
	return slices.Compact(fs)
}

// Limits of what a folder of scenario files can make the loader do.
const (
	// MaxFiles is how many scenario files a folder may hold.
	MaxFiles = 1000
	// MaxFileSize is the largest scenario file read.
	MaxFileSize = 1 << 20
	// MaxNodes bounds a file's YAML nodes with its aliases expanded: a
	// few hundred bytes of nested aliases can stand for billions.
	MaxNodes = 100000
)

// readFile reads one scenario file: only a regular file (a symlink to one
// is fine) of at most MaxFileSize bytes. What keeps a file from being read
// is a finding (problem), not an error; err is for the folder itself.
func readFile(fsys fs.FS, name string) (data []byte, problem string, err error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, "cannot open: " + err.Error(), nil
	}
	defer f.Close()
	info, err := f.Stat()
	if err != nil {
		return nil, "cannot stat: " + err.Error(), nil
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Sprintf("not a regular file (%s): only files and symlinks to files are read", info.Mode().Type()), nil
	}
	if info.Size() > MaxFileSize {
		return nil, fmt.Sprintf("%d bytes: scenario files are read up to %d", info.Size(), MaxFileSize), nil
	}
	data, err = io.ReadAll(io.LimitReader(f, MaxFileSize+1))
	if err != nil {
		return nil, "cannot read: " + err.Error(), nil
	}
	if len(data) > MaxFileSize {
		return nil, fmt.Sprintf("more than %d bytes: scenario files are read up to that", MaxFileSize), nil
	}
	return data, "", nil
}

func scenarioFiles(fsys fs.FS) ([]string, error) {
	var out []string
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != "." {
			return fs.SkipDir // one level: nested folders are not scanned
		}
		if ext := path.Ext(p); !d.IsDir() && (ext == ".yaml" || ext == ".yml") {
			out = append(out, p)
		}
		return nil
	})
	slices.Sort(out)
	return out, err
}

var scenarioName = regexp.MustCompile(`^[a-z0-9][a-z0-9_-]*$`)

// Parse compiles one scenario file. It returns nil and the findings when
// anything is wrong; warnings alone do not stop it (they are in
// Scenario.Warnings).
func Parse(file string, data []byte, spec *openapi.Spec) (*Scenario, Findings) {
	return ParseWith(file, data, spec, Options{})
}

// ParseWith is Parse with options.
func ParseWith(file string, data []byte, spec *openapi.Spec, opts Options) (*Scenario, Findings) {
	r := &reader{file: file, spec: spec, lenient: opts.Lenient}
	var doc yaml.Node
	dec := yaml.NewDecoder(bytes.NewReader(data))
	if err := dec.Decode(&doc); err != nil {
		if errors.Is(err, io.EOF) {
			return nil, Findings{{File: file, Msg: "empty file"}}
		}
		return nil, Findings{{File: file, Line: yamlErrorLine(err), Msg: err.Error()}}
	}
	var extra yaml.Node
	if err := dec.Decode(&extra); !errors.Is(err, io.EOF) {
		return nil, Findings{{File: file, Line: extra.Line, Msg: "one scenario per file: found a second YAML document"}}
	}
	root := doc.Content[0]
	if line, n := expandedSize(root); n > MaxNodes {
		return nil, Findings{{File: file, Line: line, Msg: fmt.Sprintf("the document expands to more than %d YAML nodes (nested aliases?); refused", MaxNodes)}}
	}
	m := r.mapping(root, "scenario")
	sc := &Scenario{File: file}
	sc.Name = r.str(m.take("name"), "name")
	switch {
	case !m.has("name"):
		r.errorf(root, "scenario: name is required")
	case !scenarioName.MatchString(sc.Name):
		r.errorf(m.vals["name"], "name %q: use lower-case letters, digits, '-' and '_'", sc.Name)
	}
	sc.Description = r.str(m.take("description"), "description")
	if sc.Description == "" {
		r.errorf(root, "scenario: description is required (say which client behaviour it tests)")
	}
	sc.Operation = r.str(m.take("operation"), "operation")
	if _, ok := spec.Operation(sc.Operation); sc.Operation != "" && !ok {
		if !strings.HasPrefix(file, "builtin/") {
			r.errorf(m.vals["operation"], "operation %q is not in the spec (known: %s)", sc.Operation, strings.Join(spec.OperationIDs(), ", "))
		}
		// A built-in written for the COC contract stays loaded but inert
		// when another spec is served.
		sc.Inert = true
	}
	if _, ok := spec.Operation(incident.OpHandle); !ok && strings.HasPrefix(file, "builtin/") {
		// The built-ins are written for the COC contract: another spec
		// lists them, inert.
		sc.Inert = true
	}
	if n := m.take("state"); n != nil {
		sc.State = r.stateMachine(n)
	}
	rulesNode := m.take("rules")
	if rulesNode == nil {
		r.errorf(root, "scenario: rules are required (a list; it may be empty)")
	}
	m.done("scenario")
	names := map[string]int{}
	for _, rn := range r.seq(rulesNode, "rules") {
		rule := r.rule(rn, sc)
		if rule == nil {
			continue
		}
		if line, dup := names[rule.Name]; dup {
			r.errorf(rn, "rule %q: name already used on line %d", rule.Name, line)
		}
		names[rule.Name] = rule.Line
		sc.Rules = append(sc.Rules, rule)
	}
	if !sc.Inert {
		// Checked whatever else is wrong: one mistake never hides another.
		r.checkContract(sc, spec)
	}
	if len(r.findings) > 0 {
		return nil, sortFindings(append(r.findings, r.warnings...))
	}
	sc.Warnings = r.warnings
	return sc, nil
}

// expandedSize counts a document's nodes with every alias expanded, without
// expanding them (each node's count is remembered), and returns the line of
// the alias that stands for the most nodes.
func expandedSize(root *yaml.Node) (line, n int) {
	sizes := map[*yaml.Node]int{}
	var biggest, biggestLine int
	var size func(n *yaml.Node) int
	size = func(n *yaml.Node) int {
		if v, ok := sizes[n]; ok {
			return v
		}
		sizes[n] = 1 // a cycle counts once
		total := 1
		if n.Kind == yaml.AliasNode && n.Alias != nil {
			total += size(n.Alias)
			if total > biggest {
				biggest, biggestLine = total, n.Line
			}
		}
		for _, c := range n.Content {
			total += size(c)
			if total > MaxNodes {
				total = MaxNodes + 1 // enough to refuse; stop counting
				break
			}
		}
		sizes[n] = total
		return total
	}
	n = size(root)
	if biggestLine == 0 {
		biggestLine = root.Line
	}
	return biggestLine, n
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func yamlErrorLine(err error) int {
	if m := yamlLine.FindStringSubmatch(err.Error()); m != nil {
		var n int
		fmt.Sscan(m[1], &n)
		return n
	}
	return 0
}

func (r *reader) stateMachine(n *yaml.Node) *StateMachine {
	m := r.mapping(n, "state")
	sm := &StateMachine{UnknownKeys: "create"}
	key := m.take("key")
	if key == nil {
		r.errorf(n, "state: key is required (a selector such as body.incident_num)")
	} else if sel, err := ParseSelector(r.str(key, "state.key")); err != nil {
		r.errorf(key, "state.key: %v", err)
	} else {
		sm.Key = sel
	}
	sm.Initial = r.str(m.take("initial"), "state.initial")
	if sm.Initial == "" {
		r.errorf(n, "state: initial is required")
	}
	if u := m.take("unknown"); u != nil {
		sm.UnknownKeys = r.str(u, "state.unknown")
		if sm.UnknownKeys != "create" && sm.UnknownKeys != "reject" {
			r.errorf(u, "state.unknown %q: want create or reject", sm.UnknownKeys)
		}
	}
	m.done("state")
	return sm
}

func (r *reader) rule(n *yaml.Node, sc *Scenario) *Rule {
	m := r.mapping(n, "rule")
	rule := &Rule{Line: n.Line, Operation: sc.Operation}
	rule.Name = r.str(m.take("name"), "rule name")
	if rule.Name == "" {
		r.errorf(n, "rule: name is required")
	}
	what := fmt.Sprintf("rule %q", rule.Name)
	if o := m.take("operation"); o != nil {
		rule.Operation = r.str(o, what+" operation")
		if _, ok := r.spec.Operation(rule.Operation); !ok && !sc.Inert {
			r.errorf(o, "%s: operation %q is not in the spec (known: %s)", what, rule.Operation, strings.Join(r.spec.OperationIDs(), ", "))
		}
	}
	if w := m.take("when"); w != nil {
		// The mapping reader reports a non-mapping and selectors given twice.
		when := r.mapping(w, what+" when")
		for _, sel := range when.keys {
			if c, ok := r.compileCondition(when.lines[sel], when.take(sel)); ok {
				rule.When = append(rule.When, c)
			}
		}
	}
	if s := m.take("state"); s != nil {
		if sc.State == nil {
			r.errorf(s, "%s: state needs the scenario to declare state (key and initial)", what)
		}
		rule.State = r.transition(s, what)
		if rule.State.Moves() && rule.Operation != incident.OpHandle {
			r.errorf(s, "%s: only HandleCocIncident moves an incident: give the rule (or its scenario) operation: HandleCocIncident, or drop to/open/close/record", what)
		}
	}
	kinds := 0
	if v := m.take("respond"); v != nil {
		kinds++
		rule.Respond = r.reply(v, what+" respond", false)
	}
	if v := m.take("sequence"); v != nil {
		kinds++
		rule.Sequence = r.sequence(v, what)
	}
	if v := m.take("random"); v != nil {
		kinds++
		rule.Random = r.random(v, what)
	}
	unknown := m.done(what)
	// A misspelt reply key is one mistake: say it once.
	if kinds != 1 && !(kinds == 0 && unknown) {
		r.errorf(n, "%s: give exactly one of respond, sequence or random (found %d)", what, kinds)
	}
	if !sc.Inert {
		r.lintWhen(rule)
	}
	return rule
}

func (r *reader) transition(n *yaml.Node, what string) *Transition {
	m := r.mapping(n, what+" state")
	t := &Transition{}
	if in := m.take("in"); in != nil {
		for _, s := range r.seq(in, what+" state.in") {
			t.In = append(t.In, r.str(s, what+" state.in"))
		}
	}
	if p := m.take("pending"); p != nil {
		if p.Kind == yaml.ScalarNode {
			t.Pending = []string{r.str(p, what+" state.pending")}
		} else {
			for _, s := range r.seq(p, what+" state.pending") {
				t.Pending = append(t.Pending, r.str(s, what+" state.pending"))
			}
		}
		if len(t.Pending) > 1 && (slices.Contains(t.Pending, "none") || slices.Contains(t.Pending, "any")) {
			r.errorf(p, "%s: state.pending: none and any stand alone", what)
		}
	}
	t.To = r.str(m.take("to"), what+" state.to")
	t.Open = r.str(m.take("open"), what+" state.open")
	if c := m.take("close"); c != nil {
		t.Close = r.str(c, what+" state.close")
		if t.Close != "approve" && t.Close != "reject" {
			r.errorf(c, "%s: state.close %q: want approve or reject", what, t.Close)
		}
	}
	if t.Open != "" && t.Close != "" {
		r.errorf(n, "%s: a rule opens or closes an approval, not both", what)
	}
	if rec := m.take("record"); rec != nil {
		rm := r.mapping(rec, what+" state.record")
		for _, field := range rm.keys {
			v := rm.take(field)
			if !slices.Contains(recordFields, field) {
				r.errorf(rm.lines[field], "%s: state.record: unknown field %q (known: %s)", what, field, strings.Join(recordFields, ", "))
				continue
			}
			sel, err := ParseSelector(r.str(v, what+" state.record."+field))
			if err != nil {
				r.errorf(v, "%s: state.record.%s: %v", what, field, err)
				continue
			}
			t.Record = append(t.Record, Recording{Field: field, From: sel})
		}
	}
	m.done(what + " state")
	return t
}

func (r *reader) sequence(n *yaml.Node, what string) *Sequence {
	m := r.mapping(n, what+" sequence")
	s := &Sequence{}
	steps := m.take("steps")
	for i, st := range r.seq(steps, what+" sequence.steps") {
		s.Steps = append(s.Steps, r.reply(st, fmt.Sprintf("%s step %d", what, i+1), false))
	}
	if len(s.Steps) == 0 {
		r.errorf(n, "%s: sequence needs at least one step", what)
	}
	switch then := r.str(m.take("then"), what+" sequence.then"); then {
	case "", "repeat-last":
	case "cycle":
		s.Cycle = true
	default:
		r.errorf(m.vals["then"], "%s: then %q: want repeat-last or cycle", what, then)
	}
	if p := m.take("per"); p != nil {
		sel, err := ParseSelector(r.str(p, what+" sequence.per"))
		if err != nil {
			r.errorf(p, "%s: sequence.per: %v", what, err)
		}
		s.Per = &sel
	}
	m.done(what + " sequence")
	return s
}

func (r *reader) random(n *yaml.Node, what string) *Random {
	rnd := &Random{}
	for i, c := range r.seq(n, what+" random") {
		reply := r.reply(c, fmt.Sprintf("%s choice %d", what, i+1), true)
		rnd.Choices = append(rnd.Choices, reply)
		rnd.total += reply.Weight
	}
	if len(rnd.Choices) == 0 {
		r.errorf(n, "%s: random needs at least one choice", what)
	}
	return rnd
}

func (r *reader) reply(n *yaml.Node, what string, weighted bool) *Reply {
	m := r.mapping(n, what)
	reply := &Reply{Line: n.Line, Contract: true}
	if s := m.take("status"); s != nil {
		reply.Status = r.integer(s, what+" status")
		if reply.Status < 100 || reply.Status > 599 {
			r.errorf(s, "%s: status %d is not an HTTP status", what, reply.Status)
		}
	}
	if f := m.take("fault"); f != nil {
		reply.Fault = Fault(r.str(f, what+" fault"))
		if !slices.Contains(faults, reply.Fault) {
			r.errorf(f, "%s: fault %q: want one of reset, empty, malformed, hang", what, reply.Fault)
		}
	}
	if d := m.take("default"); d != nil {
		reply.Default, _ = r.boolean(d, what+" default")
	}
	switch {
	case reply.Default && (reply.Status != 0 || reply.Fault != NoFault || m.has("body") || m.has("gom") || m.has("gateway") || m.has("headers")):
		r.errorf(n, "%s: default: true gives the operation's own answer; it takes a delay (and a weight) only", what)
	case reply.Status == 0 && reply.Fault == NoFault && !reply.Default:
		r.errorf(n, "%s: a reply needs a status (or a fault, or default: true)", what)
	}
	if c := m.take("contract"); c != nil {
		reply.Contract, _ = r.boolean(c, what+" contract")
	}
	if h := m.take("headers"); h != nil {
		hm := r.mapping(h, what+" headers")
		for _, k := range hm.keys {
			v := hm.take(k)
			t, err := compileText(r.str(v, what+" header "+k))
			if err != nil {
				r.errorf(v, "%s: header %s: %v", what, k, err)
				continue
			}
			reply.Headers = append(reply.Headers, Header{Name: k, Value: t})
		}
	}
	bodies := 0
	if b := m.take("body"); b != nil {
		bodies++
		if root, ok := r.bodyNode(b, what); ok {
			reply.Body = newBody(root)
		}
	}
	if g := m.take("gom"); g != nil {
		bodies++
		var hasMessage bool
		reply.Body, reply.Code, hasMessage = r.gom(g, what)
		if reply.Status >= 400 && reply.Code != "" && !hasMessage {
			r.warnf(g, "%s: a %d gom reply with a code and no message: the official Go SDK fills ServiceResponseError.ErrorCode only when both are set, so the client sees no code", what, reply.Status)
		}
	}
	if g := m.take("gateway"); g != nil {
		bodies++
		reply.Body = r.gateway(g, what)
	}
	if bodies > 1 {
		r.errorf(n, "%s: give at most one of body, gom or gateway", what)
	}
	if bodies == 0 && reply.Fault == NoFault && !reply.Default && reply.Body == nil {
		// A bare status the gateway answers (401, 404, 413, 429, 5xx) gets
		// the gateway's own body, the same as the magic values and
		// Prefer: code= give for it.
		if w, ok := gatewayWords[reply.Status]; ok {
			reply.Body = gatewayBody(w.Code, &Text{static: w.Message})
		}
	}
	if reply.Code == "" {
		reply.Code = reply.Body.fixedCode()
	}
	if d := m.take("delay"); d != nil {
		reply.Delay = r.delay(d, what)
	}
	if weighted {
		w := m.take("weight")
		reply.Weight = r.integer(w, what+" weight")
		if w == nil || reply.Weight <= 0 {
			r.errorf(n, "%s: weight must be a whole number above 0", what)
		}
	}
	m.done(what)
	return reply
}

// gom reads the shorthand {code, message} into COC's envelope; it returns
// the body, its code and whether a message was given.
func (r *reader) gom(n *yaml.Node, what string) (*Body, string, bool) {
	m := r.mapping(n, what+" gom")
	code := r.str(m.take("code"), what+" gom.code")
	if code == "" {
		r.errorf(n, "%s: gom.code is required (e.g. GOM.00007256)", what)
	}
	msg := node{kind: nodeValue, raw: []byte("null")}
	mn := m.take("message")
	if mn != nil {
		t, err := compileText(r.str(mn, what+" gom.message"))
		if err != nil {
			r.errorf(mn, "%s: gom.message: %v", what, err)
		} else {
			msg = node{kind: nodeText, text: t}
		}
	}
	m.done(what + " gom")
	provider, _ := valueNode(incident.ProviderCode)
	codeNode, _ := valueNode(code)
	null, _ := valueNode(nil)
	byKey := map[string]node{"error_code": codeNode, "error_msg": msg, "provider_code": provider, "data": null}
	items := make([]node, len(incident.EnvelopeKeys))
	for i, k := range incident.EnvelopeKeys {
		items[i] = byKey[k]
	}
	return newBody(objectNode(incident.EnvelopeKeys, items)), code, mn != nil
}

// gateway reads the shorthand {code, message} into the API gateway's body,
// with the reply's request id.
func (r *reader) gateway(n *yaml.Node, what string) *Body {
	m := r.mapping(n, what+" gateway")
	code := r.str(m.take("code"), what+" gateway.code")
	if code == "" {
		r.errorf(n, "%s: gateway.code is required (e.g. APIGW.0308)", what)
	}
	msgText := gatewayMessage(code)
	if mn := m.take("message"); mn != nil {
		msgText = r.str(mn, what+" gateway.message")
	} else if msgText == "" && code != "" {
		r.errorf(n, "%s: gateway code %s needs a message", what, code)
	}
	m.done(what + " gateway")
	t, err := compileText(msgText)
	if err != nil {
		r.errorf(n, "%s: gateway.message: %v", what, err)
		t = &Text{}
	}
	return gatewayBody(code, t)
}

// gatewayBody is the API gateway's body with a code, a message and the
// reply's request id.
func gatewayBody(code string, msg *Text) *Body {
	codeNode, _ := valueNode(code)
	return newBody(objectNode(
		[]string{"error_code", "error_msg", "request_id"},
		[]node{codeNode, {kind: nodeText, text: msg}, {kind: nodeRequestID}},
	))
}

// bodyNode compiles any YAML value; strings with {{ }} become templates.
func (r *reader) bodyNode(n *yaml.Node, what string) (node, bool) {
	switch n.Kind {
	case yaml.AliasNode:
		return r.bodyNode(n.Alias, what)
	case yaml.MappingNode:
		var keys []string
		var items []node
		for i := 0; i+1 < len(n.Content); i += 2 {
			child, ok := r.bodyNode(n.Content[i+1], what)
			if !ok {
				return node{}, false
			}
			keys = append(keys, n.Content[i].Value)
			items = append(items, child)
		}
		return objectNode(keys, items), true
	case yaml.SequenceNode:
		out := node{kind: nodeArray}
		for _, c := range n.Content {
			child, ok := r.bodyNode(c, what)
			if !ok {
				return node{}, false
			}
			out.items = append(out.items, child)
		}
		return out, true
	}
	if n.Tag == "!!str" && strings.Contains(n.Value, "{{") {
		t, err := compileText(n.Value)
		if err != nil {
			r.errorf(n, "%s: body template: %v", what, err)
			return node{}, false
		}
		return node{kind: nodeText, text: t}, true
	}
	v := r.value(n, what+" body")
	out, err := valueNode(v)
	if err != nil {
		r.errorf(n, "%s: body: %v", what, err)
		return node{}, false
	}
	return out, true
}

// MaxDelay is the longest delay a scenario file may ask for; at serve
// time a delay is cut at --max-hang as well, like a hang.
const MaxDelay = time.Hour

func (r *reader) delay(n *yaml.Node, what string) Delay {
	text := r.str(n, what+" delay")
	lo, hi, isRange := strings.Cut(text, "..")
	min, err := time.ParseDuration(strings.TrimSpace(lo))
	if err != nil || min < 0 {
		r.errorf(n, "%s: delay %q: want a duration such as 250ms or a range such as 100ms..2s", what, text)
		return Delay{}
	}
	if !isRange {
		if min > MaxDelay {
			r.errorf(n, "%s: delay %q: at most %s (a delay is also cut at --max-hang when served)", what, text, MaxDelay)
			return Delay{}
		}
		return Delay{Min: min, Max: min}
	}
	max, err := time.ParseDuration(strings.TrimSpace(hi))
	if err != nil || max < min {
		r.errorf(n, "%s: delay %q: the range must run from the smaller to the larger duration", what, text)
		return Delay{}
	}
	if max > MaxDelay {
		r.errorf(n, "%s: delay %q: at most %s (a delay is also cut at --max-hang when served)", what, text, MaxDelay)
		return Delay{}
	}
	return Delay{Min: min, Max: max}
}

// LoadBuiltin loads only the embedded scenarios.
func LoadBuiltin(spec *openapi.Spec) (*Set, error) {
	return Load(spec, Source{Name: "builtin", FS: Builtin()})
}
