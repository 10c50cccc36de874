package sdk_test

import (
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/def"
	coc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1/model"
)

// sdkOperation is one operation of the official SDK: its generated request
// definition (method, path, where each field goes, the reply type) and its
// request model.
type sdkOperation struct {
	def     *def.HttpRequestDef
	request any
}

// sdkOperations are the SDK's definitions of every operation cocmock serves.
// A new operation in the spec must be added here; the test says so.
func sdkOperations() map[string]sdkOperation {
	return map[string]sdkOperation{
		"HandleCocIncident":               {coc.GenReqDefForHandleCocIncident(), model.HandleCocIncidentRequest{}},
		"CreateCocIncident":               {coc.GenReqDefForCreateCocIncident(), model.CreateCocIncidentRequest{}},
		"ShowCocIncidentDetail":           {coc.GenReqDefForShowCocIncidentDetail(), model.ShowCocIncidentDetailRequest{}},
		"ListCocTicketOperationHistories": {coc.GenReqDefForListCocTicketOperationHistories(), model.ListCocTicketOperationHistoriesRequest{}},
		"ListTicketOperationHistories":    {coc.GenReqDefForListTicketOperationHistories(), model.ListTicketOperationHistoriesRequest{}},
		"ListIncidents":                   {coc.GenReqDefForListIncidents(), model.ListIncidentsRequest{}},
		"ShowIncidentTask":                {coc.GenReqDefForShowIncidentTask(), model.ShowIncidentTaskRequest{}},
		"HandleIncident":                  {coc.GenReqDefForHandleIncident(), model.HandleIncidentRequest{}},
		"ListIncidentsHistories":          {coc.GenReqDefForListIncidentsHistories(), model.ListIncidentsHistoriesRequest{}},
	}
}

// The spec is written by hand from the API pages; the SDK is generated
// from the service's own definitions. This holds one against the other.
func TestSpecMatchesTheSDKModels(t *testing.T) {
	data, err := os.ReadFile("../../openapi/coc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range specDrift(t, data) {
		t.Error(m)
	}
}

// The check itself must catch drift: a copy of the spec with one request
// field removed and one reply type changed fails, naming both.
func TestSpecDriftIsCaught(t *testing.T) {
	data, err := os.ReadFile("../../openapi/coc.yaml")
	if err != nil {
		t.Fatal(err)
	}
	broken := strings.Replace(string(data), "        incident_description: {type: string, maxLength: 600}\n", "", 1)
	broken = strings.Replace(broken, "        handle_time: {type: integer, format: int64}\n", "        handle_time: {type: string}\n", 1)
	broken = strings.Replace(broken, "      x-cocmock-sdk-path: /v1/external/{ticket_type}/list-histories\n", "", 1)
	broken = strings.Replace(broken, "        start_time: {type: string, pattern: \"^[0-9]+$\"}\n        stop_time:", "        start_time: {type: integer}\n        stop_time:", 1)
	broken = strings.Replace(broken, "        task_id: {type: string, minLength: 1, maxLength: 100,", "        task_ident: {type: string, minLength: 1, maxLength: 100,", 1)
	if broken == string(data) {
		t.Fatal("the spec changed shape: update the mutation")
	}
	got := strings.Join(specDrift(t, []byte(broken)), "\n")
	for _, want := range []string{
		"CreateCocIncident request: incident_description: not declared",
		"ShowCocIncidentDetail reply: data.handle_time: the spec's type does not accept the SDK's int64",
		"ListCocTicketOperationHistories request: -: the spec has POST /v1/external/incident/list-histories",
		"ListIncidentsHistories reply: data.info.start_time: the spec's type does not accept the SDK's string",
		"HandleIncident request: task_id: not declared",
	} {
		if !strings.Contains(got, want) {
			t.Errorf("drift report lacks %q; it says:\n%s", want, got)
		}
	}
}

// specDrift lists every way the spec departs from the SDK, as
// "Operation request|reply: field: what".
func specDrift(t *testing.T, data []byte) []string {
	t.Helper()
	doc, err := openapi3.NewLoader().LoadFromData(data)
	if err != nil {
		t.Fatal(err)
	}
	sdk := sdkOperations()
	var out []string
	report := func(op, side, field, format string, args ...any) {
		out = append(out, fmt.Sprintf("%s %s: %s: %s", op, side, field, fmt.Sprintf(format, args...)))
	}
	served := map[string]bool{}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			// A spec operation that serves one value of an SDK path
			// parameter at a path of its own names the SDK's operation.
			id := op.OperationID
			if sdkID, ok := op.Extensions["x-cocmock-sdk-operation"].(string); ok {
				id = sdkID
			}
			served[id] = true
			s, ok := sdk[id]
			if !ok {
				report(op.OperationID, "request", "-", "served by the spec but not held against the SDK: add it to sdkOperations")
				continue
			}
			if method != s.def.Method || !samePath(path, s.def.Path, op.Extensions["x-cocmock-sdk-path"]) {
				report(op.OperationID, "request", "-", "the spec has %s %s, the SDK %s %s", method, path, s.def.Method, s.def.Path)
			}
			checkRequest(op, s, func(field, format string, args ...any) { report(op.OperationID, "request", field, format, args...) })
			checkReply(op, s, func(field, format string, args ...any) { report(op.OperationID, "reply", field, format, args...) })
		}
	}
	for id := range sdk {
		if !served[id] {
			report(id, "request", "-", "not in the spec")
		}
	}
	slices.Sort(out)
	return out
}

var pathParam = regexp.MustCompile(`\{[^}]*\}`)

// templateShape compares paths with their parameters by position.
func templateShape(path string) string { return pathParam.ReplaceAllString(path, "{}") }

// samePath reports whether the spec's path is the SDK's, parameters by
// position. A spec path may name one value of an SDK parameter (a literal
// segment where the SDK has {name}) only when its x-cocmock-sdk-path says
// which SDK path it stands for.
func samePath(spec, sdk string, sdkPath any) bool {
	if templateShape(spec) == templateShape(sdk) {
		return true
	}
	declared, _ := sdkPath.(string)
	if templateShape(declared) != templateShape(sdk) {
		return false
	}
	specSegs, sdkSegs := strings.Split(spec, "/"), strings.Split(sdk, "/")
	if len(specSegs) != len(sdkSegs) {
		return false
	}
	for i, seg := range sdkSegs {
		if !pathParam.MatchString(seg) && seg != specSegs[i] {
			return false
		}
	}
	return true
}

func checkRequest(op *openapi3.Operation, s sdkOperation, report func(field, format string, args ...any)) {
	reqType := reflect.TypeOf(s.request)
	for _, f := range s.def.RequestFields {
		if f.LocationType != def.Body {
			continue
		}
		sf, ok := reqType.FieldByName(f.Name)
		if !ok {
			report(f.Name, "the SDK's request has no field %s", f.Name)
			continue
		}
		var schema *openapi3.Schema
		if rb := op.RequestBody; rb != nil && rb.Value != nil {
			if mt := rb.Value.Content.Get("application/json"); mt != nil && mt.Schema != nil {
				schema = mt.Schema.Value
			}
		}
		if schema == nil {
			report("body", "the SDK sends a body; the spec declares none")
			continue
		}
		required := topLevelRequired(schema)
		for _, jf := range jsonFields(deref(sf.Type)) {
			if jf.omitempty && slices.Contains(required, jf.name) {
				report(jf.name, "required by the spec, but the SDK may omit it (omitempty)")
			}
		}
		checkObject([]*openapi3.Schema{schema}, deref(sf.Type), "", report)
	}
}

func checkReply(op *openapi3.Operation, s sdkOperation, report func(field, format string, args ...any)) {
	ref := op.Responses.Status(200)
	if ref == nil || ref.Value == nil || ref.Value.Content.Get("application/json") == nil {
		report("-", "the spec declares no JSON 200 reply")
		return
	}
	schema := ref.Value.Content.Get("application/json").Schema.Value
	checkObject([]*openapi3.Schema{schema}, deref(reflect.TypeOf(s.def.Response)), "", report)
}

// checkObject checks every JSON field of a Go struct against the
// declarations of an object (one schema, or every declaration of a nested
// property): declared by one of them (through allOf, oneOf, anyOf), with a
// type one of them accepts, recursively into nested structs.
func checkObject(decls []*openapi3.Schema, t reflect.Type, prefix string, report func(field, format string, args ...any)) {
	for _, jf := range jsonFields(t) {
		name := prefix + jf.name
		var props []*openapi3.Schema
		for _, d := range decls {
			props = append(props, properties(d, jf.name)...)
		}
		if len(props) == 0 {
			report(name, "not declared in the spec")
			continue
		}
		ft := deref(jf.typ)
		if ft.Kind() == reflect.Interface {
			continue // free-form in the SDK: presence is all there is to check
		}
		if !slices.ContainsFunc(props, func(p *openapi3.Schema) bool { return accepts(p, ft) }) {
			report(name, "the spec's type does not accept the SDK's %s", ft)
			continue
		}
		elem := ft
		if ft.Kind() == reflect.Slice {
			elem = deref(ft.Elem())
			var items []*openapi3.Schema
			for _, p := range props {
				if p.Items != nil && p.Items.Value != nil {
					items = append(items, p.Items.Value)
				}
			}
			props = items
		}
		if elem.Kind() == reflect.Struct && !isEnum(elem) {
			checkObject(props, elem, name+".", report)
		}
	}
}

// properties finds every declaration of a property, through allOf, oneOf
// and anyOf.
func properties(s *openapi3.Schema, name string) []*openapi3.Schema {
	if s == nil {
		return nil
	}
	var out []*openapi3.Schema
	if p, ok := s.Properties[name]; ok && p.Value != nil {
		out = append(out, p.Value)
	}
	for _, branches := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
		for _, b := range branches {
			out = append(out, properties(b.Value, name)...)
		}
	}
	return out
}

// topLevelRequired is what every request must carry: the schema's own
// required list and its allOf parts' (a oneOf branch's is conditional).
func topLevelRequired(s *openapi3.Schema) []string {
	out := slices.Clone(s.Required)
	for _, b := range s.AllOf {
		out = append(out, topLevelRequired(b.Value)...)
	}
	return out
}

// accepts reports whether a schema accepts values of a Go type: a schema
// without a type accepts anything; anyOf/oneOf accept what one branch does;
// allOf what every typed branch does.
func accepts(s *openapi3.Schema, t reflect.Type) bool {
	if len(s.AnyOf) > 0 || len(s.OneOf) > 0 {
		for _, b := range slices.Concat(s.AnyOf, s.OneOf) {
			if accepts(b.Value, t) {
				return true
			}
		}
		return false
	}
	for _, b := range s.AllOf {
		if !accepts(b.Value, t) {
			return false
		}
	}
	if s.Type == nil || len(*s.Type) == 0 {
		return true
	}
	switch want := jsonKind(t); want {
	case "integer":
		return s.Type.Includes("integer") || s.Type.Includes("number")
	default:
		return s.Type.Includes(want)
	}
}

// jsonKind is the JSON type the SDK writes for a Go type.
func jsonKind(t reflect.Type) string {
	if isEnum(t) {
		return "string"
	}
	switch t.Kind() {
	case reflect.String:
		return "string"
	case reflect.Bool:
		return "boolean"
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "integer"
	case reflect.Float32, reflect.Float64:
		return "number"
	case reflect.Slice, reflect.Array:
		return "array"
	}
	return "object"
}

// isEnum reports an SDK enum type: a struct that marshals itself as a JSON
// string.
func isEnum(t reflect.Type) bool {
	if t.Kind() != reflect.Struct || !t.Implements(reflect.TypeFor[json.Marshaler]()) {
		return false
	}
	b, err := json.Marshal(reflect.New(t).Elem().Interface())
	return err == nil && len(b) > 0 && b[0] == '"'
}

type jsonField struct {
	name      string
	typ       reflect.Type
	omitempty bool
}

// jsonFields lists a struct's JSON fields as encoding/json sees them.
func jsonFields(t reflect.Type) []jsonField {
	if t.Kind() != reflect.Struct {
		return nil
	}
	var out []jsonField
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if !f.IsExported() || tag == "-" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		if name == "" {
			name = f.Name
		}
		out = append(out, jsonField{name: name, typ: f.Type, omitempty: strings.Contains(opts, "omitempty")})
	}
	return out
}

func deref(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	return t
}
