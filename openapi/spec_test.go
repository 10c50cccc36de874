package openapi_test

import (
	"context"
	"errors"
	"maps"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cocmock/cocmock/openapi"
)

const handlePath = "/v1/external/incident/handle"

func load(t testing.TB) (*openapi.Spec, *openapi.Operation) {
	t.Helper()
	return loadRoute(t, "embedded", openapi.Embedded(), http.MethodPost, handlePath)
}

// loadRoute loads a document and routes a request to its operation,
// failing the test on either error.
func loadRoute(t testing.TB, name string, doc []byte, method, path string) (*openapi.Spec, *openapi.Operation) {
	t.Helper()
	s, err := openapi.Load(name, doc)
	if err != nil {
		t.Fatal(err)
	}
	op, _, err := s.Route(method, path)
	if err != nil {
		t.Fatal(err)
	}
	return s, op
}

func TestEmbeddedSpecDeclaresTheOperation(t *testing.T) {
	s, op := load(t)
	if op.ID != "HandleCocIncident" {
		t.Fatalf("operationId %q", op.ID)
	}
	if got, ok := s.Operation("HandleCocIncident"); !ok || got != op {
		t.Fatal("Operation by id")
	}
	want := []int{200, 400, 401, 404, 413, 429, 500, 502, 503, 504}
	if !slices.Equal(op.Statuses(), want) {
		t.Fatalf("statuses %v, want %v", op.Statuses(), want)
	}
	for _, st := range want {
		if gw := op.FromGateway(st); gw != (st != 200 && st != 400) {
			t.Errorf("status %d: FromGateway = %v", st, gw)
		}
	}
}

func TestRoute(t *testing.T) {
	s, _ := load(t)
	for _, c := range []struct {
		method, path, op string
		params           map[string]string
		err              error
	}{
		{"POST", handlePath, "HandleCocIncident", nil, nil},
		{"GET", handlePath + "/", "", nil, openapi.ErrNoPath},
		{"GET", "/v1/external/incident/IM202403221515060171753781", "ShowCocIncidentDetail", map[string]string{"incident_num": "IM202403221515060171753781"}, nil},
		// As on the real service, a GET on the handle path reads a ticket named "handle".
		{"GET", handlePath, "ShowCocIncidentDetail", map[string]string{"incident_num": "handle"}, nil},
		{"POST", "/v1/external/incident/create", "CreateCocIncident", nil, nil},
		{"POST", "/v1/external/incident/list-histories", "ListCocTicketOperationHistories", nil, nil},
		{"GET", "/v1/external/incident/list-histories", "ShowCocIncidentDetail", map[string]string{"incident_num": "list-histories"}, nil},
		{"POST", "/v1/incident/list-histories", "ListTicketOperationHistories", map[string]string{"ticket_type": "incident"}, nil},
		{"PUT", "/v1/external/incident/IM1", "", nil, openapi.ErrNoMethod},
		{"DELETE", handlePath, "", nil, openapi.ErrNoMethod},
		{"POST", "/v1/other", "", nil, openapi.ErrNoPath},
		{"GET", "/v1/external/incident/a/b", "", nil, openapi.ErrNoPath},
	} {
		op, params, err := s.Route(c.method, c.path)
		if !errors.Is(err, c.err) {
			t.Errorf("%s %s: error %v, want %v", c.method, c.path, err, c.err)
			continue
		}
		if c.err != nil {
			continue
		}
		if op.ID != c.op || !maps.Equal(params, c.params) {
			t.Errorf("%s %s: %s %v, want %s %v", c.method, c.path, op.ID, params, c.op, c.params)
		}
	}
}

func TestLoadRefusesAnInvalidDocument(t *testing.T) {
	if _, err := openapi.Load("bad.yaml", []byte("openapi: 3.0.3\ninfo: {}\npaths: {}\n")); err == nil {
		t.Fatal("loaded a document without info.title")
	}
	if _, err := openapi.Load("bad.yaml", []byte(":")); err == nil {
		t.Fatal("loaded garbage")
	}
}

func TestUnknownFields(t *testing.T) {
	_, op := load(t)
	body := map[string]any{
		"incident_num": "IM1", "operator": "u", "operate_key": "commitSolution1", "extra": 1,
		"parameter": map[string]any{"mtm_type": "x", "is_service_interrupt": true, "cause": "c", "solution": "s", "color": "red"},
	}
	if got := op.UnknownFields(body); !slices.Equal(got, []string{"extra", "parameter.color"}) {
		t.Fatalf("got %v", got)
	}
	accept := map[string]any{"incident_num": "IM1", "operator": "u", "operate_key": "acceptedIncident1"}
	if got := op.UnknownFields(accept); len(got) != 0 {
		t.Fatalf("got %v", got)
	}
	forward := map[string]any{"incident_num": "IM1", "operator": "u", "operate_key": "forwardOther1",
		"parameter": map[string]any{"virtual_send_assignee": "a", "nope": 1}}
	if got := op.UnknownFields(forward); !slices.Equal(got, []string{"parameter.nope"}) {
		t.Fatalf("inferred keys are known, others are not: got %v", got)
	}
}

// A discriminator value that is not a string takes no branch, even when
// the mapping names "": it must not share a cache entry with "".
func TestUnknownFieldsTellANonStringDiscriminatorFromAnEmptyOne(t *testing.T) {
	doc := []byte(`
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /p:
    post:
      requestBody:
        content:
          application/json:
            schema:
              oneOf: [{$ref: "#/components/schemas/E"}]
              discriminator: {propertyName: kind, mapping: {"": "#/components/schemas/E"}}
      responses: {"200": {description: ok}}
components:
  schemas:
    E:
      type: object
      properties: {kind: {type: string}, known: {type: string}}
`)
	_, op := loadRoute(t, "t", doc, http.MethodPost, "/p")
	for range 2 {
		if got := op.UnknownFields(map[string]any{"kind": "", "known": "x", "extra": 1}); !slices.Equal(got, []string{"extra"}) {
			t.Fatalf(`kind "": got %v`, got)
		}
		if got := op.UnknownFields(map[string]any{"kind": 1.0, "known": "x", "extra": 1}); len(got) != 0 {
			t.Fatalf("kind 1 takes no branch, so nothing is unknown: got %v", got)
		}
	}
}

// The properties known are cached per discriminator choice: each operate_key
// still sees its own, in any order, and a key no mapping names sees none
// of a branch's.
func TestUnknownFieldsFollowEachOperateKeyInAnyOrder(t *testing.T) {
	_, op := load(t)
	body := func(key string) map[string]any {
		return map[string]any{"incident_num": "IM1", "operator": "u", "operate_key": key,
			"parameter": map[string]any{"virtual_confirm_comment": "c", "cause": "c"}}
	}
	want := map[string][]string{
		"confirm":         {"parameter.cause"},
		"commitSolution1": {"parameter.virtual_confirm_comment"},
		"rejected":        {"parameter.cause"},
		"nope":            nil, // no branch applies: a free map, nothing is unknown
	}
	for range 2 {
		for _, key := range []string{"confirm", "commitSolution1", "nope", "rejected"} {
			got := op.UnknownFields(body(key))
			if !slices.Equal(got, want[key]) {
				t.Fatalf("%s: got %v, want %v", key, got, want[key])
			}
		}
	}
}

func TestViolationsAreOrderedAndComplete(t *testing.T) {
	s, op := load(t)
	c := s.ValidateRequest(context.Background(), op, openapi.Request{
		Method: "POST", Path: handlePath, Header: http.Header{"Content-Type": {"application/json"}},
		Body: []byte(`{"operator":"","operate_key":"confirm","parameter":{"virtual_confirm_result":"nah"}}`),
	})
	var fields []string
	for _, v := range c.Violations {
		fields = append(fields, v.Field)
	}
	want := []string{"incident_num", "operator", "parameter.virtual_confirm_comment", "parameter.virtual_confirm_result"}
	if !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	if !c.Violations[0].Missing || c.Violations[1].Missing {
		t.Fatalf("Missing flags wrong: %+v", c.Violations)
	}
	if _, ok := c.Body.(map[string]any); !ok {
		t.Fatal("an invalid JSON request must still hand out its decoded body (--validation report matches on it)")
	}
}

func TestGenerateFitsTheSchema(t *testing.T) {
	s, op := load(t)
	for _, status := range op.Statuses() {
		for seed := range int64(20) {
			v, err := op.Generate(status, gofakeit.New(seed+1))
			if err != nil {
				t.Fatal(err)
			}
			body, err := jsonEncode(v)
			if err != nil {
				t.Fatal(err)
			}
			if vs := s.ValidateResponse(context.Background(), op, status, nil, body); len(vs) > 0 {
				t.Fatalf("status %d seed %d: %s breaks the contract: %v", status, seed, body, vs)
			}
		}
	}
	a, _ := op.Generate(200, gofakeit.New(5))
	b, _ := op.Generate(200, gofakeit.New(5))
	ja, _ := jsonEncode(a)
	jb, _ := jsonEncode(b)
	if string(ja) != string(jb) {
		t.Fatal("the same seed must generate the same value")
	}
}

func TestValidateResponse(t *testing.T) {
	s, op := load(t)
	cases := []struct {
		name   string
		status int
		body   string
		want   []string // the violations, none for a reply in contract
	}{
		{"success envelope", 200, `{"error_code":"GOM.00000000","error_msg":null,"provider_code":"049","data":null}`, nil},
		{"numeric provider_code breaks the SDK", 200, `{"provider_code":4,"error_code":"GOM.00000000","error_msg":null,"data":null}`,
			[]string{`provider_code: value is not one of the allowed values ["049"]`}},
		{"undeclared status", 418, `{}`, []string{"status 418 is not declared"}},
		{"gateway body", 429, `{"error_code":"APIGW.0308","error_msg":"x","request_id":"r"}`, nil},
		{"gateway body without request_id", 429, `{"error_code":"APIGW.0308","error_msg":"x"}`, []string{`request_id: property "request_id" is missing`}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, v := range s.ValidateResponse(context.Background(), op, tc.status, nil, []byte(tc.body)) {
				got = append(got, v.String())
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("violations %q, want %q", got, tc.want)
			}
		})
	}
}

// A document given with --spec may have parameters and bodies that are not
// JSON: openapi3filter checks those.
func TestOtherDocumentsParametersAndMediaTypes(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: other, version: "1"}
paths:
  /notes:
    post:
      parameters:
        - {name: limit, in: query, required: true, schema: {type: integer, maximum: 10}}
      requestBody:
        required: true
        content:
          text/plain:
            schema: {type: string, maxLength: 5}
          application/json:
            schema: {type: object, required: [a], properties: {a: {type: string}}}
      responses:
        "200": {description: ok}
`
	s, op := loadRoute(t, "other.yaml", []byte(doc), "POST", "/notes")
	check := func(query, ct, body string) []openapi.Violation {
		return s.ValidateRequest(context.Background(), op, openapi.Request{
			Method: "POST", Path: "/notes", RawQuery: query, Header: http.Header{"Content-Type": {ct}}, Body: []byte(body),
		}).Violations
	}
	cases := []struct {
		name, query, ct, body string
		want                  []string // fields with violations; "" is the body as a whole
	}{
		{"valid JSON", "limit=3", "application/json", `{"a":"x"}`, nil},
		{"valid text", "limit=3", "text/plain", "hello", nil},
		{"text too long", "limit=3", "text/plain", "hello world", []string{""}},
		{"missing parameter", "", "application/json", `{"a":"x"}`, []string{"query.limit"}},
		{"parameter and body both wrong", "limit=99", "application/json", `{}`, []string{"a", "query.limit"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var got []string
			for _, v := range check(tc.query, tc.ct, tc.body) {
				got = append(got, v.Field)
			}
			if !slices.Equal(got, tc.want) {
				t.Fatalf("violations on %q, want %q", got, tc.want)
			}
		})
	}
}

// A readOnly property belongs to replies: in a request body it is refused,
// on the fast path as openapi3filter does.
func TestReadOnlyPropertyIsRefusedInARequest(t *testing.T) {
	doc := `openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things:
    post:
      operationId: CreateThing
      requestBody:
        required: true
        content:
          application/json:
            schema:
              type: object
              properties:
                id: {type: string, readOnly: true}
                name: {type: string}
      responses:
        "200": {description: ok}
`
	s, op := loadRoute(t, "t.yaml", []byte(doc), "POST", "/things")
	check := func(body string) []openapi.Violation {
		return s.ValidateRequest(context.Background(), op, openapi.Request{
			Method: "POST", Path: "/things", Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body),
		}).Violations
	}
	if v := check(`{"name":"a"}`); len(v) != 0 {
		t.Fatalf("valid body refused: %v", v)
	}
	if v := check(`{"name":"a","id":"x"}`); len(v) != 1 || !strings.Contains(v[0].String(), "id") {
		t.Fatalf("readOnly id accepted in a request: %v", v)
	}
}

// recursivePet is the usual polymorphism: the parent's discriminator picks
// a branch that is allOf the parent again.
const recursivePet = `
openapi: 3.0.3
info: {title: pets, version: "1"}
paths:
  /p:
    post:
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Pet"}
      responses: {"200": {description: ok}}
components:
  schemas:
    Pet:
      type: object
      required: [pet_type]
      properties:
        pet_type: {type: string}
        name: {type: string}
      discriminator:
        propertyName: pet_type
        mapping: {cat: "#/components/schemas/Cat"}
      oneOf:
        - $ref: "#/components/schemas/Cat"
    Cat:
      allOf:
        - $ref: "#/components/schemas/Pet"
        - type: object
          properties:
            lives: {type: integer}
`

// A branch that allOfs back to its parent is walked once: the unknown
// keys come out (each once), and the walk ends.
func TestUnknownFieldsEndOnARecursiveDiscriminator(t *testing.T) {
	_, op := loadRoute(t, "pets", []byte(recursivePet), "POST", "/p")
	body := map[string]any{"pet_type": "cat", "name": "Tom", "lives": 9.0, "nope": true}
	for range 2 { // the second from the cache
		if got := op.UnknownFields(body); !slices.Equal(got, []string{"nope"}) {
			t.Fatalf("unknown fields %v, want [nope]", got)
		}
	}
	f, ok := op.BodyField([]string{"lives"}, map[string][]string{"pet_type": {"cat"}})
	if accepts, want := f.Accepts("x"); !ok || accepts {
		t.Fatalf("the linter's lookup of lives: found %v, takes a string %v (%s)", ok, accepts, want)
	}
}
