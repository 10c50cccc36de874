package httpd

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
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
