package capped

import (
	"fmt"
	"testing"
)

// The order's array keeps a dead head until append moves the live tail:
// however many keys pass through, it stays within about twice the bound.
func TestOrderStaysWithinAboutTwiceTheBound(t *testing.T) {
	for _, bound := range []int{1, 7, 100, 10000} {
		m := New[int](bound)
		most := 0
		for i := range 50 * bound {
			m.Put(fmt.Sprint(i), i, 1)
			most = max(most, cap(m.order))
		}
		if most > 2*bound+64 {
			t.Errorf("bound %d: the order's array reached %d slots", bound, most)
		}
	}
}
