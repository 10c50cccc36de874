package openapi

import (
	"fmt"
	"slices"
	"strings"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/getkin/kin-openapi/openapi3"
)

// Generate makes a fake value that fits the JSON schema of the response
// declared for status, as Prism's dynamic mode does: enums pick a member,
// patterns generate a matching string, lengths and bounds are kept, every
// required property is filled. All randomness comes from f.
func (op *Operation) Generate(status int, f *gofakeit.Faker) (any, error) {
	ref := op.op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil, fmt.Errorf("status %d is not declared", status)
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil || mt.Schema == nil || mt.Schema.Value == nil {
		return nil, fmt.Errorf("status %d declares no JSON schema", status)
	}
	return generate(mt.Schema.Value, f, 0), nil
}

const maxGenerateDepth = 8

func generate(s *openapi3.Schema, f *gofakeit.Faker, depth int) any {
	if depth > maxGenerateDepth {
		return nil
	}
	if len(s.Enum) > 0 {
		return s.Enum[f.IntRange(0, len(s.Enum)-1)]
	}
	if len(s.AllOf) > 0 {
		merged := map[string]any{}
		for _, part := range s.AllOf {
			if m, ok := generate(part.Value, f, depth+1).(map[string]any); ok {
				for k, v := range m {
					merged[k] = v
				}
			}
		}
		return merged
	}
	if xs := append(slices.Clone(s.OneOf), s.AnyOf...); len(xs) > 0 {
		return generate(xs[f.IntRange(0, len(xs)-1)].Value, f, depth+1)
	}
	switch {
	case s.Type.Is(openapi3.TypeObject) || (s.Type == nil && len(s.Properties) > 0):
		return generateObject(s, f, depth)
	case s.Type.Is(openapi3.TypeString):
		return generateString(s, f)
	case s.Type.Is(openapi3.TypeInteger):
		lo, hi := bounds(s, 0, 1_000_000)
		return f.IntRange(int(lo), int(hi))
	case s.Type.Is(openapi3.TypeNumber):
		lo, hi := bounds(s, 0, 1_000_000)
		return f.Float64Range(lo, hi)
	case s.Type.Is(openapi3.TypeBoolean):
		return f.Bool()
	case s.Type.Is(openapi3.TypeArray):
		if s.Items == nil || s.Items.Value == nil {
			return []any{}
		}
		n := max(int(s.MinItems), 1)
		out := make([]any, n)
		for i := range out {
			out[i] = generate(s.Items.Value, f, depth+1)
		}
		return out
	}
	return nil
}

func generateObject(s *openapi3.Schema, f *gofakeit.Faker, depth int) any {
	if s.Nullable && len(s.Properties) == 0 {
		return nil // a nullable free object: COC's data is always null
	}
	names := make([]string, 0, len(s.Properties))
	for name := range s.Properties {
		names = append(names, name)
	}
	slices.Sort(names) // deterministic draws for a given seed
	out := map[string]any{}
	for _, name := range names {
		prop := s.Properties[name]
		if prop == nil || prop.Value == nil {
			continue
		}
		if prop.Value.Nullable && !slices.Contains(s.Required, name) && f.Bool() {
			out[name] = nil
			continue
		}
		out[name] = generate(prop.Value, f, depth+1)
	}
	return out
}

func generateString(s *openapi3.Schema, f *gofakeit.Faker) string {
	if s.Pattern != "" {
		return f.Regex(s.Pattern)
	}
	minLen, maxLen := int(s.MinLength), 40
	if s.MaxLength != nil {
		maxLen = int(*s.MaxLength)
	}
	text := f.Sentence(6)
	for len([]rune(text)) < minLen {
		text += " " + f.Word()
	}
	if r := []rune(text); len(r) > maxLen {
		text = strings.TrimSpace(string(r[:maxLen]))
		if len([]rune(text)) < minLen {
			text = string(r[:maxLen])
		}
	}
	return text
}

func bounds(s *openapi3.Schema, lo, hi float64) (float64, float64) {
	if s.Min != nil {
		lo = *s.Min
	}
	if s.Max != nil {
		hi = *s.Max
	}
	if hi < lo {
		hi = lo
	}
	return lo, hi
}
