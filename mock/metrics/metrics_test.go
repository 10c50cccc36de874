package metrics_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/metrics"
)

func TestObserveCountsStatusesFaultsAndGauges(t *testing.T) {
	m := metrics.New()
	m.Gauges(func() mock.Stats {
		return mock.Stats{Sessions: 2, JournalEntries: 7, Incidents: 3, JournalBytes: 4096, StateBytes: 2048}
	})
	m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: "confirm", Scenario: "lifecycle", Rule: "confirm-resolved", Status: 200, Duration: time.Millisecond})
	m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: "confirm", Scenario: "lifecycle", Rule: "confirm-resolved", Status: 200, Duration: time.Millisecond})
	m.Observe(mock.Exchange{RequestValid: true, OperateKey: "acceptedIncident1", Scenario: "chaos", Rule: "chaos", Fault: mock.FaultReset, Delay: 2 * time.Second})
	// The same labels but a fault: its own series, not the 200's.
	m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: "confirm", Scenario: "lifecycle", Rule: "confirm-resolved", Status: 200, Fault: mock.FaultEmpty})
	// Whatever a client puts in operate_key, an invalid request adds no series.
	for _, junk := range []string{"junk-1", "junk-2", "junk-3"} {
		m.Observe(mock.Exchange{OperateKey: junk, Scenario: "default", Status: 400})
	}
	// With nothing checked (--validation off) every request is "valid":
	// the label still takes no more than 64 values.
	for i := range 200 {
		m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: fmt.Sprint("unchecked-", i), Scenario: "default", Status: 200})
	}
	// Seen again, a value past the bound is still "other"; one let in
	// still its own.
	m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: "unchecked-199", Scenario: "default", Status: 200})
	m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: "unchecked-0", Scenario: "default", Status: 200})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body, _ := io.ReadAll(rec.Body)
	for _, want := range []string{
		`cocmock_requests_total{operate_key="confirm",operation="HandleCocIncident",rule="confirm-resolved",scenario="lifecycle",status="200"} 2`,
		`cocmock_requests_total{operate_key="confirm",operation="HandleCocIncident",rule="confirm-resolved",scenario="lifecycle",status="fault:empty"} 1`,
		`cocmock_requests_total{operate_key="acceptedIncident1",operation="",rule="chaos",scenario="chaos",status="fault:reset"} 1`,
		`cocmock_request_duration_seconds_bucket{scenario="chaos",le="2.5"} 1`,
		`cocmock_request_duration_seconds_bucket{scenario="chaos",le="1"} 0`,
		`cocmock_requests_total{operate_key="invalid",operation="",rule="",scenario="default",status="400"} 3`,
		`cocmock_requests_total{operate_key="other",operation="HandleCocIncident",rule="",scenario="default",status="200"} 139`,
		`cocmock_requests_total{operate_key="unchecked-0",operation="HandleCocIncident",rule="",scenario="default",status="200"} 2`,
		"cocmock_sessions 2", "cocmock_journal_entries 7", "cocmock_incidents 3", "cocmock_journal_bytes 4096", "cocmock_state_bytes 2048",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	if n := strings.Count(string(body), `operate_key="unchecked-`); n != 62 {
		t.Errorf("%d unchecked operate_key values are labels; want 62 (64 less the two seen before)", n)
	}
	if strings.Contains(string(body), "junk") {
		t.Error("a client's operate_key became a label")
	}
}

// A long operate_key (only --validation off lets one through) is "other":
// no label, and no scrape, grows with what a client sends.
func TestALongOperateKeyIsNoLabel(t *testing.T) {
	m := metrics.New()
	long := strings.Repeat("k", 100<<10)
	m.Observe(mock.Exchange{Operation: "HandleCocIncident", RequestValid: true, OperateKey: long, Scenario: "default", Status: 200})
	rec := httptest.NewRecorder()
	m.Handler().ServeHTTP(rec, httptest.NewRequest("GET", "/", nil))
	body := rec.Body.String()
	if strings.Contains(body, "kkkk") || !strings.Contains(body, `operate_key="other"`) || len(body) > 64<<10 {
		t.Fatalf("a %d-byte operate_key made a %d-byte scrape", len(long), len(body))
	}
}
