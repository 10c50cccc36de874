package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"
)

// syncBuffer is an io.Writer safe to read while run writes to it.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

var listenLine = regexp.MustCompile(`(?:listening on |"http":")(http://[^\s"]+)`)

// start runs cocmock on a free port and returns its base URL and a stop
// function that cancels it and returns run's error.
func start(t *testing.T, args []string, env map[string]string) (url string, stderr *syncBuffer, stop func() error) {
	t.Helper()
	url, _, stderr, stop = startFull(t, args, env)
	return url, stderr, stop
}

// startFull is start with the server's stdout too.
func startFull(t *testing.T, args []string, env map[string]string) (url string, stdout, stderr *syncBuffer, stop func() error) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	stdout, errOut := &syncBuffer{}, &syncBuffer{}
	done := make(chan error, 1)
	getenv := func(k string) string { return env[k] }
	go func() {
		done <- run(ctx, append([]string{"serve", "--addr", "127.0.0.1:0"}, args...), getenv, stdout, errOut)
	}()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if m := listenLine.FindStringSubmatch(stdout.String()); m != nil {
			url = m[1]
			break
		}
		select {
		case err := <-done:
			cancel()
			t.Fatalf("run ended before listening: %v\nstderr: %s", err, errOut.String())
		case <-time.After(10 * time.Millisecond):
		}
	}
	if url == "" {
		cancel()
		t.Fatalf("no startup line; stdout %q", stdout.String())
	}
	var once sync.Once
	var runErr error
	stop = func() error {
		once.Do(func() {
			cancel()
			select {
			case runErr = <-done:
			case <-time.After(15 * time.Second):
				runErr = fmt.Errorf("run did not return after cancel")
			}
		})
		return runErr
	}
	t.Cleanup(func() { _ = stop() })
	return url, stdout, errOut, stop
}

func TestServeAnswersHealthAndTheAPI(t *testing.T) {
	url, _, stop := start(t, nil, nil)
	resp, err := http.Get(url + "/__admin/health")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("health %d", resp.StatusCode)
	}
	resp, err = http.Post(url+"/v1/external/incident/handle", "application/json;charset=UTF-8",
		strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if string(b) != `{"error_code":"GOM.00000000","error_msg":null,"provider_code":"049","data":null}` {
		t.Fatalf("body %s", b)
	}
	if err := stop(); err != nil {
		t.Fatalf("run returned %v after a clean shutdown", err)
	}
}

func TestShutdownLetsInFlightRepliesFinish(t *testing.T) {
	url, _, stop := start(t, nil, nil)
	host := strings.TrimPrefix(url, "http://")
	conn, err := net.Dial("tcp", host)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`
	// Send the headers and half the body, then ask the server to stop.
	fmt.Fprintf(conn, "POST /v1/external/incident/handle HTTP/1.1\r\nHost: %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s", host, len(body), body[:20])
	time.Sleep(300 * time.Millisecond) // let the server accept and start reading the request
	stopped := make(chan error, 1)
	go func() { stopped <- stop() }()
	time.Sleep(200 * time.Millisecond)
	if _, err := conn.Write([]byte(body[20:])); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request got no reply: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("status %d", resp.StatusCode)
	}
	if err := <-stopped; err != nil {
		t.Fatalf("run: %v", err)
	}
}

func TestEnvTwinsAndPrecedence(t *testing.T) {
	t.Run("env twin sets --max-body", func(t *testing.T) {
		url, _, _ := start(t, nil, map[string]string{"COCMOCK_MAX_BODY": "64"})
		resp, err := http.Post(url+"/v1/external/incident/handle", "application/json", strings.NewReader(strings.Repeat(" ", 65)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("status %d, want 413 from COCMOCK_MAX_BODY=64", resp.StatusCode)
		}
	})
	t.Run("flag wins over env", func(t *testing.T) {
		url, _, _ := start(t, []string{"--max-body", "1MiB"}, map[string]string{"COCMOCK_MAX_BODY": "64"})
		resp, err := http.Post(url+"/v1/external/incident/handle", "application/json", strings.NewReader(strings.Repeat(" ", 65)))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 400 {
			t.Fatalf("status %d, want 400 (the flag's 1MiB, not the env's 64)", resp.StatusCode)
		}
	})
	t.Run("env twin sets --log-format", func(t *testing.T) {
		url, stderr, stop := start(t, nil, map[string]string{"COCMOCK_LOG_FORMAT": "json"})
		resp, err := http.Get(url + "/__admin/scenarios") // health probes are logged at debug
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		_ = stop()
		if !strings.Contains(stderr.String(), `"msg":"request"`) {
			t.Fatalf("want JSON access log, got %q", stderr.String())
		}
	})
}

func TestUsageErrors(t *testing.T) {
	cases := []struct {
		name string
		args []string
		env  map[string]string
		want string
	}{
		{"unknown command", []string{"frobnicate"}, nil, "unknown command"},
		{"unknown flag", []string{"serve", "--nope"}, nil, "unknown flag --nope (cocmock serve -h lists the flags)"},
		{"a mistyped flag names the nearest", []string{"serve", "--tls-adr", "x"}, nil, "unknown flag --tls-adr; did you mean --tls-addr?"},
		{"a bad number says what it wants", []string{"serve"}, map[string]string{"COCMOCK_SEED": "abc"}, `COCMOCK_SEED="abc": want a whole number such as 7`},
		{"a bad duration says what it wants", []string{"serve", "--max-hang", "soon"}, nil, `--max-hang "soon": want a duration such as 500ms, 30s or 5m`},
		{"a bad size says what it wants", []string{"serve", "--max-body", "5x"}, nil, `--max-body "5x": want a size such as 1048576, 512KiB, 48MiB or 1GiB`},
		{"bad log format", []string{"serve", "--log-format", "xml"}, nil, "--log-format"},
		{"bad log level", []string{"serve", "--log-level", "loud"}, nil, "--log-level"},
		{"bad max-body", []string{"serve", "--max-body", "lots"}, nil, "max-body"},
		{"bad env twin", []string{"serve"}, map[string]string{"COCMOCK_MAX_BODY": "-1"}, "COCMOCK_MAX_BODY"},
		{"stray argument", []string{"serve", "extra"}, nil, "unexpected argument"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			var out, errOut bytes.Buffer
			err := run(context.Background(), tc.args, func(k string) string { return tc.env[k] }, &out, &errOut)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want one containing %q", err, tc.want)
			}
			if exitCode(err) != 2 {
				t.Fatalf("exit code %d, want 2", exitCode(err))
			}
		})
	}
}

func TestSpecFlag(t *testing.T) {
	t.Run("missing file is an I/O error", func(t *testing.T) {
		err := run(context.Background(), []string{"serve", "--spec", filepath.Join(t.TempDir(), "none.yaml")}, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || exitCode(err) != 2 {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("invalid document is refused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "bad.yaml")
		if err := os.WriteFile(path, []byte("openapi: 3.0.3\ninfo: {}\npaths: {}\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		err := run(context.Background(), []string{"serve", "--spec", path}, func(string) string { return "" }, io.Discard, io.Discard)
		if err == nil || !strings.Contains(err.Error(), path) {
			t.Fatalf("err %v", err)
		}
	})
	t.Run("another document is served", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.yaml")
		doc := `openapi: 3.0.3
info: {title: other, version: "1"}
paths:
  /ping:
    post:
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, required: [a], properties: {a: {type: string}}}
      responses:
        "200":
          description: ok
          content:
            application/json:
              example: {pong: true}
`
		if err := os.WriteFile(path, []byte(doc), 0o644); err != nil {
			t.Fatal(err)
		}
		url, _, _ := start(t, []string{"--spec", path}, nil)
		resp, err := http.Post(url+"/ping", "application/json", strings.NewReader(`{"a":"x"}`))
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(b) != `{"pong":true}` {
			t.Fatalf("%d %s", resp.StatusCode, b)
		}
		resp, err = http.Post(url+"/v1/external/incident/handle", "application/json", strings.NewReader(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 404 {
			t.Fatalf("the embedded path is still served: %d", resp.StatusCode)
		}
	})
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	if err := run(context.Background(), []string{"version"}, func(string) string { return "" }, &out, io.Discard); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "cocmock ") {
		t.Fatalf("version printed %q", out.String())
	}
}

func TestShutdownCutsWaitsThatOutliveTheGrace(t *testing.T) {
	url, stderr, stop := start(t, []string{"--shutdown-grace", "300ms"}, nil)
	errc := make(chan error, 1)
	go func() {
		client := &http.Client{Timeout: 20 * time.Second}
		resp, err := client.Post(url+"/v1/external/incident/handle", "application/json",
			strings.NewReader(`{"incident_num":"IM1-HANG","operator":"u","operate_key":"acceptedIncident1"}`))
		if err == nil {
			resp.Body.Close()
		}
		errc <- err
	}()
	// The engine journals the exchange before the edge starts the hang.
	waitFor(t, "the hang to begin", func() bool {
		resp, err := http.Get(url + "/__admin/requests?incident_num=IM1-HANG")
		if err != nil {
			return false
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return strings.Contains(string(b), `"count":1`)
	})
	begun := time.Now()
	if err := stop(); err != nil {
		t.Fatalf("run returned %v; a cut hang is not a failure", err)
	}
	if d := time.Since(begun); d > 5*time.Second {
		t.Fatalf("shutdown took %v with a 300ms grace", d)
	}
	if err := <-errc; err == nil {
		t.Fatal("the hung request got a reply")
	}
	if !strings.Contains(stderr.String(), "cutting them") {
		t.Fatalf("no warning in the log: %s", stderr.String())
	}
}

func TestHelpGoesToStdoutGroupedWithHumanUnits(t *testing.T) {
	for _, args := range [][]string{{"serve", "-h"}, {"serve", "--help"}, {"help"}, {"--help"}} {
		var out, errOut bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut); err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		help := out.String()
		for _, want := range []string{"Listening:", "Limits:", "--tls-addr (env COCMOCK_TLS_ADDR, default none)",
			"--journal-bytes (env COCMOCK_JOURNAL_BYTES, default 48MiB)", "--memory-limit (env COCMOCK_MEMORY_LIMIT, default 256MiB)"} {
			if !strings.Contains(help, want) {
				t.Errorf("%v: help lacks %q", args, want)
			}
		}
		if errOut.Len() > 0 {
			t.Errorf("%v wrote to stderr: %s", args, errOut.String())
		}
	}
}

func TestVersionFlag(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}} {
		var out bytes.Buffer
		if err := run(context.Background(), args, func(string) string { return "" }, &out, io.Discard); err != nil || !strings.HasPrefix(out.String(), "cocmock ") {
			t.Fatalf("%v: %v %q", args, err, out.String())
		}
	}
}

func TestSizesTakeBinaryUnitsAndPrintThem(t *testing.T) {
	for in, want := range map[string]string{"1048576": "1MiB", "512KiB": "512KiB", "48MiB": "48MiB", "1GiB": "1GiB", "1000": "1000", "1MB": "1000000"} {
		var b byteSize
		if err := b.Set(in); err != nil || b.String() != want {
			t.Errorf("%s: %v %s, want %s", in, err, b.String(), want)
		}
	}
	for _, bad := range []string{"0", "-1", "1.5MiB", "MiB", "9999999999GiB"} {
		var b byteSize
		if b.Set(bad) == nil {
			t.Errorf("%s was taken", bad)
		}
	}
}
