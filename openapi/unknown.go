package openapi

import (
	"slices"
	"strconv"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

// UnknownFields lists the keys of a valid request body that the operation's
// schema does not name, as dotted paths, sorted. COC takes such keys without
// complaint; the mock does too, and says so in its log.
func (op *Operation) UnknownFields(body any) []string {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil {
		return nil
	}
	var out []string
	op.known.unknownFields(mt.Schema.Value, body, "", &out)
	slices.Sort(out)
	return out
}

// knownProperties caches, for each schema and each choice its
// discriminators can make, the property schemas that apply: gathering them
// afresh was most of the walk's cost. The choices are the mappings' names
// (and "none"), so the cache is bounded by the document.
type knownProperties struct {
	mu    sync.RWMutex
	cache map[*openapi3.Schema]map[string]map[string][]*openapi3.Schema
}

// of returns the property schemas that apply to obj (gatherProperties).
// The map returned is shared: read it only.
func (k *knownProperties) of(schema *openapi3.Schema, obj map[string]any) map[string][]*openapi3.Schema {
	var buf [96]byte
	choice := discriminatorChoice(schema, obj, buf[:0])
	k.mu.RLock()
	props, ok := k.cache[schema][string(choice)]
	k.mu.RUnlock()
	if ok {
		return props
	}
	props = map[string][]*openapi3.Schema{}
	gatherProperties(schema, obj, props)
	k.mu.Lock()
	if k.cache == nil {
		k.cache = map[*openapi3.Schema]map[string]map[string][]*openapi3.Schema{}
	}
	if k.cache[schema] == nil {
		k.cache[schema] = map[string]map[string][]*openapi3.Schema{}
	}
	k.cache[schema][string(choice)] = props
	k.mu.Unlock()
	return props
}

// discriminatorChoice names the branches gatherProperties takes for obj:
// for each discriminator on its way, the mapping's name obj gives (its
// length, ':', the name), or a zero byte when it gives none the mapping
// names.
func discriminatorChoice(schema *openapi3.Schema, obj map[string]any, b []byte) []byte {
	for _, ref := range schema.AllOf {
		if ref != nil && ref.Value != nil {
			b = discriminatorChoice(ref.Value, obj, b)
		}
	}
	if d := schema.Discriminator; d != nil {
		key, isString := obj[d.PropertyName].(string)
		ref, ok := mappedRef(d, key)
		if !isString || !ok { // gatherProperties follows strings only
			return append(b, 0)
		}
		b = append(append(strconv.AppendInt(b, int64(len(key)), 10), ':'), key...)
		for _, branch := range schema.OneOf {
			if branch.Ref == ref && branch.Value != nil {
				b = discriminatorChoice(branch.Value, obj, b)
			}
		}
	}
	return b
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

// gatherProperties collects the property schemas that apply to obj: the
// schema's own, those of its allOf parts, and those of the oneOf branch its
// discriminator selects.
func gatherProperties(schema *openapi3.Schema, obj map[string]any, props map[string][]*openapi3.Schema) {
	for name, ref := range schema.Properties {
		if ref != nil && ref.Value != nil {
			props[name] = append(props[name], ref.Value)
		}
	}
	for _, ref := range schema.AllOf {
		if ref != nil && ref.Value != nil {
			gatherProperties(ref.Value, obj, props)
		}
	}
	if d := schema.Discriminator; d != nil {
		if key, ok := obj[d.PropertyName].(string); ok {
			if ref, ok := mappedRef(d, key); ok {
				for _, branch := range schema.OneOf {
					if branch.Ref == ref && branch.Value != nil {
						gatherProperties(branch.Value, obj, props)
					}
				}
			}
		}
	}
}
