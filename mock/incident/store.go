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
// invents; it also counts the bytes its incidents hold, for the sandbox's
// memory budget. It is not locked: its session's lock guards it.
type Store struct {
	max   int
	byNum map[string]*Incident
	order []string // numbers by first insertion, oldest first
	// sizes holds each incident's Size as last counted; bytes their sum.
	sizes map[string]int
	bytes int
}

// NewStore makes a store that keeps at most max incidents.
func NewStore(max int) *Store {
	return &Store{max: max, byNum: map[string]*Incident{}, sizes: map[string]int{}}
}

// Get returns an incident, or nil.
func (s *Store) Get(num string) *Incident { return s.byNum[num] }

// Put adds or replaces an incident, dropping the oldest beyond the bound.
func (s *Store) Put(inc *Incident) {
	if _, ok := s.byNum[inc.Num]; !ok {
		s.order = append(s.order, inc.Num)
	}
	s.byNum[inc.Num] = inc
	s.Refresh(inc)
	for len(s.byNum) > s.max {
		s.DropOldest()
	}
}

// Refresh counts an incident's bytes again after it changed.
func (s *Store) Refresh(inc *Incident) {
	n := inc.Size()
	s.bytes += n - s.sizes[inc.Num]
	s.sizes[inc.Num] = n
}

// DropOldest forgets the oldest incident and returns the bytes it held
// (0 when the store is empty).
func (s *Store) DropOldest() int {
	if len(s.order) == 0 {
		return 0
	}
	num := s.order[0]
	s.order[0] = ""
	s.order = s.order[1:] // O(1); append moves the live tail when it grows
	n := s.sizes[num]
	delete(s.byNum, num)
	delete(s.sizes, num)
	s.bytes -= n
	return n
}

// Len is how many incidents the store holds.
func (s *Store) Len() int { return len(s.byNum) }

// Bytes is what the store's incidents hold, as Size counts it.
func (s *Store) Bytes() int { return s.bytes }

// All returns copies of the incidents, sorted by number.
func (s *Store) All() []Incident {
	out := make([]Incident, 0, len(s.byNum))
	for _, inc := range s.byNum {
		out = append(out, inc.Clone())
	}
	slices.SortFunc(out, func(a, b Incident) int { return strings.Compare(a.Num, b.Num) })
	return out
}
