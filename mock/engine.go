// Package mock is cocmock's engine: it takes a request as plain Go values,
// runs it through the pipeline of DESIGN.md ("One request, in order") and
// returns the reply to send. The HTTP edge lives in mock/httpd.
package mock

import (
	"bytes"
	"context"
	"encoding/hex"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cocmock/cocmock/openapi"
)

// Request is one call to the simulated API, as the edge read it.
type Request struct {
	// ID is the request id the reply will carry in X-Request-Id.
	ID       string
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Oversize is set when the body was longer than the edge takes; Body is
	// then empty.
	Oversize bool
}

// Clock is the engine's source of time.
type Clock interface {
	Now() time.Time
}

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Engine answers requests. It is safe for concurrent use.
type Engine struct {
	spec  *openapi.Spec
	clock Clock
	log   *slog.Logger
	// faker is the one seeded source behind every random choice, fake value
	// and request id. Its source is locked, so it is safe to share.
	faker *gofakeit.Faker
	seed  int64
	// examples holds each operation's default reply body, encoded at start.
	examples map[*openapi.Operation][]byte
}

// Option configures an Engine.
type Option func(*Engine)

// WithSeed makes every random choice reproducible. Zero picks a seed at
// random; Seed tells which.
func WithSeed(seed int64) Option { return func(e *Engine) { e.seed = seed } }

// WithClock sets the engine's clock.
func WithClock(c Clock) Option { return func(e *Engine) { e.clock = c } }

// WithLogger sets where the engine logs.
func WithLogger(l *slog.Logger) Option { return func(e *Engine) { e.log = l } }

// New builds an engine for a spec.
func New(spec *openapi.Spec, opts ...Option) *Engine {
	e := &Engine{spec: spec, clock: systemClock{}, log: slog.New(slog.DiscardHandler)}
	for _, opt := range opts {
		opt(e)
	}
	if e.seed == 0 {
		e.seed = gofakeit.NewCrypto().Int64()
	}
	e.faker = gofakeit.New(e.seed)
	e.examples = map[*openapi.Operation][]byte{}
	for _, op := range spec.Operations() {
		e.examples[op] = exampleBody(op)
	}
	return e
}

// Seed is the seed in use, so that a run with a random seed can be repeated.
func (e *Engine) Seed() int64 { return e.seed }

// NewRequestID returns 32 lowercase hex characters, like the gateway's ids.
func (e *Engine) NewRequestID() string {
	var b [16]byte
	for i := range 2 {
		u := e.faker.Rand.Uint64()
		for j := range 8 {
			b[i*8+j] = byte(u >> (8 * j))
		}
	}
	return hex.EncodeToString(b[:])
}

// Serve runs one request through the pipeline and returns the reply.
func (e *Engine) Serve(ctx context.Context, req Request) Reply {
	// 1. The gateway refuses bodies over its limit before anything else.
	if req.Oversize {
		return gatewayReply(http.StatusRequestEntityTooLarge, GatewayBadRequest, "Request entity too large", req.ID)
	}

	// 2. Route: the spec's paths are the only route table.
	op, params, err := e.spec.Route(req.Method, req.Path)
	if err != nil {
		return gatewayReply(http.StatusNotFound, GatewayNoAPI, noAPIMessage(err), req.ID)
	}

	// 3. Validate against the contract; the body is decoded here, once.
	checked := e.spec.ValidateRequest(ctx, op, openapi.Request{
		Method: req.Method, Path: req.Path, RawQuery: req.RawQuery,
		Header: req.Header, Body: req.Body, PathParams: params,
	})
	if len(checked.Violations) > 0 {
		e.log.LogAttrs(ctx, slog.LevelInfo, "request breaks the contract",
			slog.String("request_id", req.ID), slog.String("violations", joinViolations(checked.Violations)))
		return invalidRequest(checked.Violations, req.Header)
	}
	if unknown := op.UnknownFields(checked.Body); len(unknown) > 0 {
		e.log.LogAttrs(ctx, slog.LevelInfo, "request has keys the contract does not name; accepted as COC does",
			slog.String("request_id", req.ID), slog.Any("keys", unknown))
	}

	// 4. Answer with the contract's example of success.
	return jsonReply(http.StatusOK, e.examples[op])
}

func noAPIMessage(err error) string {
	if errors.Is(err, openapi.ErrNoMethod) {
		return "The API does not exist or has not been published in the environment: method not allowed"
	}
	return "The API does not exist or has not been published in the environment"
}

// exampleBody is the spec's first 200 example, or COC's success envelope
// when the spec has none.
func exampleBody(op *openapi.Operation) []byte {
	examples := op.Examples(http.StatusOK)
	if len(examples) == 0 {
		return mustJSON(GOM(CodeOK, ""))
	}
	return encodeExample(examples[0].Value)
}

// encodeExample encodes an example value, keeping COC's field order when the
// value is an envelope.
func encodeExample(v any) []byte {
	if m, ok := v.(map[string]any); ok && len(m) == 4 {
		raw := mustJSON(m)
		var env Envelope
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.DisallowUnknownFields()
		if dec.Decode(&env) == nil {
			return mustJSON(env)
		}
	}
	b, err := encodeJSON(v)
	if err != nil {
		return mustJSON(GOM(CodeOK, ""))
	}
	return b
}
