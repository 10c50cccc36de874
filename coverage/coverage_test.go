package coverage_test

import (
	"strings"
	"testing"

	"github.com/cocmock/cocmock/coverage"
	"github.com/cocmock/cocmock/openapi"
)

func catalogue(t testing.TB) *coverage.Catalogue {
	t.Helper()
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	return coverage.New(spec)
}

// The catalogue is derived from the spec and the domain: each kind of item
// the issue names is there, under its stable id.
func TestTheCatalogueHoldsEveryKindOfOutcome(t *testing.T) {
	c := catalogue(t)
	for _, id := range []string{
		"HandleCocIncident/200/GOM.00000000",
		"HandleCocIncident/200/GOM.00007256", // the 200 carrying a GOM error
		"HandleCocIncident/400/GOM.00007256",
		"ShowCocIncidentDetail/400/COC.00067003",
		"HandleCocIncident/401/APIGW.0301",
		"HandleCocIncident/404/APIGW.0101",
		"HandleCocIncident/413/APIGW.0201",
		"HandleCocIncident/429/APIGW.0308",
		"HandleCocIncident/500/APIGW.0103",
		"HandleCocIncident/503/APIGW.0201",
		"ListIncidents/200/GOM.00000000",
		"fault/reset", "fault/empty", "fault/malformed", "fault/hang", "fault/slow",
		"gateway/throttled", "gateway/locked-out", "gateway/signature-refused",
		"lifecycle/acceptedIncident1/TRIGGERED→ACKNOWLEDGED",
		"lifecycle/accepted/TRIGGERED→ACKNOWLEDGED",
		"lifecycle/incidentChangeLevel1/ACKNOWLEDGED→ACKNOWLEDGED+level", // a de-escalation waiting for approval
		"lifecycle/incidentChangeLevel1/ACKNOWLEDGED→ACKNOWLEDGED",       // an escalation, at once
		"lifecycle/agreed/ACKNOWLEDGED+pause→ACKNOWLEDGED+suspended",
		"lifecycle/recovery/ACKNOWLEDGED+suspended→ACKNOWLEDGED",
		"lifecycle/confirm/RESOLVED→COMPLETED",
		"lifecycle/confirm/RESOLVED→ACKNOWLEDGED",
		"lifecycle/agreed/REJECTED→COMPLETED",
		"lifecycle/confirm/refused",
		"sent/HandleCocIncident",
		"sent/HandleCocIncident/operate_key=incidentPause",
		"sent/HandleCocIncident/parameter.start_time",
		"sent/CreateCocIncident/incident_level=level_10",
		"sent/CreateCocIncident/start_time",
		"sent/HandleIncident/action=recovery",
	} {
		if c.Index(id) < 0 {
			t.Errorf("the catalogue lacks %s", id)
		}
	}
	// Nothing the workflow does not offer.
	for _, id := range []string{
		"lifecycle/acceptedIncident1/COMPLETED→ACKNOWLEDGED",
		"lifecycle/confirm/RESOLVED+level→COMPLETED", // an open approval blocks the close
		"HandleCocIncident/418/APIGW.0101",
	} {
		if c.Index(id) >= 0 {
			t.Errorf("the catalogue has %s", id)
		}
	}
	seen := map[string]bool{}
	for _, it := range c.Items {
		if seen[it.ID] || it.How == "" || it.Kind == "" || strings.ContainsAny(it.ID, " ,") {
			t.Errorf("item %+v: ids are unique, without spaces or commas, and say how", it)
		}
		seen[it.ID] = true
	}
}

func TestErrorCodeReadsTheBodysCode(t *testing.T) {
	for body, want := range map[string]string{
		`{"error_code":"GOM.00000000","error_msg":null}`:               "GOM.00000000",
		`{"error_msg":"x","error_code":"APIGW.0308","request_id":"r"}`: "APIGW.0308",
		`{"error_code":"X.CUSTOM"}`:                                    "X.CUSTOM",
		`{"data":null}`:                                                "",
		``:                                                             "",
	} {
		if got := coverage.ErrorCode([]byte(body)); got != want {
			t.Errorf("%s: %q, want %q", body, got, want)
		}
	}
}

// BenchmarkRecord is one exchange counted: a commitSolution1 that moved its
// incident. It should allocate nothing.
func BenchmarkRecord(b *testing.B) {
	c := catalogue(b)
	n := c.NewCounts()
	x := coverage.Exchange{
		Operation: "HandleCocIncident", Status: 200, Code: "GOM.00000000", RequestValid: true,
		Key: "commitSolution1", Before: "ACKNOWLEDGED", After: "RESOLVED",
		Body: map[string]any{"incident_num": "IM1", "operator": "u", "operate_key": "commitSolution1",
			"parameter": map[string]any{"mtm_type": "t", "is_service_interrupt": true, "cause": "c", "solution": "s", "start_time": 1.0}},
	}
	b.ReportAllocs()
	for b.Loop() {
		c.Record(n, x)
	}
}

func TestRecordAllocatesNothing(t *testing.T) {
	if r := testing.Benchmark(BenchmarkRecord); r.AllocsPerOp() != 0 {
		t.Fatalf("Record allocates %d times an exchange", r.AllocsPerOp())
	}
}
