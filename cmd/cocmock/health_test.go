package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

// runHealth calls health with env as the environment and returns its
// stdout and exit code (0 when it returned nil).
func runHealth(t *testing.T, env map[string]string, args ...string) (stdout string, code int, err error) {
	t.Helper()
	var out, errOut bytes.Buffer
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	began := time.Now()
	err = health(ctx, args, func(k string) string { return env[k] }, &out, &errOut)
	if took := time.Since(began); took > 5*time.Second {
		t.Fatalf("health took %v", took)
	}
	if err != nil {
		code = exitCode(err)
		if strings.Contains(err.Error(), "\n") {
			t.Errorf("the reason is not one line: %q", err)
		}
	}
	return out.String(), code, err
}

// hostPort is the host:port of a start()ed server's base URL.
func hostPort(url string) string { return strings.TrimPrefix(url, "http://") }

// deadAddr is 127.0.0.1 with a port that was listened on and closed.
func deadAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return addr
}

func TestHealthLiveServer(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	out, code, err := runHealth(t, nil, "--addr", hostPort(url))
	if code != 0 || out != "ok\n" {
		t.Fatalf("exit %d, stdout %q, err %v", code, out, err)
	}
}

func TestHealthOpenDespiteAdminToken(t *testing.T) {
	url, _, _ := start(t, []string{"--admin-token", "secret"}, nil)
	if out, code, err := runHealth(t, nil, "--addr", hostPort(url)); code != 0 || out != "ok\n" {
		t.Fatalf("exit %d, stdout %q, err %v", code, out, err)
	}
}

func TestHealthDeadServer(t *testing.T) {
	addr := deadAddr(t)
	out, code, err := runHealth(t, nil, "--addr", addr, "--timeout", "1s")
	if code != 1 || out != "" {
		t.Fatalf("exit %d, stdout %q, err %v; want 1 and nothing on stdout", code, out, err)
	}
	if !strings.Contains(err.Error(), addr) {
		t.Fatalf("the reason %q does not name %s", err, addr)
	}
	t.Logf("reason: %v", err)
}

func TestHealthBadReplies(t *testing.T) {
	cases := []struct {
		name   string
		status int
		body   string
		want   string
	}{
		{"500", 500, `{"status":"ok"}`, "HTTP 500"},
		{"200 not ok", 200, `{"status":"starting"}`, `HTTP 200 {"status":"starting"}`},
		{"200 not JSON", 200, "<html>\n<p>hello</p>\n</html>", "HTTP 200 <html> <p>hello</p> </html>"},
		{"200 empty", 200, "", "HTTP 200 (empty body)"},
		{"redirect", 302, "", "HTTP 302"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if r.URL.Path != healthPath {
					http.NotFound(w, r)
					return
				}
				if tc.status == 302 {
					w.Header().Set("Location", "/elsewhere")
				}
				w.WriteHeader(tc.status)
				_, _ = w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			out, code, err := runHealth(t, nil, "--addr", srv.Listener.Addr().String())
			if code != 1 || out != "" {
				t.Fatalf("exit %d, stdout %q, err %v; want 1", code, out, err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("reason %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

func TestHealthTimeout(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-time.After(5 * time.Second):
		}
	}))
	defer srv.Close()
	began := time.Now()
	_, code, err := runHealth(t, nil, "--addr", srv.Listener.Addr().String(), "--timeout", "200ms")
	if code != 1 {
		t.Fatalf("exit %d, err %v; want 1", code, err)
	}
	if took := time.Since(began); took > 2*time.Second {
		t.Fatalf("a 200ms timeout took %v", took)
	}
	t.Logf("reason: %v", err)
}

func TestHealthWildcardHostProbesLoopback(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	_, port, err := net.SplitHostPort(hostPort(url))
	if err != nil {
		t.Fatal(err)
	}
	// The server listens on 127.0.0.1 only; the probe reaches it because a
	// wildcard host means "this machine".
	for _, addr := range []string{"0.0.0.0:" + port, ":" + port, "[::]:" + port} {
		if out, code, err := runHealth(t, nil, "--addr", addr); code != 0 || out != "ok\n" {
			t.Fatalf("--addr %s: exit %d, stdout %q, err %v", addr, code, out, err)
		}
	}
}

func TestProbeAddr(t *testing.T) {
	cases := map[string]string{
		"0.0.0.0:8080":   "127.0.0.1:8080",
		":8080":          "127.0.0.1:8080",
		"[::]:8080":      "127.0.0.1:8080",
		"127.0.0.1:9000": "127.0.0.1:9000",
		"localhost:8080": "localhost:8080",
		"[::1]:8080":     "[::1]:8080",
	}
	for in, want := range cases {
		if got, err := probeAddr(in); err != nil || got != want {
			t.Errorf("probeAddr(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
	for _, bad := range []string{"127.0.0.1", "127.0.0.1:0", "127.0.0.1:", "::1:8080"} {
		if got, err := probeAddr(bad); err == nil {
			t.Errorf("probeAddr(%q) = %q, want an error", bad, got)
		}
	}
}

func TestHealthEnvTwin(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	live := hostPort(url)
	t.Run("COCMOCK_ADDR steers the probe", func(t *testing.T) {
		if out, code, err := runHealth(t, map[string]string{"COCMOCK_ADDR": live}); code != 0 || out != "ok\n" {
			t.Fatalf("exit %d, stdout %q, err %v", code, out, err)
		}
	})
	t.Run("the container's wildcard COCMOCK_ADDR", func(t *testing.T) {
		_, port, _ := net.SplitHostPort(live)
		if out, code, err := runHealth(t, map[string]string{"COCMOCK_ADDR": "0.0.0.0:" + port}); code != 0 || out != "ok\n" {
			t.Fatalf("exit %d, stdout %q, err %v", code, out, err)
		}
	})
	t.Run("COCMOCK_ADDR at a dead port fails", func(t *testing.T) {
		if _, code, err := runHealth(t, map[string]string{"COCMOCK_ADDR": deadAddr(t)}); code != 1 {
			t.Fatalf("exit %d, err %v; want 1", code, err)
		}
	})
	t.Run("flag wins over env", func(t *testing.T) {
		env := map[string]string{"COCMOCK_ADDR": deadAddr(t)}
		if out, code, err := runHealth(t, env, "--addr", live); code != 0 || out != "ok\n" {
			t.Fatalf("exit %d, stdout %q, err %v", code, out, err)
		}
	})
	t.Run("COCMOCK_TIMEOUT is read", func(t *testing.T) {
		_, code, err := runHealth(t, map[string]string{"COCMOCK_ADDR": live, "COCMOCK_TIMEOUT": "soon"})
		if code != 2 || !strings.Contains(err.Error(), "COCMOCK_TIMEOUT") {
			t.Fatalf("exit %d, err %v; want 2 naming COCMOCK_TIMEOUT", code, err)
		}
	})
}

func TestHealthUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		want string
	}{
		{"unknown flag", []string{"--nope"}, "unknown flag --nope"},
		{"stray argument", []string{"extra"}, "unexpected argument"},
		{"no port", []string{"--addr", "127.0.0.1"}, "--addr"},
		{"port 0", []string{"--addr", "127.0.0.1:0"}, "fixed port"},
		{"zero timeout", []string{"--timeout", "0s"}, "--timeout"},
		{"bad timeout", []string{"--timeout", "soon"}, "timeout"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, code, err := runHealth(t, nil, tc.args...)
			if code != 2 || !strings.Contains(err.Error(), tc.want) || out != "" {
				t.Fatalf("exit %d, err %v, stdout %q; want 2 and an error containing %q", code, err, out, tc.want)
			}
		})
	}
	t.Run("-h is not an error", func(t *testing.T) {
		if _, code, err := runHealth(t, nil, "-h"); code != 0 {
			t.Fatalf("exit %d, err %v", code, err)
		}
	})
}

func TestHealthCommandIsWired(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	out, err := runCmd("health", "--addr", strings.TrimPrefix(url, "http://"))
	if err != nil || strings.TrimSpace(out) != "ok" {
		t.Fatalf("cocmock health: %v %q", err, out)
	}
}
