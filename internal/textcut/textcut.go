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
	return strings.Clone(head(s, n))
}

// head is s cut to at most n bytes on a character's start.
func head(s string, n int) string {
	if len(s) > n {
		n = max(n, 0)
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n]
	}
	return s
}

// Field is a string to own (OwnAll) and its bound.
type Field struct {
	S   *string
	Max int
}

// OwnAll is Own for strings kept and dropped together (one record's):
// each is cut to its bound and all are copied into one allocation, so
// that keeping them costs one allocation, not one each. What the copy
// holds alive is their bounds' sum at most.
func OwnAll(fields ...Field) {
	total := 0
	for _, f := range fields {
		*f.S = head(*f.S, f.Max)
		total += len(*f.S)
	}
	if total == 0 {
		return
	}
	var b strings.Builder
	b.Grow(total)
	for _, f := range fields {
		b.WriteString(*f.S)
	}
	all, off := b.String(), 0
	for _, f := range fields {
		n := len(*f.S)
		*f.S = all[off : off+n]
		off += n
	}
}
