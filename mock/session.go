package mock

import (
	"container/list"
	"sync"
)

// DefaultMaxSessions is how many sessions are kept unless told otherwise.
const DefaultMaxSessions = 1000

// session is one caller's sandbox: its sequence counters and active
// scenario. The default session (no header) has the empty id.
type session struct {
	id       string
	mu       sync.Mutex
	scenario string
	counters map[string]int
}

func newSession(id string) *session {
	return &session{id: id, counters: map[string]int{}}
}

// next returns how many times key was counted before, and counts it.
func (s *session) next(key string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	n := s.counters[key]
	s.counters[key] = n + 1
	return n
}

func (s *session) activeScenario() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scenario
}

func (s *session) setScenario(name string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scenario = name
}

// sessions holds the sessions by id, created on first use. Beyond max the
// least recently used one is dropped; the default session is never dropped.
type sessions struct {
	mu   sync.Mutex
	max  int
	byID map[string]*list.Element
	lru  *list.List // front: most recently used
	main *session
}

func newSessions(max int) *sessions {
	return &sessions{max: max, byID: map[string]*list.Element{}, lru: list.New(), main: newSession("")}
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
	sess := newSession(id)
	s.byID[id] = s.lru.PushFront(sess)
	for s.max > 0 && s.lru.Len() > s.max {
		oldest := s.lru.Back()
		s.lru.Remove(oldest)
		delete(s.byID, oldest.Value.(*session).id)
	}
	return sess
}
