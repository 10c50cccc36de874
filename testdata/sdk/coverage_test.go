package sdk_test

import (
	"bytes"
	"encoding/xml"
	"errors"
	"flag"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1/model"

	"github.com/cocmock/cocmock/mock/mocktest"
)

var update = flag.Bool("update", false, "rewrite the golden coverage reports")

// The official SDK drives a partial workflow; the coverage report is then
// exactly the golden one, as text and as JUnit XML: what the run met, and
// for everything else how to meet it.
func TestCoverageOfAPartialWorkflowWithTheOfficialClient(t *testing.T) {
	srv := mocktest.NewServer(t, mocktest.WithSeed(1))
	client := globalClient(t, srv.URL)

	created, err := client.CreateCocIncident(&model.CreateCocIncidentRequest{Body: &model.CreateExternalIncidentRequest{
		IncidentLevel: "level_20", IsServiceInterrupt: "true", IncidentType: "inc_type_p_networking_issues",
		IncidentTitle: "Packet loss", IncidentSource: "incident_source_alarm", Creator: operator,
	}})
	if err != nil {
		t.Fatal(err)
	}
	num := created.Data.IncidentNum
	send := func(key string, p map[string]interface{}) error {
		_, err := client.HandleCocIncident(&model.HandleCocIncidentRequest{Body: &model.HandleExternalIncidentRequest{
			IncidentNum: num, Operator: operator, OperateKey: key, Parameter: p,
		}})
		return err
	}
	if err := send("acceptedIncident1", nil); err != nil {
		t.Fatal(err)
	}
	if err := send("incidentChangeLevel1", map[string]interface{}{"virtual_target_level": "level_40"}); err != nil {
		t.Fatal(err) // a de-escalation: it waits for approval
	}
	// A stale v2 task: the accept node is gone.
	var sre *sdkerr.ServiceResponseError
	_, err = client.HandleIncident(&model.HandleIncidentRequest{IncidentId: num, Body: &model.ExecuteActionParamsV2{TaskId: "0000000000000000", Action: "accepted"}})
	if !errors.As(err, &sre) || sre.StatusCode != 400 {
		t.Fatalf("stale task: %v", err)
	}
	// A throttled call, and one that never gets a reply.
	if _, err := client.ShowCocIncidentDetail(&model.ShowCocIncidentDetailRequest{IncidentNum: "IM1-E429"}); !errors.As(err, &sre) || sre.StatusCode != 429 {
		t.Fatalf("-E429: %v", err)
	}
	if _, err := client.ShowCocIncidentDetail(&model.ShowCocIncidentDetailRequest{IncidentNum: "IM1-RESET"}); err == nil {
		t.Fatal("-RESET gave a reply")
	}

	r := srv.Coverage()
	srv.AssertCovered(t,
		"lifecycle/acceptedIncident1/TRIGGERED→ACKNOWLEDGED",
		"lifecycle/incidentChangeLevel1/ACKNOWLEDGED→ACKNOWLEDGED+level",
		"lifecycle/accepted/refused",
		"ShowCocIncidentDetail/429/APIGW.0308",
		"fault/reset")
	var text, junit bytes.Buffer
	if err := r.WriteText(&text); err != nil {
		t.Fatal(err)
	}
	if err := r.WriteJUnit(&junit, []string{"fault/reset", "fault/hang"}); err != nil {
		t.Fatal(err)
	}
	golden(t, "coverage.txt", text.Bytes())
	golden(t, "coverage.junit.xml", junit.Bytes())
	checkJUnit(t, junit.Bytes())
}

func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	file := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(file, got, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (go test -run Coverage ./... -update writes it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s changed (go test -run Coverage -update rewrites it); got:\n%s", file, got)
	}
}

// checkJUnit holds the report to the rules of the JUnit XML schema that
// Jenkins' xUnit plugin publishes (junit-10.xsd), which GitLab's and
// GitHub's test reporters read too: a testsuites root; testsuite elements
// with name, tests, failures, errors, skipped and time; testcase elements
// with name, classname and time, holding at most one of failure or
// skipped, each with a message; the counts adding up.
func checkJUnit(t *testing.T, doc []byte) {
	t.Helper()
	type message struct {
		Message *string `xml:"message,attr"`
	}
	type testcase struct {
		Name      *string  `xml:"name,attr"`
		Classname *string  `xml:"classname,attr"`
		Time      *string  `xml:"time,attr"`
		Failure   *message `xml:"failure"`
		Skipped   *message `xml:"skipped"`
	}
	type testsuite struct {
		Name     *string    `xml:"name,attr"`
		Tests    *int       `xml:"tests,attr"`
		Failures *int       `xml:"failures,attr"`
		Errors   *int       `xml:"errors,attr"`
		Skipped  *int       `xml:"skipped,attr"`
		Time     *string    `xml:"time,attr"`
		Cases    []testcase `xml:"testcase"`
	}
	var root struct {
		XMLName xml.Name    `xml:"testsuites"`
		Attrs   []xml.Attr  `xml:",any,attr"`
		Suites  []testsuite `xml:"testsuite"`
	}
	if err := xml.Unmarshal(doc, &root); err != nil || len(root.Suites) == 0 {
		t.Fatalf("not a JUnit report: %v", err)
	}
	// junit-10.xsd declares name, time, tests, failures and errors on
	// testsuites, and nothing else (xmllint refused skipped there).
	for _, a := range root.Attrs {
		if !slices.Contains([]string{"name", "time", "tests", "failures", "errors"}, a.Name.Local) {
			t.Fatalf("testsuites has attribute %q, which the schema does not allow", a.Name.Local)
		}
	}
	for _, s := range root.Suites {
		if s.Name == nil || s.Tests == nil || s.Failures == nil || s.Errors == nil || s.Skipped == nil || s.Time == nil {
			t.Fatalf("a testsuite lacks an attribute the schema requires: %+v", s)
		}
		failures, skipped := 0, 0
		for _, c := range s.Cases {
			if c.Name == nil || c.Classname == nil || c.Time == nil || (c.Failure != nil && c.Skipped != nil) {
				t.Fatalf("testcase %+v", c)
			}
			if c.Failure != nil {
				failures++
			}
			if c.Skipped != nil {
				skipped++
			}
			for _, m := range []*message{c.Failure, c.Skipped} {
				if m != nil && m.Message == nil {
					t.Fatalf("testcase %s: a failure or skipped without a message", *c.Name)
				}
			}
		}
		if *s.Tests != len(s.Cases) || *s.Failures != failures || *s.Skipped != skipped {
			t.Fatalf("testsuite %s: counts %d/%d/%d, cases %d/%d/%d", *s.Name, *s.Tests, *s.Failures, *s.Skipped, len(s.Cases), failures, skipped)
		}
	}
}
