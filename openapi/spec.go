// Package openapi loads the COC contract, routes requests to its operations
// and checks requests and replies against it. It is the only package that
// imports kin-openapi: everything it returns is plain Go.
package openapi

import (
	"bytes"
	"context"
	_ "embed"
	"errors"
	"fmt"
	"iter"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
	"github.com/getkin/kin-openapi/openapi3filter"
	"github.com/getkin/kin-openapi/routers"
)

//go:embed coc.yaml
var embedded []byte

// Embedded returns the built-in COC document (OpenAPI 3.0.3, YAML).
func Embedded() []byte { return slices.Clone(embedded) }

// OriginExtension marks a declared response as coming from the API gateway
// rather than from COC itself.
const OriginExtension = "x-cocmock-origin"

// Errors of Route.
var (
	ErrNoPath   = errors.New("no operation at this path")
	ErrNoMethod = errors.New("method not allowed at this path")
)

// Spec is a loaded, validated document with its route table. It is
// immutable and safe for concurrent use.
type Spec struct {
	name   string
	doc    *openapi3.T
	routes routeTable
	ops    map[*openapi3.Operation]*Operation
	// reqOpts and respOpts are built once; openapi3filter only reads them.
	reqOpts         *openapi3filter.Options // parameters only
	reqOptsWithBody *openapi3filter.Options // for bodies that are not JSON
	respOpts        *openapi3filter.Options
}

// Operation is one method on one path of the document.
type Operation struct {
	ID     string
	Method string
	Path   string
	op     *openapi3.Operation
	route  *routers.Route
	// hasParams is set when openapi3filter has parameters to check.
	hasParams bool
	// readOnly is set when the request body's schema has a readOnly
	// property: only then is it validated as a request (VisitAsRequest
	// deep-copies the value for each oneOf branch and visits the match
	// twice, a third of the validation's cost).
	readOnly bool
	// verdicts holds, for each request body schema, its compiled fail-fast
	// check (compile.go); a schema without one is walked by kin-openapi.
	verdicts map[*openapi3.Schema]verdict
	// words are the strings the request body schemas name (decode.go).
	words *vocabulary
	// known caches the properties UnknownFields compares a body with.
	known knownProperties
	// mediaTypes caches, for the Content-Type values seen, the request
	// body media type each picks.
	mediaTypes mediaTypeCache
}

// mediaTypeCache memoizes Content.Get, which parses the value each time,
// for the first maxMediaTypes distinct values; later ones are parsed each
// time (a client sending junk values costs speed, never memory).
type mediaTypeCache struct {
	mu   sync.RWMutex
	seen map[string]*openapi3.MediaType
}

const maxMediaTypes = 64

// maxMediaTypeLength is the longest Content-Type value the cache keeps
// (a client may send 1 MB of parameters).
const maxMediaTypeLength = 128

// mediaType is the request body media type a Content-Type picks (kin-openapi's
// Content.Get), or nil.
func (op *Operation) mediaType(contentType string) *openapi3.MediaType {
	c := &op.mediaTypes
	c.mu.RLock()
	mt, ok := c.seen[contentType]
	c.mu.RUnlock()
	if ok {
		return mt
	}
	mt = op.op.RequestBody.Value.Content.Get(contentType)
	if len(contentType) > maxMediaTypeLength {
		return mt // a value this long is parsed each time, never kept
	}
	c.mu.Lock()
	if c.seen == nil {
		c.seen = map[string]*openapi3.MediaType{}
	}
	if len(c.seen) < maxMediaTypes {
		c.seen[strings.Clone(contentType)] = mt
	}
	c.mu.Unlock()
	return mt
}

// Load parses and validates a document and builds its route table. name is used in
// error messages (a file name, or "embedded").
func Load(name string, data []byte) (*Spec, error) {
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	ctx := context.Background()
	if err := doc.Validate(ctx); err != nil {
		return nil, fmt.Errorf("%s: invalid OpenAPI document: %w", name, err)
	}
	s := &Spec{
		name: name,
		doc:  doc,
		ops:  map[*openapi3.Operation]*Operation{},
		reqOpts: &openapi3filter.Options{
			MultiError:          true,
			ExcludeRequestBody:  true,
			SkipSettingDefaults: true,
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		},
		reqOptsWithBody: &openapi3filter.Options{
			MultiError:          true,
			KeepValidatedValue:  true,
			SkipSettingDefaults: true,
			AuthenticationFunc:  openapi3filter.NoopAuthenticationFunc,
		},
		respOpts: &openapi3filter.Options{
			MultiError:            true,
			IncludeResponseStatus: true,
		},
	}
	for path, item := range doc.Paths.Map() {
		for method, op := range item.Operations() {
			o := &Operation{
				ID: op.OperationID, Method: method, Path: path, op: op,
				route:     &routers.Route{Spec: doc, Path: path, PathItem: item, Method: method, Operation: op},
				hasParams: len(op.Parameters) > 0 || len(item.Parameters) > 0,
				readOnly:  bodyHasReadOnly(op),
				words:     bodyVocabulary(op),
			}
			o.verdicts = bodyVerdicts(o)
			s.ops[op] = o
		}
	}
	// The declared servers name the cloud's hosts; a mock answers on any
	// host, so routes match paths only.
	s.routes = newRouteTable(s.Operations())
	return s, nil
}

// bodyHasReadOnly reports whether an operation's request body schema has a
// readOnly property anywhere.
func bodyHasReadOnly(op *openapi3.Operation) bool {
	for s := range schemasUnderBody(op) {
		if s.ReadOnly {
			return true
		}
	}
	return false
}

// schemasUnderBody yields every schema of an operation's request bodies
// once: each media type's, and those under them (allOf, oneOf, anyOf,
// properties, items, additionalProperties).
func schemasUnderBody(op *openapi3.Operation) iter.Seq[*openapi3.Schema] {
	return func(yield func(*openapi3.Schema) bool) {
		if op.RequestBody == nil || op.RequestBody.Value == nil {
			return
		}
		seen := map[*openapi3.Schema]bool{}
		var walk func(s *openapi3.Schema) bool
		walk = func(s *openapi3.Schema) bool {
			if s == nil || seen[s] {
				return true
			}
			seen[s] = true
			if !yield(s) {
				return false
			}
			var under []*openapi3.SchemaRef
			for _, refs := range []openapi3.SchemaRefs{s.AllOf, s.OneOf, s.AnyOf} {
				under = append(under, refs...)
			}
			for _, p := range s.Properties {
				under = append(under, p)
			}
			under = append(under, s.Items, s.AdditionalProperties.Schema)
			for _, r := range under {
				if r != nil && !walk(r.Value) {
					return false
				}
			}
			return true
		}
		for _, mt := range op.RequestBody.Value.Content {
			if mt.Schema != nil && !walk(mt.Schema.Value) {
				return
			}
		}
	}
}

// bodyVerdicts compiles the verdict of each JSON request body schema the
// operation declares. An operation with readOnly properties keeps
// kin-openapi's walk: refusing them needs VisitAsRequest, which the
// compiler does not model.
func bodyVerdicts(op *Operation) map[*openapi3.Schema]verdict {
	rb := op.op.RequestBody
	if op.readOnly || rb == nil || rb.Value == nil {
		return nil
	}
	out := map[*openapi3.Schema]verdict{}
	for name, mt := range rb.Value.Content {
		if !isJSON(name) || mt.Schema == nil || mt.Schema.Value == nil {
			continue
		}
		if v, err := compileVerdict(mt.Schema.Value); err == nil {
			out[mt.Schema.Value] = v
		}
	}
	return out
}

// bodyVocabulary gathers the strings an operation's request body schemas
// name.
func bodyVocabulary(op *openapi3.Operation) *vocabulary {
	v := &vocabulary{words: map[string]any{}}
	add := func(w string) {
		if len(v.words) < maxVocabulary {
			v.words[w] = w
			v.longest = max(v.longest, len(w))
		}
	}
	for s := range schemasUnderBody(op) {
		for _, e := range s.Enum {
			if w, ok := e.(string); ok {
				add(w)
			}
		}
		for name := range s.Properties {
			add(name)
		}
		if s.Discriminator != nil {
			add(s.Discriminator.PropertyName)
		}
	}
	return v
}

// Name says where the document came from.
func (s *Spec) Name() string { return s.name }

// Operations lists the document's operations, sorted by path and method.
func (s *Spec) Operations() []*Operation {
	out := make([]*Operation, 0, len(s.ops))
	for _, op := range s.ops {
		out = append(out, op)
	}
	slices.SortFunc(out, func(a, b *Operation) int {
		return strings.Compare(a.Path+" "+a.Method, b.Path+" "+b.Method)
	})
	return out
}

// Route finds the operation for a method and path, with the values of the
// path's parameters. It returns ErrNoPath or ErrNoMethod when the document
// has no such operation.
func (s *Spec) Route(method, path string) (*Operation, map[string]string, error) {
	return s.routes.find(method, path)
}

// Request is what ValidateRequest checks: the parts of an HTTP request the
// contract speaks of.
type Request struct {
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// PathParams are the values Route found for the path's parameters.
	PathParams map[string]string
}

// Checked is the outcome of ValidateRequest.
type Checked struct {
	// Body is the decoded JSON body, when the body is JSON (valid against
	// the schema or not), else nil. Numbers are float64: integers beyond
	// 2^53 lose precision.
	Body any
	// Violations lists every way the request breaks the contract, ordered
	// shallow fields first, then by name; empty for a valid request.
	Violations []Violation
}

// ValidateRequest checks a request against its operation, collecting every
// violation.
//
// The JSON body is decoded here, once, and checked by the schema's
// compiled verdict (kin-openapi's fail-fast walk where there is none);
// kin-openapi words the violations of a body that fails. openapi3filter
// checks the rest (parameters) when the operation has any. Going through
// openapi3filter for the body too reads it three times and deep-copies it
// for the oneOf: the profile put validation that way at 70% of
// Engine.Serve. Security requirements are not checked here: the gateway
// step (mock/auth) does that.
func (s *Spec) ValidateRequest(ctx context.Context, op *Operation, r Request) Checked {
	contentType := r.Header.Get("Content-Type")
	jsonType := isJSON(contentType)
	if !jsonType && op.takesOtherThanJSON() {
		// A --spec document's form, text or binary body: openapi3filter
		// has the decoders for those.
		return s.validateWithFilter(ctx, op, r, s.reqOptsWithBody)
	}
	var out []Violation
	if op.hasParams {
		out = s.validateWithFilter(ctx, op, r, s.reqOpts).Violations
	}
	body, bodyViolations := op.validateBody(contentType, jsonType, r.Body)
	if out = append(out, bodyViolations...); len(out) > 0 {
		return Checked{Body: body, Violations: sortViolations(out)}
	}
	return Checked{Body: body}
}

// validateWithFilter runs openapi3filter on the request.
func (s *Spec) validateWithFilter(ctx context.Context, op *Operation, r Request, opts *openapi3filter.Options) Checked {
	req := &http.Request{
		Method: r.Method, URL: &url.URL{Path: r.Path, RawQuery: r.RawQuery},
		Header: r.Header, Body: nopCloser{bytes.NewReader(r.Body)}, ContentLength: int64(len(r.Body)),
	}
	if req.Header == nil {
		req.Header = http.Header{}
	}
	input := &openapi3filter.RequestValidationInput{Request: req, PathParams: r.PathParams, Route: op.route, Options: opts}
	if err := openapi3filter.ValidateRequest(ctx, input); err != nil {
		return Checked{Violations: violations(err)}
	}
	var body any
	if v, ok := req.Body.(interface{ ValidatedValue() any }); ok {
		body = v.ValidatedValue()
	}
	return Checked{Body: body}
}

// takesOtherThanJSON reports whether the operation declares a request
// body media type that is not JSON.
func (op *Operation) takesOtherThanJSON() bool {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil {
		return false
	}
	for mt := range rb.Value.Content {
		if !isJSON(mt) {
			return true
		}
	}
	return false
}

func isJSON(contentType string) bool {
	base, _, _ := strings.Cut(contentType, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	return base == "application/json" || strings.HasSuffix(base, "+json")
}

// validateBody checks the content type (jsonType: whether it is a JSON
// type), decodes the JSON body and validates it against the operation's
// schema. The body is decoded as json.Unmarshal would (numbers as float64;
// decode.go); unlike openapi3filter's json.Decoder, that refuses trailing
// bytes after the JSON value.
func (op *Operation) validateBody(contentType string, jsonType bool, body []byte) (any, []Violation) {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil, nil
	}
	if len(body) == 0 {
		if rb.Value.Required {
			return nil, []Violation{{Kind: KindNoBody, Reason: "the request body is required"}}
		}
		return nil, nil
	}
	var mt *openapi3.MediaType
	if jsonType { // only JSON types reach the media-type memo
		mt = op.mediaType(contentType)
	}
	if mt == nil {
		return nil, []Violation{{Kind: KindContentType, Reason: fmt.Sprintf("header Content-Type has unexpected value %q", contentType)}}
	}
	value, err := decodeBody(body, op.words)
	if err != nil {
		return nil, []Violation{{Kind: KindMalformed, Reason: "the body is not valid JSON: " + err.Error()}}
	}
	if mt.Schema == nil || mt.Schema.Value == nil {
		return value, nil
	}
	// Valid bodies are the common case: ask the compiled verdict (or,
	// without one, kin-openapi fail-fast), which builds no error values,
	// and collect every violation only for a body that fails.
	schema := mt.Schema.Value
	// With a readOnly property in the body's schema, VisitAsRequest: it is
	// refused in a request, as openapi3filter does.
	opts := []openapi3.SchemaValidationOption{openapi3.FailFast()}
	if op.readOnly {
		opts = append(opts, openapi3.VisitAsRequest())
	}
	if v, ok := op.verdicts[schema]; ok {
		if v(value) {
			return value, nil
		}
	} else if schema.VisitJSON(value, opts...) == nil {
		return value, nil
	}
	opts[0] = openapi3.MultiErrors()
	if err := schema.VisitJSON(value, opts...); err != nil {
		return value, violations(err) // decoded all the same, for report mode
	}
	return value, nil
}

type nopCloser struct{ *bytes.Reader }

func (nopCloser) Close() error { return nil }

// ValidateResponse checks a reply the mock is about to send against the
// operation: its status must be declared and its body must match.
func (s *Spec) ValidateResponse(ctx context.Context, op *Operation, status int, header http.Header, body []byte) []Violation {
	req := &http.Request{Method: op.Method, URL: &url.URL{Path: op.Path}, Header: http.Header{}}
	if header == nil {
		header = http.Header{}
	}
	if header.Get("Content-Type") == "" {
		header = header.Clone()
		header.Set("Content-Type", "application/json")
	}
	input := &openapi3filter.ResponseValidationInput{
		RequestValidationInput: &openapi3filter.RequestValidationInput{Request: req, Route: op.route},
		Status:                 status,
		Header:                 header,
		Body:                   nopCloser{bytes.NewReader(body)},
		Options:                s.respOpts,
	}
	if err := openapi3filter.ValidateResponse(ctx, input); err != nil {
		return violations(err)
	}
	return nil
}

// Statuses lists the response statuses the operation declares, ascending.
func (op *Operation) Statuses() []int {
	var out []int
	for code := range op.op.Responses.Map() {
		if n, err := strconv.Atoi(code); err == nil {
			out = append(out, n)
		}
	}
	slices.Sort(out)
	return out
}

// Declares reports whether the operation declares a response with this status.
func (op *Operation) Declares(status int) bool {
	return op.op.Responses.Status(status) != nil
}

// FromGateway reports whether the declared response for status is marked as
// coming from the API gateway.
func (op *Operation) FromGateway(status int) bool {
	ref := op.op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return false
	}
	return ref.Value.Extensions[OriginExtension] == "gateway"
}

// Example is a named example reply of an operation.
type Example struct {
	Status int
	Name   string
	Value  any
}

// Examples lists the JSON examples of the response declared for status,
// sorted by name. A single `example` is named "default".
func (op *Operation) Examples(status int) []Example {
	ref := op.op.Responses.Status(status)
	if ref == nil || ref.Value == nil {
		return nil
	}
	mt := ref.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	var out []Example
	if mt.Example != nil {
		out = append(out, Example{Status: status, Name: "default", Value: mt.Example})
	}
	for name, ex := range mt.Examples {
		if ex != nil && ex.Value != nil {
			out = append(out, Example{Status: status, Name: name, Value: ex.Value.Value})
		}
	}
	slices.SortFunc(out, func(a, b Example) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// FindExample looks an example up by name across every declared status.
func (op *Operation) FindExample(name string) (Example, bool) {
	for _, status := range op.Statuses() {
		for _, ex := range op.Examples(status) {
			if ex.Name == name {
				return ex, true
			}
		}
	}
	return Example{}, false
}

// OperationIDs lists the operationIds, sorted.
func (s *Spec) OperationIDs() []string {
	var out []string
	for _, op := range s.ops {
		out = append(out, op.ID)
	}
	slices.Sort(out)
	return out
}

// Operation returns the operation with that operationId.
func (s *Spec) Operation(id string) (*Operation, bool) {
	for _, op := range s.ops {
		if op.ID == id {
			return op, true
		}
	}
	return nil, false
}

// SampleRequest is the operation's first request example (by name), or nil.
func (op *Operation) SampleRequest() any {
	rb := op.op.RequestBody
	if rb == nil || rb.Value == nil {
		return nil
	}
	mt := rb.Value.Content.Get("application/json")
	if mt == nil {
		return nil
	}
	if mt.Example != nil {
		return mt.Example
	}
	names := make([]string, 0, len(mt.Examples))
	for name := range mt.Examples {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if ex := mt.Examples[name]; ex != nil && ex.Value != nil {
			return ex.Value.Value
		}
	}
	return nil
}
