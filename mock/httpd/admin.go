package httpd

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/pprof"
	"net/url"
	"os"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/internal/textcut"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/scenarios"
)

// adminRoutes registers the sandbox API (WireMock's /__admin convention).
// All of it but health, the TLS certificate and the dashboard page (not its
// data) sits behind the admin token when one is set.
func (s *Server) adminRoutes() {
	admin := s.echo.Group(AdminPrefix, s.allowedHost, s.sameSite, s.boundedSession)
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
	} {
		if r.open {
			admin.Add(r.method, r.path, r.h)
		} else {
			locked.Add(r.method, r.path, r.h)
		}
		s.adminMethods[r.path] = append(s.adminMethods[r.path], r.method)
	}
	// The Go profiler, for speed work on the real binary: with --pprof
	// only, behind the token, and its cmdline without the flags' secrets.
	if s.cfg.Pprof {
		for path, h := range map[string]echo.HandlerFunc{
			"/debug/pprof/": unprefixed(pprof.Index),
			// A named profile; Index answers an unknown name (or one with
			// more segments, which :name takes whole) with its own 404.
			"/debug/pprof/:name":   unprefixed(pprof.Index),
			"/debug/pprof/cmdline": s.cmdline,
			"/debug/pprof/profile": unprefixed(pprof.Profile),
			"/debug/pprof/symbol":  unprefixed(pprof.Symbol),
			"/debug/pprof/trace":   unprefixed(pprof.Trace),
		} {
			locked.Add(http.MethodGet, path, h)
			s.adminMethods[path] = append(s.adminMethods[path], http.MethodGet)
		}
	}
	admin.Any("", s.adminNotFound)
	admin.Any("/*", s.adminNotFound)
}

// secretFlags are the flags whose values the profiler's cmdline hides.
var secretFlags = []string{"sk", "admin-token", "token", "upstream-sk"}

// cmdline is pprof's cmdline, with the values of secret flags redacted.
func (s *Server) cmdline(c echo.Context) error {
	args := slices.Clone(os.Args)
	for i := 0; i < len(args); i++ {
		name, value, hasValue := strings.Cut(strings.TrimLeft(args[i], "-"), "=")
		if !strings.HasPrefix(args[i], "-") || !slices.Contains(secretFlags, name) {
			continue
		}
		if hasValue {
			args[i] = args[i][:len(args[i])-len(value)] + "[redacted]"
		} else if i+1 < len(args) {
			args[i+1] = "[redacted]"
			i++
		}
	}
	c.Response().Header().Set("X-Content-Type-Options", "nosniff")
	return c.String(http.StatusOK, strings.Join(args, "\x00"))
}

// allowedHost answers the sandbox API and the dashboard only for a Host
// it knows (DNS rebinding: a page that points a name of its own at
// 127.0.0.1 sends that name).
func (s *Server) allowedHost(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		host := c.Request().Host
		if h, _, err := net.SplitHostPort(host); err == nil {
			host = h
		}
		host = strings.Trim(strings.ToLower(host), "[]")
		if slices.Contains(loopbackNames, host) || slices.Contains(s.cfg.AllowedHosts, host) {
			return next(c)
		}
		return problem(c, http.StatusForbidden, "Host not allowed",
			fmt.Sprintf("the sandbox API answers for localhost, 127.0.0.1, ::1 and its listen address; start it with --allowed-host %s to add this one", textcut.Cut(host, 64)))
	}
}

var loopbackNames = []string{"localhost", "127.0.0.1", "::1"}

// sameSite refuses a state-changing sandbox call a web page could make
// cross-site: one its browser marks cross-site (Sec-Fetch-Site) or whose
// Origin is another site, and one without a JSON content type or the
// X-Cocmock-Admin header (a page can send neither cross-site without a
// preflight, which the sandbox never grants). Reads stay open.
func (s *Server) sameSite(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		switch r.Method {
		case http.MethodPost, http.MethodPut, http.MethodDelete: // the calls that change the sandbox
		default:
			return next(c) // reads, and methods no call takes (405 says so)
		}
		switch r.Header.Get("Sec-Fetch-Site") {
		case "", "same-origin", "none":
		default:
			return problem(c, http.StatusForbidden, "Cross-site call refused", "a web page of another site may not change the sandbox")
		}
		if origin := r.Header.Get("Origin"); origin != "" {
			if u, err := url.Parse(origin); err != nil || !s.sameHost(u.Host, r.Host) {
				return problem(c, http.StatusForbidden, "Cross-site call refused", "the call's Origin is another site")
			}
		}
		ctype, _, _ := strings.Cut(r.Header.Get("Content-Type"), ";")
		if strings.TrimSpace(strings.ToLower(ctype)) != "application/json" && r.Header.Get(AdminHeader) == "" {
			return problem(c, http.StatusForbidden, "Sandbox call refused",
				"a call that changes the sandbox needs Content-Type: application/json or an "+AdminHeader+" header (curl: -H 'Content-Type: application/json'), which a web page of another site cannot send")
		}
		return next(c)
	}
}

// AdminHeader marks a sandbox call as a script's, not a web page's.
const AdminHeader = "X-Cocmock-Admin"

func (s *Server) sameHost(origin, host string) bool {
	return strings.EqualFold(origin, host)
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
	f.Before = q.Get("before")
	entries, total := s.engine.Requests(session(c), f)
	next := ""
	if f.Limit > 0 && total > len(entries) && len(entries) > 0 {
		next = entries[len(entries)-1].RequestID
	}
	return s.streamList(c, total, "requests", entries, next)
}

// DefaultListWriteTimeout bounds each write of a streamed list: a client
// that stops reading loses the connection instead of pinning the list.
const DefaultListWriteTimeout = 10 * time.Second

// streamList writes {"count":…,"<key>":[…],"next":…} one item at a time,
// each encoded on its own, so that a list costs one item's encoding in
// memory rather than the whole reply's (a full journal was 229 MB), with a
// deadline on each write.
func (s *Server) streamList(c echo.Context, count int, key string, items any, next string) error {
	return streamList(c, s.cfg.ListWriteTimeout, count, key, items, next)
}

func streamList(c echo.Context, timeout time.Duration, count int, key string, items any, next string) error {
	w := c.Response()
	rc := http.NewResponseController(w.Writer)
	w.Header().Set(echo.HeaderContentType, echo.MIMEApplicationJSON)
	w.WriteHeader(http.StatusOK)
	write := func(b []byte) error {
		_ = rc.SetWriteDeadline(time.Now().Add(timeout))
		_, err := w.Write(b)
		return err
	}
	if err := write([]byte(`{"count":` + strconv.Itoa(count) + `,"` + key + `":[`)); err != nil {
		return nil // the client is gone; there is no one to answer
	}
	list := reflect.ValueOf(items)
	for i := range list.Len() {
		b, err := json.Marshal(list.Index(i).Interface())
		if err != nil {
			return nil
		}
		if i > 0 {
			b = append([]byte{','}, b...)
		}
		if err := write(b); err != nil {
			return nil
		}
	}
	tail := "]"
	if next != "" {
		n, _ := json.Marshal(next)
		tail += `,"next":` + string(n)
	}
	_ = write([]byte(tail + "}\n"))
	_ = rc.SetWriteDeadline(time.Time{})
	return nil
}

func (s *Server) clearRequests(c echo.Context) error {
	s.engine.ClearRequests(session(c))
	return c.NoContent(http.StatusNoContent)
}

func (s *Server) listIncidents(c echo.Context) error {
	list := s.incidentViews(session(c))
	return s.streamList(c, len(list), "incidents", list, "")
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
	return s.streamList(c, len(list), "sessions", list, "")
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
