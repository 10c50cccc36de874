package openapi

import (
	"iter"
	"slices"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// UnknownFields lists the keys of a valid request body that the operation's
// schema does not name, as dotted paths, sorted. COC takes such keys without
// complaint; the mock does too, and says so in its log.
func (op *Operation) UnknownFields(body any) []string {
	schema := op.jsonBodySchema()
	if schema == nil {
		return nil
	}
	var out []string
	op.known.unknownFields(schema, body, "", &out)
	slices.Sort(out)
	return out
}

// jsonBodySchema is the schema of the operation's JSON request body, or nil.
func (op *Operation) jsonBodySchema() *openapi3.Schema {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	return mt.Schema.Value
}

// knownProperties caches, for each schema and each choice its
// discriminators can make, the property schemas that apply: gathering them
// afresh was most of the walk's cost. The choices are the mappings' names
// (and "none") along the schema's compositions, so the cache is bounded by
// the document.
type knownProperties struct {
	mu    sync.RWMutex
	cache map[choiceKey]map[string][]*openapi3.Schema
}

type choiceKey struct {
	schema *openapi3.Schema
	choice string
}

// of returns the property schemas that apply to obj: the properties of
// each schema appliedSchemas walks. The map returned is shared: read it
// only.
func (k *knownProperties) of(schema *openapi3.Schema, obj map[string]any) map[string][]*openapi3.Schema {
	var buf [96]byte
	choice := buf[:0]
	var seen [16]*openapi3.Schema
	applied := appliedSchemas(schema, obj, seen[:0], func(name string, ok bool) {
		if !ok {
			choice = append(choice, 0)
			return
		}
		choice = append(append(strconv.AppendInt(choice, int64(len(name)), 10), ':'), name...)
	})
	k.mu.RLock()
	props, ok := k.cache[choiceKey{schema, string(choice)}]
	k.mu.RUnlock()
	if ok {
		return props
	}
	props = map[string][]*openapi3.Schema{}
	for _, s := range applied {
		for name, ref := range s.Properties {
			if ref != nil && ref.Value != nil {
				props[name] = append(props[name], ref.Value)
			}
		}
	}
	k.mu.Lock()
	if k.cache == nil {
		k.cache = map[choiceKey]map[string][]*openapi3.Schema{}
	}
	k.cache[choiceKey{schema, string(choice)}] = props
	k.mu.Unlock()
	return props
}

// appliedSchemas returns, appended to seen, the schemas whose properties
// apply to obj, each once: the schema, its allOf parts, and the oneOf
// branch its discriminator selects, in that order, depth first. choose
// gets each discriminator's choice on the way: the name obj gives, and
// whether the mapping names it (only a string can be followed). seen holds
// the schemas already walked, so that a branch that allOfs back to its
// parent (the usual polymorphism) is not walked again.
func appliedSchemas(schema *openapi3.Schema, obj map[string]any, seen []*openapi3.Schema,
	choose func(name string, ok bool)) []*openapi3.Schema {
	if schema == nil || slices.Contains(seen, schema) {
		return seen
	}
	seen = append(seen, schema)
	for _, ref := range schema.AllOf {
		if ref != nil {
			seen = appliedSchemas(ref.Value, obj, seen, choose)
		}
	}
	if d := schema.Discriminator; d != nil {
		name, isString := obj[d.PropertyName].(string)
		ref, mapped := mappedRef(d, name)
		choose(name, isString && mapped)
		if isString && mapped {
			for branch := range branchesOf(schema, ref) {
				seen = appliedSchemas(branch, obj, seen, choose)
			}
		}
	}
	return seen
}

// mappedBranches yields the oneOf branches of s that its discriminator's
// mapping names for value.
func mappedBranches(s *openapi3.Schema, value string) iter.Seq[*openapi3.Schema] {
	ref, ok := mappedRef(s.Discriminator, value)
	if !ok {
		return func(func(*openapi3.Schema) bool) {}
	}
	return branchesOf(s, ref)
}

// branchesOf yields the oneOf branches of s that are ref.
func branchesOf(s *openapi3.Schema, ref string) iter.Seq[*openapi3.Schema] {
	return func(yield func(*openapi3.Schema) bool) {
		for _, b := range s.OneOf {
			if b != nil && b.Ref == ref && b.Value != nil && !yield(b.Value) {
				return
			}
		}
	}
}

func (k *knownProperties) unknownFields(schema *openapi3.Schema, value any, prefix string, out *[]string) {
	obj, ok := value.(map[string]any)
	if !ok || schema == nil {
		return
	}
	props := k.of(schema, obj)
	if len(props) == 0 {
		return // a free map: nothing is unknown
	}
	for key, v := range obj {
		sub, known := props[key]
		if !known {
			*out = append(*out, prefix+key)
			continue
		}
		if _, isObject := v.(map[string]any); !isObject {
			continue // only objects have keys to be unknown
		}
		for _, s := range sub {
			k.unknownFields(s, v, prefix+key+".", out)
		}
	}
}
