// Package mock is cocmock's engine: it takes a request as plain Go values,
// runs it through the pipeline of DESIGN.md ("One request, in order") and
// returns the reply to send. The HTTP edge lives in mock/httpd.
package mock

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"

	"github.com/brianvoe/gofakeit/v6"

	"github.com/cocmock/cocmock/coverage"
	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock/auth"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// Headers a client uses to steer the sandbox.
const (
	// ScenarioHeader picks the scenario for one request.
	ScenarioHeader = "X-Cocmock-Scenario"
	// SessionHeader gives a caller its own tickets, counters, scenario and
	// journal.
	SessionHeader = "X-Cocmock-Session"
	// RuleHeader names the rule that answered (diagnostic), or NoRule.
	RuleHeader = "X-Cocmock-Rule"
	// NoRule is RuleHeader's value when no rule answered and the
	// operation's default answer did.
	NoRule = "(none: default answer)"
)

// DefaultScenario is active unless told otherwise.
const DefaultScenario = "default"

// Request is one call to the simulated API, as the edge read it. The
// journal keeps Header and Body as they are: do not change them once
// passed to Serve.
type Request struct {
	// ID is the request id the reply will carry in X-Request-Id.
	ID       string
	Method   string
	Path     string
	RawQuery string
	Header   http.Header
	Body     []byte
	// Host is the Host header (a signature may cover it).
	Host string
	// ClientAddr is the caller's IP address, for per-address throttling.
	ClientAddr string
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
	spec     *openapi.Spec
	set      atomic.Pointer[scenarios.Set]
	scenario string
	clock    Clock
	log      *slog.Logger
	// Every random choice and fake value draws from its session's stream
	// (session.go), seeded from seed; ids and adminIDs, seeded from the
	// same seed, give request ids to the simulated API and to the sandbox
	// API, so that neither health checks nor request ids move the draws.
	// Their sources are locked.
	ids      *gofakeit.Faker
	adminIDs *gofakeit.Faker
	seed     int64
	sessions *sessions
	auth     *auth.Authenticator
	throttle *throttle
	observer Observer
	// maxSessions, journalSize, journalBytes and stateBytes are the memory
	// model's bounds (session.go); read once by New.
	maxSessions  int
	journalSize  int
	journalBytes int64
	stateBytes   int64
	validation   Validation
	// watchers are the live event streams.
	watchers watchers
	// coverage holds each session's coverage counts; coverageOff turns
	// counting off (WithCoverage(false)).
	coverage    *coverageStore
	coverageOff bool
	// examples holds each operation's default reply body, encoded at start.
	examples map[*openapi.Operation][]byte
	// ruleHeaders shares the headers of the replies each rule of the set
	// answers; it is replaced with the set.
	ruleHeaders atomic.Pointer[ruleHeaders]
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

// WithScenario sets the scenario used when neither the request nor its
// session names one.
func WithScenario(name string) Option { return func(e *Engine) { e.scenario = name } }

// WithMaxSessions bounds how many sessions are kept; the least recently used
// is dropped beyond it.
func WithMaxSessions(n int) Option { return func(e *Engine) { e.maxSessions = n } }

// WithAuth makes the engine check credentials as the gateway does.
func WithAuth(a *auth.Authenticator) Option { return func(e *Engine) { e.auth = a } }

// WithRateLimit throttles each AK (or client address, for unsigned calls)
// to perSecond requests a second, as a gateway policy does; 0 is no limit.
func WithRateLimit(perSecond int) Option {
	return func(e *Engine) {
		if perSecond > 0 {
			e.throttle = newThrottle(perSecond)
		}
	}
}

// Observer is told of every exchange once it is journaled (metrics). It
// gets a copy, so that the engine's own needs no room on the heap; its
// headers and bodies are the journal's, and its reply headers may be
// shared with other replies: read them, do not change them.
type Observer interface {
	Observe(x Exchange)
}

// WithObserver adds an observer of every exchange.
func WithObserver(o Observer) Option { return func(e *Engine) { e.observer = o } }

// Validation says what the engine does with a request that breaks the
// contract.
type Validation string

// The validation modes.
const (
	// ValidationEnforce refuses it: 400 GOM.00007256 (the default).
	ValidationEnforce Validation = "enforce"
	// ValidationReport answers it as if it were valid, on what could be
	// decoded, and reports its violations (header, journal, metrics, log).
	ValidationReport Validation = "report"
	// ValidationOff checks nothing: a JSON body is decoded for matching,
	// any other body is taken as empty.
	ValidationOff Validation = "off"
)

// ParseValidation reads a mode's name.
func ParseValidation(s string) (Validation, error) {
	switch v := Validation(s); v {
	case ValidationEnforce, ValidationReport, ValidationOff:
		return v, nil
	}
	return "", fmt.Errorf("validation %q: want enforce, report or off", s)
}

// WithValidation sets what happens to requests that break the contract.
// Replies are checked against it in every mode.
func WithValidation(v Validation) Option { return func(e *Engine) { e.validation = v } }

// ValidationOf is the validation mode opts give an engine (New's default
// unless one sets another).
func ValidationOf(opts ...Option) Validation {
	e := &Engine{validation: defaultValidation}
	for _, opt := range opts {
		opt(e)
	}
	return e.validation
}

// defaultValidation is an engine's validation mode unless WithValidation
// sets another.
const defaultValidation = ValidationEnforce

// ScenarioOptions are the options to load scenario files with for an
// engine validating this way, as strictly as it answers: under report or
// off, a rule only a request breaking the contract can match is a warning,
// not an error.
func (v Validation) ScenarioOptions() scenarios.Options {
	return scenarios.Options{Lenient: v != ValidationEnforce}
}

// Validation is the engine's validation mode.
func (e *Engine) Validation() Validation { return e.validation }

// WithJournalSize sets how many exchanges each session's journal keeps.
func WithJournalSize(n int) Option { return func(e *Engine) { e.journalSize = n } }

// WithJournalBytes bounds the bytes all journals hold together; beyond it
// the oldest exchanges go, least recently used sessions first.
func WithJournalBytes(n int64) Option { return func(e *Engine) { e.journalBytes = n } }

// WithStateBytes bounds the bytes all sessions' incidents and sequence
// counters hold together; beyond it least recently used sessions are
// dropped.
func WithStateBytes(n int64) Option { return func(e *Engine) { e.stateBytes = n } }

// New builds an engine for a spec and a scenario set. It fails when the
// default scenario is not in the set.
func New(spec *openapi.Spec, set *scenarios.Set, opts ...Option) (*Engine, error) {
	e := &Engine{
		spec:     spec,
		scenario: DefaultScenario,
		clock:    systemClock{},
		log:      slog.New(slog.DiscardHandler),

		maxSessions:  DefaultMaxSessions,
		journalSize:  DefaultJournalSize,
		journalBytes: DefaultJournalBytes,
		stateBytes:   DefaultStateBytes,
		validation:   defaultValidation,
	}
	for _, opt := range opts {
		opt(e)
	}
	if _, ok := set.Get(e.scenario); !ok {
		return nil, fmt.Errorf("scenario %q is not loaded (known: %v)", e.scenario, set.Names())
	}
	e.set.Store(set)
	e.ruleHeaders.Store(ruleHeadersOf(set))
	if e.seed == 0 {
		e.seed = gofakeit.NewCrypto().Int64()
	}
	e.coverage = newCoverageStore(coverage.New(spec), e.maxSessions)
	var counted *coverageStore
	if !e.coverageOff {
		counted = e.coverage
	}
	e.sessions = newSessions(e.maxSessions, e.journalSize, e.journalBytes, e.stateBytes, e.seed, counted)
	e.ids = seeded(e.seed ^ 0x1d5)
	e.adminIDs = seeded(e.seed ^ 0xad0)
	e.examples = map[*openapi.Operation][]byte{}
	for _, op := range spec.Operations() {
		e.examples[op] = exampleBody(op)
	}
	return e, nil
}

// Seed is the seed in use, so that a run with a random seed can be repeated.
func (e *Engine) Seed() int64 { return e.seed }

// Scenarios is the scenario set in use.
func (e *Engine) Scenarios() *scenarios.Set { return e.set.Load() }

// ReplaceScenarios swaps in a new scenario set atomically: requests already
// past scenario selection finish on the set they started with, and session
// state (tickets, counters, journals) is kept. The engine's default
// scenario must be in the new set.
func (e *Engine) ReplaceScenarios(set *scenarios.Set) error {
	if _, ok := set.Get(e.scenario); !ok {
		return fmt.Errorf("the new set lacks the default scenario %q", e.scenario)
	}
	e.set.Store(set)
	e.ruleHeaders.Store(ruleHeadersOf(set))
	return nil
}

// Serve runs one request through the pipeline, journals the exchange in
// the caller's session, and returns the reply.
func (e *Engine) Serve(ctx context.Context, req Request) Reply {
	start := e.clock.Now()
	id := req.Header.Get(SessionHeader)
	var sess *session
	if len(id) <= MaxSessionID {
		sess = e.sessions.get(id)
	} else {
		sess = e.sessions.main // refused below; journaled where the client can read why
	}
	x := &Exchange{Time: start, Session: sess.id, RequestID: req.ID, Request: journalMessage(req.Header, req.Body)}
	x.Request.Method, x.Request.Path, x.Request.Query = req.Method, req.Path, req.RawQuery

	var reply Reply
	if len(id) > MaxSessionID {
		reply = SessionTooLong(len(id)).Reply()
	} else {
		reply = e.handle(ctx, req, sess, x)
	}

	x.Status, x.Fault, x.Delay = reply.Status, reply.Fault, reply.Delay
	x.ClientSaw = faultSeen[reply.Fault]
	x.Reply = journalMessage(reply.Header, reply.Body)
	x.Duration = e.clock.Now().Sub(start)
	e.cover(sess, x, reply.Body)
	x.body = nil
	x.ownStrings()
	e.sessions.journal(sess, *x)
	e.watchers.publish(x)
	if e.observer != nil {
		e.observer.Observe(*x)
	}
	reply.Session, reply.Scenario, reply.Rule = x.Session, x.Scenario, x.Rule
	reply.IncidentNum, reply.OperateKey = x.IncidentNum, x.OperateKey
	return reply
}

// handle is the pipeline of DESIGN.md, top to bottom, with one deliberate
// difference: the scenario and Prefer (DESIGN's step 6) are read before
// validation (its step 5), so that a mistake in steering the sandbox is
// answered as the sandbox's problem whatever the body (tested). It notes
// what it decides in x for the journal.
func (e *Engine) handle(ctx context.Context, req Request, sess *session, x *Exchange) Reply {
	// 1. The gateway refuses bodies over its limit before anything else.
	if req.Oversize {
		return GatewayError(http.StatusRequestEntityTooLarge, req.ID)
	}

	// 2. Route: the spec's paths are the only route table.
	op, params, err := e.spec.Route(req.Method, req.Path)
	if err != nil {
		return gatewayReply(http.StatusNotFound, GatewayNoAPI, noAPIMessage(err), req.ID)
	}
	x.Operation = op.ID

	// 3. The gateway authenticates, then throttles, both at the exchange's
	//    time (a clock read costs a tenth of a microsecond here).
	principal, refused, failure := e.authenticate(req, x.Time)
	if refused != nil {
		x.Auth = failure
		e.note(ctx, slog.LevelInfo, "authentication failed",
			slog.String("request_id", req.ID), slog.String("reason", failure.Reason), slog.String("ak", principal))
		return *refused
	}
	if e.throttle != nil {
		key := principal
		if key == "" {
			key = "ip:" + req.ClientAddr
		}
		if ok, retry := e.throttle.admit(key, x.Time); !ok {
			x.throttled = true
			return e.throttle.throttled(principal, retry, req.ID)
		}
	}

	// 4. Pick the scenario and read Prefer, before validation on purpose: a
	//    mistake in steering the sandbox is the sandbox's problem+json,
	//    whatever the body.
	sc, problem := e.pickScenario(req.Header, sess)
	if problem != nil {
		return problem.Reply()
	}
	x.Scenario = sc.Name
	pref, err := parsePrefer(req.Header)
	if err != nil {
		return Problem{Status: http.StatusBadRequest, Title: "Unusable Prefer header", Detail: err.Error()}.Reply()
	}
	faker := sess.faker
	if pref.hasSeed {
		faker = seeded(pref.seed)
	}

	// 5. Validate against the contract; the body is decoded here, once.
	//    With --validation report a request that breaks it is answered all
	//    the same, on what could be decoded; with off it is not checked.
	//    A body the check did not decode (sent as another content type) is
	//    decoded as off mode decodes it, so that every mode files and
	//    matches a body alike.
	var checked openapi.Checked
	if e.validation != ValidationOff {
		checked = e.spec.ValidateRequest(ctx, op, openapi.Request{
			Method: req.Method, Path: req.Path, RawQuery: req.RawQuery,
			Header: req.Header, Body: req.Body, PathParams: params,
		})
	}
	if checked.Body == nil && len(req.Body) > 0 {
		checked.Body = decodeJSON(req.Body)
	}
	var joined string // the violations, worded once for the log and the header
	if len(checked.Violations) > 0 {
		x.Violations = violationStrings(checked.Violations)
		joined = joinStrings(x.Violations)
		e.note(ctx, slog.LevelInfo, "request breaks the contract",
			slog.String("request_id", req.ID), slog.String("violations", joined),
			slog.String("validation", string(e.validation)))
		if e.validation == ValidationEnforce {
			// Refused: the journal still files it under its keys.
			x.IncidentNum, x.OperateKey = bodyString(checked.Body, "incident_num"), bodyString(checked.Body, "operate_key")
			if x.IncidentNum == "" {
				x.IncidentNum = params["incident_num"]
			}
			return invalidRequest(checked.Violations, joined, req.Header)
		}
	}
	x.RequestValid = len(checked.Violations) == 0
	x.body = checked.Body
	in := scenarios.Input{Body: checked.Body, Header: req.Header, Query: parseQuery(req.RawQuery), Path: params}
	if in.Body == nil {
		in.Body = map[string]any{} // a read: templates and selectors see an empty body
	}
	in.SetKey(incident.KeyOf(op.ID, in.Body, params))
	x.OperateKey = bodyString(in.Body, "operate_key")
	if op.ID == incident.OpAction {
		x.OperateKey = bodyString(in.Body, "action") // the v2 action, in the same column
	}
	if e.log.Enabled(ctx, slog.LevelInfo) { // the walk only feeds the log
		if unknown := op.UnknownFields(checked.Body); len(unknown) > 0 {
			e.note(ctx, slog.LevelInfo, "request has keys the contract does not name; accepted as COC does",
				slog.String("request_id", req.ID), slog.Any("keys", unknown))
		}
	}

	// 6. Choose the reply: from the spec when Prefer asks; else the first
	//    rule that matches, its state checked and the incident moved
	//    atomically; else the operation's default answer (package incident).
	var reply Reply
	switch {
	case pref.fromSpec():
		reply, problem = e.specReply(op, pref, faker, req.ID)
		x.IncidentNum = in.Key
	default:
		d := e.decide(sess, sc, op, in, faker, req.ID, principal)
		x.Rule, x.IncidentNum, x.StatusBefore, x.StatusAfter = d.rule, d.num, d.before, d.after
		x.labelBefore, x.labelAfter = d.labelBefore, d.labelAfter
		x.NearMisses = d.nearMisses
		if e.log.Enabled(ctx, slog.LevelDebug) {
			for _, n := range d.nearMisses {
				e.note(ctx, slog.LevelDebug, "near miss", slog.String("request_id", req.ID), slog.String("near_miss", n.String()))
			}
		}
		switch {
		case d.reply == nil:
			reply = d.answer
		default:
			data := scenarios.Data{
				Body: in.Body, Header: req.Header, RequestID: req.ID,
				Key: d.key, State: d.before, Pending: d.pendingBefore, Incident: d.incident,
			}
			reply, problem = e.render(ctx, op, d.reply, data.WithFaker(faker))
		}
		if problem == nil {
			rule := d.rule
			if rule == "" {
				rule = NoRule
			}
			e.ruleHeaders.Load().name(&reply, rule)
		}
	}
	if problem != nil {
		return problem.Reply()
	}
	x.ReplyViolations = reply.Violations
	if len(checked.Violations) > 0 && reply.Header != nil { // report mode: answered, and said so
		v := joined
		if own := reply.Header.Get(ViolationsHeader); own != "" {
			v += "; " + own
		}
		reply.setHeader(ViolationsHeader, v)
	}
	if len(pref.applied) > 0 {
		reply.setHeader("Preference-Applied", strings.Join(pref.applied, ", "))
	}
	return reply
}

// note logs a line of the request path. It goes straight to the handler:
// Logger.LogAttrs would also walk the stack, on every call, for a source
// position the server's handlers do not print.
func (e *Engine) note(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	h := e.log.Handler()
	if !h.Enabled(ctx, level) {
		return
	}
	line := slog.NewRecord(time.Now(), level, msg, 0)
	line.AddAttrs(attrs...)
	_ = h.Handle(ctx, line)
}

// pickScenario chooses by X-Cocmock-Scenario, then the session's active
// scenario, then the engine's default.
func (e *Engine) pickScenario(h http.Header, sess *session) (*scenarios.Scenario, *Problem) {
	set := e.set.Load()
	name := h.Get(ScenarioHeader)
	if name == "" {
		name = sess.activeScenario()
	}
	if name == "" {
		name = e.scenario
	}
	sc, ok := set.Get(name)
	if !ok {
		return nil, &Problem{
			Status: http.StatusNotFound, Title: "Unknown scenario",
			Detail: fmt.Sprintf("no scenario is named %q", name),
			Extra:  map[string]any{"scenarios": set.Names()},
		}
	}
	return sc, nil
}

// render evaluates a reply's templates and delay. A reply with templates
// was checked at load with sample values only, so it is checked against the
// contract again now.
func (e *Engine) render(ctx context.Context, op *openapi.Operation, r *scenarios.Reply, data scenarios.Data) (Reply, *Problem) {
	header, err := r.RenderHeader(data)
	if err != nil {
		return Reply{}, templateProblem(err)
	}
	body, err := r.Body.Render(data)
	if err != nil {
		return Reply{}, templateProblem(err)
	}
	if len(body) > 0 && header.Get("Content-Type") == "" {
		header.Set("Content-Type", "application/json")
	}
	reply := Reply{Status: r.Status, Header: header, Body: body, Delay: r.Delay.Pick(scenarios.FakerOf(data).Rand), Fault: r.Fault}
	if r.Contract && r.Fault == scenarios.NoFault && r.Templated() {
		if v := e.spec.ValidateResponse(ctx, op, reply.Status, header, body); len(v) > 0 {
			reply.Violations = violationStrings(v)
			joined := joinStrings(reply.Violations)
			e.note(ctx, slog.LevelWarn, "a scenario reply breaks the contract",
				slog.String("request_id", data.RequestID), slog.String("violations", joined))
			reply.setHeader(ViolationsHeader, joined)
		}
	}
	return reply, nil
}

func templateProblem(err error) *Problem {
	return &Problem{Status: http.StatusInternalServerError, Title: "Scenario template failed", Detail: err.Error()}
}

func parseQuery(raw string) url.Values {
	if raw == "" {
		return nil
	}
	q, _ := url.ParseQuery(raw)
	return q
}

// noAPIMessage is the gateway's wording: one message for an unknown path,
// another for a known path with a method it does not publish.
func noAPIMessage(err error) string {
	if errors.Is(err, openapi.ErrNoMethod) {
		return "The API does not exist."
	}
	return scenarios.Gateway(http.StatusNotFound).Message
}
