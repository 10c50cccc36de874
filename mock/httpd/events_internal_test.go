package httpd

import (
	"bufio"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// An idle stream gets its ping, however long it waited for it: the write
// deadline covers a write, not the wait before it.
func TestAnIdleEventStreamIsPingedNotCut(t *testing.T) {
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	set, err := scenarios.Load(spec, scenarios.Source{Name: "builtin", FS: scenarios.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mock.New(spec, set, mock.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	s := New(eng, Config{})
	s.streamPing, s.streamWrite = 300*time.Millisecond, 100*time.Millisecond
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	defer s.Close()
	resp, err := http.Get(srv.URL + "/__admin/events")
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
