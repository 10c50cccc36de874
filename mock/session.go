package mock

import (
	"container/list"
	"sync"
)

// DefaultMaxSessions is how many sessions are kept unless told otherwise.
const DefaultMaxSessions = 1000

// session is one caller's sandbox: tickets, sequence counters, active
// scenario and journal. The default session (no header) has the empty id.
// One lock guards it all: every critical section is short, and checking a
// ticket's state and moving it must happen under the same lock.
type session struct {
	id       string
	mu       sync.Mutex
	scenario string
	counters map[string]int
	tickets  map[string]*Ticket
	journal  *journal
}

func newSession(id string, journalSize int) *session {
	return &session{id: id, counters: map[string]int{}, tickets: map[string]*Ticket{}, journal: newJournal(journalSize)}
}

// next returns how many times key was counted before, and counts it. The
// caller holds s.mu.
func (s *session) next(key string) int {
	n := s.counters[key]
	s.counters[key] = n + 1
	return n
}

func (s *session) activeScenario() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scenario
}

// reset empties the session: tickets, counters and journal. The active
// scenario stays, as a session's setting rather than its state.
func (s *session) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = map[string]int{}
	s.tickets = map[string]*Ticket{}
	s.journal.clear()
}

// sessions holds the sessions by id, created on first use. Beyond max the
// least recently used one is dropped; the default session is never dropped.
type sessions struct {
	mu          sync.Mutex
	max         int
	journalSize int
	byID        map[string]*list.Element
	lru         *list.List // front: most recently used
	main        *session
}

func newSessions(max, journalSize int) *sessions {
	return &sessions{max: max, journalSize: journalSize, byID: map[string]*list.Element{}, lru: list.New(), main: newSession("", journalSize)}
}

func (s *sessions) get(id string) *session {
	if id == "" {
		return s.main
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byID[id]; ok {
		s.lru.MoveToFront(el)
		return el.Value.(*session)
	}
	sess := newSession(id, s.journalSize)
	s.byID[id] = s.lru.PushFront(sess)
	for s.max > 0 && s.lru.Len() > s.max {
		oldest := s.lru.Back()
		s.lru.Remove(oldest)
		delete(s.byID, oldest.Value.(*session).id)
	}
	return sess
}

// all returns every session, the default one first.
func (s *sessions) all() []*session {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []*session{s.main}
	for el := s.lru.Front(); el != nil; el = el.Next() {
		out = append(out, el.Value.(*session))
	}
	return out
}

// count is the number of named sessions held.
func (s *sessions) count() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.lru.Len()
}

// dropAll forgets every named session and resets the default one.
func (s *sessions) dropAll() {
	s.mu.Lock()
	s.byID = map[string]*list.Element{}
	s.lru.Init()
	s.mu.Unlock()
	s.main.reset()
}
