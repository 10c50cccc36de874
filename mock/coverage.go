package mock

import (
	"strings"
	"sync"

	"github.com/cocmock/cocmock/coverage"
	"github.com/cocmock/cocmock/internal/capped"
	"github.com/cocmock/cocmock/mock/auth"
)

// WithCoverage turns coverage counting on (the default) or off.
func WithCoverage(on bool) Option { return func(e *Engine) { e.coverageOff = !on } }

// coverageStore holds each session's coverage counts, apart from the
// session: a reset of tickets (or of every session) keeps them unless
// asked. The default session's are kept always; named sessions' for the
// 2 × --max-sessions most recently made, so that the store is bounded and
// a session dropped and made again finds its coverage.
type coverageStore struct {
	catalogue *coverage.Catalogue
	main      *coverage.Counts
	mu        sync.Mutex
	byID      *capped.Map[*coverage.Counts]
}

func newCoverageStore(c *coverage.Catalogue, maxSessions int) *coverageStore {
	return &coverageStore{catalogue: c, main: c.NewCounts(), byID: capped.New[*coverage.Counts](2 * maxSessions)}
}

// counts returns a session's counts, made on first use. A session's
// counts cost one counter an item, whatever its client sends.
func (s *coverageStore) counts(id string) *coverage.Counts {
	if id == "" {
		return s.main
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if n, ok := s.byID.Get(id); ok {
		return n
	}
	n := s.catalogue.NewCounts()
	s.byID.Put(strings.Clone(id), n, 4*len(s.catalogue.Items))
	return n
}

// lookup returns a session's counts, or nil.
func (s *coverageStore) lookup(id string) *coverage.Counts {
	if id == "" {
		return s.main
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n, _ := s.byID.Get(id)
	return n
}

func (s *coverageStore) ids() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := []string{""}
	for id := range s.byID.All() {
		out = append(out, id)
	}
	return out
}

// cover counts what an exchange met and sent in its session's coverage.
func (e *Engine) cover(sess *session, x *Exchange, replyBody []byte) {
	if e.coverageOff || sess.coverage == nil {
		return
	}
	cx := coverage.Exchange{
		Operation: x.Operation, Status: x.Status, Code: coverage.ErrorCode(replyBody), Fault: x.Fault,
		Delayed: x.Delay > 0, Throttled: x.throttled, RequestValid: x.RequestValid,
		Key: x.OperateKey, Before: x.labelBefore, After: x.labelAfter, Body: x.body,
	}
	if x.Auth != nil {
		cx.AuthRefused = true
		cx.LockedOut = x.Auth.Reason == auth.ReasonLocked
	}
	e.coverage.catalogue.Record(sess.coverage, cx)
}

// Catalogue is the coverage catalogue of the served operations.
func (e *Engine) Catalogue() *coverage.Catalogue { return e.coverage.catalogue }

// Coverage reports what the sessions' clients met and sent, merged; "*"
// is every session, none the default one.
func (e *Engine) Coverage(sessions ...string) coverage.Report {
	if len(sessions) == 0 {
		sessions = []string{""}
	}
	if len(sessions) == 1 && sessions[0] == "*" {
		sessions = e.coverage.ids()
	}
	var counts []*coverage.Counts
	for _, id := range sessions {
		counts = append(counts, e.coverage.lookup(id))
	}
	return e.coverage.catalogue.Report(sessions, counts)
}

// ResetCoverage sets a session's coverage back to nothing met.
func (e *Engine) ResetCoverage(session string) {
	if n := e.coverage.lookup(session); n != nil {
		n.Clear()
	}
}
