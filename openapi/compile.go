package openapi

import (
	"encoding/json"
	"errors"
	"maps"
	"math"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/getkin/kin-openapi/openapi3"
)

// A verdict reports whether a decoded JSON value (what json.Unmarshal
// gives an any) satisfies a schema. It is kin-openapi's fail-fast verdict,
// VisitJSON(value, FailFast()) == nil, computed by closures built once per
// schema node rather than by a walk of the schema on every request.
//
// It decides only valid or not: a body it refuses is visited again by
// kin-openapi, which words the violations, and a refusal kin-openapi does
// not confirm is taken as valid. So a verdict that is too strict costs
// time only; one that is too lenient would change behaviour, which
// TestVerdictAgreesWithKinOpenAPI and FuzzVerdict guard against.
type verdict func(v any) bool

// errNotCompiled says a schema uses something compileVerdict does not
// model; the operation keeps kin-openapi's walk.
var errNotCompiled = errors.New("schema not compiled")

// compileVerdict builds a schema's verdict. It models the keywords of
// kin-openapi's OpenAPI 3.0 validator (schema_3point0_validator.go, as of
// v0.153.0) and refuses, with errNotCompiled, multipleOf, uniqueItems,
// limits beyond an int64, unresolved references and recursive schemas.
func compileVerdict(s *openapi3.Schema) (verdict, error) {
	c := verdictCompiler{built: map[*openapi3.Schema]verdict{}, building: map[*openapi3.Schema]bool{}}
	return c.schema(s)
}

type verdictCompiler struct {
	built    map[*openapi3.Schema]verdict
	building map[*openapi3.Schema]bool
}

func (c *verdictCompiler) ref(r *openapi3.SchemaRef) (verdict, error) {
	if r == nil || r.Value == nil {
		return nil, errNotCompiled
	}
	return c.schema(r.Value)
}

func (c *verdictCompiler) schema(s *openapi3.Schema) (verdict, error) {
	if s == nil {
		return nil, errNotCompiled
	}
	if v, ok := c.built[s]; ok {
		return v, nil
	}
	if c.building[s] { // recursive: kin-openapi's cycle rule is not modelled
		return nil, errNotCompiled
	}
	c.building[s] = true
	defer delete(c.building, s)
	v, err := c.build(s)
	if err != nil {
		return nil, err
	}
	c.built[s] = v
	return v, nil
}

// build follows visitJSON's order: null, the boolean schema, the empty
// schema, not, oneOf/anyOf/allOf, enum, then the checks of the value's type.
func (c *verdictCompiler) build(s *openapi3.Schema) (verdict, error) {
	if s.MultipleOf != nil || s.UniqueItems || !int64Limits(s) {
		return nil, errNotCompiled
	}
	nullable := s.Nullable || s.Type.IncludesNull()
	if s.Always != nil {
		always := *s.Always
		return func(v any) bool {
			if v == nil && nullable {
				return true
			}
			return finite(v) && always
		}, nil
	}
	if s.IsEmpty() {
		// An empty schema takes anything but null (it is not nullable).
		return func(v any) bool { return v != nil && finite(v) }, nil
	}

	var not verdict
	if s.Not != nil {
		var err error
		if not, err = c.ref(s.Not); err != nil {
			return nil, err
		}
	}
	oneOf, err := c.branches(s.OneOf)
	if err != nil {
		return nil, err
	}
	anyOf, err := c.branches(s.AnyOf)
	if err != nil {
		return nil, err
	}
	var allOf []verdict
	for _, r := range s.AllOf {
		v, err := c.ref(r)
		if err != nil {
			return nil, err
		}
		allOf = append(allOf, v)
	}
	disc := newDiscriminator(s.Discriminator)
	enum := s.Enum
	inEnum := enumCheck(enum)
	number, err := c.number(s)
	if err != nil {
		return nil, err
	}
	str, err := c.string(s)
	if err != nil {
		return nil, err
	}
	array, err := c.array(s)
	if err != nil {
		return nil, err
	}
	object, err := c.object(s)
	if err != nil {
		return nil, err
	}
	permitsBool := s.Type.Permits(openapi3.TypeBoolean)

	return func(v any) bool {
		if v == nil && nullable {
			return true
		}
		if !finite(v) {
			return false
		}
		if not != nil && not(v) {
			return false
		}
		visited := false
		if len(oneOf) > 0 {
			ref, ok := disc.resolve(v)
			if !ok {
				return false
			}
			matched := 0
			for _, b := range oneOf {
				if (ref == "" || ref == b.ref) && b.verdict(v) {
					matched++
				}
			}
			if matched != 1 {
				return false
			}
			visited = true
		}
		if len(anyOf) > 0 {
			ref, ok := disc.resolve(v)
			if !ok {
				return false
			}
			matched := false
			for _, b := range anyOf {
				if (ref == "" || ref == b.ref) && b.verdict(v) {
					matched = true
					break
				}
			}
			if !matched {
				return false
			}
			visited = true
		}
		for _, a := range allOf {
			if !a(v) {
				return false
			}
		}
		if v == nil && (visited || len(allOf) > 0) {
			return true // kin-openapi stops here for null once an xOf has passed
		}
		if len(enum) > 0 && !inEnum(v) {
			return false
		}
		switch v := v.(type) {
		case bool:
			return permitsBool
		case float64:
			return number(v)
		case string:
			return str(v)
		case []any:
			return array(v)
		case map[string]any:
			return object(v)
		}
		return false // null (not nullable), or a type json.Unmarshal never gives
	}, nil
}

// enumCheck tests membership of an enum: by a set when every value is a
// string (then only an equal string matches), else by equalJSON.
func enumCheck(enum []any) func(any) bool {
	words := map[string]bool{}
	for _, e := range enum {
		w, ok := e.(string)
		if !ok {
			return func(v any) bool { return slices.ContainsFunc(enum, func(e any) bool { return equalJSON(e, v) }) }
		}
		words[w] = true
	}
	return func(v any) bool {
		s, ok := v.(string)
		return ok && words[s]
	}
}

// int64Limits reports whether the schema's length, item and property
// limits fit an int64: kin-openapi converts them, and one beyond wraps.
func int64Limits(s *openapi3.Schema) bool {
	for _, n := range []uint64{s.MinLength, s.MinItems, s.MinProps} {
		if n > math.MaxInt64 {
			return false
		}
	}
	for _, n := range []*uint64{s.MaxLength, s.MaxItems, s.MaxProps} {
		if n != nil && *n > math.MaxInt64 {
			return false
		}
	}
	return true
}

// finite is false for NaN and infinities, which kin-openapi refuses
// whatever the schema.
func finite(v any) bool {
	f, ok := v.(float64)
	return !ok || !(math.IsNaN(f) || math.IsInf(f, 0))
}

// branch is one schema of a oneOf or anyOf, with the $ref a discriminator
// mapping names it by.
type branch struct {
	ref     string
	verdict verdict
}

func (c *verdictCompiler) branches(refs openapi3.SchemaRefs) ([]branch, error) {
	var out []branch
	for _, r := range refs {
		v, err := c.ref(r)
		if err != nil {
			return nil, err
		}
		out = append(out, branch{ref: r.Ref, verdict: v})
	}
	return out, nil
}

// discriminator narrows a oneOf or anyOf to the branch its property names,
// as kin-openapi's resolveDiscriminatorRef does.
type discriminator struct {
	property string
	mapping  map[string]string // value -> $ref; empty: no narrowing
}

func newDiscriminator(d *openapi3.Discriminator) *discriminator {
	if d == nil {
		return nil
	}
	out := &discriminator{property: d.PropertyName, mapping: map[string]string{}}
	for value := range d.Mapping {
		out.mapping[value], _ = mappedRef(d, value)
	}
	return out
}

// mappedRef is the $ref a discriminator's mapping gives a value, read as
// kin-openapi reads it: a plain schema name stands for
// #/components/schemas/<name>. It is false when the mapping does not name
// the value. The verdict, UnknownFields and the linter's narrowing all
// pick a oneOf branch by it.
func mappedRef(d *openapi3.Discriminator, value string) (string, bool) {
	ref, ok := d.Mapping[value]
	if !ok {
		return "", false
	}
	if r := ref.Ref; r != "" && !strings.Contains(r, "/") {
		return "#/components/schemas/" + r, true
	}
	return ref.Ref, true
}

// resolve gives the $ref the value's discriminator picks ("" for any), or
// false when the value cannot be valid: an object without the property, a
// property that is not a string, or a value the mapping does not name.
func (d *discriminator) resolve(v any) (string, bool) {
	if d == nil {
		return "", true
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return "", true
	}
	p, ok := obj[d.property]
	if !ok {
		return "", false
	}
	name, ok := p.(string)
	if !ok {
		return "", false
	}
	if len(d.mapping) == 0 {
		return "", true
	}
	ref, ok := d.mapping[name]
	return ref, ok
}

func (c *verdictCompiler) number(s *openapi3.Schema) (func(float64) bool, error) {
	permitsInt, permitsNum := s.Type.Permits(openapi3.TypeInteger), s.Type.Permits(openapi3.TypeNumber)
	if !permitsInt && !permitsNum {
		return func(float64) bool { return false }, nil
	}
	integer := permitsInt && !permitsNum
	// Formats are looked up when a value is checked, as kin-openapi does,
	// so that one defined after the spec loaded counts the same.
	format := func(float64) bool { return true }
	if name := s.Format; name != "" {
		format = func(v float64) bool {
			if integer {
				f, ok := openapi3.SchemaIntegerFormats[name]
				return !ok || integerFormat(f, v)
			}
			f, ok := openapi3.SchemaNumberFormats[name]
			return !ok || f.Validate(v) == nil
		}
	}
	above := lowerBound(s.ExclusiveMin, s.Min)
	below := upperBound(s.ExclusiveMax, s.Max)
	return func(v float64) bool {
		if integer && v != math.Trunc(v) {
			return false
		}
		return format(v) && above(v) && below(v)
	}, nil
}

// integerFormat converts as kin-openapi's validateIntegerFormat does: a
// value outside int64 fails.
func integerFormat(f openapi3.IntegerFormatValidator, v float64) bool {
	switch {
	case v == float64(math.MaxInt64):
		return f.Validate(math.MaxInt64) == nil
	case v >= float64(math.MinInt64) && v < float64(math.MaxInt64):
		return f.Validate(int64(v)) == nil
	}
	return false
}

// exclusiveBound is the exclusive limit an exclusiveMinimum (or Maximum)
// sets, in either form: 3.1's number, or 3.0's boolean making the
// inclusive limit exclusive; nil when none.
func exclusiveBound(ex openapi3.ExclusiveBound, inclusive *float64) *float64 {
	if ex.Value != nil {
		return ex.Value
	}
	if ex.Bool != nil && *ex.Bool {
		return inclusive
	}
	return nil
}

// lowerBound is minimum with exclusiveMinimum.
func lowerBound(ex openapi3.ExclusiveBound, minimum *float64) func(float64) bool {
	exclusive := exclusiveBound(ex, minimum)
	return func(v float64) bool {
		return (exclusive == nil || v > *exclusive) && (minimum == nil || *minimum <= v)
	}
}

// upperBound is maximum with exclusiveMaximum.
func upperBound(ex openapi3.ExclusiveBound, maximum *float64) func(float64) bool {
	exclusive := exclusiveBound(ex, maximum)
	return func(v float64) bool {
		return (exclusive == nil || v < *exclusive) && (maximum == nil || *maximum >= v)
	}
}

// codepoint is kin-openapi's rewrite of \uXXXX in a pattern for Go's
// regexp.
var codepoint = regexp.MustCompile(`(\\u)([0-9A-F]{4})`)

func (c *verdictCompiler) string(s *openapi3.Schema) (func(string) bool, error) {
	if !s.Type.Permits(openapi3.TypeString) {
		return func(string) bool { return false }, nil
	}
	minLength, maxLength := s.MinLength, s.MaxLength
	var pattern *regexp.Regexp
	patternBroken := false
	if s.Pattern != "" {
		re, err := regexp.Compile(codepoint.ReplaceAllString(s.Pattern, `\x{$2}`))
		pattern, patternBroken = re, err != nil
	}
	format := s.Format
	return func(v string) bool {
		if minLength != 0 || maxLength != nil {
			// kin-openapi counts the runes of a range over the string,
			// a surrogate counting two; but a range over a Go string never
			// yields one (their UTF-8 encodings are invalid, read as
			// U+FFFD), so its count is the rune count.
			n := uint64(utf8.RuneCountInString(v))
			if n < minLength || (maxLength != nil && n > *maxLength) {
				return false
			}
		}
		if patternBroken || (pattern != nil && !pattern.MatchString(v)) {
			return false
		}
		if format != "" {
			if f, ok := openapi3.SchemaStringFormats[format]; ok && f.Validate(v) != nil {
				return false
			}
		}
		return true
	}, nil
}

func (c *verdictCompiler) array(s *openapi3.Schema) (func([]any) bool, error) {
	if !s.Type.Permits(openapi3.TypeArray) {
		return func([]any) bool { return false }, nil
	}
	var items verdict
	if s.Items != nil {
		var err error
		if items, err = c.ref(s.Items); err != nil {
			return nil, err
		}
	}
	minItems, maxItems, skip := s.MinItems, s.MaxItems, len(s.PrefixItems)
	return func(v []any) bool {
		n := uint64(len(v))
		if n < minItems || (maxItems != nil && n > *maxItems) {
			return false
		}
		if items != nil {
			for i := skip; i < len(v); i++ {
				if !items(v[i]) {
					return false
				}
			}
		}
		return true
	}, nil
}

func (c *verdictCompiler) object(s *openapi3.Schema) (func(map[string]any) bool, error) {
	if !s.Type.Permits(openapi3.TypeObject) {
		return func(map[string]any) bool { return false }, nil
	}
	properties := map[string]verdict{}
	for name, r := range s.Properties {
		if r == nil {
			continue
		}
		v, err := c.ref(r)
		if err != nil {
			return nil, err
		}
		properties[name] = v
	}
	var additional verdict
	if r := s.AdditionalProperties.Schema; r != nil && r.Value != nil {
		var err error
		if additional, err = c.schema(r.Value); err != nil {
			return nil, err
		}
	}
	additionalAllowed := s.AdditionalProperties.Has == nil || *s.AdditionalProperties.Has
	required := s.Required
	minProps, maxProps := s.MinProps, s.MaxProps
	return func(v map[string]any) bool {
		n := uint64(len(v))
		if n < minProps || (maxProps != nil && n > *maxProps) {
			return false
		}
		for k, value := range v {
			if p, ok := properties[k]; ok {
				if !p(value) {
					return false
				}
				continue
			}
			if !additionalAllowed || (additional != nil && !additional(value)) {
				return false
			}
		}
		for _, k := range required {
			if _, ok := v[k]; !ok {
				return false
			}
		}
		return true
	}, nil
}

// equalJSON is kin-openapi's equalJSONValues: numbers compare as float64
// whatever their Go type, arrays and objects element by element.
func equalJSON(a, b any) bool {
	if x, ok := asFloat64(a); ok {
		y, ok := asFloat64(b)
		return ok && x == y
	}
	switch a := a.(type) {
	case []any:
		b, ok := b.([]any)
		return ok && slices.EqualFunc(a, b, equalJSON)
	case map[string]any:
		b, ok := b.(map[string]any)
		return ok && maps.EqualFunc(a, b, equalJSON)
	case string:
		b, ok := b.(string)
		return ok && a == b
	}
	return reflect.DeepEqual(a, b)
}

func asFloat64(v any) (float64, bool) {
	switch v := v.(type) {
	case float64:
		return v, true
	case float32:
		return float64(v), true
	case int:
		return float64(v), true
	case int8:
		return float64(v), true
	case int16:
		return float64(v), true
	case int32:
		return float64(v), true
	case int64:
		return float64(v), true
	case uint:
		return float64(v), true
	case uint8:
		return float64(v), true
	case uint16:
		return float64(v), true
	case uint32:
		return float64(v), true
	case uint64:
		return float64(v), true
	case json.Number:
		f, err := v.Float64()
		return f, err == nil
	}
	return 0, false
}
