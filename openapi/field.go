package openapi

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// Field describes what the request body of an operation may hold at a
// path: every schema that can apply there (allOf, oneOf and anyOf
// branches, array items). The scenario linter checks matcher values
// against it.
type Field struct {
	// anything is set when some schema there takes any value.
	anything bool
	leaves   []*openapi3.Schema
}

// Accepts reports whether a value, as rules compare values (text), could
// be the field's under one of its schemas; if not, want says what could.
func (f Field) Accepts(text string) (ok bool, want string) {
	if f.anything {
		return true, ""
	}
	for _, s := range f.leaves {
		if ok, _ := leafAccepts(s, text); ok {
			return true, ""
		}
	}
	return false, f.want()
}

// Enum lists the values the field's enums take, sorted (none when a
// schema of it takes more than an enum).
func (f Field) Enum() []string {
	var out []string
	for _, s := range f.leaves {
		for _, e := range s.Enum {
			out = append(out, fmt.Sprint(e))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// want says what the field's schemas take, enums merged.
func (f Field) want() string {
	var types, enum []string
	for _, s := range f.leaves {
		if len(s.Enum) > 0 {
			for _, e := range s.Enum {
				enum = append(enum, fmt.Sprint(e))
			}
			continue
		}
		_, w := leafAccepts(s, "")
		if w != "" {
			types = append(types, w)
		}
	}
	slices.Sort(types)
	types = slices.Compact(types)
	if len(enum) > 0 {
		slices.Sort(enum)
		types = append(types, "one of "+quoteAll(slices.Compact(enum)))
	}
	return strings.Join(types, ", or ")
}

// expected says in words what values a schema takes: "a boolean, or one
// of ["false", "true"]".
func expected(s *openapi3.Schema) string {
	f := Field{}
	for _, leaf := range resolve([]*openapi3.Schema{s}, nil) {
		if leaf == nil {
			return ""
		}
		f.leaves = append(f.leaves, leaf)
	}
	return f.want()
}

// leafAccepts reports whether one schema takes a value (as text) and, in
// any case, what it takes.
func leafAccepts(s *openapi3.Schema, text string) (bool, string) {
	if len(s.Enum) > 0 {
		values := make([]string, len(s.Enum))
		for i, e := range s.Enum {
			values[i] = fmt.Sprint(e)
		}
		return slices.Contains(values, text), "one of " + quoteAll(values)
	}
	if s.Type == nil || len(*s.Type) == 0 {
		return true, ""
	}
	ok := s.Nullable && text == "null"
	var wants []string
	for _, t := range *s.Type {
		switch t {
		case "string":
			chars := uint64(utf8.RuneCountInString(text)) // maxLength counts characters
			ok = ok || (s.MaxLength == nil || chars <= *s.MaxLength) && chars >= s.MinLength
			w := "a string"
			if s.MaxLength != nil {
				w += fmt.Sprintf(" of %d to %d characters", s.MinLength, *s.MaxLength)
			}
			wants = append(wants, w)
		case "integer":
			_, err := strconv.ParseInt(text, 10, 64)
			ok = ok || err == nil
			wants = append(wants, "an integer")
		case "number":
			_, err := strconv.ParseFloat(text, 64)
			ok = ok || err == nil
			wants = append(wants, "a number")
		case "boolean":
			ok = ok || text == "true" || text == "false"
			wants = append(wants, "a boolean")
		default:
			wants = append(wants, "an "+t+" (a matcher compares single values)")
		}
	}
	return ok, strings.Join(wants, " or ")
}

func quoteAll(values []string) string {
	q := make([]string, len(values))
	for i, v := range values {
		q[i] = strconv.Quote(v)
	}
	return "[" + strings.Join(q, ", ") + "]"
}

// BodyField describes the field at path in the operation's JSON request
// body; ok is false when no schema of the body declares that path (nor
// leaves it open: an object without declared properties takes any key).
//
// when narrows a discriminated oneOf at the top of the body to the branches
// its values select (operate_key: [confirm]), as a rule's other conditions
// do.
func (op *Operation) BodyField(path []string, when map[string][]string) (f Field, ok bool) {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil {
		return Field{}, false
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return Field{}, false
	}
	leaves := resolve(narrow(mt.Schema.Value, when), path)
	if len(leaves) == 0 {
		return Field{}, false
	}
	for _, s := range leaves {
		if s == nil {
			f.anything = true
		} else {
			f.leaves = append(f.leaves, s)
		}
	}
	return f, true
}

// narrow is the body schema, or the branches of its discriminated oneOf that
// when's values select.
func narrow(s *openapi3.Schema, when map[string][]string) []*openapi3.Schema {
	if s.Discriminator == nil || len(s.OneOf) == 0 {
		return []*openapi3.Schema{s}
	}
	values, ok := when[s.Discriminator.PropertyName]
	if !ok {
		return []*openapi3.Schema{s}
	}
	var out []*openapi3.Schema
	for _, v := range values {
		out = slices.AppendSeq(out, mappedBranches(s, v))
	}
	if len(out) == 0 {
		return []*openapi3.Schema{s}
	}
	return out
}

// resolve follows path through schemas and their compositions; a nil in
// the result stands for "anything" (an open object, or a schema with no
// type).
func resolve(schemas []*openapi3.Schema, path []string) []*openapi3.Schema {
	flat := flatten(schemas) // each schema once, however often composed
	if len(path) == 0 {
		var leaves []*openapi3.Schema
		for _, s := range flat {
			if len(s.AllOf) == 0 && len(s.OneOf) == 0 && len(s.AnyOf) == 0 || s.Type != nil || len(s.Enum) > 0 {
				leaves = append(leaves, s)
			}
		}
		return leaves
	}
	var next []*openapi3.Schema
	open := false
	for _, s := range flat {
		if p, ok := s.Properties[path[0]]; ok && p.Value != nil {
			next = append(next, p.Value)
			continue
		}
		if s.Items != nil && s.Items.Value != nil {
			if _, err := strconv.Atoi(path[0]); err == nil {
				next = append(next, s.Items.Value)
			}
		}
		if takesAnyKey(s) {
			open = true // an object that declares nothing, or a schema with no type, takes anything
		}
	}
	if len(next) == 0 && !open {
		return nil
	}
	out := resolve(next, path[1:])
	if open {
		out = append(out, nil) // past an open schema, anything goes
	}
	return out
}

// takesAnyKey reports whether a schema leaves its value's keys open: an
// object that declares no properties, or a schema that says nothing of its
// type, properties, items or composition.
func takesAnyKey(s *openapi3.Schema) bool {
	if len(s.Properties) > 0 || s.Items != nil || len(s.AllOf)+len(s.OneOf)+len(s.AnyOf) > 0 {
		return false
	}
	if s.Type == nil || len(*s.Type) == 0 {
		return true
	}
	return s.Type.Is("object") && s.AdditionalProperties.Has == nil
}

// RequestField is a property a request body may carry: its dotted path,
// whether every request must carry it, and the values of its enum, if it
// has one. Coverage reports which of them a client sent.
type RequestField struct {
	Path     string
	Required bool
	Enum     []string
}

// maxFieldDepth bounds how deep RequestFields walks (body.parameter.key is
// two levels): the request bodies COC declares are shallow, and a
// recursive schema must not make the walk endless.
const maxFieldDepth = 3

// RequestFields lists the properties the operation's JSON request body
// declares, through allOf, oneOf and anyOf, sorted by path. A property is
// required when a schema that declares it, at its level, requires it.
func (op *Operation) RequestFields() []RequestField {
	schema := op.jsonBodySchema()
	if schema == nil {
		return nil
	}
	byPath := map[string]*RequestField{}
	var walk func(schemas []*openapi3.Schema, prefix string, depth int)
	walk = func(schemas []*openapi3.Schema, prefix string, depth int) {
		if depth > maxFieldDepth {
			return
		}
		// Each composition flattened once; a property's schemas gathered
		// across them.
		props := map[string][]*openapi3.Schema{}
		required := map[string]bool{}
		var names []string
		for _, s := range resolve(schemas, nil) {
			if s == nil {
				continue
			}
			for name, p := range s.Properties {
				if p.Value == nil {
					continue
				}
				if props[name] == nil {
					names = append(names, name)
				}
				props[name] = append(props[name], p.Value)
			}
		}
		for _, s := range flatten(schemas) {
			for _, name := range s.Required {
				required[name] = true
			}
		}
		for _, name := range names {
			path := prefix + name
			f := byPath[path]
			if f == nil {
				f = &RequestField{Path: path, Required: required[name]}
				byPath[path] = f
			}
			f.Required = f.Required && required[name]
			f.Enum = slices.Compact(slices.Sorted(slices.Values(append(f.Enum, (Field{leaves: resolve(props[name], nil)}).Enum()...))))
			walk(props[name], path+".", depth+1)
		}
	}
	walk([]*openapi3.Schema{schema}, "", 1)
	out := make([]RequestField, 0, len(byPath))
	for _, f := range byPath {
		out = append(out, *f)
	}
	slices.SortFunc(out, func(a, b RequestField) int { return strings.Compare(a.Path, b.Path) })
	return out
}

// flatten lists schemas and their compositions, each once.
func flatten(schemas []*openapi3.Schema) []*openapi3.Schema {
	var flat []*openapi3.Schema
	var expand func(s *openapi3.Schema)
	expand = func(s *openapi3.Schema) {
		if s == nil || slices.Contains(flat, s) {
			return
		}
		flat = append(flat, s)
		for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
			for _, r := range refs {
				expand(r.Value)
			}
		}
	}
	for _, s := range schemas {
		expand(s)
	}
	return flat
}
