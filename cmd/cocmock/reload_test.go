package main

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

const teamV1 = `name: team
description: A user scenario that the test rewrites while traffic flows.
rules:
  - name: v1
    respond: {status: 400, gom: {code: GOM.00007256, message: version one}}
`

const teamV2 = `name: team
description: A user scenario that the test rewrites while traffic flows.
rules:
  - name: v2
    respond: {status: 400, gom: {code: GOM.00007256, message: version two}}
`

const teamBroken = `name: team
description: A broken edit.
rules:
  - name: v3
    respnd: {status: 400, gom: {code: GOM.00007256, message: version three}}
`

func activeRule(t *testing.T, url string) string {
	t.Helper()
	req, _ := http.NewRequest("POST", url+"/v1/external/incident/handle", strings.NewReader(`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cocmock-Scenario", "team")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.Header.Get("X-Cocmock-Rule")
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestWatchReloadsGoodEditsAndKeepsServingThroughBrokenOnes(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(file, []byte(teamV1), 0o644); err != nil {
		t.Fatal(err)
	}
	url, stderr, _ := start(t, []string{"--scenarios", dir, "--watch", "--scenario", "lifecycle"}, nil)

	// Traffic on a stateful scenario and on the file being edited, all
	// through the reloads: every reply must be a well-formed one.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var calls, bad atomic.Int64
	for i := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			client := &http.Client{Timeout: 5 * time.Second}
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				body := `{"incident_num":"IM-W` + string(rune('a'+i)) + `","operator":"u","operate_key":"forwardOther1"}`
				req, _ := http.NewRequest("POST", url+"/v1/external/incident/handle", strings.NewReader(body))
				req.Header.Set("Content-Type", "application/json")
				if n%2 == 0 {
					req.Header.Set("X-Cocmock-Scenario", "team")
				}
				resp, err := client.Do(req)
				if err != nil {
					bad.Add(1)
					continue
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				calls.Add(1)
				if resp.StatusCode != 200 && resp.StatusCode != 400 {
					bad.Add(1)
				}
			}
		}()
	}

	if got := activeRule(t, url); got != "v1" {
		t.Fatalf("rule %q before the edit", got)
	}
	if err := os.WriteFile(file, []byte(teamV2), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the good edit to load", func() bool { return activeRule(t, url) == "v2" })

	if err := os.WriteFile(file, []byte(teamBroken), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the broken edit to be reported", func() bool { return strings.Contains(stderr.String(), "team.yaml:5") })
	if got := activeRule(t, url); got != "v2" {
		t.Fatalf("after a broken edit the last good set must serve; rule %q", got)
	}

	// The same through the sandbox API.
	resp, err := http.Post(url+"/__admin/reload", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	var p struct {
		Status   int `json:"status"`
		Findings []struct {
			File string `json:"file"`
			Line int    `json:"line"`
		} `json:"findings"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&p)
	resp.Body.Close()
	if resp.StatusCode != 422 || len(p.Findings) == 0 || p.Findings[0].Line != 5 || !strings.HasSuffix(p.Findings[0].File, "team.yaml") {
		t.Fatalf("reload of a broken file: %d %+v", resp.StatusCode, p)
	}
	if err := os.WriteFile(file, []byte(teamV1), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the fixed file to load", func() bool { return activeRule(t, url) == "v1" })

	close(stop)
	wg.Wait()
	if calls.Load() == 0 || bad.Load() > 0 {
		t.Fatalf("%d calls, %d failed during reloads", calls.Load(), bad.Load())
	}
	// Session state survived every reload: the lifecycle tickets are there.
	resp, err = http.Get(url + "/__admin/incidents")
	if err != nil {
		t.Fatal(err)
	}
	var list struct {
		Count int `json:"count"`
	}
	_ = json.NewDecoder(resp.Body).Decode(&list)
	resp.Body.Close()
	if list.Count != 4 {
		t.Fatalf("%d tickets after the reloads, want 4", list.Count)
	}
}

func TestWatchNeedsAFolder(t *testing.T) {
	if _, err := runCmd("serve", "--watch"); err == nil || exitCode(err) != 2 {
		t.Fatalf("err %v", err)
	}
}

func TestMetricsMoveAsRequestsArrive(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	scrape := func() string {
		resp, err := http.Get(url + "/__admin/metrics")
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
			t.Fatalf("metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		return string(b)
	}
	const ok = `cocmock_requests_total{operate_key="acceptedIncident1",operation="HandleCocIncident",rule="success",scenario="default",status="200"}`
	const e400 = `cocmock_requests_total{operate_key="acceptedIncident1",operation="HandleCocIncident",rule="magic-E400",scenario="default",status="400"}`
	before := scrape()
	if strings.Contains(before, ok) {
		t.Fatal("counted before any request")
	}
	for _, num := range []string{"IM1", "IM2", "IM3-E400"} {
		resp, err := http.Post(url+"/v1/external/incident/handle", "application/json",
			strings.NewReader(`{"incident_num":"`+num+`","operator":"u","operate_key":"acceptedIncident1"}`))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	req, _ := http.NewRequest("POST", url+"/v1/external/incident/handle", strings.NewReader(`{"incident_num":"IM4","operator":"u","operate_key":"acceptedIncident1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cocmock-Session", "s1")
	if resp, err := http.DefaultClient.Do(req); err == nil {
		resp.Body.Close()
	}
	after := scrape()
	for _, want := range []string{ok + " 3", e400 + " 1", `cocmock_request_duration_seconds_count{scenario="default"} 4`, "cocmock_sessions 1", "cocmock_journal_entries 4"} {
		if !strings.Contains(after, want) {
			t.Errorf("metrics lack %q", want)
		}
	}
}

func TestJSONAccessLogCarriesTheExchange(t *testing.T) {
	url, stderr, stop := start(t, []string{"--log-format", "json"}, nil)
	req, _ := http.NewRequest("POST", url+"/v1/external/incident/handle", strings.NewReader(`{"incident_num":"IM1-E429","operator":"u","operate_key":"acceptedIncident1"}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cocmock-Session", "log-test")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	_ = stop()
	for _, line := range strings.Split(stderr.String(), "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil || entry["msg"] != "request" || entry["path"] != "/v1/external/incident/handle" {
			continue
		}
		if entry["request_id"] != resp.Header.Get("X-Request-Id") || entry["session"] != "log-test" || entry["scenario"] != "default" ||
			entry["rule"] != "magic-E429" || entry["status"] != float64(429) || entry["duration_ms"] == nil ||
			entry["incident_num"] != "IM1-E429" || entry["operate_key"] != "acceptedIncident1" {
			t.Fatalf("access log %v", entry)
		}
		return
	}
	t.Fatalf("no access log line in %s", stderr.String())
}

func TestReloadIsOffWithoutAScenarioFolder(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	resp, err := http.Post(url+"/__admin/reload", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 404 || resp.Header.Get("Content-Type") != "application/problem+json" {
		t.Fatalf("%d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
}

// --scenarios may name one file; --watch then reloads that file when it is
// rewritten, and other files beside it are not loaded.
func TestWatchReloadsASingleScenarioFile(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(file, team("v1"), 0o644); err != nil {
		t.Fatal(err)
	}
	url, _ := startWatching(t, file)
	// A neighbour that would replace team if the folder were loaded.
	if err := os.WriteFile(filepath.Join(dir, "other.yaml"), team("neighbour"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, team("edited"), 0o644); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the edited file to load", func() bool { return activeRule(t, url) == "edited" })
}

// startWatching serves path with --watch (polling every 100ms), checks
// that team's rule v1 is active, and logs the server's stderr if the test
// fails.
func startWatching(t *testing.T, path string) (url string, stderr *syncBuffer) {
	t.Helper()
	url, stderr, _ = start(t, []string{"--scenarios", path, "--watch", "--watch-poll", "100ms"}, nil)
	t.Cleanup(func() {
		if t.Failed() {
			t.Log(stderr.String())
		}
	})
	if got := activeRule(t, url); got != "v1" {
		t.Fatalf("rule %q at start", got)
	}
	return url, stderr
}

// team writes a valid team scenario whose one rule is named rule.
func team(rule string) []byte {
	return []byte(strings.ReplaceAll(teamV1, "v1", rule))
}

// --watch survives the ways a folder gets replaced: deleted and made again,
// swapped by mv, and a Kubernetes ConfigMap's ..data symlink swap.
func TestWatchSurvivesFolderSwaps(t *testing.T) {
	parent := t.TempDir()
	dir := filepath.Join(parent, "scenarios")
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	// A ConfigMap mount: team.yaml → ..data/team.yaml, ..data → ..v1.
	must(os.MkdirAll(filepath.Join(dir, "..v1"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "..v1", "team.yaml"), team("v1"), 0o644))
	must(os.Symlink("..v1", filepath.Join(dir, "..data")))
	must(os.Symlink(filepath.Join("..data", "team.yaml"), filepath.Join(dir, "team.yaml")))
	url, stderr := startWatching(t, dir)

	// The ConfigMap update: a new ..v2, ..data swapped to it by rename.
	must(os.MkdirAll(filepath.Join(dir, "..v2"), 0o755))
	must(os.WriteFile(filepath.Join(dir, "..v2", "team.yaml"), team("configmap"), 0o644))
	must(os.Symlink("..v2", filepath.Join(dir, "..data_tmp")))
	must(os.Rename(filepath.Join(dir, "..data_tmp"), filepath.Join(dir, "..data")))
	waitFor(t, "the ConfigMap swap to load", func() bool { return activeRule(t, url) == "configmap" })

	// Deleted, then made again.
	must(os.RemoveAll(dir))
	time.Sleep(300 * time.Millisecond)
	must(os.MkdirAll(dir, 0o755))
	must(os.WriteFile(filepath.Join(dir, "team.yaml"), team("recreated"), 0o644))
	waitFor(t, "the re-created folder to load", func() bool { return activeRule(t, url) == "recreated" })

	// Swapped by mv.
	next := filepath.Join(parent, "next")
	must(os.MkdirAll(next, 0o755))
	must(os.WriteFile(filepath.Join(next, "team.yaml"), team("moved"), 0o644))
	must(os.Rename(dir, filepath.Join(parent, "old")))
	must(os.Rename(next, dir))
	waitFor(t, "the folder swapped by mv to load", func() bool { return activeRule(t, url) == "moved" })

	// And edits in the swapped-in folder are still seen.
	must(os.WriteFile(filepath.Join(dir, "team.yaml"), team("edited"), 0o644))
	waitFor(t, "an edit after the swap to load", func() bool { return activeRule(t, url) == "edited" })
	for _, want := range []string{"watching the scenario folder", "scenario folder replaced; watch re-armed"} {
		if !strings.Contains(stderr.String(), want) {
			t.Errorf("the log does not say %q", want)
		}
	}
}

// A refused reload logs its errors at ERROR and its warnings as warnings:
// a warning is not why the reload was refused.
func TestARefusedReloadLogsWarningsAsWarnings(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(file, []byte(teamV1), 0o644); err != nil {
		t.Fatal(err)
	}
	url, stderr, _ := start(t, []string{"--scenarios", dir, "--log-format", "json"}, nil)
	both := `name: team
description: an edit with a warning and an error
rules:
  - name: warned
    respond: {status: 400, gom: {code: GOM.00007256}}
  - name: broken
    respnd: {status: 200}
`
	if err := os.WriteFile(file, []byte(both), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(url+"/__admin/reload", "application/json", nil)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 422 {
		t.Fatalf("reload: %d", resp.StatusCode)
	}
	waitFor(t, "the refusal's log lines", func() bool {
		return strings.Contains(stderr.String(), `respnd`) && strings.Contains(stderr.String(), "code and no message")
	})
	for _, line := range strings.Split(stderr.String(), "\n") {
		switch {
		case strings.Contains(line, "code and no message"):
			if !strings.Contains(line, `"level":"WARN"`) {
				t.Errorf("the warning is logged as %s", line)
			}
		case strings.Contains(line, "respnd"):
			if !strings.Contains(line, `"level":"ERROR"`) {
				t.Errorf("the error is logged as %s", line)
			}
		}
	}
}

// A runaway template is refused at reload with its file and line, logged,
// and does not block the next reload: {{range 100000000000}} once spun a
// core under --watch and every later reload answered 409.
func TestARunawayTemplateIsRefusedAndTheNextReloadWorks(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "team.yaml")
	if err := os.WriteFile(file, []byte(teamV1), 0o644); err != nil {
		t.Fatal(err)
	}
	url, stderr, _ := start(t, []string{"--scenarios", dir, "--log-format", "json"}, nil)
	runaway := "name: team\ndescription: a loop that never ends\nrules:\n  - name: spin\n    respond: {status: 200, contract: false, body: {msg: '{{range 100000000000}}{{end}}'}}\n"
	if err := os.WriteFile(file, []byte(runaway), 0o644); err != nil {
		t.Fatal(err)
	}
	reload := func() (int, string) {
		client := &http.Client{Timeout: 10 * time.Second}
		resp, err := client.Post(url+"/__admin/reload", "application/json", nil)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, string(body)
	}
	if code, body := reload(); code != 422 || !strings.Contains(body, "team.yaml:5") || !strings.Contains(body, "range") {
		t.Fatalf("reload of a runaway template: %d %s", code, body)
	}
	waitFor(t, "the refusal's log line", func() bool {
		return strings.Contains(stderr.String(), "a range") && strings.Contains(stderr.String(), "team.yaml:5")
	})
	if err := os.WriteFile(file, []byte(teamV1), 0o644); err != nil {
		t.Fatal(err)
	}
	if code, body := reload(); code != 200 {
		t.Fatalf("the reload after the fix: %d %s", code, body)
	}
}
