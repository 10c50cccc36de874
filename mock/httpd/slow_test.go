package httpd_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// startReal serves the edge with its own http.Server settings (timeouts,
// connection cap) on a loopback port.
func startReal(t *testing.T, cfg httpd.Config) string {
	t.Helper()
	front := httpd.New(mocktest.NewEngine(t), cfg)
	srv := httptest.NewUnstartedServer(front.Handler())
	srv.Config = front.HTTPServer("")
	srv.Listener = front.Listener(srv.Listener)
	srv.Start()
	t.Cleanup(srv.Close)
	return srv.Listener.Addr().String()
}

// A client that announces a large body and sends a little of it loses its
// connection after the read timeout, instead of holding it forever.
func TestASlowBodyIsCutAfterTheReadTimeout(t *testing.T) {
	addr := startReal(t, httpd.Config{ReadTimeout: 300 * time.Millisecond})
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n%s", handlePath, strings.Repeat(" ", 100))
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	start := time.Now()
	_, err = io.ReadAll(conn) // returns when the server closes the connection
	if elapsed := time.Since(start); elapsed > 4*time.Second {
		t.Fatalf("the connection was held %v (err %v)", elapsed, err)
	}
}

// The body buffer grows with the bytes that arrive: announcing 1 MB and
// sending 100 bytes does not cost 1 MB.
func TestAnAnnouncedLengthIsNotAllocatedUpFront(t *testing.T) {
	addr := startReal(t, httpd.Config{ReadTimeout: 200 * time.Millisecond})
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const conns = 20
	done := make(chan struct{}, conns)
	for range conns {
		go func() {
			defer func() { done <- struct{}{} }()
			conn, err := net.Dial("tcp", addr)
			if err != nil {
				return
			}
			defer conn.Close()
			fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{", handlePath)
			_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
			_, _ = io.Copy(io.Discard, conn)
		}()
	}
	for range conns {
		<-done
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > conns*200<<10 {
		t.Fatalf("%d connections announcing 1 MB allocated %d bytes", conns, grew)
	}
}

// busyConn opens a connection and starts a request it never finishes:
// the connection holds its slot, busy, until the read timeout.
func busyConn(t *testing.T, addr string) net.Conn {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	fmt.Fprintf(c, "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n")
	return c
}

// get sends one request on a connection and reads its reply.
func get(c net.Conn, path string, wait time.Duration) (*http.Response, error) {
	fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", path)
	_ = c.SetReadDeadline(time.Now().Add(wait))
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err == nil {
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	return resp, err
}

// A keep-alive connection idle between requests does not keep its slot
// from a new one: the oldest idle connection is closed to make room (the
// sandbox answered nobody while 1,024 idle connections held every slot).
func TestAnIdleConnectionGivesItsSlotToANewOne(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxConns: 1})
	first, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	if resp, err := get(first, "/__admin/health", 5*time.Second); err != nil || resp.StatusCode != 200 {
		t.Fatalf("first: %v", err)
	}
	// first is now idle, holding the only slot.
	second, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if resp, err := get(second, "/__admin/health", 5*time.Second); err != nil || resp.StatusCode != 200 {
		t.Fatalf("a new connection was not served while an idle one held the slot: %v", err)
	}
	_ = first.SetReadDeadline(time.Now().Add(5 * time.Second))
	if n, err := first.Read(make([]byte, 1)); n != 0 || err == nil {
		t.Fatalf("the idle connection was kept (read %d, %v)", n, err)
	}
}

// When every slot is busy with a request, the sandbox API still has room:
// health answers on a connection from the reserve, the simulated API there
// is the gateway's 503, and past the reserve connections wait.
func TestAFullServerStillAnswersItsSandboxAPI(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxConns: 1})
	busyConn(t, addr)
	health, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer health.Close()
	if resp, err := get(health, "/__admin/health", 5*time.Second); err != nil || resp.StatusCode != 200 {
		t.Fatalf("health on a full server: %v %v", resp, err)
	}
	api, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer api.Close()
	fmt.Fprintf(api, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 2\r\n\r\n{}", handlePath)
	_ = api.SetReadDeadline(time.Now().Add(5 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(api), nil)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != 503 || !resp.Close || !strings.Contains(string(body), `"error_code":"APIGW.`) {
		t.Fatalf("the simulated API on the reserve: %d close=%v %s", resp.StatusCode, resp.Close, body)
	}
	// Fill the reserve with busy connections (an idle one would be
	// closed to make room): the next waits.
	health.Close()
	for range 16 {
		busyConn(t, addr)
	}
	// Connections are accepted in order: the next comes after them.
	waiting, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer waiting.Close()
	if _, err := get(waiting, "/__admin/health", 300*time.Millisecond); err == nil {
		t.Fatal("a connection past the cap and the reserve was served")
	}
}

// A large body holds room in the BodyBytes budget only until the engine
// has it: a second large body is not kept waiting by the first's delayed
// reply.
func TestADelayedReplyHoldsNoRoomForLargeBodies(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxBody: 1 << 20, BodyBytes: 1 << 20}) // room for one
	large := func(num string) string {
		return fmt.Sprintf(`{"incident_num":%q,"operator":"u","operate_key":"forwardOther1","parameter":{"virtual_send_comment":%q}}`, num, strings.Repeat("x", 20<<10))
	}
	post := func(body string) (*http.Response, error) {
		return http.Post("http://"+addr+handlePath, "application/json", strings.NewReader(body))
	}
	slow := make(chan error, 1)
	go func() { // -SLOW: the default scenario answers 3 s late
		resp, err := post(large("IM1-SLOW"))
		if err == nil {
			resp.Body.Close()
		}
		slow <- err
	}()
	// The first is being answered, late, once the journal has it (its
	// exchange is journaled before its delay).
	for deadline := time.Now().Add(5 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		resp, err := http.Get("http://" + addr + "/__admin/requests?incident_num=IM1-SLOW")
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if strings.Contains(string(b), "IM1-SLOW") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the slow request never reached the journal")
		}
	}
	start := time.Now()
	resp, err := post(large("IM2"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if took := time.Since(start); resp.StatusCode != 200 || took > 1500*time.Millisecond {
		t.Fatalf("the second large body got %d after %v: it waited for the first's delay", resp.StatusCode, took)
	}
	if err := <-slow; err != nil {
		t.Fatal(err)
	}
}

// A delay is held no longer than --max-hang, like a hang: -SLOW's 3 s
// delay under a 200 ms bound answers after 200 ms.
func TestADelayIsCutAtMaxHang(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxHang: 200 * time.Millisecond})
	start := time.Now()
	resp, err := http.Post("http://"+addr+handlePath, "application/json", strings.NewReader(`{"incident_num":"IM1-SLOW","operator":"u","operate_key":"acceptedIncident1"}`))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if elapsed := time.Since(start); resp.StatusCode != 200 || elapsed > 2*time.Second || elapsed < 150*time.Millisecond {
		t.Fatalf("%d after %v", resp.StatusCode, elapsed)
	}
}

// The large-body budget is charged for the bytes that arrive, not those
// announced: senders that announce 500 KB and send one byte cannot hold
// up a 20 KB request (one waited 29 s behind 64 of them).
func TestAnnouncedButUnsentBytesHoldNoBudget(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxBody: 1 << 20, BodyBytes: 2 << 20, ReadTimeout: 5 * time.Second})
	for range 8 { // four times what slots of MaxBody each would have let in
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		fmt.Fprintf(conn, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 512000\r\n\r\n{", handlePath)
	}
	time.Sleep(100 * time.Millisecond) // the senders are in, holding what they sent
	body := `{"incident_num":"IM1","operator":"u","operate_key":"forwardOther1","parameter":{"virtual_send_comment":"` + strings.Repeat("c", 20<<10) + `"}}`
	start := time.Now()
	resp, err := http.Post("http://"+addr+handlePath, "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if elapsed := time.Since(start); resp.StatusCode != 200 || elapsed > time.Second {
		t.Fatalf("the 20 KB request: %d after %v", resp.StatusCode, elapsed)
	}
}

// The operator's keep-alive connection on the reserve is not closed to
// make room: it holds no slot, and closing it would free none.
func TestAReserveConnectionIsNotReclaimed(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxConns: 1})
	busyConn(t, addr)
	operator, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer operator.Close()
	if resp, err := get(operator, "/__admin/health", 5*time.Second); err != nil || resp.StatusCode != 200 {
		t.Fatalf("health on the reserve: %v", err)
	}
	other, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if resp, err := get(other, "/__admin/health", 5*time.Second); err != nil || resp.StatusCode != 200 {
		t.Fatalf("a second reserve connection: %v", err)
	}
	if resp, err := get(operator, "/__admin/health", 5*time.Second); err != nil || resp.StatusCode != 200 {
		t.Fatalf("the operator's idle connection was closed: %v", err)
	}
}

// Bodies half read do not wait for one another until the read timeout: one
// that holds bytes and finds no room is the gateway's 503 within about a
// second.
func TestHalfReadBodiesDoNotStallEachOther(t *testing.T) {
	addr := startReal(t, httpd.Config{MaxBody: 64 << 10, BodyBytes: 64 << 10, ReadTimeout: 20 * time.Second})
	send := func(n int) net.Conn {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 61440\r\n\r\n%s", handlePath, strings.Repeat(" ", n))
		return c
	}
	send(40 << 10) // holds 40 KiB and stalls
	time.Sleep(200 * time.Millisecond)
	second := send(40 << 10) // gets what is left, then needs more
	start := time.Now()
	_ = second.SetReadDeadline(time.Now().Add(10 * time.Second))
	resp, err := http.ReadResponse(bufio.NewReader(second), nil)
	if err != nil {
		t.Fatalf("no answer after %v: %v", time.Since(start), err)
	}
	if resp.StatusCode != 503 || time.Since(start) > 5*time.Second {
		t.Fatalf("%d after %v, want the gateway's 503 at once", resp.StatusCode, time.Since(start))
	}
}

// A request with no body allocates no body buffer (every GET took 16 KiB).
func TestABodilessRequestAllocatesNoBodyBuffer(t *testing.T) {
	front := httpd.New(mocktest.NewEngine(t), httpd.Config{})
	h := front.Handler()
	serve := func() {
		r := httptest.NewRequest("GET", "/v1/external/incident/IM1", nil)
		h.ServeHTTP(httptest.NewRecorder(), r)
	}
	serve()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const n = 200
	for range n {
		serve()
	}
	runtime.ReadMemStats(&after)
	if per := (after.TotalAlloc - before.TotalAlloc) / n; per > 12<<10 {
		t.Fatalf("%d bytes allocated a GET", per)
	}
}
