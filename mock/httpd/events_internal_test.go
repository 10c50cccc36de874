package httpd

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
)

// An idle stream gets its ping, however long it waited for it: the write
// deadline covers a write, not the wait before it.
func TestAnIdleEventStreamIsPingedNotCut(t *testing.T) {
	s := New(newEngine(t), Config{})
	s.streamPing, s.streamWrite = 300*time.Millisecond, 100*time.Millisecond
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer s.Close()
	client := &http.Client{Timeout: 10 * time.Second} // no ping at all must not hang the test
	resp, err := client.Get(srv.URL + "/__admin/events")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for pings := 0; sc.Scan(); {
		if strings.HasPrefix(sc.Text(), ": ping") {
			if pings++; pings == 2 {
				return
			}
		}
	}
	t.Fatalf("the stream ended before two pings: %v", sc.Err())
}

// A reader that stops reading loses its stream once a write has waited
// streamWrite: its watcher slot is freed, and a new stream is taken even
// when every slot had been held by such readers.
func TestAReaderThatStopsReadingLosesTheStream(t *testing.T) {
	s := New(newEngine(t), Config{})
	s.streamWrite = 200 * time.Millisecond
	srv := httptest.NewUnstartedServer(s.Handler())
	// The server's sockets get a small send buffer, so that what a stalled
	// reader leaves unread fills it whatever the host's TCP settings.
	srv.Listener = smallSendBuffers{srv.Listener}
	srv.Start()
	defer srv.Close()
	defer s.Close()
	for range mock.MaxWatchers {
		conn, err := net.Dial("tcp", srv.Listener.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer conn.Close()
		_ = conn.(*net.TCPConn).SetReadBuffer(4 << 10)
		_ = conn.SetDeadline(time.Now().Add(10 * time.Second))
		if _, err := fmt.Fprintf(conn, "GET /__admin/events HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		// Read up to the stream's first comment, then read no more.
		r := bufio.NewReader(conn)
		for {
			line, err := r.ReadString('\n')
			if err != nil {
				t.Fatalf("before the stream opened: %v", err)
			}
			if strings.HasPrefix(line, ": connected") {
				break
			}
		}
	}
	// Every slot is held: the next stream is refused.
	client := &http.Client{Timeout: 5 * time.Second}
	if resp, err := client.Get(srv.URL + "/__admin/events"); err != nil || resp.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("a stream past the slots: %v %v", resp, err)
	}
	// Exchanges of about 60 KB each (a body refused at its first byte, so
	// that making them is quick), 2.4 MB in all: far more than the
	// sockets' buffers hold, so that a write to every stalled reader waits.
	body := strings.Repeat("x", 60<<10)
	for range 40 {
		resp, err := client.Post(srv.URL+"/v1/external/incident/handle", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
	}
	deadline := time.Now().Add(5 * time.Second)
	for {
		resp, err := client.Get(srv.URL + "/__admin/events")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("the stalled readers still hold every slot: %v %v", resp, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// smallSendBuffers gives each accepted connection a 16 KiB send buffer.
type smallSendBuffers struct{ net.Listener }

func (l smallSendBuffers) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if tc, ok := c.(*net.TCPConn); ok {
		_ = tc.SetWriteBuffer(16 << 10)
	}
	return c, err
}
