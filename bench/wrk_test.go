package bench

import (
	"strings"
	"testing"
)

// A wrk --latency report of the mix, as wrk 4.2 prints it.
const wrkReport = `Running 1s test @ http://127.0.0.1:18080
  1 threads and 32 connections
  Thread Stats   Avg      Stdev     Max   +/- Stdev
    Latency     1.34ms    0.96ms  12.06ms   78.20%
    Req/Sec    25.28k     3.85k   28.57k    80.00%
  Latency Distribution
     50%  812.00us
     75%    1.83ms
     90%    2.20ms
     99%    1.02s
  25077 requests in 1.00s, 7.00MB read
  Non-2xx or 3xx responses: 6269
Requests/sec:  25049.50
Transfer/sec:      6.99MB
`

func TestParseWrkReadsRateCountAndPercentilesInMilliseconds(t *testing.T) {
	r, err := parseWrk(wrkReport, mixRefused)
	if err != nil {
		t.Fatal(err)
	}
	want := wrkRun{rps: 25049.50, p50: 0.812, p90: 2.20, p99: 1020, total: 25077}
	if r != want {
		t.Errorf("parseWrk = %+v, want %+v", r, want)
	}
}

func TestParseWrkRefusesARunThatDidNotServeTheMix(t *testing.T) {
	for name, report := range map[string]string{
		"none refused":  strings.Replace(wrkReport, "  Non-2xx or 3xx responses: 6269\n", "", 1),
		"all refused":   strings.Replace(wrkReport, "responses: 6269", "responses: 25077", 1),
		"socket errors": strings.Replace(wrkReport, "Requests/sec", "  Socket errors: connect 0, read 3, write 0, timeout 0\nRequests/sec", 1),
		"no rate":       strings.Replace(wrkReport, "Requests/sec:", "Requests:", 1),
	} {
		if _, err := parseWrk(report, mixRefused); err == nil {
			t.Errorf("%s: parseWrk took the run", name)
		}
	}
}

// The v2 list row wants every request answered: a run with no refusal
// passes at share 0, and one with refusals fails.
func TestParseWrkTakesTheShareARunMustRefuse(t *testing.T) {
	allOK := strings.Replace(wrkReport, "  Non-2xx or 3xx responses: 6269\n", "", 1)
	if _, err := parseWrk(allOK, 0); err != nil {
		t.Fatalf("a run with no refusal at share 0: %v", err)
	}
	if _, err := parseWrk(wrkReport, 0); err == nil {
		t.Fatal("a run with refusals passed at share 0")
	}
}
