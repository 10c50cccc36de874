package mocktest_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

func post(t testing.TB, url, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(url+"/v1/external/incident/handle", "application/json;charset=UTF-8", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func TestServerDrivesALifecycleAndShowsIt(t *testing.T) {
	srv := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"), mocktest.WithSeed(1))
	if status, body := post(t, srv.URL, `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
	if status, _ := post(t, srv.URL, `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`); status != 400 {
		t.Fatalf("a second accept: %d", status)
	}
	tk, ok := srv.Incident("IM1")
	if !ok || tk.Status != "INCIDENT_STATUS_ACKNOWLEDGED" || len(tk.History) != 1 { // the refusal is not history
		t.Fatalf("%+v", tk)
	}
	if got := srv.Requests(mock.Filter{Status: 400}); len(got) != 1 || got[0].Rule != "refuse-accept" {
		t.Fatalf("%+v", got)
	}
	if d, ok := srv.Detail("IM1"); !ok || d.Status != "INCIDENT_STATUS_ACKNOWLEDGED" || d.IncidentLevel != "level_30" {
		t.Fatalf("detail %+v", d)
	}
	srv.ResetAll()
	if _, ok := srv.Incident("IM1"); ok {
		t.Fatal("Reset kept the ticket")
	}
	if got := srv.Requests(mock.Filter{}); len(got) != 0 {
		t.Fatal("Reset kept the journal")
	}
}

func TestSeedAndScenarioDir(t *testing.T) {
	srv := mocktest.NewServer(t, mocktest.WithScenarioDir("../../testdata/scenarios/good"), mocktest.WithScenario("custom"))
	if status, body := post(t, srv.URL, `{"incident_num":"IM1-TEAPOT","operator":"u","operate_key":"acceptedIncident1"}`); status != 418 {
		t.Fatalf("%d %s", status, body)
	}
	lc := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"))
	if _, err := lc.PutIncident("IM9", mock.IncidentState{Status: "INCIDENT_STATUS_RESOLVED"}); err != nil {
		t.Fatal(err)
	}
	if status, body := post(t, lc.URL, `{"incident_num":"IM9","operator":"u","operate_key":"confirm","parameter":{"virtual_confirm_result":true,"virtual_confirm_comment":"ok"}}`); status != 200 {
		t.Fatalf("%d %s", status, body)
	}
}

func TestServersAreIndependent(t *testing.T) {
	a := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"))
	b := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"))
	post(t, a.URL, `{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`)
	if _, ok := b.Incident("IM1"); ok {
		t.Fatal("b saw a's ticket")
	}
	if a.URL == b.URL {
		t.Fatal("same URL")
	}
}

// Importing mocktest must not build the heavy parts of cocmock's module
// graph: Prometheus's client (metrics) and fsnotify (file watching).
func TestImportersDoNotBuildHeavyDependencies(t *testing.T) {
	if testing.Short() {
		t.Skip("runs go list")
	}
	out, err := exec.Command("go", "list", "-deps", "github.com/cocmock/cocmock/mock/mocktest").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, heavy := range []string{"github.com/prometheus/", "github.com/fsnotify/", "github.com/huaweicloud/"} {
		if strings.Contains(string(out), heavy) {
			t.Errorf("mocktest builds %s…", heavy)
		}
	}
}

func ExampleNewServer() {
	t := &testing.T{} // in a real test, the test's own t
	srv := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"), mocktest.WithSeed(1))

	// Point the client under test at srv.URL; here, plain net/http.
	resp, err := http.Post(srv.URL+"/v1/external/incident/handle", "application/json",
		strings.NewReader(`{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"acceptedIncident1"}`))
	if err != nil {
		panic(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	fmt.Println(resp.StatusCode, string(body))

	tk, _ := srv.Incident("IM202403221515060171753781")
	fmt.Println(tk.Status, len(srv.Requests(mock.Filter{OperateKey: "acceptedIncident1"})))
	srv.Close()
	// Output:
	// 200 {"error_code":"GOM.00000000","error_msg":null,"provider_code":"049","data":null}
	// INCIDENT_STATUS_ACKNOWLEDGED 1
}

func TestTLSServer(t *testing.T) {
	srv := mocktest.NewTLSServer(t)
	if !strings.HasPrefix(srv.URL, "https://") {
		t.Fatal(srv.URL)
	}
	req, _ := http.NewRequest("POST", srv.URL+"/v1/external/incident/handle", strings.NewReader(mocktest.HandleBody("IM1", "acceptedIncident1")))
	req.Header.Set("Content-Type", "application/json")
	resp, err := srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("%d", resp.StatusCode)
	}
	if d, ok := srv.Detail("IM1"); !ok || d.Status != "INCIDENT_STATUS_ACKNOWLEDGED" {
		t.Fatalf("%+v", d)
	}
}

// recorder is a testing.TB that records what the helper says and runs its
// cleanups on demand.
type recorder struct {
	testing.TB
	failed   bool
	logs     []string
	cleanups []func()
}

func (r *recorder) Helper()                    {}
func (r *recorder) Failed() bool               { return r.failed }
func (r *recorder) Cleanup(f func())           { r.cleanups = append(r.cleanups, f) }
func (r *recorder) Logf(f string, args ...any) { r.logs = append(r.logs, fmt.Sprintf(f, args...)) }
func (r *recorder) Errorf(f string, args ...any) {
	r.failed = true
	r.logs = append(r.logs, fmt.Sprintf(f, args...))
}

func TestAssertionsAndTheJournalOnFailure(t *testing.T) {
	rec := &recorder{TB: t}
	srv := mocktest.NewServer(rec)
	defer func() {
		for i := len(rec.cleanups) - 1; i >= 0; i-- {
			rec.cleanups[i]()
		}
	}()
	post(t, srv.URL, `{"incident_num":"IM1","operator":"u","operate_key":"acceptIncident1"}`)
	srv.AssertCalled(rec, mock.Filter{IncidentNum: "IM1"}, 1)
	if rec.failed {
		t.Fatalf("AssertCalled failed on a true count: %v", rec.logs)
	}
	srv.AssertNoInvalidRequests(rec)
	if !rec.failed || !strings.Contains(strings.Join(rec.logs, "\n"), "broke the contract: operate_key") {
		t.Fatalf("AssertNoInvalidRequests: %v", rec.logs)
	}
	rec.logs = nil
	for i := len(rec.cleanups) - 1; i >= 0; i-- { // the test ends, failed
		rec.cleanups[i]()
	}
	rec.cleanups = nil
	if out := strings.Join(rec.logs, "\n"); !strings.Contains(out, `cocmock journal of session ""`) || !strings.Contains(out, "POST /v1/external/incident/handle → 400") {
		t.Fatalf("no journal printed on failure:\n%s", out)
	}
}

// Each test run can have its own session: its client sends
// X-Cocmock-Session, and the test reads that session's journal and
// incidents, asserts on them, and reads body fields without decoding.
func ExampleServer_Session() {
	t := &testing.T{} // in a real test, the test's own t
	srv := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"))
	run := srv.Session("run-42")

	for _, key := range []string{"acceptedIncident1", "commitSolution1"} {
		req, _ := http.NewRequest("POST", srv.URL+"/v1/external/incident/handle", strings.NewReader(mocktest.HandleBody("IM1", key)))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Cocmock-Session", run.ID)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			panic(err)
		}
		resp.Body.Close()
	}

	commits := run.Requests(mock.Filter{OperateKey: "commitSolution1"})
	fmt.Println(commits[0].Request.Field("parameter.mtm_type"))
	d, _ := run.Detail("IM1")
	fmt.Println(d.Status)
	run.AssertCalled(t, mock.Filter{IncidentNum: "IM1"}, 2)
	run.AssertNoInvalidRequests(t)
	_, inDefault := srv.Incident("IM1")
	fmt.Println("in the default session:", inDefault, "failed:", t.Failed())
	srv.Close()
	// Output:
	// inc_type_p_config_issues
	// INCIDENT_STATUS_RESOLVED
	// in the default session: false failed: false
}

// A sandbox that answers requests breaking the contract loads its scenario
// files as cocmock serve does then: a rule only such a request can match
// is a warning, and the rule answers.
func TestScenarioFilesLoadAsLenientlyAsTheSandboxAnswers(t *testing.T) {
	dir := t.TempDir()
	file := `name: typos
description: A rule for an operate_key typo, which only report mode answers.
operation: HandleCocIncident
rules:
  - name: typo-key
    when: {body.operate_key: acceptIncident1}
    respond: {status: 200, gom: {code: GOM.00000000}}
`
	if err := os.WriteFile(filepath.Join(dir, "typos.yaml"), []byte(file), 0o644); err != nil {
		t.Fatal(err)
	}
	// Strictly, the rule is an error: no valid request can match it.
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := scenarios.Load(spec, scenarios.Source{Name: dir, FS: os.DirFS(dir)}); err == nil || !strings.Contains(err.Error(), "never matches") {
		t.Fatalf("loaded strictly: %v", err)
	}
	rec := &recorder{TB: t}
	srv := mocktest.NewServer(rec, mocktest.WithScenarioDir(dir), mocktest.WithScenario("typos"),
		mocktest.WithEngineOptions(mock.WithValidation(mock.ValidationReport)))
	defer func() {
		for i := len(rec.cleanups) - 1; i >= 0; i-- {
			rec.cleanups[i]()
		}
	}()
	if logs := strings.Join(rec.logs, "\n"); !strings.Contains(logs, "only a request that breaks the contract can match") {
		t.Fatalf("the warning was not logged: %q", logs)
	}
	req, _ := http.NewRequest(http.MethodPost, srv.URL+"/v1/external/incident/handle",
		strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptIncident1"}`))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get(mock.RuleHeader) != "typo-key" {
		t.Fatalf("%d, rule %q", resp.StatusCode, resp.Header.Get(mock.RuleHeader))
	}
}

func TestAssertCoveredNamesWhatWasNeverMetAndHowToMeetIt(t *testing.T) {
	srv := mocktest.NewServer(t)
	post(t, srv.URL, mocktest.HandleBody("IM1-E429", "acceptedIncident1"))
	rec := &recorder{TB: t}
	srv.AssertCovered(rec, "HandleCocIncident/429/APIGW.0308")
	if rec.failed {
		t.Fatalf("met, yet: %v", rec.logs)
	}
	srv.AssertCovered(rec, "HandleCocIncident/429/APIGW.0308", "fault/reset", "no/such-item")
	msg := strings.Join(rec.logs, "\n")
	if !rec.failed || !strings.Contains(msg, "never met 2 of 3") || !strings.Contains(msg, "fault/reset — to meet it: end the incident number with -RESET") ||
		!strings.Contains(msg, "no/such-item — no such item") {
		t.Fatalf("message: %s", msg)
	}
	if n := srv.Coverage().Met; n < 3 {
		t.Fatalf("Coverage met %d items", n)
	}
}
