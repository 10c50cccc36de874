package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

func TestHelpIsOnStdoutWithSubcommandsAndExamples(t *testing.T) {
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}} {
		var out, errOut bytes.Buffer
		err := run(context.Background(), args, func(string) string { return "" }, &out, &errOut)
		if err != nil || errOut.Len() != 0 {
			t.Fatalf("%v: %v, stderr %q", args, err, errOut.String())
		}
		for _, want := range []string{"validate", "scenarios", "health", "version", "e.g. cocmock validate"} {
			if !strings.Contains(out.String(), want) {
				t.Errorf("%v: help lacks %q", args, want)
			}
		}
	}
}

func TestATypoInACommandSuggestsTheNearestOne(t *testing.T) {
	_, err := runCmd("valdate")
	if exitCode(err) != 2 || !strings.Contains(err.Error(), `did you mean "validate"`) {
		t.Fatalf("%v", err)
	}
}

func TestValidateTakesFoldersAndFilesAsArguments(t *testing.T) {
	out, err := runCmd("validate", "../../testdata/scenarios/good")
	if err != nil || !strings.Contains(out, "ok") {
		t.Fatalf("folder: %v %q", err, out)
	}
	out, err = runCmd("validate", "../../testdata/scenarios/broken/zero-weight.yaml")
	if exitCode(err) != 1 || !strings.Contains(out, "zero-weight.yaml:7") || strings.Contains(out, "unknown-key.yaml") {
		t.Fatalf("one file: exit %d %q", exitCode(err), out)
	}
	if _, err := runCmd("validate", "../../testdata/nope"); exitCode(err) != 2 || !strings.Contains(err.Error(), "no such folder or file") {
		t.Fatalf("missing path: %v", err)
	}
}

func TestScenariosFlagTakesAFile(t *testing.T) {
	url, _, _ := start(t, []string{"--scenarios", "../../testdata/scenarios/good/custom.yaml"}, nil)
	if url == "" {
		t.Fatal("no server")
	}
}

// An error names what the user typed: the flag, or its environment twin.
func TestErrorsNameTheFlagOrTheEnvVar(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"serve", "--addr", "127.0.0.1:0"}, func(k string) string {
		if k == "COCMOCK_SCENARIO" {
			return "nope"
		}
		return ""
	}, &out, &out)
	if err == nil || !strings.Contains(err.Error(), "COCMOCK_SCENARIO") {
		t.Fatalf("env: %v", err)
	}
	if _, err := runCmd("serve", "--addr", "127.0.0.1:0", "--scenario", "nope"); err == nil || !strings.Contains(err.Error(), "--scenario") {
		t.Fatalf("flag: %v", err)
	}
	if _, err := runCmd("serve", "--addr", "127.0.0.1:0", "--scenarios", "./nope"); err == nil || !strings.Contains(err.Error(), "--scenarios ./nope: no such folder or file") {
		t.Fatalf("folder: %v", err)
	}
}

func TestTheStartupLineFollowsTheLogFormat(t *testing.T) {
	_, stdout, _, _ := startFull(t, []string{"--log-format", "json", "--seed", "7", "--scenarios", "../../testdata/scenarios/good"}, nil)
	var line struct {
		Msg, HTTP, Spec, Scenarios, Auth, Validation string
		Seed                                         int64
		Watch                                        bool
		Limits                                       map[string]string
	}
	if err := json.Unmarshal([]byte(strings.SplitN(stdout.String(), "\n", 2)[0]), &line); err != nil {
		t.Fatalf("%v: %q", err, stdout.String())
	}
	if line.Msg != "listening" || line.Seed != 7 || line.Spec != "embedded" || line.Scenarios != "../../testdata/scenarios/good" ||
		line.Auth != "none" || line.Validation != "enforce" || line.Limits["journal_bytes"] == "" || line.Limits["gc_percent"] != "400" {
		t.Fatalf("%+v", line)
	}
}

func TestGCPercentMustBePositive(t *testing.T) {
	if _, err := runCmd("serve", "--addr", "127.0.0.1:0", "--gc-percent", "0"); err == nil || !strings.Contains(err.Error(), "--gc-percent") {
		t.Fatalf("--gc-percent 0: %v", err)
	}
}

// Under --validation report or off a request that breaks the contract
// reaches the rules, so a rule on a value the contract refuses is a
// warning there, and an error under enforce.
func TestDeadValuesDependOnTheValidationMode(t *testing.T) {
	dir := t.TempDir()
	file := dir + "/typo.yaml"
	if err := os.WriteFile(file, []byte("name: typo\ndescription: answers an operate_key typo its own way\noperation: HandleCocIncident\nrules:\n  - name: typo\n    when: {body.operate_key: acceptIncident1}\n    respond: {status: 400, gom: {code: GOM.00007256, message: typo}}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := runCmd("validate", file); exitCode(err) != 1 || !strings.Contains(out, "never matches") {
		t.Fatalf("enforce: exit %d %q", exitCode(err), out)
	}
	if out, err := runCmd("validate", "--validation", "report", file); err != nil || !strings.Contains(out, "warning: ") || !strings.Contains(out, "only a request that breaks the contract can match") {
		t.Fatalf("report: %v %q", err, out)
	}
	start(t, []string{"--validation", "report", "--scenarios", file}, nil) // starts: the rule may match
}

// validate exits 0 on warnings, unless --strict makes them fail.
func TestValidateStrictFailsOnWarnings(t *testing.T) {
	file := "../../testdata/scenarios/warn/code-without-message.yaml"
	out, err := runCmd("validate", file)
	if err != nil || !strings.Contains(out, "warning: ") {
		t.Fatalf("without --strict: %v %q", err, out)
	}
	out, err = runCmd("validate", "--strict", file)
	if exitCode(err) != 1 || !strings.Contains(out, "warning: ") || !strings.Contains(err.Error(), "warnings included (--strict)") {
		t.Fatalf("with --strict: exit %d %v %q", exitCode(err), err, out)
	}
	if _, err := runCmd("validate", "--strict", "../../testdata/scenarios/good"); err != nil {
		t.Fatalf("a clean folder with --strict: %v", err)
	}
}
