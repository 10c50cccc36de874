package main

import (
	"encoding/xml"
	"net/http"
	"strings"
	"testing"
)

func TestCoverageGateExitCodes(t *testing.T) {
	url, _, _ := start(t, nil, nil)
	addr := strings.TrimPrefix(url, "http://")
	for _, body := range []string{
		`{"incident_num":"IM1-E429","operator":"u","operate_key":"acceptedIncident1"}`,
		`{"incident_num":"IM1","operator":"u","operate_key":"acceptedIncident1"}`,
	} {
		resp, err := http.Post(url+"/v1/external/incident/handle", "application/json", strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
	}
	for _, tc := range []struct {
		name string
		args []string
		code int
		want string
	}{
		{"met", []string{"--require", "HandleCocIncident/429/APIGW.0308,lifecycle/acceptedIncident1/TRIGGERED→ACKNOWLEDGED"}, 0, "met      HandleCocIncident/429/APIGW.0308 ×1"},
		{"not met", []string{"--require", "HandleCocIncident/429/APIGW.0308,fault/reset"}, 1, "not met  fault/reset"},
		{"under the minimum", []string{"--min", "90"}, 1, "coverage:"},
		{"at the minimum", []string{"--min", "1"}, 0, "coverage:"},
		{"an unknown id", []string{"--require", "fault/resett"}, 2, ""},
		{"a bad flag", []string{"--min", "lots"}, 2, ""},
		{"a bad format", []string{"--format", "xml"}, 2, ""},
		{"junit", []string{"--format", "junit", "--require", "fault/reset"}, 1, `<testcase name="fault/reset" classname="cocmock.fault" time="0">`},
		{"json", []string{"--format", "json"}, 0, `"id": "HandleCocIncident/429/APIGW.0308"`},
		{"another session", []string{"--session", "nobody", "--require", "HandleCocIncident/429/APIGW.0308"}, 1, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runCmd(append([]string{"coverage", "--addr", addr}, tc.args...)...)
			if code := exitCode(err); err == nil && tc.code != 0 || err != nil && code != tc.code {
				t.Fatalf("exit %d (%v), want %d\n%s", code, err, tc.code, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Fatalf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
	if _, err := runCmd("coverage", "--addr", "127.0.0.1:1"); exitCode(err) != 2 {
		t.Fatalf("no server: %v", err)
	}
}

func TestCoverageCatalogueNeedsNoServer(t *testing.T) {
	out, err := runCmd("coverage", "--catalogue")
	if err != nil || !strings.Contains(out, "fault/reset\tend the incident number with -RESET") || !strings.Contains(out, "lifecycle/confirm/RESOLVED→COMPLETED") {
		t.Fatalf("%v\n%.500s", err, out)
	}
	out, err = runCmd("coverage", "--catalogue", "--format", "junit")
	var doc struct {
		XMLName xml.Name `xml:"testsuites"`
		Tests   int      `xml:"tests,attr"`
	}
	if err != nil || xml.Unmarshal([]byte(out), &doc) != nil || doc.Tests < 300 {
		t.Fatalf("%v %d\n%.300s", err, doc.Tests, out)
	}
}
