package openapi

import (
	"slices"

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
	unknownFields(mt.Schema.Value, body, "", &out)
	slices.Sort(out)
	return out
}

func unknownFields(schema *openapi3.Schema, value any, prefix string, out *[]string) {
	obj, ok := value.(map[string]any)
	if !ok || schema == nil {
		return
	}
	props := map[string][]*openapi3.Schema{}
	gatherProperties(schema, obj, props)
	if len(props) == 0 {
		return // a free map: nothing is unknown
	}
	for key, v := range obj {
		sub, known := props[key]
		if !known {
			*out = append(*out, prefix+key)
			continue
		}
		for _, s := range sub {
			unknownFields(s, v, prefix+key+".", out)
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
			if ref, ok := d.Mapping[key]; ok {
				for _, branch := range schema.OneOf {
					if branch.Ref == ref.Ref && branch.Value != nil {
						gatherProperties(branch.Value, obj, props)
					}
				}
			}
		}
	}
}
