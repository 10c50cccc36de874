package mock

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/scenarios"
)

// The sandbox API in plain Go: what /__admin and the Go test helper call.
// session is the X-Cocmock-Session id; "" is the default session.

// ErrUnknownScenario is returned when a scenario name is not loaded.
var ErrUnknownScenario = errors.New("unknown scenario")

// SetScenario makes a scenario the active one of a session.
func (e *Engine) SetScenario(session, name string) error {
	if _, ok := e.set.Load().Get(name); !ok {
		return fmt.Errorf("%w %q (known: %s)", ErrUnknownScenario, name, strings.Join(e.set.Load().Names(), ", "))
	}
	s := e.sessions.get(session)
	s.mu.Lock()
	s.scenario = name
	s.mu.Unlock()
	return nil
}

// ActiveScenario is the scenario a session's requests get unless they name
// another.
func (e *Engine) ActiveScenario(session string) string {
	if s := e.sessions.lookup(session); s != nil {
		if name := s.activeScenario(); name != "" {
			return name
		}
	}
	return e.scenario
}

// Requests returns a session's journal entries that pass the filter, newest
// first and at most f.Limit of them, with the number that passed in all.
// Their headers are the caller's to change; their bodies are to read only.
func (e *Engine) Requests(session string, f Filter) (entries []Exchange, total int) {
	s := e.sessions.lookup(session)
	if s == nil {
		return nil, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	skipping := f.Before != ""
	s.journal.newestFirst(func(x *Exchange) bool {
		if skipping {
			skipping = x.RequestID != f.Before
			return true
		}
		if f.matches(x) {
			total++
			if f.Limit == 0 || len(entries) < f.Limit {
				entries = append(entries, x.own())
			}
		}
		return true
	})
	return entries, total
}

// ClearRequests empties a session's journal.
func (e *Engine) ClearRequests(session string) {
	s := e.sessions.lookup(session)
	if s == nil {
		return
	}
	e.sessions.change(s, func() { s.journal.clear() })
}

// Incidents returns a session's incidents, sorted by number.
func (e *Engine) Incidents(session string) []Incident {
	s := e.sessions.lookup(session)
	if s == nil {
		return []Incident{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.incidents.All()
}

// Incident returns one incident of a session, with its history.
func (e *Engine) Incident(session, num string) (Incident, bool) {
	s := e.sessions.lookup(session)
	if s == nil {
		return Incident{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inc := s.incidents.Get(num)
	if inc == nil {
		return Incident{}, false
	}
	return inc.Clone(), true
}

// IncidentDetail returns an incident of a session as the client reads it
// through ShowCocIncidentDetail.
func (e *Engine) IncidentDetail(session, num string) (incident.Detail, bool) {
	s := e.sessions.lookup(session)
	if s == nil {
		return incident.Detail{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	inc := s.incidents.Get(num)
	if inc == nil {
		return incident.Detail{}, false
	}
	return inc.Detail(), true
}

// IncidentState is what PutIncident sets on an incident.
type IncidentState = incident.State

// PutIncident creates or replaces an incident of a session in the given
// state (a fixture); its history starts empty.
func (e *Engine) PutIncident(session, num string, st IncidentState) (Incident, error) {
	if strings.TrimSpace(num) == "" {
		return Incident{}, errors.New("the incident number is empty")
	}
	if st.Status == "" {
		return Incident{}, errors.New("status is required")
	}
	known := slices.Concat(incident.Statuses, e.Scenarios().States())
	if !slices.Contains(known, st.Status) {
		return Incident{}, fmt.Errorf("status %q is not a COC status nor a state of any loaded scenario (known: %s)", st.Status, strings.Join(slices.Compact(slices.Sorted(slices.Values(known))), ", "))
	}
	if st.PendingApproval != "" && st.PendingApproval != incident.ApprovalPause && st.PendingApproval != incident.ApprovalLevel {
		return Incident{}, fmt.Errorf("pending_approval %q: want pause or level", st.PendingApproval)
	}
	if st.PendingLevel != "" && st.PendingApproval != incident.ApprovalLevel {
		return Incident{}, errors.New("pending_level goes with pending_approval: level")
	}
	inc := incident.Seeded(num, st, e.clock.Now())
	s := e.sessions.get(session)
	e.sessions.change(s, func() { s.incidents.Put(inc) })
	e.sessions.enforce(s)
	return inc.Clone(), nil
}

// Reset returns a session's incidents, sequence counters and journal to
// the start.
func (e *Engine) Reset(session string) {
	if s := e.sessions.lookup(session); s != nil {
		e.sessions.reset(s)
	}
}

// ResetAll drops every session, resets the default one, and lifts the
// gateway's lock-outs and throttling.
func (e *Engine) ResetAll() {
	e.sessions.dropAll()
	if e.auth != nil {
		e.auth.Reset()
	}
	if e.throttle != nil {
		e.throttle.reset()
	}
}

// SessionInfo describes a session for the sandbox API.
type SessionInfo struct {
	ID        string    `json:"id"`
	Scenario  string    `json:"scenario"`
	Incidents int       `json:"incidents"`
	Exchanges int       `json:"journal_size"`
	LastUsed  time.Time `json:"last_used,omitzero"`
}

// Sessions lists the sessions, the default one ("") first, then the most
// recently used.
func (e *Engine) Sessions() []SessionInfo {
	var out []SessionInfo
	for _, s := range e.sessions.all() {
		s.mu.Lock()
		scenario := s.scenario
		if scenario == "" {
			scenario = e.scenario
		}
		out = append(out, SessionInfo{ID: s.id, Scenario: scenario, Incidents: s.incidents.Len(), Exchanges: s.journal.len(), LastUsed: s.lastUsed})
		s.mu.Unlock()
	}
	return out
}

// Stats are gauges of the sandbox's memory.
type Stats struct {
	Sessions       int // named sessions held (the default one not counted)
	JournalEntries int // exchanges held in all journals
	Incidents      int
	// JournalBytes and StateBytes are what the budgets count: the journals,
	// and the incidents and sequence counters, of all sessions.
	JournalBytes, StateBytes int64
}

// Stats counts what the sandbox holds now.
func (e *Engine) Stats() Stats {
	st := Stats{Sessions: e.sessions.count(), JournalBytes: e.sessions.journalBytes.Load(), StateBytes: e.sessions.stateBytes.Load()}
	for _, s := range e.sessions.all() {
		s.mu.Lock()
		st.JournalEntries += s.journal.len()
		st.Incidents += s.incidents.Len()
		s.mu.Unlock()
	}
	return st
}

// Scenario returns a loaded scenario by name.
func (e *Engine) Scenario(name string) (*scenarios.Scenario, bool) {
	return e.set.Load().Get(name)
}
