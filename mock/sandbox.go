package mock

import (
	"errors"
	"fmt"
	"slices"
	"strings"

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
func (e *Engine) Requests(session string, f Filter) (entries []Entry, total int) {
	s := e.sessions.lookup(session)
	if s == nil {
		return nil, 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.journal.newestFirst(func(x *Entry) bool {
		if f.matches(x) {
			total++
			if f.Limit == 0 || len(entries) < f.Limit {
				entries = append(entries, *x)
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
	s.mu.Lock()
	s.journal.clear()
	s.mu.Unlock()
}

// Tickets returns a session's tickets, sorted by number.
func (e *Engine) Tickets(session string) []Ticket {
	s := e.sessions.lookup(session)
	if s == nil {
		return []Ticket{}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Ticket, 0, s.tickets.len())
	for _, t := range s.tickets.values() {
		out = append(out, t.clone())
	}
	slices.SortFunc(out, func(a, b Ticket) int { return strings.Compare(a.IncidentNum, b.IncidentNum) })
	return out
}

// Ticket returns one ticket of a session.
func (e *Engine) Ticket(session, num string) (Ticket, bool) {
	s := e.sessions.lookup(session)
	if s == nil {
		return Ticket{}, false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.tickets.get(num)
	if !ok {
		return Ticket{}, false
	}
	return t.clone(), true
}

// Seed is what SeedTicket sets on a ticket.
type Seed struct {
	Status           string `json:"status"`
	Level            string `json:"level,omitempty"`
	Type             string `json:"type,omitempty"`
	ServiceInterrupt *bool  `json:"service_interrupt,omitempty"`
	PendingApproval  string `json:"pending_approval,omitempty"`
	// PendingLevel is the level an open level approval asks for.
	PendingLevel string `json:"pending_level,omitempty"`
}

// SeedTicket creates or replaces a ticket of a session in the given state;
// its history starts empty.
func (e *Engine) SeedTicket(session, num string, seed Seed) (Ticket, error) {
	if strings.TrimSpace(num) == "" {
		return Ticket{}, errors.New("the incident number is empty")
	}
	if seed.Status == "" {
		return Ticket{}, errors.New("status is required")
	}
	if known := e.Scenarios().States(); !slices.Contains(known, seed.Status) {
		return Ticket{}, fmt.Errorf("status %q is not a state of any loaded scenario (known: %s)", seed.Status, strings.Join(known, ", "))
	}
	if seed.PendingApproval != "" && seed.PendingApproval != "pause" && seed.PendingApproval != "level" {
		return Ticket{}, fmt.Errorf("pending_approval %q: want pause or level", seed.PendingApproval)
	}
	if seed.PendingLevel != "" && seed.PendingApproval != "level" {
		return Ticket{}, errors.New("pending_level goes with pending_approval: level")
	}
	t := &Ticket{
		IncidentNum: num, Status: seed.Status, Level: seed.Level, Type: seed.Type,
		ServiceInterrupt: seed.ServiceInterrupt, PendingApproval: seed.PendingApproval, PendingLevel: seed.PendingLevel, Seeded: true,
	}
	s := e.sessions.get(session)
	s.mu.Lock()
	s.tickets.put(num, t)
	s.mu.Unlock()
	return t.clone(), nil
}

// Reset returns a session's tickets, sequence counters and journal to the
// start.
func (e *Engine) Reset(session string) {
	if s := e.sessions.lookup(session); s != nil {
		s.reset()
	}
}

// ResetAll drops every session and resets the default one.
func (e *Engine) ResetAll() { e.sessions.dropAll() }

// Stats are gauges of the sandbox's memory.
type Stats struct {
	Sessions       int // named sessions held (the default one not counted)
	JournalEntries int // entries held in all journals
	Tickets        int
}

// Stats counts what the sandbox holds now.
func (e *Engine) Stats() Stats {
	st := Stats{Sessions: e.sessions.count()}
	for _, s := range e.sessions.all() {
		s.mu.Lock()
		st.JournalEntries += s.journal.len()
		st.Tickets += s.tickets.len()
		s.mu.Unlock()
	}
	return st
}

// Scenario returns a loaded scenario by name.
func (e *Engine) Scenario(name string) (*scenarios.Scenario, bool) {
	return e.set.Load().Get(name)
}
