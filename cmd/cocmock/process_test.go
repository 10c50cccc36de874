package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"
)

// The real binary, built once for the tests that run it as its own process:
// a fault must be what a client sees from the binary's own listener (its
// connection limit, its TLS), not only from httptest's.
var (
	builtOnce sync.Once
	built     string
	buildErr  error
)

func binary(t *testing.T) string {
	t.Helper()
	builtOnce.Do(func() {
		dir, err := os.MkdirTemp("", "cocmock-bin")
		if err != nil {
			buildErr = err
			return
		}
		built = filepath.Join(dir, "cocmock")
		if out, err := exec.Command("go", "build", "-o", built, ".").CombinedOutput(); err != nil {
			buildErr = errors.New(string(out))
		}
	})
	if buildErr != nil {
		t.Fatalf("building cocmock: %v", buildErr)
	}
	return built
}

var listening = regexp.MustCompile(`listening on (http://127\.0\.0\.1:[0-9]+)(?: and (https://127\.0\.0\.1:[0-9]+))?`)

// runBinary starts the binary as its own process and returns its HTTP and
// HTTPS base URLs; it is stopped when the test ends.
func runBinary(t *testing.T, args ...string) (httpURL, httpsURL string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	cmd := exec.CommandContext(ctx, binary(t), append([]string{"serve", "--addr", "127.0.0.1:0"}, args...)...)
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cancel(); _ = cmd.Wait() })
	found := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := listening.FindStringSubmatch(sc.Text()); m != nil {
				found <- m
			}
		}
		close(found)
	}()
	select {
	case m := <-found:
		if m == nil {
			t.Fatal("the binary ended before listening")
		}
		return m[1], m[2]
	case <-time.After(15 * time.Second):
		t.Fatal("the binary did not start")
	}
	return "", ""
}

// Every fault and gateway magic value, through the real binary as its own
// process, as a client sees it, over HTTP and HTTPS: -RESET is a TCP reset
// (ECONNRESET), not a clean close.
func TestEveryFaultAsClientsSeeItFromTheBinary(t *testing.T) {
	httpURL, httpsURL := runBinary(t, "--tls-addr", "127.0.0.1:0", "--max-hang", "2s")
	insecure := &tls.Config{InsecureSkipVerify: true}
	for _, base := range []string{httpURL, httpsURL} {
		// A fresh connection each time, so that no retry on a reused one
		// hides what the first saw.
		client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{TLSClientConfig: insecure, DisableKeepAlives: true}}
		send := func(num string) (*http.Response, []byte, error) {
			resp, err := client.Post(base+"/v1/external/incident/handle", "application/json",
				strings.NewReader(`{"incident_num":"`+num+`","operator":"u","operate_key":"acceptedIncident1"}`))
			if err != nil {
				return nil, nil, err
			}
			defer resp.Body.Close()
			body, err := io.ReadAll(resp.Body)
			return resp, body, err
		}
		t.Run(strings.SplitN(base, ":", 2)[0], func(t *testing.T) {
			if _, _, err := send("IM1-RESET"); !errors.Is(err, syscall.ECONNRESET) {
				t.Errorf("-RESET: %v, want a connection reset (ECONNRESET)", err)
			}
			if _, _, err := send("IM1-EMPTY"); err == nil || errors.Is(err, syscall.ECONNRESET) || !strings.Contains(err.Error(), "EOF") {
				t.Errorf("-EMPTY: %v, want the connection closed without a byte (EOF)", err)
			}
			if resp, _, err := send("IM1-MALFORMED"); resp == nil || resp.StatusCode != 200 || !errors.Is(err, io.ErrUnexpectedEOF) {
				t.Errorf("-MALFORMED: %v %v, want a 200 whose body ends early", resp, err)
			}
			start := time.Now()
			if _, _, err := send("IM1-HANG"); err == nil || time.Since(start) < 1500*time.Millisecond {
				t.Errorf("-HANG: %v after %v, want no reply until --max-hang (2s)", err, time.Since(start))
			}
			for suffix, want := range map[string]int{"-E401": 401, "-E413": 413, "-E429": 429, "-E500": 500, "-E503": 503, "-E400": 400, "-E404": 400, "-E200": 200} {
				resp, body, err := send("IM1" + suffix)
				if err != nil || resp.StatusCode != want || !strings.Contains(string(body), `"error_code"`) || resp.Header.Get("X-Request-Id") == "" {
					t.Errorf("%s: %v %v %s", suffix, resp, err, body)
				}
			}
		})
	}
	// -SLOW once: the default answer, late; its 3 s are cut at --max-hang
	// (2 s here), as a hang is.
	start := time.Now()
	resp, err := http.Post(httpURL+"/v1/external/incident/handle", "application/json",
		strings.NewReader(`{"incident_num":"IM1-SLOW","operator":"u","operate_key":"acceptedIncident1"}`))
	if elapsed := time.Since(start); err != nil || resp.StatusCode != 200 || elapsed < 1900*time.Millisecond || elapsed > 2900*time.Millisecond {
		t.Fatalf("-SLOW: %v %v after %v, want a 200 after --max-hang", resp, err, elapsed)
	}
	resp.Body.Close()
}

// A reset reaches the client even behind the connection limit: the
// listener's connections say what they wrap.
func TestTheConnectionLimitKeepsTheTCPConnectionReachable(t *testing.T) {
	httpURL, _ := runBinary(t, "--max-conns", "2")
	conn, err := net.Dial("tcp", strings.TrimPrefix(httpURL, "http://"))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"incident_num":"IM1-RESET","operator":"u","operate_key":"acceptedIncident1"}`
	if _, err := io.WriteString(conn, "POST /v1/external/incident/handle HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: "+
		strconv.Itoa(len(body))+"\r\n\r\n"+body); err != nil {
		t.Fatal(err)
	}
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	_, err = conn.Read(make([]byte, 1))
	if !errors.Is(err, syscall.ECONNRESET) {
		t.Fatalf("read after -RESET: %v, want ECONNRESET", err)
	}
}

// When the process reading its stderr exits, the server lives on: the log
// lines are dropped and counted (it died of SIGPIPE, exit 141, before).
func TestAClosedStderrDoesNotKillTheServer(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), "serve", "--addr", "127.0.0.1:0")
	stdout, _ := cmd.StdoutPipe()
	stderr, _ := cmd.StderrPipe()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { cancel(); _ = cmd.Wait() }()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	m := listening.FindStringSubmatch(line)
	if err != nil || m == nil {
		t.Fatalf("startup line %q: %v", line, err)
	}
	stderr.Close() // the reader goes away
	client := &http.Client{Timeout: 5 * time.Second}
	for range 50 { // access lines at info, written out every 200 ms
		resp, err := client.Post(m[1]+"/v1/external/incident/handle", "application/json",
			strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
		if err != nil {
			t.Fatalf("the server died: %v (%v)", err, cmd.ProcessState)
		}
		resp.Body.Close()
		time.Sleep(20 * time.Millisecond)
	}
	resp, err := client.Get(m[1] + "/__admin/metrics")
	if err != nil {
		t.Fatalf("the server died: %v", err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	dropped := regexp.MustCompile(`(?m)^cocmock_log_lines_dropped_total ([0-9]+)`).FindSubmatch(body)
	if dropped == nil || string(dropped[1]) == "0" {
		t.Fatalf("no lines counted as dropped: %s", dropped)
	}
}

// A server whose every --max-conns slot is held still answers: idle
// keep-alive connections give their slots to new ones, and when every slot
// is busy with a request, `cocmock health` is served from the reserve
// (before, 1,024 idle connections made health time out for minutes).
func TestAFullServerStillAnswersHealth(t *testing.T) {
	httpURL, _ := runBinary(t, "--max-conns", "4")
	addr := strings.TrimPrefix(httpURL, "http://")
	dial := func() net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		return c
	}
	healthCmd := func(what string) {
		t.Helper()
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		start := time.Now()
		out, err := exec.CommandContext(ctx, binary(t), "health", "--addr", addr).CombinedOutput()
		if err != nil || time.Since(start) > 5*time.Second {
			t.Fatalf("cocmock health with %s: %v after %v: %s", what, err, time.Since(start), out)
		}
	}
	for range 4 { // idle keep-alive connections on every slot
		c := dial()
		fmt.Fprintf(c, "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		_ = c.SetReadDeadline(time.Now().Add(5 * time.Second))
		if resp, err := http.ReadResponse(bufio.NewReader(c), nil); err != nil || resp.StatusCode != 200 {
			t.Fatalf("filling the slots: %v", err)
		}
	}
	healthCmd("every slot idle")
	// A new connection per request: a pooled one would hold a slot.
	client := &http.Client{Timeout: 5 * time.Second, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := client.Post(httpURL+"/v1/external/incident/handle", "application/json",
		strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("the API with every slot idle: %v %v", resp, err)
	}
	resp.Body.Close()
	// A fresh server for the busy case: the first one's connections
	// close in their own time, and a slot freed later would serve the
	// API call below.
	httpURL, _ = runBinary(t, "--max-conns", "4")
	addr = strings.TrimPrefix(httpURL, "http://")
	for range 4 { // requests begun and never finished on every slot
		fmt.Fprintf(dial(), "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	}
	// Connections are accepted in order: once health is answered, the
	// busy ones hold every slot.
	healthCmd("every slot busy")
	resp, err = client.Post(httpURL+"/v1/external/incident/handle", "application/json",
		strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
	if err != nil || resp.StatusCode != 503 {
		t.Fatalf("the API with every slot busy: %v %v, want the gateway's 503", resp, err)
	}
	resp.Body.Close()
}

// Memory goes back to the system once a burst of load is over, not while
// requests keep coming, and once only; not at all when little is free.
func TestMemoryIsReturnedWhenTheLoadStops(t *testing.T) {
	var served atomic.Int64
	var logged bytes.Buffer
	var mu sync.Mutex
	log := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return logged.Write(p)
	}), &slog.HandlerOptions{Level: slog.LevelDebug}))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { releaseWhenQuiet(ctx, served.Load, 100*time.Millisecond, 0, log); close(done) }()
	releases := func() int {
		mu.Lock()
		defer mu.Unlock()
		return strings.Count(logged.String(), "returned free memory")
	}
	for range 250 { // busy: a request every 2 ms
		served.Add(1)
		time.Sleep(2 * time.Millisecond)
	}
	if n := releases(); n != 0 {
		t.Fatalf("released %d times under load", n)
	}
	time.Sleep(500 * time.Millisecond) // quiet
	cancel()
	<-done
	if n := releases(); n != 1 {
		t.Fatalf("released %d times after the load stopped, want once", n)
	}
	ctx, cancel = context.WithCancel(context.Background())
	done = make(chan struct{})
	go func() { releaseWhenQuiet(ctx, served.Load, 100*time.Millisecond, 1<<62, log); close(done) }()
	served.Add(1)
	time.Sleep(150 * time.Millisecond)
	served.Add(1)
	time.Sleep(300 * time.Millisecond)
	cancel()
	<-done
	if n := releases(); n != 1 {
		t.Fatalf("released with less free than asked (%d releases in all)", n)
	}
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
