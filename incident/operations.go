package incident

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
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
		CreateTime: now,
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
	inc.syncTasks()
	return inc
}

// FirstUse is the incident a handle call creates when it names a number
// nobody created (a scenario with `unknown: create`, the default): it
// starts in status at DefaultLevel, with no history. Like a created one, it
// has no start_time until a call gives one: the detail shows only what a
// client set (Terraform's start_time is not Computed, so an invented one
// is drift on every plan).
func FirstUse(num, status string, now time.Time) *Incident {
	inc := &Incident{Num: num, State: State{Status: status, Level: DefaultLevel}, CreateTime: millis(now)}
	inc.syncTasks()
	return inc
}

// Handle applies what a successful HandleCocIncident call implies and
// records it in the history; see HandleThen.
func (inc *Incident) Handle(a Action) { inc.HandleThen(a, nil) }

// HandleThen applies what a successful HandleCocIncident call (or a v2
// HandleIncident action, by its v1 name: see transition) implies, whatever
// the incident's status: the default scenario answers every valid v1 call
// with success, so the incident follows the call. A strict scenario
// (lifecycle) refuses a v1 call before it gets here; a v2 action is
// checked against the incident's tasks first (Perform).
//
//   - acceptedIncident1 → ACKNOWLEDGED
//   - rejected → closes a pending approval without applying it; with none
//     pending, REJECTED
//   - ReOpen → TRIGGERED, taking the title, description, level, type,
//     source, ownership, assignee, start time and interruption it names
//   - commitSolution1 → RESOLVED, recording mtm_type, is_service_interrupt,
//     start_time and fault_recovery_time; handle_time is its time (the
//     SDK's model: "the last solution's submission")
//   - confirm → COMPLETED when virtual_confirm_result is true, else back to
//     ACKNOWLEDGED
//   - incidentChangeLevel1 → an escalation (towards level_10) applies at
//     once; a de-escalation opens a level approval
//   - incidentPause → opens a pause approval (until pause_end_time, if
//     given)
//   - agreed → closes the pending approval, applying it (a level, or the
//     pause: the incident is suspended); with none pending, closes a
//     REJECTED incident (COMPLETED), as the provider's docs describe
//   - forwardOther1 → status kept; virtual_send_assignee becomes the assignee
//   - recovery → ends a pause; addRemark → records its note only
//
// Any change of status ends a pause. then, when set, runs after the effect
// and before the history entry is written: a scenario rule's own
// transition overrides the effect there.
func (inc *Incident) HandleThen(a Action, then func(*Incident)) {
	before, pending := inc.Status, inc.PendingApproval
	p := a.Parameter
	switch transition(a.OperateKey) {
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
		inc.reopen(p)
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
		inc.PauseEnd, _ = epochMillis(p["pause_end_time"])
	case "agreed":
		if inc.PendingApproval == "" && inc.Status == StatusRejected {
			inc.Status = StatusCompleted
		} else {
			inc.CloseApproval(true)
		}
	case ActionRecovery:
		inc.Paused, inc.PauseEnd = false, 0
	case ActionAddRemark:
	}
	if then != nil {
		then(inc)
	}
	if inc.Status != before {
		inc.Paused, inc.PauseEnd = false, 0
	}
	inc.record(a, before, pending)
	inc.syncTasks()
}

// reopen takes what a ReOpen names anew (the provider's docs list its
// params; v1 names none, and gets the same).
func (inc *Incident) reopen(p map[string]any) {
	for key, field := range map[string]*string{"title": &inc.Title, "description": &inc.Description,
		"mtm_type": &inc.Type, "source_id": &inc.Source, "incident_ownership": &inc.Ownership,
		"assignee_scene": &inc.AssigneeScene, "assignee_role": &inc.AssigneeRole} {
		if s := text(p[key]); s != "" {
			*field = strings.Clone(s) // a copy: the request's string may be a cut of a larger one
		}
	}
	if l := text(p["level_id"]); slices.Contains(Levels, l) {
		inc.Level = l
	}
	if s := text(p["assignee"]); s != "" {
		inc.Assignee = []string{strings.Clone(s)}
	}
	if b, ok := boolean(p["is_service_interrupt"]); ok {
		inc.ServiceInterrupt = &b
	}
	if t, ok := epochMillis(p["start_time"]); ok {
		inc.StartTime = t
	}
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
// for applies, and a pause suspends the incident; refused, nothing does.
func (inc *Incident) CloseApproval(agreed bool) {
	switch {
	case agreed && inc.PendingApproval == ApprovalPause:
		inc.Paused = true
	case agreed && inc.PendingLevel != "":
		inc.Level = inc.PendingLevel
	case inc.PendingApproval == ApprovalPause:
		inc.PauseEnd = 0
	}
	inc.PendingApproval, inc.PendingLevel = "", ""
}

// Seeded is an incident the sandbox API sets in a state (a fixture): its
// history starts empty, its level is DefaultLevel unless st names one.
func Seeded(num string, st State, now time.Time) *Incident {
	inc := FirstUse(num, st.Status, now)
	if st.Level == "" {
		st.Level = inc.Level
	}
	inc.State, inc.Put = st, true
	inc.syncTasks()
	return inc
}
