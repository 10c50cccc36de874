package httpd_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
)

const handlePath = "/v1/external/incident/handle"

var hex32 = regexp.MustCompile(`^[0-9a-f]{32}$`)

func newServer(t testing.TB, cfg httpd.Config) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(httpd.New(mocktest.NewEngine(t), cfg).Handler())
	t.Cleanup(srv.Close)
	return srv
}

type exchange struct {
	status int
	header http.Header
	body   string
}

func do(t *testing.T, method, url, contentType, body string) exchange {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set(httpd.AdminHeader, "1") // a script's call (see TestStateChangingCallsRefuseCrossSitePages)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return exchange{status: resp.StatusCode, header: resp.Header, body: string(b)}
}

const acceptBody = `{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"acceptedIncident1"}`

func TestEveryReplyCarriesRequestIDAndJSON(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	cases := []struct {
		name, method, path, body string
		status                   int
		gatewayBody              bool
	}{
		{"success", "POST", handlePath, acceptBody, 200, false},
		{"invalid request", "POST", handlePath, `{}`, 400, false},
		{"unknown path → gateway 404", "POST", "/v2/nothing", acceptBody, 404, true},
		{"wrong method → gateway 404", "DELETE", handlePath, "", 404, true},
		{"unusual method → gateway 404", "PROPFIND", handlePath, "", 404, true},
		{"health", "GET", "/__admin/health", "", 200, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			x := do(t, tc.method, srv.URL+tc.path, "application/json;charset=UTF-8", tc.body)
			if x.status != tc.status {
				t.Fatalf("status %d, want %d: %s", x.status, tc.status, x.body)
			}
			id := x.header.Get("X-Request-Id")
			if !hex32.MatchString(id) {
				t.Fatalf("X-Request-Id %q", id)
			}
			if ct := x.header.Get("Content-Type"); ct != "application/json" {
				t.Fatalf("Content-Type %q", ct)
			}
			if tc.gatewayBody {
				var g mock.GatewayBody
				if err := json.Unmarshal([]byte(x.body), &g); err != nil || g.RequestID != id || g.ErrorCode != "APIGW.0101" {
					t.Fatalf("gateway body %s does not repeat request id %s", x.body, id)
				}
			}
		})
	}
}

func TestHealth(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	x := do(t, "GET", srv.URL+"/__admin/health", "", "")
	if x.status != 200 || x.body != `{"status":"ok","validation":"enforce"}`+"\n" {
		t.Fatalf("health: %d %s", x.status, x.body)
	}
}

func TestUnknownAdminCallIsProblemJSON(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	for _, path := range []string{"/__admin/nothing", "/__admin"} {
		x := do(t, "GET", srv.URL+path, "", "")
		if x.status != 404 || x.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s: %d %s %s", path, x.status, x.header.Get("Content-Type"), x.body)
		}
		var p map[string]any
		if err := json.Unmarshal([]byte(x.body), &p); err != nil || p["status"] != float64(404) || p["title"] == "" {
			t.Fatalf("%s: problem %s", path, x.body)
		}
	}
}

func TestBodyLimit(t *testing.T) {
	const limit = 1024
	srv := newServer(t, httpd.Config{MaxBody: limit})
	pad := func(n int) string {
		// A valid accept body padded with spaces to exactly n bytes.
		return acceptBody[:len(acceptBody)-1] + strings.Repeat(" ", n-len(acceptBody)) + "}"
	}
	t.Run("body of exactly --max-body bytes → 200", func(t *testing.T) {
		x := do(t, "POST", srv.URL+handlePath, "application/json", pad(limit))
		if x.status != 200 {
			t.Fatalf("%d %s", x.status, x.body)
		}
	})
	t.Run("one byte over → 413 APIGW.0201", func(t *testing.T) {
		x := do(t, "POST", srv.URL+handlePath, "application/json", pad(limit+1))
		var g mock.GatewayBody
		if err := json.Unmarshal([]byte(x.body), &g); err != nil {
			t.Fatal(err)
		}
		if x.status != 413 || g.ErrorCode != "APIGW.0201" || g.RequestID != x.header.Get("X-Request-Id") {
			t.Fatalf("%d %s", x.status, x.body)
		}
	})
	t.Run("chunked body over the limit → 413", func(t *testing.T) {
		pr, pw := io.Pipe()
		go func() {
			_, _ = pw.Write([]byte(pad(limit + 100)))
			_ = pw.Close()
		}()
		req, _ := http.NewRequest("POST", srv.URL+handlePath, pr) // no length: chunked
		req.Header.Set("Content-Type", "application/json")
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("status %d", resp.StatusCode)
		}
	})
}

func TestDefaultBodyLimitIsOneMiB(t *testing.T) {
	if httpd.DefaultMaxBody != 1<<20 {
		t.Fatalf("DefaultMaxBody = %d", httpd.DefaultMaxBody)
	}
}

func mustRead(t *testing.T, resp *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestRateLimitKeysOnThePeerNotOnForwardedHeaders(t *testing.T) {
	srv := httptest.NewServer(httpd.New(mocktest.NewEngine(t, mocktest.WithEngineOptions(mock.WithRateLimit(1))), httpd.Config{}).Handler())
	t.Cleanup(srv.Close)
	var statuses []int
	for i := range 3 {
		req, _ := http.NewRequest("POST", srv.URL+handlePath, strings.NewReader(acceptBody))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Forwarded-For", fmt.Sprintf("10.0.0.%d", i+1))
		req.Header.Set("X-Real-IP", fmt.Sprintf("10.0.1.%d", i+1))
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		statuses = append(statuses, resp.StatusCode)
	}
	if fmt.Sprint(statuses) != "[200 429 429]" {
		t.Fatalf("statuses %v: a forged X-Forwarded-For must not buy a new bucket", statuses)
	}
}

func TestTheRootPointsToTheDashboardAndTheDocs(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	r := do(t, "GET", srv.URL+"/", "", "")
	if r.status != 200 || !strings.Contains(r.body, `"dashboard":"/__admin/ui/"`) || !strings.Contains(r.body, "docs/README.md") || !hex32.MatchString(r.header.Get("X-Request-Id")) {
		t.Fatalf("%d %s", r.status, r.body)
	}
	req, _ := http.NewRequest("GET", srv.URL+"/", nil)
	req.Header.Set("Accept", "text/html,application/xhtml+xml")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	b, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if !strings.Contains(string(b), `<a href="/__admin/ui/">`) || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/html") {
		t.Fatalf("a browser gets %s %s", resp.Header.Get("Content-Type"), b)
	}
	// Any other path of no operation is still the gateway's 404.
	if r := do(t, "GET", srv.URL+"/v9/nothing", "", ""); r.status != 404 || !strings.Contains(r.body, "APIGW.0101") {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestASandboxCallWithATooLongSessionIsRefused(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	if r := do(t, "GET", srv.URL+"/__admin/requests?session="+strings.Repeat("x", mock.MaxSessionID+1), "", ""); r.status != 400 || !strings.Contains(r.body, "Session id too long") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := do(t, "GET", srv.URL+"/__admin/requests?session="+strings.Repeat("x", mock.MaxSessionID), "", ""); r.status != 200 {
		t.Fatalf("%d %s", r.status, r.body)
	}
}

func TestAMissingDashboardFileIsA404(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	if r := do(t, "GET", srv.URL+"/__admin/ui/nope.js", "", ""); r.status != 404 || !strings.Contains(r.body, "No such dashboard file") {
		t.Fatalf("%d %s", r.status, r.body)
	}
	if r := do(t, "GET", srv.URL+"/__admin/ui/app.js", "", ""); r.status != 200 {
		t.Fatalf("app.js: %d", r.status)
	}
}
