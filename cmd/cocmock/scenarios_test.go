package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
)

func runCmd(args ...string) (stdout string, err error) {
	var out bytes.Buffer
	err = run(context.Background(), args, func(string) string { return "" }, &out, io.Discard)
	return out.String(), err
}

func TestValidateExitCodes(t *testing.T) {
	cases := []struct {
		name string
		args []string
		code int
		out  string
	}{
		{"built-ins are clean", []string{"validate"}, 0, "ok: spec and scenarios are valid"},
		{"good user folder is clean", []string{"validate", "--scenarios", "../../testdata/scenarios/good"}, 0, "ok"},
		{"broken folder: findings with file:line", []string{"validate", "--scenarios", "../../testdata/scenarios/broken"}, 1, "../../testdata/scenarios/broken/unknown-key.yaml:7: "},
		{"missing folder is an I/O error", []string{"validate", "--scenarios", "../../testdata/nope"}, 2, ""},
		{"bad format is a usage error", []string{"validate", "--format", "xml"}, 2, ""},
		{"a rule naming an unknown operation is a finding", []string{"validate", "--scenarios", "../../testdata/scenarios/broken"}, 1, `unknown-operation.yaml:5: rule "typo": operation "ShowCocIncidentDetails" is not in the spec (known: CreateCocIncident, HandleCocIncident, `},
		{"a 400 gom code without a message is a warning, not a failure", []string{"validate", "--scenarios", "../../testdata/scenarios/warn"}, 0, `code-without-message.yaml:6: warning: rule "silent-400" respond: a 400 gom reply with a code and no message`},
		{"invalid spec is a finding", []string{"validate", "--spec", "../../testdata/scenarios/broken/two-kinds.yaml"}, 1, "two-kinds.yaml"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCmd(tc.args...)
			code := 0
			if err != nil {
				code = exitCode(err)
			}
			if code != tc.code || !strings.Contains(out, tc.out) {
				t.Fatalf("exit %d (%v), output %q; want exit %d and %q", code, err, out, tc.code, tc.out)
			}
		})
	}
}

func TestValidateJSON(t *testing.T) {
	out, err := runCmd("validate", "--format", "json", "--scenarios", "../../testdata/scenarios/broken")
	if exitCode(err) != 1 {
		t.Fatalf("exit %d", exitCode(err))
	}
	var report struct {
		OK       bool `json:"ok"`
		Findings []struct {
			File    string `json:"file"`
			Line    int    `json:"line"`
			Message string `json:"message"`
		} `json:"findings"`
	}
	if err := json.Unmarshal([]byte(out), &report); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if report.OK || len(report.Findings) < 10 || report.Findings[0].Line == 0 {
		t.Fatalf("report %+v", report)
	}
}

func TestScenariosCommandListsNameAndDescription(t *testing.T) {
	out, err := runCmd("scenarios", "--scenarios", "../../testdata/scenarios/good")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"chaos", "custom", "default", "lifecycle", "outage", "slow", "throttled"} {
		if !strings.Contains(out, name+" ") {
			t.Errorf("no line for %s in:\n%s", name, out)
		}
	}
	if lines := strings.Count(out, "\n"); lines != 7 {
		t.Errorf("%d lines, want 7", lines)
	}
}

func TestServeRefusesBrokenScenarios(t *testing.T) {
	_, err := runCmd("serve", "--addr", "127.0.0.1:0", "--scenarios", "../../testdata/scenarios/broken")
	if err == nil || !strings.Contains(err.Error(), "unknown-key.yaml:7") {
		t.Fatalf("err %v", err)
	}
	_, err = runCmd("serve", "--addr", "127.0.0.1:0", "--scenario", "nope")
	if err == nil || exitCode(err) != 2 {
		t.Fatalf("unknown --scenario: %v", err)
	}
}

// Two servers started with the same seed give the same replies, request
// ids included, to the same requests in the same order, whatever health
// and admin calls come between.
func TestSameSeedAcrossServers(t *testing.T) {
	transcript := func(healthChecks int) string {
		url, _, stop := start(t, []string{"--seed", "99", "--scenario", "chaos"}, nil)
		defer stop()
		client := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
		// Health checks and admin calls (a container's, a CI's) must not
		// move the seeded draws.
		for range healthChecks {
			if resp, err := client.Get(url + "/__admin/health"); err == nil {
				resp.Body.Close()
			}
		}
		var b strings.Builder
		for i := range 30 {
			body := fmt.Sprintf(`{"incident_num":"IM%d","operator":"u","operate_key":"acceptedIncident1"}`, i)
			req, _ := http.NewRequest("POST", url+"/v1/external/incident/handle", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			resp, err := client.Do(req)
			if err != nil {
				fmt.Fprintf(&b, "%d error\n", i)
				continue
			}
			rb, err := io.ReadAll(resp.Body)
			if err != nil {
				rb = []byte("broken body")
			}
			resp.Body.Close()
			fmt.Fprintf(&b, "%d %d %s %s\n", i, resp.StatusCode, resp.Header.Get("X-Request-Id"), rb)
		}
		return b.String()
	}
	a, b := transcript(0), transcript(3)
	if a != b {
		t.Fatalf("two servers with --seed 99 differ:\n%s\n---\n%s", a, b)
	}
}

// SIGINT/SIGTERM (a cancelled ctx) stop validate with a non-zero exit,
// never "ok".
func TestValidateStopsOnASignal(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var out bytes.Buffer
	err := run(ctx, []string{"validate"}, func(string) string { return "" }, &out, io.Discard)
	if err == nil || exitCode(err) == 0 || strings.Contains(out.String(), "ok") {
		t.Fatalf("exit %d (%v), output %q", exitCode(err), err, out.String())
	}
}
