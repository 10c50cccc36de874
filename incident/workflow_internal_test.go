package incident

import (
	"testing"
	"time"
)

// incidents in every status and approval, with and without optional fields.
func sampleIncidents() []*Incident {
	t0 := time.Date(2026, 12, 8, 9, 0, 0, 0, time.UTC)
	var out []*Incident
	for _, st := range Statuses {
		for _, pending := range []string{"", ApprovalPause, ApprovalLevel} {
			inc := Seeded("IM-"+st+pending, State{Status: st, PendingApproval: pending}, t0)
			out = append(out, inc)
		}
	}
	full := Create("IM-FULL", map[string]any{
		"incident_level": "level_20", "incident_type": "inc_type_p_change_issues", "incident_title": "t", "incident_description": "d",
		"incident_source": "incident_source_alarm", "creator": "c", "incident_assignee": []any{"a"}, "region": []any{"r"},
		"enterprise_project": []any{"0"}, "current_cloud_service": []any{"app"}, "incident_ownership": "o",
		"is_service_interrupt": true, "start_time": float64(1711091706017),
	}, Action{Time: t0})
	full.Handle(Action{OperateKey: "acceptedIncident1", Operator: "op", Time: t0.Add(time.Minute)})
	full.Handle(Action{OperateKey: "commitSolution1", Operator: "op2", Time: t0.Add(2 * time.Minute), Parameter: map[string]any{"mtm_type": "x"}})
	return append(out, full)
}

// The list filters and sorts on listField and shows Ticket: the two must
// read every field alike.
func TestListFieldIsTicketField(t *testing.T) {
	now := time.Date(2026, 12, 8, 10, 0, 0, 0, time.UTC)
	for _, inc := range sampleIncidents() {
		tk := inc.Ticket(now)
		for _, f := range ticketFields {
			if got, want := inc.listField(f).String(), ticketField(tk, f); got != want {
				t.Errorf("%s %s: listField %q, Ticket %q", inc.Num, f, got, want)
			}
		}
	}
}

// syncTasks keys the nodes by nodeKeys; nodes builds them: the two must
// name the same nodes in the same order.
func TestNodeKeysAreTheNodesKeys(t *testing.T) {
	for _, inc := range sampleIncidents() {
		keys := inc.nodeKeys()
		nodes := inc.nodes(false)
		for i := range keys {
			want := ""
			if i < len(nodes) {
				want = nodes[i].key
			}
			if keys[i] != want {
				t.Errorf("%s: nodeKeys %v, nodes %+v", inc.Num, keys, nodes)
			}
		}
		if len(nodes) > len(keys) {
			t.Errorf("%s stands at %d nodes", inc.Num, len(nodes))
		}
	}
}
