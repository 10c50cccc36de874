package httpd

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/pprof"
	"strconv"
	"strings"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/scenarios"
)

// adminRoutes registers the sandbox API (WireMock's /__admin convention).
// All of it but health, the TLS certificate and the dashboard page (not its
// data) sits behind the admin token when one is set.
func (s *Server) adminRoutes() {
	admin := s.echo.Group(AdminPrefix, s.boundedSession)
	locked := admin.Group("", s.requireToken)
	// net/http/pprof serves named profiles (heap, goroutine, …) only under
	// /debug/pprof/: the prefix is taken off first.
	unprefixed := func(h http.HandlerFunc) echo.HandlerFunc {
		return echo.WrapHandler(http.StripPrefix(AdminPrefix, h))
	}
	for _, r := range []struct {
		method, path string
		open         bool // answered without the admin token
		h            echo.HandlerFunc
	}{
		{http.MethodGet, "/health", true, s.health},
		{http.MethodGet, "/tls/cert.pem", true, s.certPEM}, // public, like any server's certificate
		{http.MethodGet, "/scenarios", false, s.listScenarios},
		{http.MethodPut, "/scenario", false, s.putScenario},
		{http.MethodGet, "/requests", false, s.listRequests},
		{http.MethodDelete, "/requests", false, s.clearRequests},
		{http.MethodGet, "/incidents", false, s.listIncidents},
		{http.MethodGet, "/incidents/:num", false, s.getIncident},
		{http.MethodPut, "/incidents/:num", false, s.putIncident},
		{http.MethodGet, "/sessions", false, s.listSessions},
		{http.MethodGet, "/coverage", false, s.coverage},
		{http.MethodPost, "/reset", false, s.reset},
		{http.MethodPost, "/reload", false, s.reload},
		{http.MethodGet, "/metrics", false, s.metrics},
		{http.MethodGet, "/events", false, s.events},
		{http.MethodGet, "/info", false, s.info},
		{http.MethodGet, "/ui", true, s.uiRedirect},
		{http.MethodGet, "/ui/", true, s.ui},
		{http.MethodGet, "/ui/:asset", true, s.uiAsset},
		// The Go profiler, for speed work on the real binary.
		{http.MethodGet, "/debug/pprof/", false, unprefixed(pprof.Index)},
		// A named profile; Index answers an unknown name (or one with more
		// segments, which :name takes whole) with its own 404.
		{http.MethodGet, "/debug/pprof/:name", false, unprefixed(pprof.Index)},
		{http.MethodGet, "/debug/pprof/cmdline", false, unprefixed(pprof.Cmdline)},
		{http.MethodGet, "/debug/pprof/profile", false, unprefixed(pprof.Profile)},
		{http.MethodGet, "/debug/pprof/symbol", false, unprefixed(pprof.Symbol)},
		{http.MethodGet, "/debug/pprof/trace", false, unprefixed(pprof.Trace)},
	} {
		if r.open {
			admin.Add(r.method, r.path, r.h)
		} else {
			locked.Add(r.method, r.path, r.h)
		}
		s.adminMethods[r.path] = append(s.adminMethods[r.path], r.method)
	}
	admin.Any("", s.adminNotFound)
	admin.Any("/*", s.adminNotFound)
}

// certPEM serves the certificate HTTPS is served with.
func (s *Server) certPEM(c echo.Context) error {
	if s.cfg.CertPEM == nil {
		return problem(c, http.StatusNotFound, "HTTPS is off", "this server has no TLS listener (start it with --tls-addr)")
	}
	return c.Blob(http.StatusOK, "application/x-pem-file", s.cfg.CertPEM)
}

// requireToken checks Authorization: Bearer <token> when a token is set.
func (s *Server) requireToken(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if s.cfg.AdminToken == "" {
			return next(c)
		}
		got, ok := strings.CutPrefix(c.Request().Header.Get("Authorization"), "Bearer ")
		if !ok || subtle.ConstantTimeCompare([]byte(got), []byte(s.cfg.AdminToken)) != 1 {
			c.Response().Header().Set("WWW-Authenticate", `Bearer realm="cocmock"`)
			return problem(c, http.StatusUnauthorized, "Admin token required",
				"the sandbox API needs Authorization: Bearer <token> (the server's --admin-token)")
		}
		return next(c)
	}
}

// session is the session a sandbox call is about: ?session= or the
// X-Cocmock-Session header ("" is the default session).
func session(c echo.Context) string {
	id, _ := sessionGiven(c)
	return id
}

// boundedSession refuses a sandbox call whose session id is longer than
// the engine keeps (mock.MaxSessionID), as the API refuses it.
func (s *Server) boundedSession(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		if id, _ := sessionGiven(c); len(id) > mock.MaxSessionID {
			return writeProblem(c, mock.SessionTooLong(len(id)))
		}
		return next(c)
	}
}

// sessionGiven is session, and whether the call named one at all.
func sessionGiven(c echo.Context) (id string, given bool) {
	if q := c.QueryParams(); q.Has("session") {
		return q.Get("session"), true
	}
	values, given := c.Request().Header[mock.SessionHeader]
	if !given || len(values) == 0 {
		return "", given
	}
	return values[0], true
}

type scenarioInfo struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	File        string `json:"file"`
	Stateful    bool   `json:"stateful"`
	Rules       int    `json:"rules"`
}

func (s *Server) listScenarios(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]any{"active": s.engine.ActiveScenario(session(c)), "scenarios": s.scenarioInfos()})
}

func (s *Server) scenarioInfos() []scenarioInfo {
	var out []scenarioInfo
	for _, sc := range s.engine.Scenarios().Scenarios() {
		out = append(out, scenarioInfo{Name: sc.Name, Description: sc.Description, File: sc.File, Stateful: sc.State != nil, Rules: len(sc.Rules)})
	}
	return out
}

func (s *Server) putScenario(c echo.Context) error {
	var body struct {
		Name string `json:"name"`
	}
	if err := decodeStrict(c, &body); err != nil {
		return err
	}
	if err := s.engine.SetScenario(session(c), body.Name); err != nil {
		if errors.Is(err, mock.ErrUnknownScenario) {
			return writeProblem(c, mock.Problem{Status: http.StatusNotFound, Title: "Unknown scenario", Detail: err.Error(),
				Extra: map[string]any{"scenarios": s.engine.Scenarios().Names()}})
		}
		return err
	}
	return c.JSON(http.StatusOK, map[string]string{"active": body.Name, "session": session(c)})
}

func (s *Server) listRequests(c echo.Context) error {
	q := c.QueryParams()
	f := mock.Filter{Operation: q.Get("operation"), IncidentNum: q.Get("incident_num"), OperateKey: q.Get("operate_key"), Rule: q.Get("rule")}
	for _, num := range []struct {
		name string
		dst  *int
	}{{"status", &f.Status}, {"limit", &f.Limit}} {
		name, dst := num.name, num.dst
		if v := q.Get(name); v != "" {
			n, err := strconv.Atoi(v)
			if err != nil || n < 0 {
				return problem(c, http.StatusBadRequest, "Bad filter", name+" must be a whole number")
			}
			*dst = n
		}
	}
	entries, total := s.engine.Requests(session(c), f)
	if entries == nil {
		entries = []mock.Exchange{}
	}
	return c.JSON(http.StatusOK, map[string]any{"count": total, "requests": entries})
}

func (s *Server) clearRequests(c echo.Context) error {
	s.engine.ClearRequests(session(c))
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listIncidents(c echo.Context) error {
	list := s.incidentViews(session(c))
	return c.JSON(http.StatusOK, map[string]any{"count": len(list), "incidents": list})
}

func (s *Server) getIncident(c echo.Context) error {
	t, ok := s.engine.Incident(session(c), c.Param("num"))
	if !ok {
		return problem(c, http.StatusNotFound, "No such incident", "no ticket "+c.Param("num")+" in this session")
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) putIncident(c echo.Context) error {
	var state mock.IncidentState
	if err := decodeStrict(c, &state); err != nil {
		return err
	}
	t, err := s.engine.PutIncident(session(c), c.Param("num"), state)
	if err != nil {
		return problem(c, http.StatusBadRequest, "Bad incident", err.Error())
	}
	return c.JSON(http.StatusOK, t)
}

func (s *Server) listSessions(c echo.Context) error {
	list := s.engine.Sessions()
	return c.JSON(http.StatusOK, map[string]any{"count": len(list), "sessions": list})
}

func (s *Server) reset(c echo.Context) error {
	cov := c.QueryParam("coverage")
	if cov != "" && cov != "true" && cov != "false" {
		return problem(c, http.StatusBadRequest, "Bad parameter", "coverage must be true or false")
	}
	switch all := c.QueryParam("all"); all {
	case "true":
		s.engine.ResetAll() // sessions, lock-outs and throttling
		if cov == "true" {
			for _, id := range s.engine.Coverage("*").Sessions {
				s.engine.ResetCoverage(id)
			}
		}
	case "", "false":
		s.engine.Reset(session(c))
		if cov == "true" {
			s.engine.ResetCoverage(session(c))
		}
	default:
		return problem(c, http.StatusBadRequest, "Bad parameter", "all must be true or false")
	}
	return c.NoContent(http.StatusNoContent)
}

// coverage answers what a session's client met of the catalogue and what
// it sent: ?session= may repeat (merged), or be * for every session;
// without one, the session of the header, or the default one.
func (s *Server) coverage(c echo.Context) error {
	ids := c.QueryParams()["session"]
	if len(ids) == 0 {
		ids = []string{session(c)}
	}
	for _, id := range ids {
		if len(id) > mock.MaxSessionID {
			return writeProblem(c, mock.SessionTooLong(len(id)))
		}
	}
	return c.JSON(http.StatusOK, s.engine.Coverage(ids...))
}

// decodeStrict reads a JSON body into v, refusing unknown fields; a failure
// has already been answered with a problem when it returns an error.
func decodeStrict(c echo.Context, v any) error {
	dec := json.NewDecoder(io.LimitReader(c.Request().Body, 1<<20))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		_ = problem(c, http.StatusBadRequest, "Bad request body", err.Error())
		return errAnswered
	}
	return nil
}

// errAnswered tells the error handler the reply was already written.
var errAnswered = errors.New("answered")

func (s *Server) metrics(c echo.Context) error {
	if s.cfg.Metrics == nil {
		return problem(c, http.StatusNotFound, "Metrics are off", "this server was built without a metrics handler")
	}
	s.cfg.Metrics.ServeHTTP(c.Response(), c.Request())
	return nil
}

// reload loads and lints the scenario files again and swaps them in; a
// broken file keeps the last good set serving.
// ErrReloadBusy is what Config.Reload returns while another reload runs;
// the sandbox API answers it with 409.
var ErrReloadBusy = errors.New("a reload is already running")

func (s *Server) reload(c echo.Context) error {
	if s.cfg.Reload == nil {
		return problem(c, http.StatusNotFound, "Reload is off", "this server has no scenario folder to reload")
	}
	if err := s.cfg.Reload(); err != nil {
		if errors.Is(err, ErrReloadBusy) {
			return problem(c, http.StatusConflict, "A reload is running", "try again when it is done")
		}
		p := mock.Problem{Status: http.StatusUnprocessableEntity, Title: "Reload refused; the last good scenarios keep serving", Detail: err.Error()}
		var findings scenarios.Findings
		if errors.As(err, &findings) {
			p.Extra = map[string]any{"findings": findings}
		}
		return writeProblem(c, p)
	}
	return c.JSON(http.StatusOK, map[string]any{"reloaded": true, "scenarios": s.engine.Scenarios().Names()})
}
