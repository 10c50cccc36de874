package httpd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/scenarios"
)

// events streams the journal live as Server-Sent Events: one "exchange"
// event per exchange, as /__admin/requests lists it; "missed" when the
// reader fell behind and exchanges were dropped; a comment every 15 s to
// keep proxies from closing the stream. ?session= or X-Cocmock-Session
// keeps one session's, as everywhere in the sandbox API.
func (s *Server) events(c echo.Context) error {
	w, err := s.engine.Watch(sessionGiven(c))
	if errors.Is(err, mock.ErrTooManyWatchers) {
		return problem(c, http.StatusServiceUnavailable, "Too many event streams", fmt.Sprintf("at most %d watch at once", mock.MaxWatchers))
	}
	defer w.Close()
	res := c.Response()
	rc := http.NewResponseController(res.Writer)
	res.Header().Set("Content-Type", "text/event-stream")
	res.Header().Set("Cache-Control", "no-cache")
	res.WriteHeader(http.StatusOK)
	fmt.Fprint(res, ": connected\n\n")
	res.Flush()
	ping := time.NewTicker(s.streamPing)
	defer ping.Stop()
	ctx := c.Request().Context()
	for {
		var event []byte
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-ping.C:
			event = []byte(": ping\n\n")
		case x := <-w.C:
			b, err := json.Marshal(x)
			if err != nil {
				continue
			}
			if n := w.Missed(); n > 0 {
				event = fmt.Appendf(event, "event: missed\ndata: {\"missed\":%d}\n\n", n)
			}
			event = fmt.Appendf(event, "event: exchange\ndata: %s\n\n", b)
		}
		// A reader that stops reading loses the stream rather than holding
		// its writer (and a shutdown) forever. The deadline is set for
		// this write only: set before the wait, it would cut an idle
		// stream before its first ping.
		_ = rc.SetWriteDeadline(time.Now().Add(s.streamWrite))
		if _, err := res.Write(event); err != nil {
			return nil
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// info is what the dashboard shows of the server: seed, auth, validation,
// the default scenario, and the last reload's outcome.
func (s *Server) info(c echo.Context) error {
	out := map[string]any{
		"seed": s.engine.Seed(), "auth": s.cfg.AuthMode, "validation": s.engine.Validation(),
		"scenario": s.engine.ActiveScenario(""), "tls": s.cfg.CertPEM != nil,
	}
	if s.cfg.LastReload != nil {
		at, err := s.cfg.LastReload()
		if !at.IsZero() {
			last := map[string]any{"time": at, "ok": err == nil}
			if err != nil {
				last["error"] = err.Error()
				var findings scenarios.Findings
				if errors.As(err, &findings) {
					last["findings"] = findings
				}
			}
			out["last_reload"] = last
		}
	}
	return c.JSON(http.StatusOK, out)
}
