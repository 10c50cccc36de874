package mock

import (
	"slices"
	"time"
)

// Ticket is one key's state machine in a stateful scenario: a COC incident
// ticket with its status, recorded fields and history.
type Ticket struct {
	IncidentNum      string `json:"incident_num"`
	Status           string `json:"status"`
	Level            string `json:"level,omitempty"`
	Type             string `json:"type,omitempty"`
	ServiceInterrupt *bool  `json:"service_interrupt,omitempty"`
	// PendingApproval is "pause" or "level" while an approval is open.
	PendingApproval string `json:"pending_approval,omitempty"`
	// PendingLevel is the level a pending level change asks for; it becomes
	// Level when the change is agreed.
	PendingLevel string `json:"pending_level,omitempty"`
	// Seeded is true for tickets created through the sandbox API.
	Seeded  bool        `json:"seeded"`
	History []Operation `json:"history"`
}

// Operation is one entry of a ticket's history: a request a stateful rule
// answered, whether it moved the ticket or was refused.
type Operation struct {
	Time         time.Time `json:"time"`
	RequestID    string    `json:"request_id"`
	OperateKey   string    `json:"operate_key"`
	Operator     string    `json:"operator"`
	Parameter    any       `json:"parameter,omitempty"`
	Rule         string    `json:"rule"`
	Status       int       `json:"reply_status"`
	StatusBefore string    `json:"status_before"`
	StatusAfter  string    `json:"status_after"`
	// PendingBefore and PendingAfter show approvals opened and closed.
	PendingBefore string `json:"pending_before,omitempty"`
	PendingAfter  string `json:"pending_after,omitempty"`
}

// clone copies a ticket so that callers outside the session lock can read it.
func (t *Ticket) clone() Ticket {
	c := *t
	c.History = slices.Clone(t.History)
	if c.History == nil {
		c.History = []Operation{}
	}
	return c
}

// maxHistory bounds a ticket's history; older operations are dropped.
const maxHistory = 200

func (t *Ticket) addHistory(op Operation) {
	if len(t.History) >= maxHistory {
		t.History = slices.Delete(t.History, 0, len(t.History)-maxHistory+1)
	}
	t.History = append(t.History, op)
}
