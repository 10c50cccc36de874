package httpd_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// Every access line carries its own exchange: the reply's session,
// scenario, rule, incident and operate_key (and fault) for a mock request,
// none of them for a sandbox API call, whatever ran before on the same
// server, however many at once.
func TestEachAccessLineCarriesItsOwnExchange(t *testing.T) {
	var logs httpd.LogBuffer
	log, access := httpd.NewLogs(&logs, true, slog.LevelInfo)
	srv := httptest.NewServer(httpd.New(mocktest.NewEngine(t), httpd.Config{AccessLog: access, Logger: log}).Handler())
	t.Cleanup(srv.Close)

	want := map[string]string{} // request id -> incident_num ("" for admin calls)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for i := range 40 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var id, num string
			if i%4 == 3 {
				resp, err := http.Get(srv.URL + "/__admin/scenarios")
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				id = resp.Header.Get("X-Request-Id")
			} else {
				num = fmt.Sprintf("IM-LINE-%d", i)
				if i%4 == 2 {
					num += "-E429"
				}
				resp, err := post(context.Background(), http.DefaultClient, srv.URL, num)
				if err != nil {
					t.Error(err)
					return
				}
				resp.Body.Close()
				id = resp.Header.Get("X-Request-Id")
			}
			mu.Lock()
			want[id] = num
			mu.Unlock()
		}()
	}
	wg.Wait()
	// The fault's line is written when its handler returns.
	if _, err := post(context.Background(), freshClient(5*time.Second), srv.URL, "IM-LINE-RESET"); err == nil {
		t.Fatal("the reset fault answered")
	}

	seen := 0
	deadline := time.Now().Add(5 * time.Second)
	for {
		seen = 0
		faulted := false
		for _, e := range logs.JSONLines() {
			if e["msg"] != "request" {
				continue
			}
			if e["incident_num"] == "IM-LINE-RESET" {
				faulted = e["fault"] == "reset" && e["rule"] == "magic-RESET"
				continue
			}
			num, ok := want[fmt.Sprint(e["request_id"])]
			if !ok {
				t.Fatalf("a line for a request not sent: %v", e)
			}
			seen++
			if num == "" {
				for _, k := range []string{"session", "scenario", "rule", "incident_num", "operate_key", "fault"} {
					if _, ok := e[k]; ok {
						t.Fatalf("an admin call's line carries %s: %v", k, e)
					}
				}
				continue
			}
			rule := "success"
			if strings.HasSuffix(num, "-E429") {
				rule = "magic-E429"
			}
			if e["incident_num"] != num || e["operate_key"] != "acceptedIncident1" || e["scenario"] != "default" || e["rule"] != rule || e["session"] != "" {
				t.Fatalf("the line of %s: %v", num, e)
			}
		}
		if seen == len(want) && faulted {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d lines, the fault's line found: %v\n%s", seen, len(want), faulted, logs.String())
		}
		time.Sleep(10 * time.Millisecond)
	}
}
