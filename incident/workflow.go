package incident

import (
	"fmt"
	"strings"
	"time"
)

// The v2 actions (HandleIncident's action), as the provider's docs for
// huaweicloud_coc_incident_action list them. Each names one of the
// transitions that HandleThen applies: v1 operate_keys and v2 actions are
// two names for the same domain transitions, not two copies of them.
const (
	ActionAccepted          = "accepted"
	ActionUnAcceptedForward = "unAcceptedForward"
	ActionAcceptedForward   = "acceptedForward"
	ActionAddRemark         = "addRemark"
	ActionCommitSolution    = "commitSolution"
	ActionConfirm           = "confirm"
	ActionIncidentPause     = "incidentPause"
	ActionAgreed            = "agreed"
	ActionRejected          = "rejected"
	ActionRecovery          = "recovery"
	ActionChangeLevel       = "changeLevel"
	ActionReOpen            = "ReOpen"
)

// Actions lists the v2 actions.
var Actions = []string{
	ActionAccepted, ActionUnAcceptedForward, ActionAcceptedForward, ActionAddRemark, ActionCommitSolution,
	ActionConfirm, ActionIncidentPause, ActionAgreed, ActionRejected, ActionRecovery, ActionChangeLevel, ActionReOpen,
}

// transitionOf names the transition a v1 operate_key or a v2 action asks
// for: the v1 key where the two APIs share one; addRemark and recovery
// have no v1 key.
var transitionOf = map[string]string{
	ActionAccepted: "acceptedIncident1", ActionUnAcceptedForward: "forwardOther1", ActionAcceptedForward: "forwardOther1",
	ActionCommitSolution: "commitSolution1", ActionChangeLevel: "incidentChangeLevel1",
}

// Transition is the v1 name of what a v1 operate_key or a v2 action asks
// for (the v1 key where the two APIs share one).
func Transition(key string) string { return transition(key) }

// transition is the v1 name of what key asks for.
func transition(key string) string {
	if t, ok := transitionOf[key]; ok {
		return t
	}
	return key
}

// Task is one node of an incident's workflow as ShowIncidentTask shows it
// (the SDK's CocTaskDetailV2): the operations a client may run there, each
// with the task id it names in HandleIncident.
type Task struct {
	Type       string          `json:"type"`
	Key        string          `json:"key"`
	Name       string          `json:"name"`
	State      string          `json:"state"`
	Operations []TaskOperation `json:"operations"`
}

// TaskOperation is one operation offered at a task (the SDK's
// CocTaskOperationDetailV2).
type TaskOperation struct {
	TaskID string `json:"task_id"`
	Key    string `json:"key"`
}

// Task states: a suspended task (an approved pause) offers only recovery
// and addRemark.
const (
	TaskRunning   = "running"
	TaskSuspended = "suspended"
)

// taskType is every node's type. COC's workflow engine publishes no list
// of node types: "userTask" (a node a person acts on) is cocmock's word.
const taskType = "userTask"

// node is a workflow node before ids are given: its key, name and the
// actions it offers.
type node struct {
	key, name string
	actions   []string
}

// nodes are the workflow nodes an incident stands at: one for its status,
// and one for an open approval. This is the lifecycle's matrix (README
// "The incident workflow"): the lifecycle scenario's v1 rules say the same
// of the v1 keys, and a test holds the two equal.
func (inc *Incident) nodes(suspended bool) []node {
	var out []node
	approval := func() {
		switch inc.PendingApproval {
		case ApprovalPause:
			out = append(out, node{"approvePause", "Approve the pause", []string{ActionAgreed, ActionRejected}})
		case ApprovalLevel:
			out = append(out, node{"approveLevel", "Approve the level change", []string{ActionAgreed, ActionRejected}})
		}
	}
	switch inc.Status {
	case StatusTriggered:
		out = append(out, node{"accept", "Accept the incident", []string{ActionAccepted, ActionUnAcceptedForward, ActionRejected}})
	case StatusRejected:
		out = append(out, node{"reopen", "Reopen or close the rejected incident", []string{ActionReOpen, ActionAgreed}})
	case StatusAcknowledged:
		handle := node{"handle", "Handle the incident", []string{ActionCommitSolution, ActionAcceptedForward, ActionAddRemark}}
		switch {
		case suspended:
			handle.actions = []string{ActionRecovery, ActionAddRemark}
		case inc.PendingApproval == "":
			// One approval at a time: the sandbox keeps one per incident.
			handle.actions = append(handle.actions, ActionChangeLevel, ActionIncidentPause)
		}
		out = append(out, handle)
		approval()
	case StatusResolved:
		verify := node{"verify", "Verify the solution", []string{ActionAddRemark}}
		if inc.PendingApproval == "" {
			// Every approval must be closed before the incident is.
			verify.actions = []string{ActionConfirm, ActionAddRemark}
		}
		out = append(out, verify)
		approval()
	}
	return out
}

// syncTasks gives each node the incident stands at a task id, keeping the
// id of a node it stood at before: a node left and entered again is a new
// task, so that an id read before a transition is stale after it. It runs
// after every transition, so it allocates nothing but a new id.
func (inc *Incident) syncTasks() {
	var ids [2]taskID
	for i, key := range inc.nodeKeys() {
		if key == "" {
			continue
		}
		if old := inc.taskIDOf(key); old != "" {
			ids[i] = taskID{key: key, id: old}
			continue
		}
		inc.taskSeq++
		ids[i] = taskID{key: key, id: newTaskID(inc.Num, inc.taskSeq)}
	}
	inc.tasks = ids
}

// nodeKeys are the keys of the nodes the incident stands at, as nodes
// gives them: its status's, and an open approval's ("" where there is none).
func (inc *Incident) nodeKeys() (keys [2]string) {
	switch inc.Status {
	case StatusTriggered:
		keys[0] = "accept"
	case StatusRejected:
		keys[0] = "reopen"
	case StatusAcknowledged:
		keys[0] = "handle"
	case StatusResolved:
		keys[0] = "verify"
	default:
		return keys
	}
	if inc.Status == StatusAcknowledged || inc.Status == StatusResolved {
		switch inc.PendingApproval {
		case ApprovalPause:
			keys[1] = "approvePause"
		case ApprovalLevel:
			keys[1] = "approveLevel"
		}
	}
	return keys
}

// taskID is a node's task id.
type taskID struct{ key, id string }

// newTaskID is an opaque id of 16 hex digits, the same for the same
// incident and sequence (reproducible runs), different across incidents:
// FNV-1a of the number, then of the sequence.
func newTaskID(num string, seq int) string {
	h := uint64(14695981039346656037)
	for i := 0; i < len(num); i++ {
		h = (h ^ uint64(num[i])) * 1099511628211
	}
	for s := uint64(seq); ; s >>= 8 {
		h = (h ^ (s & 0xff)) * 1099511628211
		if s < 0x100 {
			break
		}
	}
	const digits = "0123456789abcdef"
	var b [16]byte
	for i := 15; i >= 0; i-- {
		b[i] = digits[h&0xf]
		h >>= 4
	}
	return string(b[:])
}

// StateLabel names where an incident stands for coverage and the journal:
// its status without the INCIDENT_STATUS_ prefix, then +pause or +level
// for an open approval, or +suspended for an agreed pause (ACKNOWLEDGED+level).
func (inc *Incident) StateLabel(now time.Time) string {
	label := strings.TrimPrefix(inc.Status, "INCIDENT_STATUS_")
	switch {
	case inc.PendingApproval != "":
		label += "+" + inc.PendingApproval
	case inc.Suspended(now):
		label += "+suspended"
	}
	return label
}

// Suspended reports whether an approved pause holds the incident at now:
// until recovery, or until the pause_end_time the pause asked for.
func (inc *Incident) Suspended(now time.Time) bool {
	return inc.Paused && (inc.PauseEnd == 0 || millis(now) < inc.PauseEnd)
}

// Tasks is the incident's workflow as ShowIncidentTask shows it at now; a
// completed incident has none.
func (inc *Incident) Tasks(now time.Time) []Task {
	suspended := inc.Suspended(now)
	out := []Task{}
	for _, n := range inc.nodes(suspended) {
		t := Task{Type: taskType, Key: n.key, Name: n.name, State: TaskRunning, Operations: []TaskOperation{}}
		if suspended && n.key == "handle" {
			t.State = TaskSuspended
		}
		id := inc.taskIDOf(n.key)
		for _, a := range n.actions {
			t.Operations = append(t.Operations, TaskOperation{TaskID: id, Key: a})
		}
		out = append(out, t)
	}
	return out
}

func (inc *Incident) taskIDOf(key string) string {
	for _, t := range inc.tasks {
		if t.key == key {
			return t.id
		}
	}
	return ""
}

// TaskError is a v2 action the incident's tasks do not offer: a task id
// that is not one of its current tasks (stale after a transition, or
// another incident's), or an action its task does not list. The service
// publishes no code for it; cocmock answers 400 GOM.00007256, COC's one
// documented refusal, naming the field.
type TaskError struct {
	Field, Value string
	// Offered lists what the incident offers instead: its current task
	// ids, or the task's actions.
	Offered []string
	Num     string
}

func (e *TaskError) Error() string {
	if e.Field == "task_id" {
		if len(e.Offered) == 0 {
			return fmt.Sprintf("The field[task_id] value[%s] invalid: incident %s has no open task", e.Value, e.Num)
		}
		return fmt.Sprintf("The field[task_id] value[%s] invalid: not a current task of incident %s (current: %s)", e.Value, e.Num, strings.Join(e.Offered, ", "))
	}
	return fmt.Sprintf("The field[action] value[%s] invalid: task %s of incident %s offers %s", e.Value, e.Offered[0], e.Num, strings.Join(e.Offered[1:], ", "))
}

// Perform runs a v2 action named at a task (HandleIncident): refused with
// a *TaskError unless one of the incident's current tasks has that id and
// offers the action; else the action's transition is applied as a v1 call
// applies it (HandleThen), then is a scenario rule's own transition.
func (inc *Incident) Perform(taskID string, a Action, then func(*Incident)) error {
	if err := inc.Offers(taskID, a.OperateKey, a.Time); err != nil {
		return err
	}
	inc.HandleThen(a, then)
	return nil
}

// Offers reports, as Perform would refuse it, whether a current task of
// the incident has this id and offers the action at now.
func (inc *Incident) Offers(taskID, action string, now time.Time) error {
	var current []string
	for _, t := range inc.Tasks(now) {
		if len(t.Operations) == 0 {
			continue
		}
		id := t.Operations[0].TaskID
		current = append(current, id)
		if id != taskID {
			continue
		}
		var offered []string
		for _, op := range t.Operations {
			if op.Key == action {
				return nil
			}
			offered = append(offered, op.Key)
		}
		return &TaskError{Field: "action", Value: action, Offered: append([]string{taskID}, offered...), Num: inc.Num}
	}
	return &TaskError{Field: "task_id", Value: taskID, Offered: current, Num: inc.Num}
}
