package incident_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/incident"
)

var t0 = time.Date(2026, 11, 28, 1, 30, 5, 0, time.UTC)

func TestNewNumIsIMTheUTCTimeAndTenDigits(t *testing.T) {
	cst := t0.In(time.FixedZone("CST", 8*3600))
	if got := incident.NewNum(cst, 12345678901234); got != "IM202611280130055678901234" || len(got) != 26 {
		t.Fatalf("%s", got)
	}
}

func TestHistoryIsBoundedAndCutsWhatItRecords(t *testing.T) {
	inc := incident.FirstUse("IM1", incident.StatusAcknowledged, t0)
	big := strings.Repeat("é", incident.MaxComment) // 2 bytes a character
	for i := range incident.MaxHistory + 5 {
		inc.Handle(incident.Action{OperateKey: "forwardOther1", Time: t0.Add(time.Duration(i) * time.Second),
			Parameter: map[string]any{"virtual_send_comment": big}})
	}
	if n := len(inc.History); n > incident.MaxHistory || n < incident.MaxHistory*3/4 {
		t.Fatalf("%d entries, want %d at most and no fewer than %d", n, incident.MaxHistory, incident.MaxHistory*3/4)
	}
	e := inc.History[len(inc.History)-1]
	if e.ID != fmt.Sprintf("IM1-%d", incident.MaxHistory+5) || len(e.Comment) > incident.MaxComment || !e.ParameterCut || len(e.Parameter) > incident.MaxParameter+16 {
		t.Fatalf("last entry: id %s, comment %d bytes, parameter %d bytes (cut %v)", e.ID, len(e.Comment), len(e.Parameter), e.ParameterCut)
	}
}

func TestStoreForgetsTheOldestBeyondItsBound(t *testing.T) {
	s := incident.NewStore(3)
	for i := range 5 {
		s.Put(incident.FirstUse(fmt.Sprintf("IM%d", i), incident.StatusTriggered, t0))
	}
	if s.Len() != 3 || s.Get("IM1") != nil || s.Get("IM4") == nil {
		t.Fatalf("store holds %d; IM1 %v IM4 %v", s.Len(), s.Get("IM1") != nil, s.Get("IM4") != nil)
	}
}

func TestHistoryListFilters(t *testing.T) {
	s := incident.NewStore(10)
	for _, num := range []string{"IM-A", "IM-B"} {
		inc := incident.Create(num, map[string]any{"incident_level": "level_10", "creator": "c"}, incident.Action{Time: t0})
		inc.Handle(incident.Action{OperateKey: "acceptedIncident1", Operator: "alice", Time: t0.Add(time.Minute)})
		s.Put(inc)
	}
	both := incident.Filter{Field: "ticket_id", Operator: "in", Values: []string{"IM-A", "IM-B"}}
	list := func(filters ...incident.Filter) []string {
		var out []string
		for _, h := range s.Histories(incident.ListQuery{Filters: append([]incident.Filter{both}, filters...), Sort: incident.Sort{Field: "start_time"}}).Info {
			out = append(out, h.TicketID+":"+h.Action)
		}
		return out
	}
	for _, tc := range []struct {
		filter incident.Filter
		want   string
	}{
		{incident.Filter{Field: "ticket_id", Operator: "=", Values: []string{"IM-B"}}, "[IM-B:create IM-B:acceptedIncident1]"},
		{incident.Filter{Field: "start_time", Operator: ">=", Values: []string{fmt.Sprint(t0.UnixMilli())}}, "[IM-A:create IM-B:create IM-A:acceptedIncident1 IM-B:acceptedIncident1]"},
		{incident.Filter{Field: "start_time", Operator: "<=", Values: []string{fmt.Sprint(t0.UnixMilli())}}, "[IM-A:create IM-B:create]"},
		{incident.Filter{Field: "operator", Operator: "like", Values: []string{"lic"}}, "[IM-A:acceptedIncident1 IM-B:acceptedIncident1]"},
		{incident.Filter{Field: "action", Operator: "!=", Values: []string{"acceptedIncident1"}}, "[IM-A:create IM-B:create]"},
		{incident.Filter{Field: "ticket_id", Operator: "endwith", Values: []string{"-A"}}, "[IM-A:create IM-A:acceptedIncident1]"},
		{incident.Filter{Field: "start_time", Operator: ">", Values: []string{fmt.Sprint(t0.UnixMilli())}}, "[IM-A:acceptedIncident1 IM-B:acceptedIncident1]"},
		{incident.Filter{Field: "no_such_field", Operator: "=", Values: []string{"x"}}, "[]"},
		// A number named again lists its history once, however often.
		{incident.Filter{Field: "ticket_id", Operator: "in", Values: slices.Repeat([]string{"IM-B"}, 1000)}, "[IM-B:create IM-B:acceptedIncident1]"},
	} {
		if got := fmt.Sprint(list(tc.filter)); got != tc.want {
			t.Errorf("%+v: %s, want %s", tc.filter, got, tc.want)
		}
	}
}

func TestHandleThenLetsARuleOverrideTheEffect(t *testing.T) {
	inc := incident.FirstUse("IM1", incident.StatusAcknowledged, t0)
	inc.HandleThen(incident.Action{OperateKey: "commitSolution1", Time: t0, Parameter: map[string]any{"fault_recovery_time": "1711091706017"}},
		func(inc *incident.Incident) { inc.Status = incident.StatusCompleted })
	h := inc.History[0]
	if inc.Status != incident.StatusCompleted || inc.FaultRecoveryTime != 1711091706017 || inc.HandleTime != t0.UnixMilli() || h.StatusAfter != incident.StatusCompleted {
		t.Fatalf("%+v", inc)
	}
}

func TestStoreKeepsTheNewestAcrossManyEvictions(t *testing.T) {
	const bound = 50
	s := incident.NewStore(bound)
	one := incident.FirstUse("IM0", incident.StatusTriggered, t0).Size()
	for i := range 20 * bound {
		s.Put(incident.FirstUse(fmt.Sprintf("IM%d", i), incident.StatusTriggered, t0))
		oldest := max(0, i-bound+1)
		if s.Get(fmt.Sprintf("IM%d", oldest)) == nil || (oldest > 0 && s.Get(fmt.Sprintf("IM%d", oldest-1)) != nil) {
			t.Fatalf("after IM%d the oldest kept should be IM%d", i, oldest)
		}
	}
	if s.Len() != bound || s.Bytes() < bound*one*9/10 || s.Bytes() > bound*one*11/10 {
		t.Fatalf("store holds %d incidents, %d bytes (one is about %d)", s.Len(), s.Bytes(), one)
	}
}

// BenchmarkStorePutAtBound is a full store taking new numbers, as a long run
// that invents them does: each Put forgets the oldest.
func BenchmarkStorePutAtBound(b *testing.B) {
	s := incident.NewStore(incident.DefaultMaxPerStore)
	nums := make([]string, 2*incident.DefaultMaxPerStore)
	for i := range nums {
		nums[i] = fmt.Sprintf("IM%d", i)
	}
	for _, num := range nums[:incident.DefaultMaxPerStore] {
		s.Put(incident.FirstUse(num, incident.StatusTriggered, t0))
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		s.Put(incident.FirstUse(nums[i%len(nums)], incident.StatusTriggered, t0))
	}
}

func TestKeyOfAHistoryListIsTheFirstNumberItsTicketFilterNames(t *testing.T) {
	list := func(filters ...map[string]any) map[string]any {
		out := make([]any, len(filters))
		for i, f := range filters {
			out[i] = f
		}
		return map[string]any{"string_filters": out}
	}
	for _, tc := range []struct {
		body map[string]any
		want string
	}{
		{list(map[string]any{"field": "ticket_id", "operator": "in", "values": []any{"IM-2", "IM-1"}}), "IM-2"},
		// Another filter first, and a ticket filter that does not name
		// incidents (like), are passed over.
		{list(map[string]any{"field": "operator", "operator": "=", "values": []any{"alice"}},
			map[string]any{"field": "ticket_id", "operator": "like", "values": []any{"IM-9"}},
			map[string]any{"field": "ticket_id", "operator": "=", "values": []any{7, "IM-3"}}), "IM-3"},
		// The first ticket filter decides, even when it names nothing.
		{list(map[string]any{"field": "ticket_id", "operator": "in", "values": []any{}},
			map[string]any{"field": "ticket_id", "operator": "=", "values": []any{"IM-4"}}), ""},
		{map[string]any{}, ""},
	} {
		for _, op := range []string{incident.OpHistories, incident.OpHistoriesExternal} {
			if got := incident.KeyOf(op, tc.body, nil); got != tc.want {
				t.Errorf("%s %v: key %q, want %q", op, tc.body, got, tc.want)
			}
		}
	}
}
