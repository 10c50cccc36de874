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
// what errors.As finds (collectByErrorsAs, the way it was written before),
// for kin-openapi's own errors and for wrapped ones, and it allocates less
// doing so.
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
		collectByErrorsAs(err, &want)
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%T %v:\n got %+v\nwant %+v", err, err, got, want)
		}
	}
	var schemaErr *openapi3.SchemaError
	if !errors.As(errs[0], &schemaErr) {
		t.Fatal("no schema error")
	}
	// Each error taken by its type costs less than finding the same error
	// with errors.As (collectWrapped, where any other type goes).
	out := make([]Violation, 0, 8)
	for _, err := range []error{schemaErr, &openapi3filter.RequestError{Err: schemaErr}, &openapi3filter.ResponseError{Err: schemaErr}} {
		direct := testing.AllocsPerRun(100, func() { out = out[:0]; collect(err, &out) })
		viaAs := testing.AllocsPerRun(100, func() { out = out[:0]; collectWrapped(err, &out) })
		if direct >= viaAs {
			t.Errorf("collect allocates %v for a %T, errors.As's way %v", direct, err, viaAs)
		}
	}
}

// collectByErrorsAs is collect as it was: every kind found by errors.As,
// kin-openapi's multi, request and response errors only when they are the
// error itself.
func collectByErrorsAs(err error, out *[]Violation) {
	var (
		multi    openapi3.MultiError
		reqErr   *openapi3filter.RequestError
		respErr  *openapi3filter.ResponseError
		schemaEr *openapi3.SchemaError
		parseErr *openapi3filter.ParseError
	)
	switch {
	case errors.As(err, &multi) && reflect.TypeOf(err) == reflect.TypeOf(multi):
		for _, e := range multi {
			collectByErrorsAs(e, out)
		}
	case errors.As(err, &reqErr) && reflect.TypeOf(err) == reflect.TypeOf(reqErr):
		collectRequestError(reqErr, out)
	case errors.As(err, &respErr) && reflect.TypeOf(err) == reflect.TypeOf(respErr):
		collectResponseError(respErr, out)
	case errors.As(err, &schemaEr):
		collectSchemaError(schemaEr, out)
	case errors.As(err, &parseErr):
		*out = append(*out, Violation{Kind: KindMalformed, Reason: parseReason(parseErr)})
	default:
		*out = append(*out, Violation{Kind: KindOther, Reason: err.Error()})
	}
}
