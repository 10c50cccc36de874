// Package jsontext writes JSON strings and numbers by hand, in the bytes
// the standard library writes them: the access log matches slog's JSON
// handler with it, and incident history matches json.Marshal. Both are
// held to their model by differential tests and fuzz targets where they
// are used (mock/httpd, mock/incident).
package jsontext

import (
	"math"
	"strconv"
	"unicode/utf8"
)

// Escaping says which of the standard library's two string escapings
// AppendString writes.
type Escaping int

const (
	// Slog is log/slog's JSON handler: ", \ and control characters
	// escaped (\n, \r, \t short, the others \u00XX), HTML left as it is.
	Slog Escaping = iota
	// Marshal is encoding/json's: also <, > and & as \u003c…, and \b, \f
	// short.
	Marshal
	// Encoder is encoding/json's Encoder with SetEscapeHTML(false), as the
	// service's envelopes are written: Marshal's, HTML left as it is.
	Encoder
)

const hexDigits = "0123456789abcdef"

// plainBytes marks the ASCII bytes a JSON string holds as they are;
// plainBytesHTML the same less <, > and &, which Marshal escapes: a
// look-up a byte instead of up to seven comparisons (a 127-byte cause,
// by hand: 117 → 63 ns).
var plainBytes, plainBytesHTML = func() (plain, html [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		plain[c] = c >= 0x20 && c != '"' && c != '\\'
		html[c] = plain[c] && c != '<' && c != '>' && c != '&'
	}
	return plain, html
}()

// AppendString appends s quoted. Either way, bytes that are not UTF-8 are
// written \ufffd and U+2028, U+2029 escaped.
func AppendString(b []byte, s string, e Escaping) []byte {
	short := e != Slog
	plain := &plainBytes
	if e == Marshal {
		plain = &plainBytesHTML
	}
	b = append(b, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if plain[c] {
				i++
				continue
			}
			b = append(b, s[start:i]...)
			switch {
			case c == '"' || c == '\\':
				b = append(b, '\\', c)
			case c == '\n':
				b = append(b, '\\', 'n')
			case c == '\r':
				b = append(b, '\\', 'r')
			case c == '\t':
				b = append(b, '\\', 't')
			case short && c == '\b':
				b = append(b, '\\', 'b')
			case short && c == '\f':
				b = append(b, '\\', 'f')
			default:
				b = append(b, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xf])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b = append(b, s[start:i]...)
			b = append(b, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			b = append(b, s[start:i]...)
			b = append(b, '\\', 'u', '2', '0', '2', hexDigits[r&0xf])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	b = append(b, s[start:]...)
	return append(b, '"')
}

// AppendFloat appends a finite float as encoding/json writes it (ES6
// form): plain decimals from 1e-6 to 1e21, an exponent outside them (e-7,
// not e-07). It reports false, appending nothing, for NaN and infinities,
// which JSON cannot carry.
func AppendFloat(b []byte, f float64) ([]byte, bool) {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return b, false
	}
	format := byte('f')
	if a := math.Abs(f); a != 0 && (a < 1e-6 || a >= 1e21) {
		format = 'e'
	}
	b = strconv.AppendFloat(b, f, format, -1, 64)
	if format == 'e' {
		if n := len(b); n >= 4 && b[n-4] == 'e' && b[n-3] == '-' && b[n-2] == '0' {
			b[n-2] = b[n-1]
			b = b[:n-1]
		}
	}
	return b, true
}
