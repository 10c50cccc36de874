package httpd_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
)

func post(ctx context.Context, client *http.Client, url, incident string) (*http.Response, error) {
	body := `{"incident_num":"` + incident + `","operator":"u","operate_key":"acceptedIncident1"}`
	req, err := http.NewRequestWithContext(ctx, "POST", url+handlePath, strings.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	return client.Do(req)
}

// freshClient never reuses a connection, so that a fault on one request
// cannot be blamed on another.
func freshClient(timeout time.Duration) *http.Client {
	return &http.Client{Timeout: timeout, Transport: &http.Transport{DisableKeepAlives: true}}
}

func TestFaultsOnARealConnection(t *testing.T) {
	srv := newServer(t, httpd.Config{MaxHang: 2 * time.Second})
	t.Run("reset: the client sees a connection reset", func(t *testing.T) {
		_, err := post(context.Background(), freshClient(5*time.Second), srv.URL, "IM1-RESET")
		if !errors.Is(err, syscall.ECONNRESET) {
			t.Fatalf("err %v, want ECONNRESET", err)
		}
	})
	t.Run("empty: the server closes without a byte", func(t *testing.T) {
		_, err := post(context.Background(), freshClient(5*time.Second), srv.URL, "IM1-EMPTY")
		if err == nil || !(errors.Is(err, io.EOF) || strings.Contains(err.Error(), "EOF")) {
			t.Fatalf("err %v, want EOF", err)
		}
	})
	t.Run("malformed: the body ends before its Content-Length", func(t *testing.T) {
		resp, err := post(context.Background(), freshClient(5*time.Second), srv.URL, "IM1-MALFORMED")
		if err != nil {
			t.Fatalf("headers should arrive: %v", err)
		}
		defer resp.Body.Close()
		if resp.StatusCode != 200 || !hex32.MatchString(resp.Header.Get("X-Request-Id")) {
			t.Fatalf("status %d id %q", resp.StatusCode, resp.Header.Get("X-Request-Id"))
		}
		if _, err := io.ReadAll(resp.Body); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Fatalf("reading the body: %v, want unexpected EOF", err)
		}
	})
	t.Run("hang: no reply until the client gives up", func(t *testing.T) {
		start := time.Now()
		_, err := post(context.Background(), freshClient(300*time.Millisecond), srv.URL, "IM1-HANG")
		if err == nil || !strings.Contains(err.Error(), "Client.Timeout") {
			t.Fatalf("err %v, want the client's timeout", err)
		}
		if time.Since(start) > 2*time.Second {
			t.Fatal("the hang outlived the client by far")
		}
	})
	t.Run("hang: bounded by --max-hang, then the connection closes", func(t *testing.T) {
		start := time.Now()
		_, err := post(context.Background(), freshClient(10*time.Second), srv.URL, "IM1-HANG")
		if err == nil {
			t.Fatal("a hang answered")
		}
		if d := time.Since(start); d < 2*time.Second || d > 8*time.Second {
			t.Fatalf("hang lasted %v, want about --max-hang (2s)", d)
		}
	})
	t.Run("the server still answers afterwards", func(t *testing.T) {
		resp, err := post(context.Background(), freshClient(5*time.Second), srv.URL, "IM1")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 200 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestDelays(t *testing.T) {
	eng := mocktest.NewEngine(t, mocktest.WithScenarioDir("../../testdata/scenarios/good"), mocktest.WithScenario("custom"))
	var logs httpd.LogBuffer
	logger := slog.New(slog.NewJSONHandler(&logs, nil))
	srv := httptest.NewServer(httpd.New(eng, httpd.Config{Logger: logger}).Handler())
	t.Cleanup(srv.Close)

	t.Run("a delayed reply arrives after its delay", func(t *testing.T) {
		start := time.Now()
		resp, err := post(context.Background(), freshClient(5*time.Second), srv.URL, "IM1-TINY")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if d := time.Since(start); resp.StatusCode != 200 || d < 600*time.Millisecond {
			t.Fatalf("status %d after %v, want 200 after 600ms", resp.StatusCode, d)
		}
	})
	t.Run("a client that leaves ends the server's wait", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Millisecond)
		defer cancel()
		_, err := post(ctx, freshClient(5*time.Second), srv.URL, "IM1-TINY")
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("err %v", err)
		}
		// The access log line is written when the handler returns: it must
		// come well before the 600ms delay would have ended.
		deadline := time.Now().Add(2 * time.Second)
		for time.Now().Before(deadline) {
			for _, line := range strings.Split(logs.String(), "\n") {
				var entry struct {
					Msg      string        `json:"msg"`
					Status   int           `json:"status"`
					Duration time.Duration `json:"duration"`
				}
				if json.Unmarshal([]byte(line), &entry) != nil || entry.Msg != "request" || entry.Status != httpd.StatusClientClosed {
					continue
				}
				if entry.Duration >= 450*time.Millisecond {
					t.Fatalf("handler ran %v after its client left", entry.Duration)
				}
				return
			}
			time.Sleep(10 * time.Millisecond)
		}
		t.Fatalf("no log line for the abandoned request: %s", logs.String())
	})
}
