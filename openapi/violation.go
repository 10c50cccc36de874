package openapi

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
)

// Kind says which part of a request or reply a violation is about.
type Kind int

// Kinds of violation.
const (
	// KindSchema: a field's value breaks the schema.
	KindSchema Kind = iota
	// KindNoBody: the body is required and empty.
	KindNoBody
	// KindMalformed: the body is not valid JSON.
	KindMalformed
	// KindContentType: the content type is not one the operation takes.
	KindContentType
	// KindStatus: a reply's status is not declared (replies only).
	KindStatus
	// KindOther: anything else kin-openapi reports (headers, parameters).
	KindOther
)

// Violation is one way a request or reply breaks the contract.
type Violation struct {
	Kind Kind
	// Field is the dotted path of the offending value ("parameter.cause"),
	// empty when the violation is about the body as a whole.
	Field string
	// Value is the offending value; nil when it is missing.
	Value any
	// Missing is true when a required field is absent.
	Missing bool
	// Reason says what is wrong, in kin-openapi's words.
	Reason string
}

func (v Violation) String() string {
	if v.Field == "" {
		return v.Reason
	}
	return v.Field + ": " + v.Reason
}

// violations flattens what openapi3filter returns into a sorted, de-duplicated
// list: shallow fields first, then by field name.
func violations(err error) []Violation {
	var out []Violation
	collect(err, &out)
	return sortViolations(out)
}

func sortViolations(out []Violation) []Violation {
	slices.SortStableFunc(out, func(a, b Violation) int {
		if da, db := depth(a.Field), depth(b.Field); da != db {
			return da - db
		}
		return strings.Compare(a.Field, b.Field)
	})
	// Under allOf the common fields and the per-operate_key rules can both
	// object to one value; keep the first word on each field.
	return slices.CompactFunc(out, func(a, b Violation) bool {
		return a.Field == b.Field && (a.Field != "" || a.Reason == b.Reason)
	})
}

func depth(field string) int {
	if field == "" {
		return -1
	}
	return strings.Count(field, ".")
}

func collect(err error, out *[]Violation) {
	// kin-openapi's errors are taken by their type (errors.As's targets
	// would go to the heap on every refusal); a wrapped one by errors.As.
	switch e := err.(type) {
	case openapi3.MultiError:
		for _, e := range e {
			collect(e, out)
		}
	case *openapi3filter.RequestError:
		collectRequestError(e, out)
	case *openapi3filter.ResponseError:
		collectResponseError(e, out)
	case *openapi3.SchemaError:
		collectSchemaError(e, out)
	default:
		collectWrapped(err, out)
	}
}

// collectWrapped is collect for any other error: one wrapping a schema
// error or a parse error, or neither.
func collectWrapped(err error, out *[]Violation) {
	var (
		schemaEr *openapi3.SchemaError
		parseErr *openapi3filter.ParseError
	)
	switch {
	case errors.As(err, &schemaEr):
		collectSchemaError(schemaEr, out)
	case errors.As(err, &parseErr):
		*out = append(*out, Violation{Kind: KindMalformed, Reason: parseReason(parseErr)})
	default:
		*out = append(*out, Violation{Kind: KindOther, Reason: err.Error()})
	}
}

func collectRequestError(e *openapi3filter.RequestError, out *[]Violation) {
	switch {
	case e.RequestBody != nil && errors.Is(e.Err, openapi3filter.ErrInvalidRequired):
		*out = append(*out, Violation{Kind: KindNoBody, Reason: "the request body is required"})
	case e.RequestBody != nil && strings.HasPrefix(e.Reason, "header Content-Type has unexpected value"):
		*out = append(*out, Violation{Kind: KindContentType, Reason: e.Reason})
	case e.RequestBody != nil && e.Reason == "failed to decode request body":
		reason := "the body is not valid JSON"
		if e.Err != nil {
			reason += ": " + e.Err.Error()
		}
		*out = append(*out, Violation{Kind: KindMalformed, Reason: reason})
	case e.Err != nil:
		n := len(*out)
		collect(e.Err, out)
		if e.Parameter != nil {
			for i := n; i < len(*out); i++ {
				(*out)[i].Field = joinField(e.Parameter.In+"."+e.Parameter.Name, (*out)[i].Field)
			}
		}
	default:
		*out = append(*out, Violation{Kind: KindOther, Reason: e.Error()})
	}
}

func collectResponseError(e *openapi3filter.ResponseError, out *[]Violation) {
	switch {
	case e.Reason == "status is not supported":
		*out = append(*out, Violation{Kind: KindStatus, Reason: fmt.Sprintf("status %d is not declared", e.Input.Status)})
	case strings.HasPrefix(e.Reason, "response header Content-Type has unexpected value"):
		*out = append(*out, Violation{Kind: KindContentType, Reason: e.Reason})
	case e.Reason == "failed to decode response body":
		*out = append(*out, Violation{Kind: KindMalformed, Reason: "the body is not valid JSON"})
	case e.Err != nil:
		collect(e.Err, out)
	default:
		*out = append(*out, Violation{Kind: KindOther, Reason: e.Reason})
	}
}

// collectSchemaError descends into oneOf/anyOf/allOf errors to report the
// leaves: "parameter.cause is too long" beats "doesn't match allOf".
func collectSchemaError(e *openapi3.SchemaError, out *[]Violation) {
	field := strings.Join(e.JSONPointer(), ".")
	if e.SchemaField == "discriminator" {
		// The discriminator is operate_key; its value is what is wrong.
		*out = append(*out, Violation{Kind: KindSchema, Field: discriminatorField(e), Value: e.Value, Reason: e.Reason})
		return
	}
	if e.Origin != nil && (e.SchemaField == "allOf" || e.SchemaField == "oneOf") {
		var inner openapi3.MultiError
		if errors.As(e.Origin, &inner) {
			for _, sub := range inner {
				collect(sub, out)
			}
			return
		}
	}
	v := Violation{Kind: KindSchema, Field: field, Value: e.Value, Reason: e.Reason}
	if (e.SchemaField == "anyOf" || e.SchemaField == "oneOf") && e.Schema != nil {
		// kin-openapi's "doesn't match any schema from anyOf" names the
		// keyword; the user needs what the value may be.
		if want := expected(e.Schema); want != "" {
			v.Reason = "must be " + want
		}
	}
	if e.SchemaField == "required" {
		v.Missing = true
		v.Value = nil
	}
	if v.Reason == "" {
		v.Reason = fmt.Sprintf("does not match %q", e.SchemaField)
	}
	*out = append(*out, v)
}

func discriminatorField(e *openapi3.SchemaError) string {
	if e.Schema != nil && e.Schema.Discriminator != nil {
		return joinField(strings.Join(e.JSONPointer(), "."), e.Schema.Discriminator.PropertyName)
	}
	return strings.Join(e.JSONPointer(), ".")
}

func joinField(parent, child string) string {
	switch {
	case parent == "":
		return child
	case child == "":
		return parent
	}
	return parent + "." + child
}

func parseReason(e *openapi3filter.ParseError) string {
	if e.Cause != nil {
		return "the body is not valid JSON: " + e.Cause.Error()
	}
	return "the body is not valid JSON: " + e.Reason
}
