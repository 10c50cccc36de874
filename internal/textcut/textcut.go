// Package textcut shortens a text for a message: the near misses' values,
// a health check's error.
package textcut

import (
	"strings"
	"unicode/utf8"
)

// Cut is s when it is at most n bytes long, else its first n bytes at most,
// cut on a character's start, and "…".
func Cut(s string, n int) string {
	if len(s) <= n {
		return s
	}
	n = max(n, 0)
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// Own is s cut to at most n bytes on a character's start, in bytes of its
// own: what a server keeps of a client's string must not hold the larger
// string it came in alive (a substring shares its backing bytes), and must
// be counted at the size it is kept.
func Own(s string, n int) string {
	if len(s) > n {
		n = max(n, 0)
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	return strings.Clone(s)
}
