package httpd

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/labstack/echo/v4"
)

// panicking serves s with two more routes: /boom panics with a string,
// /abort with http.ErrAbortHandler.
func panicking(t *testing.T, s *Server) string {
	t.Helper()
	s.echo.GET("/boom", func(echo.Context) error { panic("boom") })
	s.echo.GET("/abort", func(echo.Context) error { panic(http.ErrAbortHandler) })
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(srv.Close)
	return srv.URL
}

// get GETs url and returns its status and request id.
func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode, resp.Header.Get(echo.HeaderXRequestID)
}

// A handler that panics is answered 500 in the sandbox's own error, with
// its request id, and the panic is in the log, as is its access line; the
// server goes on serving.
func TestAPanickingHandlerIsAnswered500AndLogged(t *testing.T) {
	var logs LogBuffer
	log, access := NewLogs(&logs, true, slog.LevelInfo)
	url := panicking(t, New(newEngine(t), Config{AccessLog: access, Logger: log}))

	status, id := get(t, url+"/boom")
	if status != http.StatusInternalServerError || id == "" {
		t.Fatalf("status %d, request id %q", status, id)
	}
	var stacked, accessed bool
	for _, e := range logs.JSONLines() {
		if e["msg"] == "request failed" {
			t.Fatalf("the panic is logged twice: %v", e)
		}
		stack, _ := e["stack"].(string)
		stacked = stacked || (e["msg"] == "handler panicked" && e["error"] == "boom" && e["path"] == "/boom" &&
			strings.Contains(stack, "httpd.panicking"))
		accessed = accessed || (e["msg"] == "request" && e["request_id"] == id && e["status"] == float64(500))
	}
	if !stacked || !accessed {
		t.Fatalf("the panic and its stack logged: %v, its access line: %v\n%v", stacked, accessed, logs.JSONLines())
	}
	if status, _ := get(t, url+"/__admin/health"); status != 200 {
		t.Fatalf("after the panic: status %d", status)
	}
}

// With the access log off the panic is answered all the same; a handler
// that panics with http.ErrAbortHandler aborts its reply, as net/http does.
func TestAPanicIsAnsweredWithoutTheAccessLogAndAnAbortAborts(t *testing.T) {
	url := panicking(t, New(newEngine(t), Config{}))
	if status, _ := get(t, url+"/boom"); status != http.StatusInternalServerError {
		t.Fatalf("status %d", status)
	}
	if resp, err := http.Get(url + "/abort"); err == nil {
		resp.Body.Close()
		t.Fatalf("an aborted reply arrived: status %d", resp.StatusCode)
	}
}
