package openapi

import (
	"errors"
	"fmt"
	"reflect"
	"testing"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// collect takes the usual errors by their type; what it finds must be
// what errors.As finds (collectWrapped), for kin-openapi's own errors and
// for wrapped ones, and it allocates less doing so.
func TestCollectTakesTheUsualErrorsAsErrorsAsDoes(t *testing.T) {
	spec := loadForTest(t, "embedded", embedded)
	schema := bodySchemas(t, spec)["HandleCocIncident application/json"]
	var errs []error
	for _, body := range []any{
		map[string]any{"incident_num": "IM1", "operator": "u", "operate_key": "acceptIncident1"},
		map[string]any{"incident_num": 7.0, "operate_key": "confirm", "parameter": map[string]any{"virtual_confirm_result": "maybe"}},
		map[string]any{"operate_key": "commitSolution1", "parameter": map[string]any{"cause": 1.0}},
		"not an object",
	} {
		err := schema.VisitJSON(body, openapi3.MultiErrors())
		if err == nil {
			t.Fatalf("%v is valid", body)
		}
		errs = append(errs, err)
		var multi openapi3.MultiError
		if errors.As(err, &multi) {
			errs = append(errs, multi...)
		}
	}
	for _, err := range errs[:len(errs):len(errs)] {
		errs = append(errs,
			&openapi3filter.RequestError{Err: err},
			&openapi3filter.ResponseError{Err: err},
			fmt.Errorf("wrapped: %w", err),
			&openapi3filter.ParseError{Cause: err},
		)
	}
	errs = append(errs, errors.New("plain"), openapi3.MultiError{errors.New("a"), &openapi3.SchemaError{Reason: "b", SchemaField: "type"}})
	for _, err := range errs {
		var got, want []Violation
		collect(err, &got)
		collectWrapped(err, &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%T %v:\n got %+v\nwant %+v", err, err, got, want)
		}
	}
	var schemaErr *openapi3.SchemaError
	if !errors.As(errs[0], &schemaErr) {
		t.Fatal("no schema error")
	}
	out := make([]Violation, 0, 8)
	direct := testing.AllocsPerRun(100, func() { out = out[:0]; collect(schemaErr, &out) })
	viaAs := testing.AllocsPerRun(100, func() { out = out[:0]; collectWrapped(schemaErr, &out) })
	if direct >= viaAs {
		t.Fatalf("collect allocates %v for a schema error, errors.As's way %v", direct, viaAs)
	}
}
