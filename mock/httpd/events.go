package httpd

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/mock"
)

// events streams the journal live as Server-Sent Events: one "exchange"
// event per exchange, as /__admin/requests lists it; "missed" when the
// reader fell behind and exchanges were dropped; a comment every 15 s to
// keep proxies from closing the stream. ?session= keeps one session's.
func (s *Server) events(c echo.Context) error {
	q := c.QueryParams()
	w, err := s.engine.Watch(q.Get("session"), q.Has("session"))
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
	ping := time.NewTicker(15 * time.Second)
	defer ping.Stop()
	ctx := c.Request().Context()
	for {
		// A reader that stops reading loses the stream rather than holding
		// its writer (and a shutdown) forever.
		_ = rc.SetWriteDeadline(time.Now().Add(streamWriteTimeout))
		select {
		case <-ctx.Done():
			return nil
		case <-s.closing:
			return nil
		case <-ping.C:
			fmt.Fprint(res, ": ping\n\n")
		case x := <-w.C:
			b, err := json.Marshal(x)
			if err != nil {
				continue
			}
			if n := w.Missed(); n > 0 {
				fmt.Fprintf(res, "event: missed\ndata: {\"missed\":%d}\n\n", n)
			}
			fmt.Fprintf(res, "event: exchange\ndata: %s\n\n", b)
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}

// streamWriteTimeout is how long one event may take to reach a reader.
const streamWriteTimeout = 10 * time.Second

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
				var findings interface{ Error() string }
				if errors.As(err, &findings) {
					last["findings"] = findings
				}
			}
			out["last_reload"] = last
		}
	}
	return c.JSON(http.StatusOK, out)
}
