package incident

import (
	"fmt"
	"strconv"
	"time"
)

// NewNum mints an incident number as COC writes them (coc-api.md §4.2): IM,
// the UTC time as yyyyMMddHHmmss, and ten digits taken from draw.
func NewNum(now time.Time, draw uint64) string {
	return fmt.Sprintf("IM%s%010d", now.UTC().Format("20060102150405"), draw%10_000_000_000)
}

// Create makes an incident from CreateCocIncident's decoded body, which the
// contract has checked. It starts TRIGGERED, with a "create" history entry.
func Create(num string, body map[string]any, a Action) *Incident {
	now := millis(a.Time)
	inc := &Incident{
		Num: num, State: State{Status: StatusTriggered, Level: text(body["incident_level"]), Type: text(body["incident_type"])},
		Title: text(body["incident_title"]), Description: text(body["incident_description"]),
		Source: text(body["incident_source"]), Ownership: text(body["incident_ownership"]),
		Creator: text(body["creator"]), AssigneeScene: text(body["assignee_scene"]), AssigneeRole: text(body["assignee_role"]),
		Assignee: texts(body["incident_assignee"]), Region: texts(body["region"]),
		EnterpriseProject: texts(body["enterprise_project"]), CurrentCloudService: texts(body["current_cloud_service"]),
		CreateTime: now, StartTime: now,
	}
	if b, ok := boolean(body["is_service_interrupt"]); ok {
		inc.ServiceInterrupt = &b
	}
	if t, ok := epochMillis(body["start_time"]); ok {
		inc.StartTime = t
	}
	a.OperateKey = "create"
	if a.Operator == "" {
		a.Operator = inc.Creator
	}
	inc.record(a, "", "")
	return inc
}

// FirstUse is the incident a handle call creates when it names a number
// nobody created (a scenario with `unknown: create`, the default): it
// starts in status at DefaultLevel, with no history.
func FirstUse(num, status string, now time.Time) *Incident {
	ms := millis(now)
	return &Incident{Num: num, State: State{Status: status, Level: DefaultLevel}, CreateTime: ms, StartTime: ms}
}

// Handle applies what a successful HandleCocIncident call implies and
// records it in the history; see HandleThen.
func (inc *Incident) Handle(a Action) { inc.HandleThen(a, nil) }

// HandleThen applies what a successful HandleCocIncident call implies, whatever
// the incident's status: the default scenario answers every valid call with
// success, so the incident follows the call. A strict scenario (lifecycle)
// refuses a call before it gets here.
//
//   - acceptedIncident1 → ACKNOWLEDGED
//   - rejected → closes a pending approval without applying it; with none
//     pending, REJECTED
//   - ReOpen → TRIGGERED
//   - commitSolution1 → RESOLVED, recording mtm_type, is_service_interrupt,
//     start_time and fault_recovery_time; handle_time is its time (the
//     SDK's model: "the last solution's submission")
//   - confirm → COMPLETED when virtual_confirm_result is true, else back to
//     ACKNOWLEDGED
//   - incidentChangeLevel1 → an escalation (towards level_10) applies at
//     once; a de-escalation opens a level approval
//   - incidentPause → opens a pause approval
//   - agreed → closes the pending approval, applying a pending level
//   - forwardOther1 → status kept; virtual_send_assignee becomes the assignee
//
// then, when set, runs after the effect and before the history entry is
// written: a scenario rule's own transition overrides the effect there.
func (inc *Incident) HandleThen(a Action, then func(*Incident)) {
	before, pending := inc.Status, inc.PendingApproval
	p := a.Parameter
	switch a.OperateKey {
	case "acceptedIncident1":
		inc.Status = StatusAcknowledged
	case "forwardOther1":
		if s := text(p["virtual_send_assignee"]); s != "" {
			inc.Assignee = []string{s}
		}
	case "rejected":
		if inc.PendingApproval != "" {
			inc.CloseApproval(false)
		} else {
			inc.Status = StatusRejected
		}
	case "ReOpen":
		inc.Status = StatusTriggered
	case "commitSolution1":
		inc.Status = StatusResolved
		inc.HandleTime = millis(a.Time)
		if s := text(p["mtm_type"]); s != "" {
			inc.Type = s
		}
		if b, ok := boolean(p["is_service_interrupt"]); ok {
			inc.ServiceInterrupt = &b
		}
		if t, ok := epochMillis(p["start_time"]); ok {
			inc.StartTime = t
		}
		if t, ok := epochMillis(p["fault_recovery_time"]); ok {
			inc.FaultRecoveryTime = t
		}
	case "confirm":
		if ok, _ := boolean(p["virtual_confirm_result"]); ok {
			inc.Status = StatusCompleted
		} else {
			inc.Status = StatusAcknowledged
		}
	case "incidentChangeLevel1":
		switch target := text(p["virtual_target_level"]); {
		case target == "" || target == inc.Level:
		case LevelRank(target) < LevelRank(inc.Level):
			inc.Level = target
		default:
			inc.PendingApproval, inc.PendingLevel = ApprovalLevel, target
		}
	case "incidentPause":
		inc.PendingApproval, inc.PendingLevel = ApprovalPause, ""
	case "agreed":
		inc.CloseApproval(true)
	}
	if then != nil {
		then(inc)
	}
	inc.record(a, before, pending)
}

// text reads a string value; other types are "".
func text(v any) string {
	s, _ := v.(string)
	return s
}

// texts reads an array of strings, skipping other values.
func texts(v any) []string {
	items, _ := v.([]any)
	var out []string
	for _, it := range items {
		if s, ok := it.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// boolean reads a JSON boolean or Terraform's "true"/"false".
func boolean(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b && err == nil, err == nil && (x == "true" || x == "false")
	}
	return false, false
}

// epochMillis reads a JSON number or a string of digits.
func epochMillis(v any) (int64, bool) {
	switch x := v.(type) {
	case float64:
		return int64(x), true
	case string:
		n, err := strconv.ParseInt(x, 10, 64)
		return n, err == nil
	}
	return 0, false
}

func millis(t time.Time) int64 { return t.UnixMilli() }

// CloseApproval ends the open approval: agreed, a level change it asked
// for applies; refused, nothing does.
func (inc *Incident) CloseApproval(agreed bool) {
	if agreed && inc.PendingLevel != "" {
		inc.Level = inc.PendingLevel
	}
	inc.PendingApproval, inc.PendingLevel = "", ""
}
