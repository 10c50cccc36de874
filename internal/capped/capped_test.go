package capped_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/cocmock/cocmock/internal/capped"
)

func keys[V any](m *capped.Map[V]) []string {
	var out []string
	for k := range m.All() {
		out = append(out, k)
	}
	return out
}

func TestMapForgetsTheOldestKeyBeyondItsBound(t *testing.T) {
	m := capped.New[int](3)
	for i := range 5 {
		m.Put(fmt.Sprint("k", i), i, 10)
	}
	if got := keys(m); !slices.Equal(got, []string{"k2", "k3", "k4"}) || m.Len() != 3 || m.Bytes() != 30 {
		t.Fatalf("holds %v (%d entries, %d bytes), want k2 k3 k4 in 30 bytes", got, m.Len(), m.Bytes())
	}
	if _, ok := m.Get("k1"); ok {
		t.Fatal("k1 is still there")
	}
}

func TestMapPutOfAKnownKeyKeepsItsPlaceAndRecountsItsBytes(t *testing.T) {
	m := capped.New[string](2)
	m.Put("a", "first", 5)
	m.Put("b", "b", 1)
	m.Put("a", "second", 50) // replaced, not moved: a stays the oldest
	if v, _ := m.Get("a"); v != "second" || m.Bytes() != 51 {
		t.Fatalf("a is %q, bytes %d; want second and 51", v, m.Bytes())
	}
	m.Put("c", "c", 1)
	if got := keys(m); !slices.Equal(got, []string{"b", "c"}) || m.Bytes() != 2 {
		t.Fatalf("holds %v in %d bytes; want b c in 2", got, m.Bytes())
	}
}

func TestMapOfBoundZeroKeepsNothing(t *testing.T) {
	for _, bound := range []int{0, -1} {
		m := capped.New[int](bound)
		m.Put("a", 1, 5)
		if _, ok := m.Get("a"); ok || m.Len() != 0 || m.Bytes() != 0 {
			t.Fatalf("bound %d: holds %d entries, %d bytes", bound, m.Len(), m.Bytes())
		}
	}
}

func TestMapDropOldestReturnsWhatTheEntryHeld(t *testing.T) {
	m := capped.New[int](10)
	m.Put("a", 1, 7)
	m.Put("b", 2, 3)
	if n := m.DropOldest(); n != 7 || m.Bytes() != 3 || m.Len() != 1 {
		t.Fatalf("dropped %d, left %d bytes in %d entries", n, m.Bytes(), m.Len())
	}
	m.DropOldest()
	if n := m.DropOldest(); n != 0 || m.Len() != 0 || m.Bytes() != 0 {
		t.Fatalf("an empty map dropped %d, holds %d entries, %d bytes", n, m.Len(), m.Bytes())
	}
}

func TestMapKeepsTheNewestAcrossManyEvictions(t *testing.T) {
	const bound = 50
	m := capped.New[int](bound)
	for i := range 40 * bound {
		m.Put(fmt.Sprint(i), i, 1)
		want := max(0, i-bound+1)
		if first, ok := m.Get(fmt.Sprint(want)); !ok || first != want || m.Len() != min(i+1, bound) {
			t.Fatalf("after %d: holds %d, oldest should be %d", i, m.Len(), want)
		}
		if _, ok := m.Get(fmt.Sprint(want - 1)); want > 0 && ok {
			t.Fatalf("after %d: %d is still there", i, want-1)
		}
	}
	if m.Bytes() != bound {
		t.Fatalf("%d bytes, want %d", m.Bytes(), bound)
	}
}

// BenchmarkMapPutAtBound is a full map taking new keys: each Put forgets
// the oldest.
func BenchmarkMapPutAtBound(b *testing.B) {
	const bound = 10000
	m := capped.New[int](bound)
	ks := make([]string, 2*bound)
	for i := range ks {
		ks[i] = fmt.Sprint("k", i)
	}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		m.Put(ks[i%len(ks)], i, 1)
	}
}
