package mock

import (
	"container/list"
	"sync"

	"github.com/cocmock/cocmock/mock/incident"
)

// DefaultMaxSessions is how many sessions are kept unless told otherwise.
const DefaultMaxSessions = 1000

// Bounds of one session's state: beyond them the oldest incidents and
// sequence counters are forgotten, so that memory stays flat however many
// incident numbers a run invents.
const (
	MaxIncidentsPerSession = incident.DefaultMaxPerStore
	MaxCountersPerSession  = 10000
)

// session is one caller's sandbox: incidents, sequence counters, active
// scenario and journal. The default session (no header) has the empty id.
// One lock guards it all: every critical section is short, and checking an
// incident's state and moving it must happen under the same lock.
type session struct {
	id        string
	mu        sync.Mutex
	scenario  string
	counters  *capped[int]
	incidents *incident.Store
	journal   *journal
}

func newSession(id string, journalSize int) *session {
	return &session{
		id:        id,
		counters:  newCapped[int](MaxCountersPerSession),
		incidents: incident.NewStore(MaxIncidentsPerSession),
		journal:   newJournal(journalSize),
	}
}

// next returns how many times key was counted before, and counts it. The
// caller holds s.mu.
func (s *session) next(key string) int {
	n, _ := s.counters.get(key)
	s.counters.put(key, n+1)
	return n
}

func (s *session) activeScenario() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scenario
}

// reset empties the session: incidents, counters and journal. The active
// scenario stays, as a session's setting rather than its state.
func (s *session) reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.counters = newCapped[int](MaxCountersPerSession)
	s.incidents = incident.NewStore(MaxIncidentsPerSession)
	s.journal.clear()
}

// capped is a map that forgets its oldest keys beyond max.
type capped[V any] struct {
	max   int
	m     map[string]V
	order []string // keys by first insertion, oldest first
}

func newCapped[V any](max int) *capped[V] {
	return &capped[V]{max: max, m: map[string]V{}}
}

func (c *capped[V]) get(k string) (V, bool) {
	v, ok := c.m[k]
	return v, ok
}

func (c *capped[V]) put(k string, v V) {
	if _, ok := c.m[k]; !ok {
		c.order = append(c.order, k)
	}
	c.m[k] = v
	for len(c.m) > c.max {
		delete(c.m, c.order[0])
		c.order = c.order[1:]
	}
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

// lookup returns a session without creating it; nil when there is none.
func (s *sessions) lookup(id string) *session {
	if id == "" {
		return s.main
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if el, ok := s.byID[id]; ok {
		return el.Value.(*session)
	}
	return nil
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
