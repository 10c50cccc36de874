// Package mocktest starts the whole cocmock sandbox in-process for Go tests,
// the way net/http/httptest starts a server: on a free loopback port, with
// its URL for the client under test, and closed when the test ends.
//
//	srv := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"), mocktest.WithSeed(1))
//	client := newCOCClient(srv.URL)
//	…
//	reqs := srv.Requests(mock.Filter{OperateKey: "confirm"})
//
// It builds no metrics and watches no files, so importing it pulls neither
// Prometheus's client nor fsnotify into your build.
package mocktest

import (
	"fmt"
	"io/fs"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/coverage"
	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// Server is a running sandbox.
type Server struct {
	// URL is the base URL, http://127.0.0.1:PORT, to give the client as its
	// endpoint.
	URL string
	// Engine is the sandbox itself, for anything the helpers below lack.
	Engine *mock.Engine
	edge   *httpd.Server
	srv    *httptest.Server
}

type config struct {
	scenarioFS  fs.FS
	scenarioDir string
	engine      []mock.Option
	edge        httpd.Config
}

// Option configures NewServer.
type Option func(*config)

// WithScenario makes a scenario the default one ("default" otherwise).
func WithScenario(name string) Option {
	return func(c *config) { c.engine = append(c.engine, mock.WithScenario(name)) }
}

// WithSeed makes every random choice, fake value and request id
// reproducible. Without it the seed is 1, so that tests are deterministic.
func WithSeed(seed int64) Option {
	return func(c *config) { c.engine = append(c.engine, mock.WithSeed(seed)) }
}

// WithScenarioDir adds the scenario files of a folder to the built-in ones
// (a file overrides a built-in of the same name).
func WithScenarioDir(dir string) Option {
	return func(c *config) { c.scenarioFS, c.scenarioDir = os.DirFS(dir), dir }
}

// WithEngineOptions passes options to the engine (auth, clock, rate limit…).
func WithEngineOptions(opts ...mock.Option) Option {
	return func(c *config) { c.engine = append(c.engine, opts...) }
}

// WithEdge sets the HTTP edge's configuration (body limit, hang bound…).
func WithEdge(cfg httpd.Config) Option {
	return func(c *config) { c.edge = cfg }
}

// NewServer starts a sandbox with the embedded contract and the built-in
// scenarios; it fails the test if the sandbox cannot start, and closes it
// through t.Cleanup.
func NewServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return start(t, opts, (*httptest.Server).Start)
}

// NewTLSServer is NewServer over HTTPS, as httptest.NewTLSServer: URL is
// https://127.0.0.1:PORT, served with a certificate that Client trusts.
// HTTP/2 stays off, as in cocmock serve (faults need the raw connection).
func NewTLSServer(t testing.TB, opts ...Option) *Server {
	t.Helper()
	return start(t, opts, (*httptest.Server).StartTLS)
}

// start builds the sandbox and serves it with httptest, started by how.
func start(t testing.TB, opts []Option, how func(*httptest.Server)) *Server {
	t.Helper()
	cfg := newConfig(opts)
	eng := newEngine(t, cfg)
	edge := httpd.New(eng, cfg.edge)
	s := &Server{Engine: eng, edge: edge, srv: httptest.NewUnstartedServer(edge.Handler())}
	how(s.srv)
	s.URL = s.srv.URL
	t.Cleanup(s.Close)
	dumpOnFailure(t, eng)
	return s
}

// Client is an HTTP client for the server: for a TLS server, one that
// trusts its certificate.
func (s *Server) Client() *http.Client { return s.srv.Client() }

// NewEngine builds the sandbox's engine without a server, for tests that
// call it in plain Go (mock.Engine.Serve) or wrap it in their own edge.
func NewEngine(t testing.TB, opts ...Option) *mock.Engine {
	t.Helper()
	return newEngine(t, newConfig(opts))
}

func newConfig(opts []Option) config {
	cfg := config{engine: []mock.Option{mock.WithSeed(1)}}
	for _, opt := range opts {
		opt(&cfg)
	}
	return cfg
}

func newEngine(t testing.TB, cfg config) *mock.Engine {
	t.Helper()
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatalf("mocktest: %v", err)
	}
	sources := []scenarios.Source{{Name: "builtin", FS: scenarios.Builtin()}}
	if cfg.scenarioFS != nil {
		sources = append(sources, scenarios.Source{Name: cfg.scenarioDir, FS: cfg.scenarioFS})
	}
	// As cocmock serve does: as strictly as the engine answers.
	lenient := mock.ValidationOf(cfg.engine...).ScenarioOptions()
	set, err := scenarios.LoadWith(spec, lenient, sources...)
	if err != nil {
		t.Fatalf("mocktest: loading scenarios:\n%v", err)
	}
	for _, w := range set.Warnings() {
		t.Logf("mocktest: scenario file: %v", w)
	}
	eng, err := mock.New(spec, set, cfg.engine...)
	if err != nil {
		t.Fatalf("mocktest: %v", err)
	}
	return eng
}

// Close shuts the server down; t.Cleanup calls it, and calling it twice is
// harmless.
func (s *Server) Close() {
	s.edge.Close() // event streams end first: httptest waits for every request
	s.srv.Close()
}

// Requests returns the journal of the default session (calls without
// X-Cocmock-Session), newest first, filtered.
func (s *Server) Requests(f mock.Filter) []mock.Exchange { return s.Session("").Requests(f) }

// Detail returns an incident of the default session as the client reads it
// (ShowCocIncidentDetail's data).
func (s *Server) Detail(num string) (incident.Detail, bool) { return s.Session("").Detail(num) }

// Incident returns an incident of the default session as the sandbox
// keeps it, with its history.
func (s *Server) Incident(num string) (mock.Incident, bool) { return s.Session("").Incident(num) }

// PutIncident creates or replaces an incident of the default session in a
// given state.
func (s *Server) PutIncident(num string, st mock.IncidentState) (mock.Incident, error) {
	return s.Session("").PutIncident(num, st)
}

// AssertCalled fails t unless the default session's journal holds n
// exchanges that pass f.
func (s *Server) AssertCalled(t testing.TB, f mock.Filter, n int) {
	t.Helper()
	s.Session("").AssertCalled(t, f, n)
}

// AssertNoInvalidRequests fails t, listing them, if any request to the
// default session broke the contract.
func (s *Server) AssertNoInvalidRequests(t testing.TB) {
	t.Helper()
	s.Session("").AssertNoInvalidRequests(t)
}

// Coverage reports what the default session's client met and sent of the
// catalogue (cocmock coverage --catalogue lists it).
func (s *Server) Coverage() coverage.Report { return s.Session("").Coverage() }

// AssertCovered fails t unless the default session's client met every one
// of ids, naming each it never met and how to make cocmock produce it.
func (s *Server) AssertCovered(t testing.TB, ids ...string) {
	t.Helper()
	s.Session("").AssertCovered(t, ids...)
}

// ResetAll returns every session's incidents, counters and journal to the
// start (the other helpers act on one session).
func (s *Server) ResetAll() { s.Engine.ResetAll() }

// Session is the sandbox as one X-Cocmock-Session sees it ("" is the
// default session): give the client that header, and read its journal and
// incidents here.
func (s *Server) Session(id string) SessionView { return SessionView{engine: s.Engine, ID: id} }

// SessionView is one session of a running sandbox.
type SessionView struct {
	engine *mock.Engine
	// ID is the X-Cocmock-Session value.
	ID string
}

// Requests returns the session's journal, newest first, filtered.
func (v SessionView) Requests(f mock.Filter) []mock.Exchange {
	entries, _ := v.engine.Requests(v.ID, f)
	return entries
}

// Detail returns an incident as the client reads it.
func (v SessionView) Detail(num string) (incident.Detail, bool) {
	return v.engine.IncidentDetail(v.ID, num)
}

// Incident returns an incident as the sandbox keeps it, with its history.
func (v SessionView) Incident(num string) (mock.Incident, bool) { return v.engine.Incident(v.ID, num) }

// PutIncident creates or replaces an incident in a given state.
func (v SessionView) PutIncident(num string, st mock.IncidentState) (mock.Incident, error) {
	return v.engine.PutIncident(v.ID, num, st)
}

// Reset returns the session's incidents, counters and journal to the start.
func (v SessionView) Reset() { v.engine.Reset(v.ID) }

// AssertCalled fails t unless the session's journal holds n exchanges that
// pass f.
func (v SessionView) AssertCalled(t testing.TB, f mock.Filter, n int) {
	t.Helper()
	if _, total := v.engine.Requests(v.ID, f); total != n {
		t.Errorf("cocmock session %q: %d exchanges match %+v, want %d", v.ID, total, f, n)
	}
}

// Coverage reports what the session's client met and sent.
func (v SessionView) Coverage() coverage.Report { return v.engine.Coverage(v.ID) }

// AssertCovered fails t unless the session's client met every one of ids,
// naming each it never met and how to make cocmock produce it; an id the
// catalogue lacks fails too.
func (v SessionView) AssertCovered(t testing.TB, ids ...string) {
	t.Helper()
	r := v.Coverage()
	missing := r.Missing(ids)
	if len(missing) == 0 {
		return
	}
	var b strings.Builder
	fmt.Fprintf(&b, "cocmock session %q: the client never met %d of %d required item(s):", v.ID, len(missing), len(ids))
	for _, id := range missing {
		if how := r.How(id); how != "" {
			fmt.Fprintf(&b, "\n  %s — to meet it: %s", id, how)
		} else {
			fmt.Fprintf(&b, "\n  %s — no such item (cocmock coverage --catalogue lists them)", id)
		}
	}
	t.Errorf("%s", b.String())
}

// AssertNoInvalidRequests fails t, listing them, if any request to the
// session broke the contract.
func (v SessionView) AssertNoInvalidRequests(t testing.TB) {
	t.Helper()
	entries, _ := v.engine.Requests(v.ID, mock.Filter{})
	for _, x := range entries {
		if len(x.Violations) > 0 {
			t.Errorf("cocmock session %q: %s %s broke the contract: %s", v.ID, x.Request.Method, x.Request.Path, strings.Join(x.Violations, "; "))
		}
	}
}

// dumpOnFailure prints every session's journal when the test has failed,
// so that what the client sent is in the test's output.
func dumpOnFailure(t testing.TB, eng *mock.Engine) {
	t.Cleanup(func() {
		if !t.Failed() {
			return
		}
		for _, info := range eng.Sessions() {
			entries, total := eng.Requests(info.ID, mock.Filter{Limit: 50})
			if total == 0 {
				continue
			}
			t.Logf("cocmock journal of session %q (newest first, %d of %d):", info.ID, len(entries), total)
			for _, x := range entries {
				t.Logf("  %s %s %s → %d rule %q%s", x.Time.Format("15:04:05.000"), x.Request.Method, x.Request.Path, x.Status, x.Rule, describe(x))
			}
		}
	})
}

// describe adds to a journal line what a reader of a failed test needs.
func describe(x mock.Exchange) string {
	var b strings.Builder
	if x.IncidentNum != "" {
		fmt.Fprintf(&b, " incident %s", x.IncidentNum)
	}
	if x.OperateKey != "" {
		fmt.Fprintf(&b, " %s", x.OperateKey)
	}
	if len(x.Violations) > 0 {
		fmt.Fprintf(&b, " violations: %s", strings.Join(x.Violations, "; "))
	}
	for _, n := range x.NearMisses {
		fmt.Fprintf(&b, "\n      near miss: %s", n)
	}
	return b.String()
}
