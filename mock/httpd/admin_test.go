package httpd_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
	"github.com/cocmock/cocmock/scenarios"
)

const (
	triggered    = "INCIDENT_STATUS_TRIGGERED"
	acknowledged = "INCIDENT_STATUS_ACKNOWLEDGED"
	rejectedSt   = "INCIDENT_STATUS_REJECTED"
	resolved     = "INCIDENT_STATUS_RESOLVED"
	completed    = "INCIDENT_STATUS_COMPLETED"
)

// sandbox is a test server with helpers for the simulated API and /__admin.
type sandbox struct {
	t   *testing.T
	url string
	// header is sent with every call (a session, a token).
	header http.Header
}

func newSandbox(t *testing.T, cfg httpd.Config, opts ...mock.Option) *sandbox {
	t.Helper()
	eng := mocktest.NewEngine(t, mocktest.WithEngineOptions(opts...))
	srv := httptest.NewServer(httpd.New(eng, cfg).Handler())
	t.Cleanup(srv.Close)
	return &sandbox{t: t, url: srv.URL, header: http.Header{}}
}

func (s *sandbox) call(method, path, body string) exchange {
	s.t.Helper()
	req, err := http.NewRequest(method, s.url+path, strings.NewReader(body))
	if err != nil {
		s.t.Fatal(err)
	}
	for k, v := range s.header {
		req.Header[k] = v
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	// A script's call, as the docs tell scripts to mark a state-changing
	// one (TestStateChangingCallsRefuseCrossSitePages covers the refusal).
	req.Header.Set(httpd.AdminHeader, "1")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		s.t.Fatal(err)
	}
	defer resp.Body.Close()
	var b strings.Builder
	_, _ = fmt.Fprint(&b, mustRead(s.t, resp))
	return exchange{status: resp.StatusCode, header: resp.Header, body: b.String()}
}

func (s *sandbox) operate(num, key string) exchange {
	s.t.Helper()
	return s.call("POST", handlePath, mocktest.HandleBody(num, key))
}

func (s *sandbox) seed(num, status, pending string) {
	s.t.Helper()
	body := fmt.Sprintf(`{"status":%q,"level":"level_30","type":"inc_type_p_function_issues"%s}`, status, pendingField(pending))
	if x := s.call("PUT", "/__admin/incidents/"+num, body); x.status != 200 {
		s.t.Fatalf("seed %s: %d %s", num, x.status, x.body)
	}
}

func pendingField(p string) string {
	if p == "" {
		return ""
	}
	return fmt.Sprintf(`,"pending_approval":%q`, p)
}

func TestAdminScenarioSwitchPerSession(t *testing.T) {
	sb := newSandbox(t, httpd.Config{})
	x := sb.call("GET", "/__admin/scenarios", "")
	var list struct {
		Active    string `json:"active"`
		Scenarios []struct {
			Name, Description string
			Stateful          bool
		} `json:"scenarios"`
	}
	if err := json.Unmarshal([]byte(x.body), &list); err != nil || list.Active != "default" || len(list.Scenarios) != 6 {
		t.Fatalf("%d %s", x.status, x.body)
	}
	sb.header.Set(mock.SessionHeader, "ci-1")
	if x := sb.call("PUT", "/__admin/scenario", `{"name":"outage"}`); x.status != 200 {
		t.Fatalf("%d %s", x.status, x.body)
	}
	if x := sb.operate("IM1", "acceptedIncident1"); x.status != 503 {
		t.Fatalf("session ci-1 after switching to outage: %d", x.status)
	}
	sb.header.Del(mock.SessionHeader)
	if x := sb.operate("IM1", "acceptedIncident1"); x.status != 200 {
		t.Fatalf("the default session must not switch: %d", x.status)
	}
	x = sb.call("PUT", "/__admin/scenario", `{"name":"nope"}`)
	if x.status != 404 || x.header.Get("Content-Type") != "application/problem+json" || !strings.Contains(x.body, `"lifecycle"`) {
		t.Fatalf("unknown scenario: %d %s", x.status, x.body)
	}
	if x := sb.call("PUT", "/__admin/scenario", `{"nmae":"outage"}`); x.status != 400 {
		t.Fatalf("a typo in the body must be refused: %d %s", x.status, x.body)
	}
}

func TestAdminRequestsFilterAndClear(t *testing.T) {
	sb := newSandbox(t, httpd.Config{}, mock.WithScenario("lifecycle"))
	sb.header.Set(mock.SessionHeader, "journal")
	sb.header.Set("X-Auth-Token", "secret-token")
	sb.operate("IM-A", "acceptedIncident1")
	sb.operate("IM-A", "acceptedIncident1")
	sb.operate("IM-B", "forwardOther1")
	var got struct {
		Count    int             `json:"count"`
		Requests []mock.Exchange `json:"requests"`
	}
	for query, want := range map[string]int{"": 3, "?incident_num=IM-A": 2, "?operate_key=forwardOther1": 1, "?status=400": 1, "?rule=accept": 1, "?limit=1": 3} {
		x := sb.call("GET", "/__admin/requests"+query, "")
		if err := json.Unmarshal([]byte(x.body), &got); err != nil || got.Count != want {
			t.Fatalf("%q: count %d, want %d (%s)", query, got.Count, want, x.body)
		}
		if strings.Contains(x.body, "secret-token") {
			t.Fatalf("the token reached the journal: %s", x.body)
		}
	}
	x := sb.call("GET", "/__admin/requests?limit=1", "")
	if err := json.Unmarshal([]byte(x.body), &got); err != nil || len(got.Requests) != 1 || got.Requests[0].IncidentNum != "IM-B" {
		t.Fatalf("limit=1 must give the newest: %s", x.body)
	}
	if x := sb.call("GET", "/__admin/requests?status=abc", ""); x.status != 400 {
		t.Fatalf("bad filter: %d", x.status)
	}
	if x := sb.call("DELETE", "/__admin/requests", ""); x.status != 204 {
		t.Fatalf("clear: %d", x.status)
	}
	x = sb.call("GET", "/__admin/requests", "")
	if err := json.Unmarshal([]byte(x.body), &got); err != nil || got.Count != 0 {
		t.Fatalf("after clear: %s", x.body)
	}
}

func TestAdminIncidentsAndReset(t *testing.T) {
	sb := newSandbox(t, httpd.Config{}, mock.WithScenario("lifecycle"))
	sb.operate("IM-2", "acceptedIncident1")
	sb.seed("IM-1", resolved, "")
	x := sb.call("GET", "/__admin/incidents", "")
	var list struct {
		Count     int             `json:"count"`
		Incidents []mock.Incident `json:"incidents"`
	}
	if err := json.Unmarshal([]byte(x.body), &list); err != nil || list.Count != 2 || list.Incidents[0].Num != "IM-1" || !list.Incidents[0].Put {
		t.Fatalf("%s", x.body)
	}
	if x := sb.call("GET", "/__admin/incidents/IM-404", ""); x.status != 404 || x.header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s", x.status, x.body)
	}
	for _, bad := range []string{`{}`, `{"status":"X","pending_approval":"lunch"}`, `{"status":"X","colour":"red"}`, `not json`} {
		if x := sb.call("PUT", "/__admin/incidents/IM-9", bad); x.status != 400 {
			t.Fatalf("seed %s: %d", bad, x.status)
		}
	}
	if x := sb.call("POST", "/__admin/reset", ""); x.status != 204 {
		t.Fatalf("reset: %d", x.status)
	}
	if x := sb.call("GET", "/__admin/incidents/IM-1", ""); x.status != 404 {
		t.Fatalf("reset kept IM-1: %d", x.status)
	}
	if x := sb.call("POST", "/__admin/reset?all=maybe", ""); x.status != 400 {
		t.Fatalf("bad all: %d", x.status)
	}
	sb.header.Set(mock.SessionHeader, "other")
	sb.seed("IM-5", triggered, "")
	sb.header.Del(mock.SessionHeader)
	if x := sb.call("POST", "/__admin/reset?all=true", ""); x.status != 204 {
		t.Fatalf("reset all: %d", x.status)
	}
	sb.header.Set(mock.SessionHeader, "other")
	if x := sb.call("GET", "/__admin/incidents/IM-5", ""); x.status != 404 {
		t.Fatalf("reset all kept another session's ticket: %d", x.status)
	}
}

func TestAdminToken(t *testing.T) {
	sb := newSandbox(t, httpd.Config{AdminToken: "s3cret"})
	if x := sb.call("GET", "/__admin/health", ""); x.status != 200 {
		t.Fatalf("health must stay open: %d", x.status)
	}
	for _, path := range []string{"/__admin/scenarios", "/__admin/requests", "/__admin/incidents"} {
		x := sb.call("GET", path, "")
		if x.status != 401 || x.header.Get("Content-Type") != "application/problem+json" {
			t.Fatalf("%s without token: %d %s", path, x.status, x.body)
		}
	}
	sb.header.Set("Authorization", "Bearer wrong")
	if x := sb.call("POST", "/__admin/reset", ""); x.status != 401 {
		t.Fatalf("wrong token: %d", x.status)
	}
	sb.header.Set("Authorization", "Bearer s3cret")
	if x := sb.call("GET", "/__admin/scenarios", ""); x.status != 200 {
		t.Fatalf("right token: %d %s", x.status, x.body)
	}
	if x := sb.operate("IM1", "acceptedIncident1"); x.status != 200 {
		t.Fatalf("the token must not lock the simulated API: %d", x.status)
	}
}

// A reload asked for while one runs is answered at once, not queued.
func TestReloadWhileOneRunsIs409(t *testing.T) {
	sb := newSandbox(t, httpd.Config{Reload: func() error { return httpd.ErrReloadBusy }})
	if x := sb.call("POST", "/__admin/reload", ""); x.status != 409 || !strings.Contains(x.body, "A reload is running") {
		t.Fatalf("%d %s", x.status, x.body)
	}
}

// /__admin/info lists a failed reload's findings when it had some, and
// only the error when it failed otherwise.
func TestInfoTellsHowTheLastReloadFailed(t *testing.T) {
	at := time.Unix(1711091706, 0)
	for _, tc := range []struct {
		err      error
		findings bool
	}{
		{scenarios.Findings{{File: "a.yaml", Line: 3, Msg: "unknown key"}}, true},
		{errors.New("scenarios: no such folder"), false},
	} {
		sb := newSandbox(t, httpd.Config{LastReload: func() (time.Time, error) { return at, tc.err }})
		var info struct {
			LastReload map[string]any `json:"last_reload"`
		}
		if err := json.Unmarshal([]byte(sb.call("GET", "/__admin/info", "").body), &info); err != nil {
			t.Fatal(err)
		}
		if _, has := info.LastReload["findings"]; has != tc.findings || info.LastReload["ok"] != false {
			t.Fatalf("%v: %v", tc.err, info.LastReload)
		}
	}
}

func TestAdminSessionsAndSessionQuery(t *testing.T) {
	sb := newSandbox(t, httpd.Config{})
	req, _ := http.NewRequest("POST", sb.url+handlePath, strings.NewReader(mocktest.HandleBody("IM-Q", "acceptedIncident1")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cocmock-Session", "run-7")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	// ?session= is honoured by every session-scoped call.
	if x := sb.call("GET", "/__admin/incidents?session=run-7", ""); !strings.Contains(x.body, `"count":1`) {
		t.Fatalf("incidents?session=: %s", x.body)
	}
	if x := sb.call("GET", "/__admin/incidents/IM-Q?session=run-7", ""); x.status != 200 {
		t.Fatalf("incident?session=: %d", x.status)
	}
	if x := sb.call("GET", "/__admin/incidents", ""); !strings.Contains(x.body, `"count":0`) {
		t.Fatalf("the default session sees another's incident: %s", x.body)
	}
	x := sb.call("GET", "/__admin/sessions", "")
	var list struct {
		Count    int `json:"count"`
		Sessions []struct {
			ID          string `json:"id"`
			Scenario    string `json:"scenario"`
			Incidents   int    `json:"incidents"`
			JournalSize int    `json:"journal_size"`
			LastUsed    string `json:"last_used"`
		} `json:"sessions"`
	}
	if err := json.Unmarshal([]byte(x.body), &list); err != nil || list.Count != 2 || list.Sessions[1].ID != "run-7" ||
		list.Sessions[1].Incidents != 1 || list.Sessions[1].JournalSize != 1 || list.Sessions[1].Scenario != "default" || list.Sessions[1].LastUsed == "" {
		t.Fatalf("%s", x.body)
	}
	if x := sb.call("POST", "/__admin/reset?session=run-7", ""); x.status != 204 {
		t.Fatal(x.status)
	}
	if x := sb.call("GET", "/__admin/incidents?session=run-7", ""); !strings.Contains(x.body, `"count":0`) {
		t.Fatalf("reset?session= kept the incidents: %s", x.body)
	}
}

func TestWrongMethodOnAnAdminPathIs405WithAllow(t *testing.T) {
	sb := newSandbox(t, httpd.Config{})
	for path, allow := range map[string]string{"/__admin/requests": "GET, DELETE", "/__admin/incidents/IM1": "GET, PUT", "/__admin/reset": "POST"} {
		req, _ := http.NewRequest("PATCH", sb.url+path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != allow {
			t.Errorf("PATCH %s: %d Allow %q, want 405 %q", path, resp.StatusCode, resp.Header.Get("Allow"), allow)
		}
	}
	if x := sb.call("GET", "/__admin/nope", ""); x.status != 404 {
		t.Fatalf("unknown path: %d", x.status)
	}
}

func TestJournalTimesAreInMilliseconds(t *testing.T) {
	sb := newSandbox(t, httpd.Config{})
	sb.operate("IM1", "acceptedIncident1")
	x := sb.call("GET", "/__admin/requests", "")
	if !strings.Contains(x.body, `"duration_ms":`) || !strings.Contains(x.body, `"delay_ms":0`) || strings.Contains(x.body, `"duration":`) {
		t.Fatalf("%s", x.body)
	}
}

// /__admin/events streams each exchange as a Server-Sent Event, as the
// dashboard and other tools read it; ?session= or X-Cocmock-Session keeps
// one session's.
func TestEventsStreamExchanges(t *testing.T) {
	for _, viaHeader := range []bool{false, true} {
		t.Run(fmt.Sprint("header=", viaHeader), func(t *testing.T) { streamsOneSession(t, viaHeader) })
	}
}

func streamsOneSession(t *testing.T, viaHeader bool) {
	sb := newSandbox(t, httpd.Config{})
	open, _ := http.NewRequest("GET", sb.url+"/__admin/events?session=run-1", nil)
	if viaHeader {
		open, _ = http.NewRequest("GET", sb.url+"/__admin/events", nil)
		open.Header.Set("X-Cocmock-Session", "run-1")
	}
	resp, err := http.DefaultClient.Do(open)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/event-stream" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	sb.operate("IM-OTHER", "acceptedIncident1") // the default session: not this stream's
	req, _ := http.NewRequest("POST", sb.url+handlePath, strings.NewReader(mocktest.HandleBody("IM-EV", "acceptedIncident1")))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cocmock-Session", "run-1")
	r2, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	r2.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		line := sc.Text()
		if !strings.HasPrefix(line, "data: ") {
			continue
		}
		var x mock.Exchange
		if err := json.Unmarshal([]byte(strings.TrimPrefix(line, "data: ")), &x); err != nil {
			t.Fatal(err)
		}
		if x.IncidentNum != "IM-EV" || x.Session != "run-1" {
			t.Fatalf("first event is %s in %q", x.IncidentNum, x.Session)
		}
		return
	}
	t.Fatal("no event")
}

// The profiler answers under /__admin with its named profiles, not only
// its index, and only with the token.
func TestTheProfilerServesNamedProfilesBehindTheToken(t *testing.T) {
	if x := newSandbox(t, httpd.Config{}).call("GET", "/__admin/debug/pprof/heap?debug=1", ""); x.status != 404 {
		t.Fatalf("the profiler without --pprof: %d", x.status)
	}
	sb := newSandbox(t, httpd.Config{AdminToken: "s3cret", Pprof: true})
	if x := sb.call("GET", "/__admin/debug/pprof/heap?debug=1", ""); x.status != 401 {
		t.Fatalf("without the token: %d", x.status)
	}
	sb.header.Set("Authorization", "Bearer s3cret")
	if x := sb.call("GET", "/__admin/debug/pprof/heap?debug=1", ""); x.status != 200 || !strings.Contains(x.body, "heap profile:") {
		t.Fatalf("heap: %d %.200s", x.status, x.body)
	}
	if x := sb.call("GET", "/__admin/debug/pprof/goroutine?debug=1", ""); !strings.Contains(x.body, "goroutine profile:") {
		t.Fatalf("goroutine: %.200s", x.body)
	}
	if x := sb.call("GET", "/__admin/debug/pprof/", ""); x.status != 200 || !strings.Contains(x.body, "goroutine") {
		t.Fatalf("index: %d %.200s", x.status, x.body)
	}
	// The index links cmdline and symbol, which are handlers of their own.
	if x := sb.call("GET", "/__admin/debug/pprof/cmdline", ""); x.status != 200 || !strings.Contains(x.body, ".test") {
		t.Fatalf("cmdline: %d %.200s", x.status, x.body)
	}
	if x := sb.call("GET", "/__admin/debug/pprof/symbol", ""); x.status != 200 || !strings.Contains(x.body, "num_symbols") {
		t.Fatalf("symbol: %d %.200s", x.status, x.body)
	}
	// Another method gets the sandbox's 405, as every admin path does.
	for _, path := range []string{"/__admin/debug/pprof/heap", "/__admin/debug/pprof/"} {
		if x := sb.call("POST", path, ""); x.status != 405 || !strings.Contains(x.body, "the sandbox API takes GET there") {
			t.Fatalf("POST %s: %d %.200s", path, x.status, x.body)
		}
	}
}

func TestCoverageOverTheSandboxAPI(t *testing.T) {
	srv := newServer(t, httpd.Config{})
	post := func(session, body string) {
		req, _ := http.NewRequest("POST", srv.URL+handlePath, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Cocmock-Session", session)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	post("a", `{"incident_num":"IM1-E429","operator":"u","operate_key":"acceptedIncident1"}`)
	post("b", `{"incident_num":"IM1-E503","operator":"u","operate_key":"acceptedIncident1"}`)
	count := func(query, id string) float64 {
		t.Helper()
		r := do(t, "GET", srv.URL+"/__admin/coverage"+query, "", "")
		var rep struct {
			Total int `json:"total"`
			Items []struct {
				ID    string  `json:"id"`
				Count float64 `json:"count"`
			} `json:"items"`
		}
		if err := json.Unmarshal([]byte(r.body), &rep); err != nil || r.status != 200 || rep.Total == 0 {
			t.Fatalf("%s: %d %s", query, r.status, r.body)
		}
		for _, it := range rep.Items {
			if it.ID == id {
				return it.Count
			}
		}
		t.Fatalf("no item %s", id)
		return 0
	}
	if count("?session=a", "HandleCocIncident/429/APIGW.0308") != 1 || count("?session=a", "HandleCocIncident/503/APIGW.0201") != 0 {
		t.Fatal("session a")
	}
	if count("?session=a&session=b", "HandleCocIncident/503/APIGW.0201") != 1 || count("?session=*", "sent/HandleCocIncident") != 2 {
		t.Fatal("merged")
	}
	if r := do(t, "POST", srv.URL+"/__admin/reset?session=a", "", ""); r.status != 204 || count("?session=a", "sent/HandleCocIncident") != 1 {
		t.Fatal("a reset of tickets kept the coverage")
	}
	if r := do(t, "POST", srv.URL+"/__admin/reset?session=a&coverage=true", "", ""); r.status != 204 || count("?session=a", "sent/HandleCocIncident") != 0 {
		t.Fatal("reset?coverage=true cleared it")
	}
	if r := do(t, "POST", srv.URL+"/__admin/reset?coverage=maybe", "", ""); r.status != 400 {
		t.Fatalf("a bad coverage parameter: %d", r.status)
	}
}

// A web page of another site cannot change the sandbox (its fetch with
// mode no-cors wiped every session before), and a page that rebinds its
// own name to 127.0.0.1 cannot read it.
func TestStateChangingCallsRefuseCrossSitePages(t *testing.T) {
	eng := mocktest.NewEngine(t)
	srv := httptest.NewServer(httpd.New(eng, httpd.Config{AllowedHosts: []string{"cocmock"}}).Handler())
	t.Cleanup(srv.Close)
	call := func(method, path string, header map[string]string) int {
		req, _ := http.NewRequest(method, srv.URL+path, nil)
		for k, v := range header {
			if k == "Host" {
				req.Host = v
			} else {
				req.Header.Set(k, v)
			}
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	for _, tc := range []struct {
		name, method, path string
		header             map[string]string
		want               int
	}{
		{"a no-cors page's reset", "POST", "/__admin/reset?all=true", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "text/plain"}, 403},
		{"a cross-site page's JSON reset", "POST", "/__admin/reset?all=true", map[string]string{"Sec-Fetch-Site": "cross-site", "Content-Type": "application/json"}, 403},
		{"another Origin", "POST", "/__admin/reset", map[string]string{"Origin": "http://evil.example", "Content-Type": "application/json"}, 403},
		{"a form post (no JSON, no header)", "POST", "/__admin/reset", map[string]string{"Content-Type": "application/x-www-form-urlencoded"}, 403},
		{"curl without a content type", "DELETE", "/__admin/requests", nil, 403},
		{"a script's JSON call", "POST", "/__admin/reset", map[string]string{"Content-Type": "application/json"}, 204},
		{"a script's marked call", "DELETE", "/__admin/requests", map[string]string{"X-Cocmock-Admin": "1"}, 204},
		{"the dashboard's own call", "POST", "/__admin/reset", map[string]string{"Sec-Fetch-Site": "same-origin", "Origin": srv.URL, "X-Cocmock-Admin": "1"}, 204},
		{"a read from anywhere", "GET", "/__admin/requests", map[string]string{"Sec-Fetch-Site": "cross-site"}, 200},
		{"a rebinding page's Host", "GET", "/__admin/requests", map[string]string{"Host": "attacker.example:8080"}, 403},
		{"a rebinding page's Host, health", "GET", "/__admin/health", map[string]string{"Host": "attacker.example"}, 403},
		{"an allowed name", "GET", "/__admin/requests", map[string]string{"Host": "cocmock:8080"}, 200},
		{"localhost", "GET", "/__admin/requests", map[string]string{"Host": "localhost:8080"}, 200},
		{"the API itself, any Host", "GET", "/v1/external/incident/IM1", map[string]string{"Host": "coc.myhuaweicloud.com"}, 400},
	} {
		if got := call(tc.method, tc.path, tc.header); got != tc.want {
			t.Errorf("%s: %d, want %d", tc.name, got, tc.want)
		}
	}
	if n := len(eng.Sessions()); n < 1 {
		t.Fatal("the sessions went")
	}
}

// With --pprof the profiler's cmdline shows the command line without the
// values of secret flags.
func TestTheProfilersCmdlineHidesSecrets(t *testing.T) {
	saved := os.Args
	os.Args = []string{"cocmock", "--sk", "TOPSECRET", "--admin-token=HUSH", "--addr", "127.0.0.1:0"}
	defer func() { os.Args = saved }()
	sb := newSandbox(t, httpd.Config{Pprof: true})
	x := sb.call("GET", "/__admin/debug/pprof/cmdline", "")
	if x.status != 200 || strings.Contains(x.body, "TOPSECRET") || strings.Contains(x.body, "HUSH") || !strings.Contains(x.body, "127.0.0.1:0") || !strings.Contains(x.body, "[redacted]") {
		t.Fatalf("%d %q", x.status, x.body)
	}
}

// The journal pages with a cursor: ?limit=N gives "next", the request id
// to pass as ?before= for the page after.
func TestTheJournalPagesWithACursor(t *testing.T) {
	sb := newSandbox(t, httpd.Config{})
	for i := range 5 {
		sb.operate(fmt.Sprintf("IM-%d", i), "acceptedIncident1")
	}
	page := func(query string) (nums []string, next string) {
		x := sb.call("GET", "/__admin/requests?"+query, "")
		var r struct {
			Requests []struct {
				IncidentNum string `json:"incident_num"`
			} `json:"requests"`
			Next string `json:"next"`
		}
		if err := json.Unmarshal([]byte(x.body), &r); err != nil || x.status != 200 {
			t.Fatalf("%s: %d %s", query, x.status, x.body)
		}
		for _, e := range r.Requests {
			nums = append(nums, e.IncidentNum)
		}
		return nums, r.Next
	}
	first, next := page("limit=2")
	second, next2 := page("limit=2&before=" + next)
	third, next3 := page("limit=2&before=" + next2)
	if fmt.Sprint(first, second, third) != "[IM-4 IM-3] [IM-2 IM-1] [IM-0]" || next3 != "" {
		t.Fatalf("%v %v %v, last next %q", first, second, third, next3)
	}
}

// A client that asks for the journal and never reads the reply does not
// pin the whole list: it is written an entry at a time, and the write's
// deadline ends the connection.
func TestAStalledReaderPinsNoWholeList(t *testing.T) {
	eng := mocktest.NewEngine(t)
	front := httpd.New(eng, httpd.Config{ListWriteTimeout: 300 * time.Millisecond})
	srv := httptest.NewUnstartedServer(front.Handler())
	srv.Config = front.HTTPServer("")
	srv.Start()
	t.Cleanup(srv.Close)
	body := mocktest.HandleBodyWith("IM1", "forwardOther1", map[string]any{"virtual_send_comment": strings.Repeat("c", 60<<10)})
	for range 300 { // about 18 MB of bodies in the journal
		eng.Serve(context.Background(), mock.Request{ID: "0123456789abcdef0123456789abcdef", Method: "POST", Path: handlePath,
			Header: http.Header{"Content-Type": {"application/json"}}, Body: []byte(body)})
	}
	before := heapAfterGC()
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// A small receive buffer and no reading: the server's writes block.
	if tcp, ok := conn.(*net.TCPConn); ok {
		_ = tcp.SetReadBuffer(4 << 10)
	}
	fmt.Fprintf(conn, "GET /__admin/requests HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
	time.Sleep(150 * time.Millisecond) // the handler is blocked writing now
	grew := int64(heapAfterGC()) - int64(before)
	t.Logf("heap grew %d KiB while the reader stalls", grew>>10)
	if grew > 4<<20 {
		t.Fatalf("a stalled reader holds %d MiB", grew>>20)
	}
	// Past the deadline the server gives up on it.
	time.Sleep(time.Second)
	_ = conn.SetReadDeadline(time.Now().Add(5 * time.Second))
	if _, err := io.Copy(io.Discard, conn); err != nil && !errors.Is(err, os.ErrDeadlineExceeded) {
		t.Logf("read after the deadline: %v", err)
	}
}

func heapAfterGC() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
