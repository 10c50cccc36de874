package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cocmock/cocmock/internal/textcut"
)

// healthPath is the sandbox's liveness call; it is never behind --admin-token.
const healthPath = "/__admin/health"

// health probes a running server's /__admin/health: exit 0 and "ok" on
// stdout when it answers 200 {"status":"ok"}, 1 otherwise, 2 on usage
// errors. It is the container's healthcheck (a distroless image has no
// curl). --addr shares its env twin COCMOCK_ADDR with serve, so the
// environment that sets the listen address also steers the probe.
func health(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("health")
	addr := fs.String("addr", "127.0.0.1:8080", "address the server listens on (host:port); a 0.0.0.0, [::] or empty host is probed on 127.0.0.1")
	timeout := fs.Duration("timeout", 2*time.Second, "give up when the reply takes longer")
	if _, _, err := parseFlags(fs, args, getenv, false, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if *timeout <= 0 {
		return usageError("--timeout must be above 0")
	}
	target, err := probeAddr(*addr)
	if err != nil {
		return usageError("--addr %q: %v", *addr, err)
	}
	u := "http://" + target + healthPath
	if err := probe(ctx, u, *timeout); err != nil {
		return fmt.Errorf("health %s: %w", u, err)
	}
	fmt.Fprintln(stdout, "ok")
	return nil
}

// probeAddr turns a listen address into one to dial: a wildcard or empty
// host becomes 127.0.0.1, since a server listening on every interface
// answers on the loopback one.
func probeAddr(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", err
	}
	if port == "" || port == "0" {
		return "", errors.New("want a fixed port (port 0 is picked at random by serve)")
	}
	switch host {
	case "", "0.0.0.0", "::":
		host = "127.0.0.1"
	}
	return net.JoinHostPort(host, port), nil
}

// probe GETs u once within timeout and checks for 200 {"status":"ok"}.
func probe(ctx context.Context, u string, timeout time.Duration) error {
	client := &http.Client{
		Timeout: timeout,
		// No proxy from the environment, no keep-alive, no redirects: the
		// probe talks to this server directly, once.
		Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err // the URL is already in the message
		}
		return err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	if err != nil {
		return fmt.Errorf("reading the reply: %w", err)
	}
	var reply struct {
		Status string `json:"status"`
	}
	if resp.StatusCode != http.StatusOK || json.Unmarshal(body, &reply) != nil || reply.Status != "ok" {
		return fmt.Errorf("HTTP %d %s", resp.StatusCode, oneLine(body, 200))
	}
	return nil
}

// oneLine puts b on a single line of at most n bytes and "…" (textcut.Cut),
// for an error message.
func oneLine(b []byte, n int) string {
	s := textcut.Cut(strings.Join(strings.Fields(string(b)), " "), n)
	if s == "" {
		s = "(empty body)"
	}
	return s
}
