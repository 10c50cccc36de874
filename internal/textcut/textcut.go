// Package textcut shortens a text for a message: the near misses' values,
// a health check's error.
package textcut

import "unicode/utf8"

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
