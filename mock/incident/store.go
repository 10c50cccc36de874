package incident

import (
	"slices"
	"strings"
)

// DefaultMaxPerStore is how many incidents a store keeps unless told
// otherwise.
const DefaultMaxPerStore = 10000

// Store holds one session's incidents. Beyond its bound the oldest incident
// is forgotten, so that memory stays flat however many numbers a run
// invents. It is not locked: its session's lock guards it.
type Store struct {
	max   int
	byNum map[string]*Incident
	order []string // numbers by first insertion, oldest first
}

// NewStore makes a store that keeps at most max incidents.
func NewStore(max int) *Store {
	return &Store{max: max, byNum: map[string]*Incident{}}
}

// Get returns an incident, or nil.
func (s *Store) Get(num string) *Incident { return s.byNum[num] }

// Put adds or replaces an incident.
func (s *Store) Put(inc *Incident) {
	if _, ok := s.byNum[inc.Num]; !ok {
		s.order = append(s.order, inc.Num)
	}
	s.byNum[inc.Num] = inc
	for len(s.byNum) > s.max {
		delete(s.byNum, s.order[0])
		s.order = slices.Delete(s.order, 0, 1)
	}
}

// Len is how many incidents the store holds.
func (s *Store) Len() int { return len(s.byNum) }

// All returns copies of the incidents, sorted by number.
func (s *Store) All() []Incident {
	out := make([]Incident, 0, len(s.byNum))
	for _, inc := range s.byNum {
		out = append(out, inc.Clone())
	}
	slices.SortFunc(out, func(a, b Incident) int { return strings.Compare(a.Num, b.Num) })
	return out
}
