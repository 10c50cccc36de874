package openapi

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
)

// keywords is a document whose schemas use every keyword compileVerdict
// models, in the combinations where kin-openapi's walk has corners: null
// under xOf, enums of mixed types, discriminators with and without a
// mapping, overlapping oneOf branches, typeless constraints, patterns with
// \u escapes, formats, 3.0 exclusive bounds.
const keywords = `
openapi: 3.0.3
info: {title: keywords, version: "1"}
paths:
  /k:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Root"}
      responses: {"200": {description: ok}}
components:
  schemas:
    Root:
      type: object
      required: [kind, count]
      additionalProperties: false
      minProperties: 2
      maxProperties: 22
      example:
        kind: a
        count: 3
        ratio: 0.5
        big: 1712345678000
        label: abé
        day: "2024-02-29"
        when: null
        raw: U3dhZ2dlcg==
        mixed: [1, 2]
        loose: "ab"
        empty: 0
        tags: [x, z]
        matrix: [[1, 2.5], []]
        extra: {a: true}
        pet: {pet_type: cat, lives: 9}
        shape: {kind: Circle, r: 1}
        either: {}
        nothing: abcd
        notNumber: "1"
        nullBranch: null
        twoTypes: 9.5
      properties:
        kind: {type: string, enum: [a, b, "1", "true"]}
        count: {type: integer, format: int32, minimum: -5, maximum: 100, exclusiveMaximum: true}
        ratio: {type: number, minimum: 0, exclusiveMinimum: true, maximum: 1}
        big: {type: integer, format: int64}
        label: {type: string, minLength: 2, maxLength: 5, pattern: "^[a-z\\u00E9]+$"}
        day: {type: string, format: date}
        when: {type: string, format: date-time, nullable: true}
        raw: {type: string, format: byte}
        mixed: {enum: [1, "x", true, null, [1, 2], {k: v}]}
        loose: {maxLength: 3, minimum: 2, maxItems: 1}
        empty: {description: anything but null}
        tags: {type: array, minItems: 1, maxItems: 3, items: {type: string, enum: [x, y, z]}}
        matrix: {type: array, items: {type: array, items: {type: number}}}
        extra:
          type: object
          additionalProperties: {type: boolean}
        pet: {$ref: "#/components/schemas/Pet"}
        shape: {$ref: "#/components/schemas/Shape"}
        either: {$ref: "#/components/schemas/Either"}
        nothing:
          allOf: [{type: string}, {maxLength: 4}]
        notNumber:
          not: {type: number}
        nullBranch:
          anyOf: [{type: string, nullable: true}, {type: integer}]
        twoTypes:
          nullable: true
          oneOf: [{type: integer}, {type: number, maximum: 10}]
    Pet:
      oneOf:
        - $ref: "#/components/schemas/Cat"
        - $ref: "#/components/schemas/Dog"
      discriminator:
        propertyName: pet_type
        mapping: {cat: Cat, dog: "#/components/schemas/Dog"}
    Cat:
      type: object
      required: [pet_type]
      properties:
        pet_type: {type: string}
        lives: {type: integer, minimum: 0, maximum: 9}
    Dog:
      type: object
      required: [pet_type, bark]
      properties:
        pet_type: {type: string}
        bark: {type: boolean}
    Shape:
      anyOf:
        - $ref: "#/components/schemas/Square"
        - $ref: "#/components/schemas/Circle"
      discriminator:
        propertyName: kind
    Square:
      type: object
      properties: {side: {type: number}}
    Circle:
      type: object
      required: [r]
      properties: {r: {type: number}}
    Either:
      oneOf:
        - {type: string, maxLength: 3}
        - {type: string, minLength: 2}
        - {type: object}
`

// bodySchemas lists every JSON request body schema of a document.
func bodySchemas(t testing.TB, spec *Spec) map[string]*openapi3.Schema {
	t.Helper()
	out := map[string]*openapi3.Schema{}
	for _, op := range spec.Operations() {
		rb := op.op.RequestBody
		if rb == nil || rb.Value == nil {
			continue
		}
		for name, mt := range rb.Value.Content {
			if isJSON(name) && mt.Schema != nil && mt.Schema.Value != nil {
				out[op.ID+" "+name] = mt.Schema.Value
			}
		}
	}
	return out
}

func loadForTest(t testing.TB, name string, doc []byte) *Spec {
	t.Helper()
	spec, err := Load(name, doc)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

func TestEveryRequestBodyOfTheContractHasACompiledVerdict(t *testing.T) {
	spec := loadForTest(t, "embedded", embedded)
	for _, op := range spec.Operations() {
		rb := op.op.RequestBody
		if rb == nil || rb.Value == nil {
			continue
		}
		for name, mt := range rb.Value.Content {
			if _, ok := op.verdicts[mt.Schema.Value]; !ok {
				t.Errorf("%s %s: no compiled verdict; it would fall back to kin-openapi's walk", op.ID, name)
			}
		}
	}
}

func TestVerdictLooksFormatsUpWhenItChecks(t *testing.T) {
	s := &openapi3.Schema{Type: &openapi3.Types{"string"}, Format: "cocmock-test-upper"}
	v, err := compileVerdict(s)
	if err != nil || !v("abc") {
		t.Fatalf("an unknown format constrains nothing: %v", err)
	}
	openapi3.DefineStringFormatValidator("cocmock-test-upper", openapi3.NewRegexpFormatValidator("^[A-Z]+$"))
	defer delete(openapi3.SchemaStringFormats, "cocmock-test-upper")
	if want := s.VisitJSON("abc", openapi3.FailFast()) == nil; v("abc") != want || v("ABC") != true {
		t.Fatalf("a format defined after compiling: verdict %v, kin-openapi %v", v("abc"), want)
	}
}

// kin-openapi counts a string's length by ranging over it, a surrogate
// counting two: invalid UTF-8 (an encoded surrogate among it) counts a rune
// a byte, and a character beyond the BMP counts one.
func TestVerdictCountsAStringsLengthAsKinOpenAPIDoes(t *testing.T) {
	s := &openapi3.Schema{Type: &openapi3.Types{"string"}, MinLength: 2, MaxLength: new(uint64(3))}
	v, err := compileVerdict(s)
	if err != nil {
		t.Fatal(err)
	}
	for _, value := range []string{"", "a", "ab", "abc", "abcd", "é", "éé", "\xff", "a\xff", "\xed\xa0\x80", "\xed\xa0\x80a",
		"😀", "😀😀", "😀😀😀", "😀😀😀😀", "a\x00b", "\xf0\x9f\x98"} {
		if want := s.VisitJSON(value, openapi3.FailFast()) == nil; v(value) != want {
			t.Errorf("%q: verdict %v, kin-openapi %v", value, v(value), want)
		}
	}
}

func TestVerdictRefusesWhatItDoesNotModel(t *testing.T) {
	recursive := &openapi3.Schema{Type: &openapi3.Types{"object"}}
	recursive.Properties = openapi3.Schemas{"child": {Value: recursive}}
	for name, s := range map[string]*openapi3.Schema{
		"multipleOf":  {Type: &openapi3.Types{"number"}, MultipleOf: new(2.0)},
		"uniqueItems": {Type: &openapi3.Types{"array"}, UniqueItems: true},
		"unresolved":  {Type: &openapi3.Types{"object"}, AllOf: openapi3.SchemaRefs{{Ref: "#/nowhere"}}},
		"recursive":   recursive,
		// kin-openapi converts limits to int64: one beyond wraps negative
		// and refuses every value, which the verdict does not model.
		"maxLength beyond int64":     {Type: &openapi3.Types{"string"}, MaxLength: new(uint64(math.MaxUint64))},
		"maxItems beyond int64":      {Type: &openapi3.Types{"array"}, MaxItems: new(uint64(1 << 63))},
		"maxProperties beyond int64": {Type: &openapi3.Types{"object"}, MaxProps: new(uint64(math.MaxUint64))},
		"minLength beyond int64":     {Type: &openapi3.Types{"string"}, MinLength: 1 << 63},
	} {
		if _, err := compileVerdict(s); !errors.Is(err, errNotCompiled) {
			t.Errorf("%s: err = %v, want errNotCompiled", name, err)
		}
	}
}

// TestVerdictAgreesWithKinOpenAPI holds the compiled verdict equal to
// kin-openapi's fail-fast VisitJSON on the examples of both documents and
// on many seeded mutations of them, valid and not.
func TestVerdictAgreesWithKinOpenAPI(t *testing.T) {
	rounds := 4000
	if testing.Short() {
		rounds = 500
	}
	for _, doc := range []struct {
		name string
		data []byte
	}{{"embedded", embedded}, {"keywords", []byte(keywords)}} {
		spec := loadForTest(t, doc.name, doc.data)
		m := newMutator(spec.doc, 1)
		schemas := bodySchemas(t, spec)
		for _, name := range slices.Sorted(maps.Keys(schemas)) {
			schema := schemas[name]
			v, err := compileVerdict(schema)
			if err != nil {
				t.Fatalf("%s %s: %v", doc.name, name, err)
			}
			valid, invalid := 0, 0
			seeds := m.seeds(schema)
			for _, seed := range seeds {
				for range rounds {
					value := m.mutate(deepCopy(seed), m.rng.IntN(3))
					want := schema.VisitJSON(value, openapi3.FailFast()) == nil
					if got := v(value); got != want {
						b, _ := json.Marshal(value)
						t.Fatalf("%s %s: verdict %v, kin-openapi %v, on %s", doc.name, name, got, want, b)
					}
					if want {
						valid++
					} else {
						invalid++
					}
				}
			}
			// Both outcomes must be well represented, or the test proves little.
			t.Logf("%s %s: %d valid, %d invalid", doc.name, name, valid, invalid)
			if total := len(seeds) * rounds; valid < total/20 || invalid < total/20 {
				t.Errorf("%s %s: %d valid, %d invalid values: the mutations miss one side", doc.name, name, valid, invalid)
			}
		}
	}
}

// FuzzVerdict compares the verdict with kin-openapi on any JSON body.
//
//	go test -run '^$' -fuzz FuzzVerdict ./openapi/
func FuzzVerdict(f *testing.F) {
	specs := []*Spec{loadForTest(f, "embedded", embedded), loadForTest(f, "keywords", []byte(keywords))}
	type pair struct {
		name    string
		schema  *openapi3.Schema
		verdict verdict
	}
	var pairs []pair
	for _, spec := range specs {
		m := newMutator(spec.doc, 2)
		for name, schema := range bodySchemas(f, spec) {
			v, err := compileVerdict(schema)
			if err != nil {
				f.Fatal(err)
			}
			pairs = append(pairs, pair{name, schema, v})
			for _, seed := range m.seeds(schema) {
				for range 20 {
					b, _ := json.Marshal(m.mutate(deepCopy(seed), 2))
					f.Add(b)
				}
			}
		}
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		var value any
		if json.Unmarshal(body, &value) != nil {
			return
		}
		for _, p := range pairs {
			want := p.schema.VisitJSON(value, openapi3.FailFast()) == nil
			if got := p.verdict(value); got != want {
				t.Fatalf("%s: verdict %v, kin-openapi %v, on %s", p.name, got, want, body)
			}
		}
	})
}

// mutator makes JSON values near a schema's examples: keys dropped, added
// or nulled, values swapped for ones drawn from the document (its enum
// values, property names) and for edge cases of each type.
type mutator struct {
	rng     *rand.Rand
	strings []string
	keys    []string
	numbers []float64
}

func newMutator(doc *openapi3.T, seed uint64) *mutator {
	m := &mutator{
		rng: rand.New(rand.NewPCG(seed, 7)),
		strings: []string{"", "a", "ab", "abcde", "abcdef", "é", "ée", "😀😀", "x", "true", "false", "1", "123", "-1",
			"2024-02-29", "2023-02-29", "2024-01-01T00:00:00Z", "2024-13-01T00:00:00Z", "U3dhZ2dlcg==", "not base64!",
			"12345678901234567890", "IM202403221515060171753781", strings.Repeat("a", 255), strings.Repeat("é", 256),
			strings.Repeat("b", 300), strings.Repeat("c", 301), strings.Repeat("d", 10001), "level_10", "level_60"},
		numbers: []float64{0, 1, -1, 2, 9, 10, 10.5, 0.5, 1.0000001, -5, -6, 99, 100, 101, 1e300, -1e300,
			2147483647, 2147483648, -2147483649, 1 << 53, math.MaxInt64, 1712345678000, 3.14},
	}
	// Everything learnt is put in order, and build walks properties in
	// order: the values made depend on the seed alone, not on the order
	// Go happens to range over the document's maps.
	seen := map[string]bool{}
	for _, name := range slices.Sorted(maps.Keys(doc.Components.Schemas)) {
		m.learn(doc.Components.Schemas[name].Value, seen, map[*openapi3.Schema]bool{})
	}
	slices.Sort(m.keys)
	slices.Sort(m.strings)
	return m
}

func (m *mutator) learn(s *openapi3.Schema, seen map[string]bool, done map[*openapi3.Schema]bool) {
	if s == nil || done[s] {
		return
	}
	done[s] = true
	for _, e := range s.Enum {
		if str, ok := e.(string); ok {
			m.strings = append(m.strings, str)
		}
	}
	for name, p := range s.Properties {
		if !seen[name] {
			seen[name] = true
			m.keys = append(m.keys, name)
		}
		m.learn(p.Value, seen, done)
	}
	for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, r := range refs {
			m.learn(r.Value, seen, done)
		}
	}
	if s.Items != nil {
		m.learn(s.Items.Value, seen, done)
	}
	if s.Not != nil {
		m.learn(s.Not.Value, seen, done)
	}
}

// seeds are the starting values for a schema: its request examples when the
// document has them, and values built from the schema's properties.
func (m *mutator) seeds(schema *openapi3.Schema) []any {
	out := []any{map[string]any{}, nil}
	if ex := schema.Example; ex != nil {
		out = append(out, ex)
	}
	for range 8 {
		out = append(out, m.build(schema, 0))
	}
	return out
}

// build makes a value that tends to fit the schema.
func (m *mutator) build(s *openapi3.Schema, depth int) any {
	if s == nil || depth > 6 {
		return m.scalar()
	}
	switch {
	case len(s.Enum) > 0:
		return s.Enum[m.rng.IntN(len(s.Enum))]
	case len(s.AllOf) > 0:
		out := map[string]any{}
		for _, r := range s.AllOf {
			if obj, ok := m.build(r.Value, depth+1).(map[string]any); ok {
				for k, v := range obj {
					out[k] = v
				}
			}
		}
		return out
	case len(s.OneOf) > 0:
		return m.build(s.OneOf[m.rng.IntN(len(s.OneOf))].Value, depth+1)
	case len(s.AnyOf) > 0:
		return m.build(s.AnyOf[m.rng.IntN(len(s.AnyOf))].Value, depth+1)
	case s.Type.Is("object") || len(s.Properties) > 0:
		out := map[string]any{}
		for _, name := range slices.Sorted(maps.Keys(s.Properties)) {
			if slices.Contains(s.Required, name) || m.rng.IntN(4) == 0 {
				out[name] = m.build(s.Properties[name].Value, depth+1)
			}
		}
		return out
	case s.Type.Is("array"):
		var out []any
		for range m.rng.IntN(3) {
			out = append(out, m.build(s.Items.Value, depth+1))
		}
		return out
	case s.Type.Is("string"):
		if s.Format == "date" {
			return "2024-02-29"
		}
		return m.strings[m.rng.IntN(len(m.strings))]
	case s.Type.Is("integer"), s.Type.Is("number"):
		return m.numbers[m.rng.IntN(len(m.numbers))]
	case s.Type.Is("boolean"):
		return m.rng.IntN(2) == 0
	}
	return m.scalar()
}

func (m *mutator) scalar() any {
	switch m.rng.IntN(6) {
	case 0:
		return nil
	case 1:
		return m.rng.IntN(2) == 0
	case 2:
		return m.numbers[m.rng.IntN(len(m.numbers))]
	case 3:
		return []any{m.strings[m.rng.IntN(len(m.strings))]}
	case 4:
		return map[string]any{m.keys[m.rng.IntN(len(m.keys))]: m.scalar()}
	}
	return m.strings[m.rng.IntN(len(m.strings))]
}

// mutate changes a value n times, at any depth.
func (m *mutator) mutate(v any, n int) any {
	for range n {
		v = m.mutateOnce(v)
	}
	return v
}

func (m *mutator) mutateOnce(v any) any {
	if m.rng.IntN(12) == 0 {
		return m.scalar()
	}
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		switch r := m.rng.IntN(5); {
		case r == 0 && len(keys) > 0:
			delete(x, keys[m.rng.IntN(len(keys))])
		case r == 1:
			x[m.keys[m.rng.IntN(len(m.keys))]] = m.scalar()
		case r == 2 && len(keys) > 0:
			x[keys[m.rng.IntN(len(keys))]] = nil
		case len(keys) > 0:
			k := keys[m.rng.IntN(len(keys))]
			x[k] = m.mutateOnce(x[k])
		}
		return x
	case []any:
		if len(x) > 0 && m.rng.IntN(2) == 0 {
			i := m.rng.IntN(len(x))
			x[i] = m.mutateOnce(x[i])
			return x
		}
		return append(x, m.scalar())
	case string:
		return m.strings[m.rng.IntN(len(m.strings))]
	case float64:
		return m.numbers[m.rng.IntN(len(m.numbers))]
	}
	return m.scalar()
}

// deepCopy copies a JSON value through encoding/json, so that it has the
// types json.Unmarshal gives.
func deepCopy(v any) any {
	b, err := json.Marshal(v)
	if err != nil {
		panic(fmt.Sprint("deepCopy: ", err))
	}
	var out any
	if err := json.Unmarshal(b, &out); err != nil {
		panic(err)
	}
	return out
}

// A mapping may name a branch by its bare schema name (kin-openapi reads
// it as #/components/schemas/<name>): UnknownFields follows it as the
// verdict does.
func TestUnknownFieldsFollowABareMappingName(t *testing.T) {
	spec := loadForTest(t, "keywords", []byte(keywords))
	op, _, err := spec.Route("POST", "/k")
	if err != nil {
		t.Fatal(err)
	}
	for _, pet := range []string{"cat", "dog"} { // cat: Cat; dog: "#/components/schemas/Dog"
		body := map[string]any{"kind": "a", "count": 3.0, "pet": map[string]any{"pet_type": pet, "nope": 1.0}}
		if got := op.UnknownFields(body); !slices.Equal(got, []string{"pet.nope"}) {
			t.Errorf("%s: %v", pet, got)
		}
	}
}
