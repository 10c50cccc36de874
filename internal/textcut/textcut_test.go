package textcut_test

import (
	"strings"
	"testing"
	"unicode/utf8"
	"unsafe"

	"github.com/cocmock/cocmock/internal/textcut"
)

func TestCutKeepsWholeCharactersAndSaysItCut(t *testing.T) {
	for _, tc := range []struct {
		s    string
		n    int
		want string
	}{
		{"abc", 3, "abc"},
		{"abcd", 3, "abc…"},
		{"ab€d", 3, "ab…"}, // € is three bytes: none of it fits
		{"ab€d", 5, "ab€…"},
		{"€", 0, "…"},
		{"abc", -1, "…"},
		{"", 0, ""},
	} {
		if got := textcut.Cut(tc.s, tc.n); got != tc.want {
			t.Errorf("Cut(%q, %d) = %q, want %q", tc.s, tc.n, got, tc.want)
		}
	}
	long := strings.Repeat("é", 1000)
	for n := range 40 {
		got := textcut.Cut(long, n)
		if !utf8.ValidString(got) || len(got) > n+len("…") {
			t.Fatalf("Cut(é×1000, %d) = %q", n, got)
		}
	}
}

func TestOwnCutsOnACharacterAndCopies(t *testing.T) {
	big := strings.Repeat("é", 1000) // 2 bytes a character
	got := textcut.Own(big, 5)
	if got != "éé" {
		t.Fatalf("%q", got)
	}
	if unsafe.StringData(got) == unsafe.StringData(big) {
		t.Fatal("Own shares the original's bytes")
	}
	if short := textcut.Own(big[:4], 10); short != "éé" || unsafe.StringData(short) == unsafe.StringData(big) {
		t.Fatal("a short string is copied too: it may be a slice of a larger one")
	}
}

// OwnAll cuts each string to its own bound and copies them all, in one
// allocation that holds none of the originals alive.
func TestOwnAllCutsEachAndCopiesThemInOneAllocation(t *testing.T) {
	big := strings.Repeat("é", 1000)
	method, path, empty := "POST", big, ""
	textcut.OwnAll(textcut.Field{S: &method, Max: 32}, textcut.Field{S: &path, Max: 5}, textcut.Field{S: &empty, Max: 8})
	if method != "POST" || path != "éé" || empty != "" {
		t.Fatalf("%q %q %q", method, path, empty)
	}
	if unsafe.StringData(path) == unsafe.StringData(big) {
		t.Fatal("OwnAll shares the original's bytes")
	}
	a, b := strings.Repeat("a", 100), strings.Repeat("b", 100)
	allocs := testing.AllocsPerRun(100, func() {
		x, y := a, b
		textcut.OwnAll(textcut.Field{S: &x, Max: 50}, textcut.Field{S: &y, Max: 50})
	})
	if allocs != 1 {
		t.Fatalf("%v allocations, want 1", allocs)
	}
}
