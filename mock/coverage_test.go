package mock_test

import (
	"regexp"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

func metIDs(eng *mock.Engine, sessions ...string) map[string]uint64 {
	out := map[string]uint64{}
	for _, it := range eng.Coverage(sessions...).Items {
		if it.Count > 0 {
			out[it.ID] = it.Count
		}
	}
	return out
}

func TestCoverageCountsWhatTheClientMetAndSent(t *testing.T) {
	eng := newEngine(t, mock.WithScenario("lifecycle"))
	num := create(t, eng, map[string]string{"incident_level": `"level_10"`, "start_time": "1711091706017"})
	send(eng, mocktest.HandleBody(num, "acceptedIncident1"))
	send(eng, mocktest.HandleBody(num, "acceptedIncident1")) // refused: already accepted
	send(eng, mocktest.HandleBodyWith(num, "incidentChangeLevel1", map[string]any{"virtual_target_level": "level_40"}))
	send(eng, `{"incident_num":"IM1","operator":"u","operate_key":"acceptIncident1"}`) // breaks the contract
	send(eng, mocktest.HandleBody("IM1-RESET", "acceptedIncident1"), "X-Cocmock-Scenario: default")
	got := metIDs(eng)
	for id, n := range map[string]uint64{
		"sent/CreateCocIncident":                                         1,
		"sent/CreateCocIncident/incident_level=level_10":                 1,
		"sent/CreateCocIncident/start_time":                              1,
		"CreateCocIncident/200/GOM.00000000":                             1,
		"lifecycle/acceptedIncident1/TRIGGERED→ACKNOWLEDGED":             1,
		"lifecycle/acceptedIncident1/refused":                            1,
		"lifecycle/incidentChangeLevel1/ACKNOWLEDGED→ACKNOWLEDGED+level": 1,
		"HandleCocIncident/400/GOM.00007256":                             2, // the refusal and the invalid request
		"sent/HandleCocIncident/operate_key=incidentChangeLevel1":        1,
		"sent/HandleCocIncident/parameter.virtual_change_level_comment":  0,
		"fault/reset": 1,
	} {
		if got[id] != n {
			t.Errorf("%s: met %d times, want %d", id, got[id], n)
		}
	}
	// A key outside the enum is counted nowhere: the operate_key items add
	// up to the requests that kept the contract.
	var keys uint64
	for id, n := range got {
		if strings.HasPrefix(id, "sent/HandleCocIncident/operate_key=") {
			keys += n
		}
	}
	if keys != 4 {
		t.Errorf("operate_key items met %d times, want 4 (the valid handle calls): %v", keys, got)
	}
}

// Coverage is per session, merged on request, and survives a reset of
// tickets (and of every session) unless it is reset itself.
func TestCoverageIsPerSessionAndSurvivesResets(t *testing.T) {
	eng := newEngine(t)
	send(eng, mocktest.HandleBody("IM1-E429", "acceptedIncident1"), "X-Cocmock-Session: a")
	send(eng, mocktest.HandleBody("IM1-E503", "acceptedIncident1"), "X-Cocmock-Session: b")
	if a := metIDs(eng, "a"); a["HandleCocIncident/429/APIGW.0308"] != 1 || a["HandleCocIncident/503/APIGW.0201"] != 0 {
		t.Fatalf("session a: %v", a)
	}
	both := metIDs(eng, "a", "b")
	if both["HandleCocIncident/429/APIGW.0308"] != 1 || both["HandleCocIncident/503/APIGW.0201"] != 1 {
		t.Fatalf("a and b merged: %v", both)
	}
	if all := metIDs(eng, "*"); all["sent/HandleCocIncident"] != 2 {
		t.Fatalf("every session: %v", all)
	}
	eng.Reset("a")
	eng.ResetAll()
	if a := metIDs(eng, "a"); a["HandleCocIncident/429/APIGW.0308"] != 1 {
		t.Fatalf("after resets of tickets: %v", a)
	}
	eng.ResetCoverage("a")
	if a := metIDs(eng, "a"); len(a) != 0 {
		t.Fatalf("after a coverage reset: %v", a)
	}
}

func TestCoverageCanBeTurnedOff(t *testing.T) {
	eng := newEngine(t, mock.WithCoverage(false))
	send(eng, mocktest.HandleBody("IM1", "acceptedIncident1"))
	if got := metIDs(eng); len(got) != 0 {
		t.Fatalf("%v", got)
	}
}

// Every item that says to end the incident number with a suffix is met by
// doing just that, on HandleCocIncident.
func TestEveryHowProducesItsItem(t *testing.T) {
	suffix := regexp.MustCompile(`end the incident number with (-[A-Z0-9]+)`)
	n := 0
	for _, it := range newEngine(t).Catalogue().Items {
		if !strings.HasPrefix(it.ID, "HandleCocIncident/") && !strings.HasPrefix(it.ID, "fault/") {
			continue
		}
		m := suffix.FindStringSubmatch(it.How)
		if m == nil {
			continue
		}
		n++
		eng := newEngine(t) // -FLAKY and its kind count per engine
		send(eng, mocktest.HandleBody("IM1"+m[1], "acceptedIncident1"))
		if got := metIDs(eng); got[it.ID] != 1 {
			t.Errorf("%s: %s met nothing of it (%v)", it.ID, m[1], got)
		}
	}
	if n < 10 {
		t.Fatalf("only %d items name a suffix", n)
	}
}
