package mock

import (
	"errors"
	"sync"
	"sync/atomic"
)

// Bounds of the live event stream (/__admin/events): how many watchers at
// once, and how many exchanges each may fall behind before it misses some.
// Together they bound what stalled streams can hold outside the journal
// budget: MaxWatchers × watcherBuffer exchanges.
const (
	MaxWatchers   = 8
	watcherBuffer = 64
)

// ErrTooManyWatchers is Watch's answer beyond MaxWatchers.
var ErrTooManyWatchers = errors.New("too many watchers of the event stream")

// watchers hands every journaled exchange to the streams watching.
type watchers struct {
	mu   sync.Mutex
	subs map[*Watcher]struct{}
	n    atomic.Int32 // len(subs), read without the lock on every request
}

// Watcher receives exchanges as they are journaled. A watcher that falls
// behind by more than its buffer misses exchanges; Missed counts them.
type Watcher struct {
	C      chan Exchange
	mu     sync.Mutex
	missed int
	w      *watchers
	// session, when only is set, is the one session watched.
	session string
	only    bool
}

// Missed returns how many exchanges were dropped since the last call.
func (w *Watcher) Missed() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	n := w.missed
	w.missed = 0
	return n
}

// Close stops the watcher.
func (w *Watcher) Close() {
	w.w.mu.Lock()
	delete(w.w.subs, w)
	w.w.n.Store(int32(len(w.w.subs)))
	w.w.mu.Unlock()
}

// Watch starts watching every exchange journaled from now on; with only
// set, those of one session. As with Requests, an exchange's headers are
// the watcher's to change, its bodies to read only.
func (e *Engine) Watch(session string, only bool) (*Watcher, error) {
	e.watchers.mu.Lock()
	defer e.watchers.mu.Unlock()
	if len(e.watchers.subs) >= MaxWatchers {
		return nil, ErrTooManyWatchers
	}
	w := &Watcher{C: make(chan Exchange, watcherBuffer), w: &e.watchers, session: session, only: only}
	if e.watchers.subs == nil {
		e.watchers.subs = map[*Watcher]struct{}{}
	}
	e.watchers.subs[w] = struct{}{}
	e.watchers.n.Store(int32(len(e.watchers.subs)))
	return w, nil
}

// publish hands x to every watcher without waiting for any.
func (ws *watchers) publish(x *Exchange) {
	if ws.n.Load() == 0 {
		return
	}
	ws.mu.Lock()
	defer ws.mu.Unlock()
	for w := range ws.subs {
		if w.only && w.session != x.Session {
			continue
		}
		// A full watcher misses x without its copy being made: a select
		// would make it before finding no room.
		if len(w.C) < cap(w.C) {
			select {
			case w.C <- x.own():
				continue
			default:
			}
		}
		w.mu.Lock()
		w.missed++
		w.mu.Unlock()
	}
}
