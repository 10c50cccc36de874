package incident

import (
	"slices"
	"strings"

	"github.com/cocmock/cocmock/internal/capped"
)

// DefaultMaxPerStore is how many incidents a store keeps unless told
// otherwise.
const DefaultMaxPerStore = 10000

// Store holds one session's incidents. Beyond its bound the oldest incident
// is forgotten, so that memory stays flat however many numbers a run
// invents; it also counts the bytes its incidents hold (each as Size last
// counted it), for the sandbox's memory budget. It is not locked: its
// session's lock guards it.
type Store struct {
	byNum *capped.Map[*Incident]
}

// NewStore makes a store that keeps at most max incidents.
func NewStore(max int) *Store { return &Store{byNum: capped.New[*Incident](max)} }

// Get returns an incident, or nil.
func (s *Store) Get(num string) *Incident {
	inc, _ := s.byNum.Get(num)
	return inc
}

// Put adds or replaces an incident, or counts its bytes again after it
// changed; the oldest are forgotten beyond the bound.
func (s *Store) Put(inc *Incident) { s.byNum.Put(inc.Num, inc, inc.Size()) }

// DropOldest forgets the oldest incident and returns the bytes it held
// (0 when the store is empty).
func (s *Store) DropOldest() int { return s.byNum.DropOldest() }

// Len is how many incidents the store holds.
func (s *Store) Len() int { return s.byNum.Len() }

// Bytes is what the store's incidents hold, as Size counts it.
func (s *Store) Bytes() int { return s.byNum.Bytes() }

// All returns copies of the incidents, sorted by number.
func (s *Store) All() []Incident {
	out := make([]Incident, 0, s.byNum.Len())
	for _, inc := range s.byNum.All() {
		out = append(out, inc.Clone())
	}
	slices.SortFunc(out, func(a, b Incident) int { return strings.Compare(a.Num, b.Num) })
	return out
}
