// Package capped holds a map that keeps at most a given number of entries,
// forgetting the oldest first, and counts the bytes its entries hold, so
// that a sandbox's state stays within a bound and a budget however many
// keys its clients invent.
package capped

import "iter"

// Map is a map from string keys to values of type V that keeps at most Max
// entries: putting a new key beyond that forgets the key put first. Each
// entry carries a size its owner gives (what it counts against a budget),
// and Bytes is their sum. It is not locked: its owner's lock guards it.
type Map[V any] struct {
	max     int
	entries map[string]entry[V]
	order   []string // keys by first insertion, oldest first
	bytes   int
}

type entry[V any] struct {
	value V
	size  int
}

// New makes a map that keeps at most bound entries (none when bound is 0
// or less).
func New[V any](bound int) *Map[V] {
	return &Map[V]{max: max(bound, 0), entries: map[string]entry[V]{}}
}

// Get returns the value under key and whether there is one.
func (m *Map[V]) Get(key string) (V, bool) {
	e, ok := m.entries[key]
	return e.value, ok
}

// Put sets the value under key and the bytes it holds. A key already
// there keeps its place in the order; a new one comes last, and the oldest
// entries are forgotten beyond the bound.
func (m *Map[V]) Put(key string, value V, size int) {
	old, ok := m.entries[key]
	if !ok {
		m.order = append(m.order, key)
	}
	m.entries[key] = entry[V]{value: value, size: size}
	m.bytes += size - old.size
	for len(m.entries) > m.max {
		m.DropOldest()
	}
}

// DropOldest forgets the entry put first and returns the bytes it held (0
// when the map is empty).
func (m *Map[V]) DropOldest() int {
	if len(m.order) == 0 {
		return 0
	}
	key := m.order[0]
	m.order[0] = ""
	// O(1): the array's dead head is left behind when append next grows
	// it, so the array stays within about twice the bound.
	m.order = m.order[1:]
	n := m.entries[key].size
	delete(m.entries, key)
	m.bytes -= n
	return n
}

// Len is how many entries the map holds.
func (m *Map[V]) Len() int { return len(m.entries) }

// Bytes is the sum of the entries' sizes.
func (m *Map[V]) Bytes() int { return m.bytes }

// All yields the entries, oldest first.
func (m *Map[V]) All() iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for _, key := range m.order {
			if !yield(key, m.entries[key].value) {
				return
			}
		}
	}
}
