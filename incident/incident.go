// Package incident is COC's incident domain: the simulated ticket, its
// fields, statuses and history, what each operation does to it, the reply
// envelope and the display names. It depends on the standard library only
// (and internal/jsontext, itself standard library only), so that the
// engine, the scenario loader and tests share one copy of it.
//
// Facts and their sources are in ../shared/reference/coc-api.md; where the
// service publishes nothing (action names, a wrong-state code), the choice
// made here says so.
package incident

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cocmock/cocmock/internal/textcut"
)

// Statuses of an incident (coc-api.md §2.4).
const (
	StatusTriggered    = "INCIDENT_STATUS_TRIGGERED"
	StatusAcknowledged = "INCIDENT_STATUS_ACKNOWLEDGED"
	StatusRejected     = "INCIDENT_STATUS_REJECTED"
	StatusResolved     = "INCIDENT_STATUS_RESOLVED"
	StatusCompleted    = "INCIDENT_STATUS_COMPLETED"
)

// Statuses lists the statuses in the order of the lifecycle.
var Statuses = []string{StatusTriggered, StatusAcknowledged, StatusRejected, StatusResolved, StatusCompleted}

// DefaultLevel is the level of an incident that a handle call creates on
// first use (it names a number nobody created): P3, the middle of the scale.
const DefaultLevel = "level_30"

// Approvals an incident may wait for; one at a time.
const (
	ApprovalPause = "pause"
	ApprovalLevel = "level"
)

// State is where an incident stands: its status, level, type, service
// interruption and open approval. The sandbox API sets it directly
// (PUT /__admin/incidents/{num}).
type State struct {
	Status string `json:"status"`
	Level  string `json:"level,omitempty"`
	// Type is incident_type at creation, mtm_type once a solution names one.
	Type             string `json:"type,omitempty"`
	ServiceInterrupt *bool  `json:"service_interrupt,omitempty"`
	// PendingApproval is ApprovalPause or ApprovalLevel while one is open.
	PendingApproval string `json:"pending_approval,omitempty"`
	// PendingLevel is what an open level approval asks for; it becomes
	// Level when agreed.
	PendingLevel string `json:"pending_level,omitempty"`
	// Paused is set by an agreed pause and cleared by recovery or any
	// change of status; PauseEnd (ms, 0: none) is the pause_end_time the
	// pause asked for, past which it holds no more (Suspended).
	Paused   bool  `json:"paused,omitempty"`
	PauseEnd int64 `json:"pause_end_time,omitempty"`
}

// Incident is one simulated ticket. The JSON form is the sandbox API's
// (/__admin/incidents); the API's own view is Detail.
type Incident struct {
	Num string `json:"incident_num"`
	State

	Title               string   `json:"incident_title,omitempty"`
	Description         string   `json:"incident_description,omitempty"`
	Source              string   `json:"incident_source,omitempty"`
	Ownership           string   `json:"incident_ownership,omitempty"`
	Creator             string   `json:"creator,omitempty"`
	Assignee            []string `json:"incident_assignee,omitempty"`
	AssigneeScene       string   `json:"assignee_scene,omitempty"`
	AssigneeRole        string   `json:"assignee_role,omitempty"`
	Region              []string `json:"region,omitempty"`
	EnterpriseProject   []string `json:"enterprise_project,omitempty"`
	CurrentCloudService []string `json:"current_cloud_service,omitempty"`
	// Times in milliseconds since the epoch; 0 is unset.
	StartTime         int64 `json:"start_time,omitempty"`
	FaultRecoveryTime int64 `json:"fault_recovery_time,omitempty"`
	CreateTime        int64 `json:"create_time,omitempty"`
	HandleTime        int64 `json:"handle_time,omitempty"`

	// Put is true for incidents set through the sandbox API
	// (PUT /__admin/incidents/{num}); the JSON name is the one documented
	// before "seed" came to mean the random seed only.
	Put     bool    `json:"seeded"`
	History []Entry `json:"history"`
	// entries counts every entry ever written, so that ids stay unique
	// after old entries are dropped.
	entries int
	// historyBytes is what History holds, as Size counts it.
	historyBytes int
	// tasks are the ids of the workflow nodes it stands at (syncTasks);
	// taskSeq counts the tasks it ever had.
	tasks   [2]taskID
	taskSeq int
}

// Entry is one history entry: the creation, or an operation that moved or
// recorded something on the incident. Refused calls are not history.
type Entry struct {
	// ID is the entry's id in the history lists: the number and a sequence.
	ID        string    `json:"id"`
	Time      time.Time `json:"time"`
	RequestID string    `json:"request_id"`
	// Action is "create", the operate_key or the v2 action, as the client
	// named it.
	Action   string `json:"action"`
	Operator string `json:"operator,omitempty"`
	Comment  string `json:"comment,omitempty"`
	// Parameter is the request's parameter as sent, cut to MaxParameter
	// bytes (ParameterCut says so).
	Parameter    json.RawMessage `json:"parameter,omitempty"`
	ParameterCut bool            `json:"parameter_truncated,omitempty"`
	// Rule is the scenario rule that answered ("" for the default answer).
	Rule         string `json:"rule,omitempty"`
	StatusBefore string `json:"status_before,omitempty"`
	StatusAfter  string `json:"status_after"`
	// PendingBefore and PendingAfter show approvals opened and closed.
	PendingBefore string `json:"pending_before,omitempty"`
	PendingAfter  string `json:"pending_after,omitempty"`
}

// Bounds of what one incident keeps, so that no client can grow it without
// limit: older history entries are dropped (the oldest quarter at once when
// MaxHistory is reached), and a recorded parameter or comment is cut. An
// incident holds at most about 100 × 2.5 KiB.
const (
	MaxHistory   = 100
	MaxParameter = 1 << 10
	MaxComment   = 1 << 10
)

// Size estimates the bytes an incident holds, for the sandbox's memory
// budget: a fixed cost, its strings, and its history.
func (inc *Incident) Size() int {
	n := 1024 + len(inc.Num) + len(inc.Title) + len(inc.Description) + len(inc.Creator) +
		len(inc.Source) + len(inc.Ownership) + len(inc.AssigneeScene) + len(inc.AssigneeRole) + len(inc.Type)
	for _, list := range [][]string{inc.Assignee, inc.Region, inc.EnterpriseProject, inc.CurrentCloudService} {
		for _, v := range list {
			n += len(v) + 16
		}
	}
	return n + inc.historyBytes
}

// Clone copies an incident so that it can be read outside its store's lock.
func (inc *Incident) Clone() Incident {
	c := *inc
	c.History = slices.Clone(inc.History)
	if c.History == nil {
		c.History = []Entry{}
	}
	for _, s := range []*[]string{&c.Assignee, &c.Region, &c.EnterpriseProject, &c.CurrentCloudService} {
		*s = slices.Clone(*s)
	}
	return c
}

// Action is one accepted operation on an incident, as the engine read it.
type Action struct {
	// OperateKey is the v1 operate_key or the v2 action.
	OperateKey string
	Operator   string
	// Parameter is the decoded request parameter (nil when absent).
	Parameter map[string]any
	RequestID string
	Rule      string
	Time      time.Time
}

// record appends a history entry for an action that changed nothing, or
// whose change the caller already made; before is the status before it.
func (inc *Incident) record(a Action, before, pendingBefore string) {
	inc.entries++
	e := Entry{
		ID: inc.Num + "-" + strconv.Itoa(inc.entries), Time: a.Time, RequestID: a.RequestID,
		Action: a.OperateKey, Operator: a.Operator, Comment: comment(a.Parameter), Rule: a.Rule,
		StatusBefore: before, StatusAfter: inc.Status, PendingBefore: pendingBefore, PendingAfter: inc.PendingApproval,
	}
	// The client's strings, cut and copied (in one allocation): under
	// --validation off an operate_key or operator may be any size, and a
	// slice of the request would keep all of it alive.
	textcut.OwnAll(textcut.Field{S: &e.Action, Max: maxField}, textcut.Field{S: &e.Operator, Max: maxField},
		textcut.Field{S: &e.Comment, Max: MaxComment})
	if a.Parameter != nil {
		e.Parameter, e.ParameterCut = capParameter(a.Parameter)
	}
	if len(inc.History) >= MaxHistory {
		// Drop the oldest quarter at once: one copy every 25 entries
		// rather than a copy of the whole history for each.
		drop := MaxHistory / 4
		for _, old := range inc.History[:drop] {
			inc.historyBytes -= entrySize(old)
		}
		inc.History = slices.Delete(inc.History, 0, drop)
	}
	inc.History = append(inc.History, e)
	inc.historyBytes += entrySize(e)
}

// entrySize is what a history entry counts for in Size: the entry itself,
// twice over for the slice's spare capacity, and its strings.
func entrySize(e Entry) int {
	return 512 + len(e.ID) + len(e.Action) + len(e.Operator) + len(e.Comment) + len(e.Parameter) + len(e.RequestID) + len(e.Rule)
}

// maxField bounds an identifier a history entry keeps (the contract's
// 255, when it is checked).
const maxField = 255

// capParameter is a parameter as a history entry keeps it: its JSON text,
// or the first MaxParameter bytes of it as a string. The text is written on
// the stack and copied out at its length (one allocation: a buffer grown by
// doubling cost two or three, and up to twice the bytes).
func capParameter(p map[string]any) (json.RawMessage, bool) {
	if approxSize(p, 0) > 4*MaxParameter {
		// Writing a huge parameter out whole only to keep its first KiB
		// cost its size again on every call: cut its values first.
		p = cutValues(p, 0).(map[string]any)
	}
	var buf [MaxParameter + 64]byte
	b, err := appendMarshal(buf[:0], p)
	if err != nil {
		return nil, false
	}
	if len(b) <= MaxParameter {
		return bytes.Clone(b), false
	}
	// A cut JSON text is no longer JSON: keep it as a string.
	s, _ := json.Marshal(string(b[:MaxParameter]))
	return s, true
}

// approxSize is about how many bytes a decoded JSON value writes out, and
// stops counting past 8 × MaxParameter.
func approxSize(v any, n int) int {
	if n > 8*MaxParameter {
		return n
	}
	switch v := v.(type) {
	case string:
		return n + len(v) + 2
	case map[string]any:
		for k, e := range v {
			if n = approxSize(e, n+len(k)+4); n > 8*MaxParameter {
				return n
			}
		}
	case []any:
		for _, e := range v {
			if n = approxSize(e, n+1); n > 8*MaxParameter {
				return n
			}
		}
	}
	return n + 8
}

// cutValues is a copy of a decoded value with at most MaxParameter bytes
// of each string and 64 items of each object or array, four levels deep:
// what a history entry keeps of it (its first MaxParameter bytes) is the
// same, for a bounded cost.
func cutValues(v any, depth int) any {
	switch v := v.(type) {
	case string:
		return textcut.Own(v, MaxParameter)
	case map[string]any:
		out := make(map[string]any, min(len(v), 64))
		if depth >= 4 {
			return out
		}
		for _, k := range slices.Sorted(maps.Keys(v)) {
			if len(out) == 64 {
				break
			}
			out[textcut.Own(k, MaxParameter)] = cutValues(v[k], depth+1)
		}
		return out
	case []any:
		out := make([]any, 0, min(len(v), 64))
		if depth >= 4 {
			return out
		}
		for _, e := range v[:min(len(v), 64)] {
			out = append(out, cutValues(e, depth+1))
		}
		return out
	}
	return v
}

// comment is the free text an operation carries, for the history lists,
// cut to MaxComment bytes on a character boundary; not yet copied (the
// caller owns it).
func comment(p map[string]any) string {
	for _, k := range []string{"virtual_confirm_comment", "virtual_change_level_comment", "virtual_send_comment", "pause_reason", "note", "solution"} {
		if s, ok := p[k].(string); ok && s != "" {
			if len(s) > MaxComment {
				s = strings.ToValidUTF8(s[:MaxComment], "")
			}
			return s
		}
	}
	return ""
}

// LevelRank orders levels by severity: level_10 (P1) is the most severe.
// Unknown levels rank last.
func LevelRank(level string) int {
	if i := slices.Index(Levels, level); i >= 0 {
		return i
	}
	return len(Levels)
}

// Levels are the level keys, most severe first (coc-api.md §2.1).
var Levels = []string{"level_10", "level_20", "level_30", "level_40", "level_50"}
