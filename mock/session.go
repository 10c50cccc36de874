package mock

import (
	"container/list"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash/fnv"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/brianvoe/gofakeit/v6"
	"github.com/cocmock/cocmock/incident"

	"github.com/cocmock/cocmock/coverage"
	"github.com/cocmock/cocmock/internal/capped"
)

// Defaults of the sandbox's memory model (README "Limits"): at most
// DefaultMaxSessions sessions, each with at most DefaultJournalSize
// exchanges, MaxIncidentsPerSession incidents and MaxCountersPerSession
// sequence counters; and, across all sessions, at most DefaultJournalBytes
// of journal and DefaultStateBytes of incidents and counters.
const (
	DefaultMaxSessions     = 1000
	DefaultJournalBytes    = 48 << 20
	DefaultStateBytes      = 64 << 20
	MaxIncidentsPerSession = incident.DefaultMaxPerStore
	MaxCountersPerSession  = 10000
)

// MaxSessionID is the longest X-Cocmock-Session id taken; a longer one is
// refused with 400 problem+json (SessionTooLong), never kept.
const MaxSessionID = 255

// SessionTooLong is the sandbox's refusal of a session id over
// MaxSessionID bytes.
func SessionTooLong(n int) Problem {
	return Problem{Status: http.StatusBadRequest, Title: "Session id too long",
		Detail: fmt.Sprintf("X-Cocmock-Session (or ?session=) has %d bytes; at most %d are taken", n, MaxSessionID)}
}

// counterOverhead is what a sequence counter costs beside its key.
const counterOverhead = 64

// session is one caller's sandbox: incidents, sequence counters, active
// scenario and journal. The default session (no header) has the empty id.
// One lock guards it all: every critical section is short, and checking an
// incident's state and moving it must happen under the same lock.
type session struct {
	id string
	// faker is the session's own random stream, seeded from the engine's
	// seed and the session's id: a session's ticket numbers, random replies
	// and fake values depend on its own requests only, not on other
	// sessions' traffic. Its source is locked.
	faker *gofakeit.Faker
	// coverage is the session's coverage counts (nil when counting is
	// off); they live in the engine's coverage store, beyond the session.
	coverage  *coverage.Counts
	mu        sync.Mutex
	scenario  string
	counters  *capped.Map[int] // sequence counters, by key (next)
	incidents *incident.Store
	journal   *journal
	// dropped is set when the session is forgotten; requests still holding
	// it then no longer count towards the budgets. Guarded by mu.
	dropped bool
	// lastUsed is when it last journaled an exchange. Guarded by mu.
	lastUsed time.Time
}

func newSession(id string, journalSize int, seed int64, cov *coverageStore) *session {
	var counts *coverage.Counts
	if cov != nil {
		counts = cov.counts(id)
	}
	return &session{
		id:        id,
		coverage:  counts,
		faker:     seeded(sessionSeed(seed, id)),
		counters:  capped.New[int](MaxCountersPerSession),
		incidents: incident.NewStore(MaxIncidentsPerSession),
		journal:   newJournal(journalSize),
	}
}

func (s *session) activeScenario() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.scenario
}

// stateBytes is what the session's incidents and counters hold. The caller
// holds s.mu.
func (s *session) stateBytes() int { return s.incidents.Bytes() + s.counters.Bytes() }

// next is a sequence counter's value, then counts it up. Beyond
// MaxCountersPerSession keys the oldest is forgotten; each counts its key
// and counterOverhead against the state budget. The caller holds s.mu.
func (s *session) next(key string) int {
	if len(key) > maxCounterKey {
		// A per value is the client's to size: keep its hash instead.
		sum := sha256.Sum256([]byte(key))
		key = hex.EncodeToString(sum[:])
	}
	n, _ := s.counters.Get(key)
	s.counters.Put(key, n+1, len(key)+counterOverhead)
	return n
}

// sessionSeed is a session's seed: the engine's for the default session
// (""), else the engine's mixed with a hash of the id.
func sessionSeed(seed int64, id string) int64 {
	if id == "" {
		return seed
	}
	h := fnv.New64a()
	h.Write([]byte(id))
	return seed ^ int64(h.Sum64())
}

// maxCounterKey is the longest counter key kept as it is.
const maxCounterKey = 256

// sessions holds the sessions by id, created on first use, and keeps the
// memory model: beyond max sessions the least recently used one is dropped
// (the default session never is), and the journal and state budgets are
// kept across all of them (see enforce).
type sessions struct {
	mu          sync.Mutex
	max         int
	journalSize int
	seed        int64
	cov         *coverageStore
	byID        map[string]*list.Element
	lru         *list.List // front: most recently used
	main        *session

	// The budgets, and what all sessions hold now. Sessions add to the
	// totals under their own lock; enforce reads them without one.
	journalCap, stateCap     int64
	journalBytes, stateBytes atomic.Int64
}

func newSessions(max, journalSize int, journalCap, stateCap, seed int64, cov *coverageStore) *sessions {
	return &sessions{
		max: max, journalSize: journalSize, seed: seed, cov: cov, byID: map[string]*list.Element{}, lru: list.New(),
		main: newSession("", journalSize, seed, cov), journalCap: journalCap, stateCap: stateCap,
	}
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
	// The id is copied: the header's string may share a larger buffer,
	// which the map key and the session would keep alive.
	id = strings.Clone(id)
	sess := newSession(id, s.journalSize, s.seed, s.cov)
	s.byID[id] = s.lru.PushFront(sess)
	for s.max > 0 && s.lru.Len() > s.max {
		s.dropLocked(s.lru.Back())
	}
	return sess
}

// dropLocked forgets a named session and its bytes. The caller holds s.mu.
func (s *sessions) dropLocked(el *list.Element) {
	victim := el.Value.(*session)
	s.lru.Remove(el)
	delete(s.byID, victim.id)
	victim.mu.Lock()
	victim.dropped = true
	s.journalBytes.Add(-int64(victim.journal.bytes))
	s.stateBytes.Add(-int64(victim.stateBytes()))
	victim.mu.Unlock()
}

// change runs f on a session under its lock and counts how f changed
// what the session holds.
func (s *sessions) change(sess *session, f func()) {
	sess.mu.Lock()
	journalBefore, stateBefore := sess.journal.bytes, sess.stateBytes()
	f()
	if !sess.dropped {
		s.journalBytes.Add(int64(sess.journal.bytes - journalBefore))
		s.stateBytes.Add(int64(sess.stateBytes() - stateBefore))
	}
	sess.mu.Unlock()
}

// journal keeps an exchange in its session, then keeps the budgets.
func (s *sessions) journal(sess *session, x Exchange) {
	s.change(sess, func() {
		sess.journal.add(x)
		sess.lastUsed = x.Time
	})
	s.enforce(sess)
}

// enforce keeps the budgets, cheaply when they hold. Over the journal
// budget, the oldest exchanges go, least recently used sessions first;
// over the state budget, least recently used named sessions are dropped
// whole (their incidents with them); the session in use and the default
// one come last, losing their oldest exchanges or incidents. It frees down
// to a low mark, a sixteenth under the budget, so that the walk over the
// sessions (each locked) is made once per sixteenth of the budget used,
// not on every request once the budget is full.
func (s *sessions) enforce(current *session) {
	if s.journalBytes.Load() <= s.journalCap && s.stateBytes.Load() <= s.stateCap {
		return
	}
	over := func() (journal, state bool) {
		return s.journalBytes.Load() > lowMark(s.journalCap), s.stateBytes.Load() > lowMark(s.stateCap)
	}
	s.mu.Lock()
	for el := s.lru.Back(); el != nil; {
		j, st := over()
		if !j && !st {
			break
		}
		prev := el.Prev()
		victim := el.Value.(*session)
		switch {
		case victim == current:
		case st:
			s.dropLocked(el)
		default:
			s.trim(victim, true, false)
		}
		el = prev
	}
	s.mu.Unlock()
	for _, last := range []*session{s.main, current} {
		if j, st := over(); j || st {
			s.trim(last, j, st)
		}
	}
}

// lowMark is where enforce stops freeing: a sixteenth under the budget.
func lowMark(budget int64) int64 { return budget - budget/16 }

// trim drops a session's oldest exchanges (journal) or incidents (state)
// until the low mark holds or the session has none left.
func (s *sessions) trim(sess *session, journal, state bool) {
	sess.mu.Lock()
	defer sess.mu.Unlock()
	if sess.dropped {
		return
	}
	for journal && s.journalBytes.Load() > lowMark(s.journalCap) && sess.journal.len() > 0 {
		s.journalBytes.Add(-int64(sess.journal.dropOldest()))
	}
	for state && s.stateBytes.Load() > lowMark(s.stateCap) && sess.incidents.Len() > 0 {
		s.stateBytes.Add(-int64(sess.incidents.DropOldest()))
	}
	for state && s.stateBytes.Load() > lowMark(s.stateCap) && sess.counters.Len() > 0 {
		s.stateBytes.Add(-int64(sess.counters.DropOldest()))
	}
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
	for s.lru.Len() > 0 {
		s.dropLocked(s.lru.Back())
	}
	s.mu.Unlock()
	s.reset(s.main)
}

// reset empties a session: incidents, counters and journal, and starts
// its random stream again. The active scenario stays, as a session's
// setting rather than its state.
func (s *sessions) reset(sess *session) {
	sess.faker.Rand.Seed(sessionSeed(s.seed, sess.id))
	s.change(sess, func() {
		sess.counters = capped.New[int](MaxCountersPerSession)
		sess.incidents = incident.NewStore(MaxIncidentsPerSession)
		sess.journal.clear()
	})
}
