// Package httpd is cocmock's HTTP edge: Echo middleware, the sandbox's own
// routes under /__admin, and the translation of the engine's replies (delays
// and network faults included) to the wire. Echo is imported nowhere else.
package httpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/mock"
)

// AdminPrefix is where the sandbox's own API lives (WireMock's convention).
const AdminPrefix = "/__admin"

// Config holds the edge's settings.
type Config struct {
	// MaxBody is the largest request body taken, in bytes; larger ones get
	// the gateway's 413. Zero means DefaultMaxBody.
	MaxBody int64
	// MaxHang bounds the "hang" fault and a reply's delay. Zero means
	// DefaultMaxHang.
	MaxHang time.Duration
	// Logger receives the server's log, and the access log unless
	// AccessLog is set.
	Logger *slog.Logger
	// AccessLog, when set, writes the access log instead of Logger, in the
	// same format (see AccessLog); its writer should be Logger's.
	AccessLog *AccessLog
	// AdminToken, when set, locks the sandbox API behind Authorization:
	// Bearer <token>: all of /__admin but health, the TLS certificate and
	// the dashboard page (its data is locked).
	AdminToken string
	// Metrics, when set, is served at /__admin/metrics.
	Metrics http.Handler
	// Reload, when set, is run by POST /__admin/reload: it loads and lints
	// the scenario files again and swaps the new set in. A returned
	// scenarios.Findings is listed in the problem reply.
	Reload func() error
	// ReadTimeout bounds how long a client may take to send a request,
	// body included; the connection is closed then. Zero means
	// DefaultReadTimeout.
	ReadTimeout time.Duration
	// MaxConns bounds the connections served at once (Listener). Zero means
	// DefaultMaxConns.
	MaxConns int
	// BodyBytes bounds the bytes of large request bodies (over
	// smallBody, or of unknown length) being read at once: each chunk is
	// charged as it arrives, so bytes announced but not sent hold none, and
	// a chunk waits for room within ReadTimeout. The body is given back
	// once the engine has read it (a delayed reply holds none). Zero means
	// DefaultBodyBytes.
	BodyBytes int64
	// CertPEM, when set, is the certificate HTTPS is served with, served
	// at /__admin/tls/cert.pem so that a client can trust it.
	CertPEM []byte
	// AuthMode names the gateway's authentication, for /__admin/info.
	AuthMode string
	// LastReload, when set, tells when the scenario files were last
	// reloaded and how it went, for /__admin/info.
	LastReload func() (time.Time, error)
	// AllowedHosts are the Host names (without port) the sandbox API and
	// the dashboard answer for, besides the loopback names (localhost,
	// 127.0.0.1, ::1): the listen addresses' hosts and --allowed-host. A
	// page that rebinds a name of its own to 127.0.0.1 sends its own Host,
	// and is refused.
	AllowedHosts []string
	// Pprof serves the Go profiler under /__admin/debug/pprof/ (off by
	// default: it shows the process's internals).
	Pprof bool
	// ListWriteTimeout bounds each write of a sandbox list (journal,
	// incidents, sessions); 0 is DefaultListWriteTimeout.
	ListWriteTimeout time.Duration
}

// StatusClientClosed is logged for requests whose client left before the
// reply (nginx's convention); it is never sent.
const StatusClientClosed = 499

// Defaults of Config.
const (
	DefaultMaxBody     = 1 << 20
	DefaultMaxHang     = 5 * time.Minute
	DefaultReadTimeout = 30 * time.Second
	DefaultMaxConns    = 1024
	DefaultBodyBytes   = 64 << 20
)

// smallBody is the largest announced body read into a buffer of its size
// at once; larger ones (and bodies of unknown length) grow as bytes arrive
// and take room in the BodyBytes budget.
const smallBody = 16 << 10

// Server is the HTTP face of an engine.
type Server struct {
	engine *mock.Engine
	cfg    Config
	echo   *echo.Echo
	// bodies is the BodyBytes budget of large bodies being read or handled
	// by the engine (not while a delayed reply waits), charged for the
	// bytes as they arrive.
	bodies *byteBudget
	// adminMethods lists each sandbox API path's methods, for 405s.
	adminMethods map[string][]string
	// closing is closed when the HTTP server shuts down, so that event
	// streams end instead of holding the shutdown.
	closing     chan struct{}
	closingOnce sync.Once
	// streamPing is how often an idle event stream gets a comment, and
	// streamWrite how long one event may take to reach its reader.
	streamPing, streamWrite time.Duration
	// exchanges pools the access log's exchangeContexts: at most one per
	// request in flight is out of it.
	exchanges sync.Pool
	// served counts the requests that reached the edge (Served).
	served atomic.Int64
}

// New builds the edge around an engine; all routes are set up here.
func New(engine *mock.Engine, cfg Config) *Server {
	if cfg.MaxBody <= 0 {
		cfg.MaxBody = DefaultMaxBody
	}
	if cfg.MaxHang <= 0 {
		cfg.MaxHang = DefaultMaxHang
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = DefaultReadTimeout
	}
	if cfg.MaxConns <= 0 {
		cfg.MaxConns = DefaultMaxConns
	}
	if cfg.BodyBytes <= 0 {
		cfg.BodyBytes = DefaultBodyBytes
	}
	if cfg.ListWriteTimeout <= 0 {
		cfg.ListWriteTimeout = DefaultListWriteTimeout
	}
	s := &Server{engine: engine, cfg: cfg, echo: echo.New(), bodies: newByteBudget(max(cfg.BodyBytes, cfg.MaxBody)), adminMethods: map[string][]string{}, closing: make(chan struct{}),
		streamPing: 15 * time.Second, streamWrite: 10 * time.Second}
	s.exchanges.New = func() any { return new(exchangeContext) }
	e := s.echo
	e.HideBanner, e.HidePort = true, true
	// The per-address rate limit keys on the peer's address: headers such
	// as X-Forwarded-For are the client's to invent.
	e.IPExtractor = echo.ExtractIPDirect()
	e.HTTPErrorHandler = s.handleError
	e.Use(s.edge)

	s.adminRoutes()
	// The root is no API path of COC's: it points a person to the
	// dashboard and the docs (the gateway would answer 404 APIGW.0101).
	e.GET("/", s.root)
	e.Any("/*", s.handleMock)
	e.RouteNotFound("/*", s.handleMock)
	return s
}

// root answers GET /: where the dashboard, the sandbox API and the docs
// are, as a link a browser follows and as JSON a script reads.
func (s *Server) root(c echo.Context) error {
	if strings.Contains(c.Request().Header.Get("Accept"), "text/html") {
		return c.HTML(http.StatusOK, rootPage)
	}
	return c.JSONBlob(http.StatusOK, []byte(rootJSON))
}

const (
	rootJSON = `{"service":"cocmock","dashboard":"/__admin/ui/","health":"/__admin/health","journal":"/__admin/requests",` +
		`"docs":"docs/README.md in the cocmock repository","api":"POST /v1/external/incident/handle and the rest of the COC incident API"}`
	rootPage = `<!doctype html><html lang="en"><meta charset="utf-8"><title>cocmock</title>` +
		`<h1>cocmock</h1><p>A sandbox of Huawei Cloud COC's incident API. Point your client here; ` +
		`see what it sent in <a href="/__admin/ui/">the dashboard</a>. ` +
		`Health: <a href="/__admin/health">/__admin/health</a>; the journal: <a href="/__admin/requests">/__admin/requests</a>. ` +
		`Documentation: docs/README.md in the cocmock repository.</p></html>`
)

// Served is how many requests the simulated API has had (the sandbox
// API's probes and scrapes are not counted: they do not make load).
func (s *Server) Served() int64 { return s.served.Load() }

// Handler is the server's http.Handler.
func (s *Server) Handler() http.Handler { return s.echo }

// HTTPServer wraps the handler in a net/http server with the timeouts a
// long-running mock needs: a client that sends its request slower than
// ReadTimeout, body included, loses its connection.
func (s *Server) HTTPServer(addr string) *http.Server {
	srv := &http.Server{
		Addr:              addr,
		Handler:           s.echo,
		ReadHeaderTimeout: min(10*time.Second, s.cfg.ReadTimeout),
		ReadTimeout:       s.cfg.ReadTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    1 << 20,
		ErrorLog:          slog.NewLogLogger(s.cfg.Logger.Handler(), slog.LevelWarn),
		// HTTP/1.1 only, over TLS too: the faults (reset, empty,
		// malformed) need the raw connection.
		TLSNextProto: map[string]func(*http.Server, *tls.Conn, http.Handler){},
		// The listener (Listener) reclaims idle connections and keeps
		// a reserve for the sandbox API: it needs to know which is which.
		ConnState:   connState,
		ConnContext: connContext,
	}
	srv.RegisterOnShutdown(s.Close)
	return srv
}

// Close ends the event streams; HTTPServer's Shutdown calls it. Call it
// before closing a server that serves Handler otherwise (httptest).
func (s *Server) Close() { s.closingOnce.Do(func() { close(s.closing) }) }

// edge is the one middleware every request passes (Echo wraps each
// request's handler anew: one closure costs less than three). It gives the
// reply its X-Request-Id, as the real gateway does; turns a handler's panic
// into a 500 (recovering); and writes the access line: at info for the
// simulated API and the sandbox API, at debug for probes (health,
// metrics), so that a scraper does not drown the log.
func (s *Server) edge(next echo.HandlerFunc) echo.HandlerFunc {
	return func(c echo.Context) error {
		r := c.Request()
		id := s.engine.NewRequestID
		if isAdmin(r.URL.Path) {
			id = s.engine.NewAdminRequestID
		}
		rid := id()
		c.Response().Header().Set(echo.HeaderXRequestID, rid)
		if onReserve(r) && !isAdmin(r.URL.Path) {
			// Every slot is busy: the reserve is for the sandbox API.
			c.Response().Header().Set(echo.HeaderConnection, "close")
			return s.write(c, mock.GatewayError(http.StatusServiceUnavailable, rid))
		}
		level := slog.LevelInfo
		if r.URL.Path == AdminPrefix+"/health" || r.URL.Path == AdminPrefix+"/metrics" {
			level = slog.LevelDebug
		}
		if !s.logsAccess(r.Context(), level) {
			if err := s.recovering(c, next); err != nil {
				c.Error(err)
			}
			return nil
		}
		return s.logAccess(c, next, level, rid)
	}
}

// recovering runs next, turning a panic into the error it carries
// (handleError answers it 500), the panicking goroutine's stack in the
// log. http.ErrAbortHandler goes on up: net/http aborts the reply.
func (s *Server) recovering(c echo.Context, next echo.HandlerFunc) (err error) {
	defer func() {
		r := recover()
		if r == nil {
			return
		}
		if r == http.ErrAbortHandler {
			panic(r)
		}
		var ok bool
		if err, ok = r.(error); !ok {
			err = fmt.Errorf("%v", r)
		}
		s.cfg.Logger.LogAttrs(c.Request().Context(), slog.LevelError, "handler panicked",
			slog.String("path", c.Request().URL.Path), slog.String("error", err.Error()), slog.String("stack", string(debug.Stack())))
		err = panicked{err}
	}()
	return next(c)
}

// panicked is a handler's panic, already logged with its stack where it was
// recovered: the error handler answers it without logging it again.
type panicked struct{ error }

func (p panicked) Unwrap() error { return p.error }

// logAccess serves the request through next and writes its access line.
func (s *Server) logAccess(c echo.Context, next echo.HandlerFunc, level slog.Level, requestID string) error {
	start := time.Now()
	xc := s.exchanges.Get().(*exchangeContext)
	*xc = exchangeContext{Context: c}
	if err := s.recovering(xc, next); err != nil {
		c.Error(err)
	}
	r := c.Request()
	now := time.Now() // the line's time, and the end of its duration
	var fields [11]field
	line := append(fields[:0],
		stringField("request_id", requestID),
		stringField("method", r.Method),
		stringField("path", r.URL.Path),
		intField("status", int64(c.Response().Status)),
		floatField("duration_ms", float64(now.Sub(start).Microseconds())/1000),
	)
	if reply := &xc.reply; xc.answered {
		line = append(line, stringField("session", reply.Session),
			stringField("scenario", reply.Scenario), stringField("rule", reply.Rule))
		if reply.IncidentNum != "" {
			line = append(line, stringField("incident_num", reply.IncidentNum))
		}
		if reply.OperateKey != "" {
			line = append(line, stringField("operate_key", reply.OperateKey))
		}
		if reply.Fault != mock.NoFault {
			line = append(line, stringField("fault", string(reply.Fault)))
		}
	}
	*xc = exchangeContext{} // the pool keeps no request's data
	s.exchanges.Put(xc)
	if s.cfg.AccessLog != nil {
		s.cfg.AccessLog.write(now, level, "request", line)
		return nil
	}
	rec := slog.NewRecord(now, level, "request", 0)
	for _, f := range line {
		rec.AddAttrs(f.attr())
	}
	_ = s.cfg.Logger.Handler().Handle(r.Context(), rec)
	return nil
}

// exchangeContext is a request's Echo context as the access log hands it
// on: the mock handler leaves the engine's reply in it for the line. The
// access log takes them from a pool (Server.exchanges) and clears them
// before it gives them back, so that a line costs the heap nothing; a
// handler must not keep its context past its return (Echo pools its own
// the same way).
type exchangeContext struct {
	echo.Context
	reply    mock.Reply
	answered bool
}

// logsAccess reports whether access lines at level are written.
func (s *Server) logsAccess(ctx context.Context, level slog.Level) bool {
	if s.cfg.AccessLog != nil {
		return s.cfg.AccessLog.Enabled(level)
	}
	return s.cfg.Logger.Enabled(ctx, level)
}

// handleMock reads the request, asks the engine, and writes its reply.
func (s *Server) handleMock(c echo.Context) error {
	s.served.Add(1)
	r := c.Request()
	// A large body takes room in the BodyBytes budget for its bytes as
	// they arrive (what a client announces costs it nothing it does not
	// send), waiting within the read timeout, and gives it back once the
	// engine has it: a delayed or hanging reply holds no room.
	var held int64
	release := func() {
		s.bodies.give(held)
		held = 0
	}
	defer release()
	body, oversize, err := s.readBody(c.Response(), r, &held)
	if errors.Is(err, errNoRoom) {
		// The rest of the body is unread: the connection cannot be reused.
		c.Response().Header().Set(echo.HeaderConnection, "close")
		return s.write(c, mock.GatewayError(http.StatusServiceUnavailable, c.Response().Header().Get(echo.HeaderXRequestID)))
	}
	if err != nil {
		return abandon(c) // the client went away, or was too slow, mid-body
	}
	reply := s.engine.Serve(r.Context(), mock.Request{
		ID:         c.Response().Header().Get(echo.HeaderXRequestID),
		Method:     r.Method,
		Path:       r.URL.Path,
		RawQuery:   r.URL.RawQuery,
		Header:     r.Header,
		Body:       body,
		Host:       r.Host,
		ClientAddr: c.RealIP(),
		Oversize:   oversize,
	})
	release()
	if xc, ok := c.(*exchangeContext); ok { // for the access line
		xc.reply, xc.answered = reply, true
	}
	return s.write(c, reply)
}

// readBody reads a request body of at most MaxBody bytes. A small
// announced body is read into a buffer of its size; a larger one (or one
// of unknown length) grows as bytes arrive, each read taking its bytes
// from the BodyBytes budget first (held counts them; the buffer's spare
// room is not counted), so that 64 senders that announce 500 KB and send
// one byte hold 64 bytes, not the budget. A body that already holds
// bytes waits for more room only briefly (holderWait): bodies half read,
// each waiting for the others to finish, would otherwise all wait out
// the read timeout together.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request, held *int64) (body []byte, oversize bool, err error) {
	limit := s.cfg.MaxBody
	switch {
	case r.ContentLength > limit:
		return nil, true, nil
	case r.ContentLength == 0:
		return nil, false, nil
	case r.ContentLength <= smallBody && r.ContentLength > 0:
		body = make([]byte, r.ContentLength)
		_, err = io.ReadFull(r.Body, body)
		return body, false, err
	}
	in := http.MaxBytesReader(w, r.Body, limit)
	for {
		body = slices.Grow(body, smallBody)
		n, err := in.Read(body[len(body):cap(body)])
		if n > 0 {
			wait := s.cfg.ReadTimeout
			if *held > 0 {
				wait = min(wait, holderWait)
			}
			if !s.bodies.take(r.Context(), int64(n), wait) {
				return nil, false, errNoRoom
			}
			*held += int64(n)
			body = body[:len(body)+n]
		}
		if err != nil {
			if tooBig := (*http.MaxBytesError)(nil); errors.As(err, &tooBig) {
				return nil, true, nil
			}
			if err == io.EOF {
				return body, false, nil
			}
			return nil, false, err
		}
	}
}

// holderWait is how long a body that holds bytes of the budget waits for
// room for more before it is refused.
const holderWait = time.Second

// errNoRoom is readBody's error when the BodyBytes budget had no room in
// time: the client gets the gateway's 503.
var errNoRoom = errors.New("no room for the body in time")

// byteBudget is a number of bytes that readers take and give back,
// waiting for room.
type byteBudget struct {
	mu      sync.Mutex
	free    int64
	changed chan struct{} // closed (and replaced) when bytes are given back
}

func newByteBudget(n int64) *byteBudget {
	return &byteBudget{free: n, changed: make(chan struct{})}
}

// take takes n bytes, waiting up to timeout (or until ctx ends) for room;
// false when it ran out.
func (b *byteBudget) take(ctx context.Context, n int64, timeout time.Duration) bool {
	var timer *time.Timer
	for {
		b.mu.Lock()
		if b.free >= n {
			b.free -= n
			b.mu.Unlock()
			if timer != nil {
				timer.Stop()
			}
			return true
		}
		changed := b.changed
		b.mu.Unlock()
		if timer == nil {
			timer = time.NewTimer(timeout) // only when there is a wait
			defer timer.Stop()
		}
		select {
		case <-changed:
		case <-timer.C:
			return false
		case <-ctx.Done():
			return false
		}
	}
}

// give gives n bytes back and wakes those waiting.
func (b *byteBudget) give(n int64) {
	if n == 0 {
		return
	}
	b.mu.Lock()
	b.free += n
	close(b.changed)
	b.changed = make(chan struct{})
	b.mu.Unlock()
}

// write waits out the reply's delay, then sends it or its fault.
func (s *Server) write(c echo.Context, reply mock.Reply) error {
	ctx := c.Request().Context()
	if reply.Delay > 0 {
		// A delay is held no longer than a hang: --max-hang bounds both.
		if err := wait(ctx, min(reply.Delay, s.cfg.MaxHang)); err != nil {
			return abandon(c)
		}
	}
	if reply.Fault != mock.NoFault {
		return s.fault(c, reply)
	}
	h := c.Response().Header()
	for k, v := range reply.Header {
		h[k] = v
	}
	h.Set(echo.HeaderContentLength, strconv.Itoa(len(reply.Body)))
	c.Response().WriteHeader(reply.Status)
	_, err := c.Response().Write(reply.Body)
	return err
}

// abandon ends an exchange whose wait was cut, because the client left or
// the server is shutting down: the connection closes without a reply (an
// empty 200 would be a lie), and the access log shows nginx's 499 "client
// closed request".
func abandon(c echo.Context) error {
	c.Response().Status = StatusClientClosed
	conn, _, err := http.NewResponseController(c.Response().Writer).Hijack()
	if err != nil {
		panic(http.ErrAbortHandler) // no raw connection: let net/http drop it
	}
	c.Response().Committed = true
	_ = conn.Close()
	return nil
}

// wait blocks for d or until ctx ends.
func wait(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (s *Server) health(c echo.Context) error {
	return c.JSON(http.StatusOK, map[string]string{"status": "ok", "validation": string(s.engine.Validation())})
}

// adminNotFound answers a sandbox call that has no route: 405 with Allow
// when the path is known with other methods, else 404.
func (s *Server) adminNotFound(c echo.Context) error {
	path := strings.TrimPrefix(c.Request().URL.Path, AdminPrefix)
	for pattern, methods := range s.adminMethods {
		if pathMatches(pattern, path) {
			c.Response().Header().Set("Allow", strings.Join(methods, ", "))
			return problem(c, http.StatusMethodNotAllowed, "Method not allowed",
				c.Request().Method+" "+c.Request().URL.Path+": the sandbox API takes "+strings.Join(methods, ", ")+" there")
		}
	}
	return problem(c, http.StatusNotFound, "No such sandbox call",
		c.Request().Method+" "+c.Request().URL.Path+" is not part of the sandbox API")
}

// pathMatches matches an Echo route pattern (":name" segments) to a path.
func pathMatches(pattern, path string) bool {
	ps, qs := strings.Split(pattern, "/"), strings.Split(path, "/")
	if len(ps) != len(qs) {
		return false
	}
	for i, p := range ps {
		if !strings.HasPrefix(p, ":") && p != qs[i] || strings.HasPrefix(p, ":") && qs[i] == "" {
			return false
		}
	}
	return true
}

// handleError turns errors that escape a handler (panics, Echo's own) into
// replies: problem+json for the sandbox API, the gateway's shape otherwise.
func (s *Server) handleError(err error, c echo.Context) {
	if c.Response().Committed || errors.Is(err, errAnswered) {
		return
	}
	status := http.StatusInternalServerError
	var he *echo.HTTPError
	if errors.As(err, &he) {
		status = he.Code
	}
	if !errors.As(err, new(panicked)) {
		s.cfg.Logger.LogAttrs(c.Request().Context(), slog.LevelError, "request failed",
			slog.String("path", c.Request().URL.Path), slog.String("error", err.Error()))
	}
	if isAdmin(c.Request().URL.Path) {
		_ = problem(c, status, http.StatusText(status), err.Error())
		return
	}
	id := c.Response().Header().Get(echo.HeaderXRequestID)
	_ = s.write(c, mock.GatewayError(status, id))
}

func isAdmin(path string) bool {
	return path == AdminPrefix || strings.HasPrefix(path, AdminPrefix+"/")
}
