package openapi

import (
	"encoding/json"
	"strconv"
	"unicode/utf8"
)

// decodeBody decodes a JSON body into the values json.Unmarshal gives an
// any (map[string]any, []any, string, float64, bool, nil), in one pass,
// taking the strings the contract names (property names, enum values)
// from known, already boxed, without allocating them again:
// json.Unmarshal scans the whole body once to check it, then again to
// decode it, and the profile of the server under load put it at 8% of the
// CPU. Anything unusual (a syntax error, a string with escapes or bytes
// that are not UTF-8, a number ParseFloat refuses, deep nesting) goes to
// json.Unmarshal, so that the value and the error are its own;
// FuzzDecodeBody holds the two equal.
func decodeBody(b []byte, known *vocabulary) (any, error) {
	d := decoder{data: b, known: known}
	v, ok := d.value(0)
	if ok {
		d.space()
		ok = d.pos == len(d.data)
	}
	if ok {
		return v, nil
	}
	var out any
	err := json.Unmarshal(b, &out)
	return out, err
}

type decoder struct {
	data  []byte
	pos   int
	known *vocabulary
}

// vocabulary holds the strings a schema names, each boxed once, so that a
// body using them allocates none: a request's keys and enum values are
// nearly all among them. Built at load from the spec (bodyVocabulary), so
// it is bounded by the document.
type vocabulary struct {
	words map[string]any
	// longest is the length of the longest word: a longer string (a
	// description, a cause) is not looked up.
	longest int
}

// maxVocabulary bounds what one operation's vocabulary holds.
const maxVocabulary = 4096

// word is b as a boxed string: the vocabulary's when it has it.
func (v *vocabulary) word(b []byte) any {
	if v != nil && len(b) <= v.longest {
		if w, ok := v.words[string(b)]; ok {
			return w
		}
	}
	return string(b)
}

// key is b as a string, the vocabulary's when it has it.
func (v *vocabulary) key(b []byte) string {
	if v != nil && len(b) <= v.longest {
		if w, ok := v.words[string(b)]; ok {
			return w.(string)
		}
	}
	return string(b)
}

// maxDecodeDepth leaves deep documents to json.Unmarshal, which has its
// own limit and error.
const maxDecodeDepth = 1000

func (d *decoder) space() {
	for d.pos < len(d.data) {
		switch d.data[d.pos] {
		case ' ', '\t', '\n', '\r':
			d.pos++
		default:
			return
		}
	}
}

// value decodes one value; false sends the whole body to json.Unmarshal.
func (d *decoder) value(depth int) (any, bool) {
	d.space()
	if d.pos >= len(d.data) || depth > maxDecodeDepth {
		return nil, false
	}
	switch c := d.data[d.pos]; {
	case c == '{':
		return d.object(depth)
	case c == '[':
		return d.array(depth)
	case c == '"':
		return d.string()
	case c == 't':
		return true, d.literal("true")
	case c == 'f':
		return false, d.literal("false")
	case c == 'n':
		return nil, d.literal("null")
	case c == '-' || (c >= '0' && c <= '9'):
		return d.number()
	}
	return nil, false
}

func (d *decoder) literal(word string) bool {
	if len(d.data)-d.pos < len(word) || string(d.data[d.pos:d.pos+len(word)]) != word {
		return false
	}
	d.pos += len(word)
	return true
}

func (d *decoder) object(depth int) (any, bool) {
	d.pos++ // {
	out := map[string]any{}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == '}' {
		d.pos++
		return out, true
	}
	for {
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != '"' {
			return nil, false
		}
		key, ok := d.rawString()
		if !ok {
			return nil, false
		}
		d.space()
		if d.pos >= len(d.data) || d.data[d.pos] != ':' {
			return nil, false
		}
		d.pos++
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		out[d.known.key(key)] = v
		if more, ok := d.next('}'); !ok {
			return nil, false
		} else if !more {
			return out, true
		}
	}
}

// next takes what follows a member of an object or array: a comma (more
// to come) or the closing byte (done); anything else is not ok.
func (d *decoder) next(closing byte) (more, ok bool) {
	d.space()
	if d.pos >= len(d.data) {
		return false, false
	}
	switch d.data[d.pos] {
	case ',':
		d.pos++
		return true, true
	case closing:
		d.pos++
		return false, true
	}
	return false, false
}

func (d *decoder) array(depth int) (any, bool) {
	d.pos++ // [
	out := []any{}
	d.space()
	if d.pos < len(d.data) && d.data[d.pos] == ']' {
		d.pos++
		return out, true
	}
	for {
		v, ok := d.value(depth + 1)
		if !ok {
			return nil, false
		}
		out = append(out, v)
		if more, ok := d.next(']'); !ok {
			return nil, false
		} else if !more {
			return out, true
		}
	}
}

// rawString takes a string of plain UTF-8 without escapes or control
// characters, and returns its bytes; any other goes to json.Unmarshal.
func (d *decoder) rawString() ([]byte, bool) {
	start := d.pos + 1
	for i := start; i < len(d.data); i++ {
		switch c := d.data[i]; {
		case c == '"':
			s := d.data[start:i]
			if !utf8.Valid(s) {
				return nil, false
			}
			d.pos = i + 1
			return s, true
		case c == '\\' || c < 0x20:
			return nil, false
		}
	}
	return nil, false
}

func (d *decoder) string() (any, bool) {
	s, ok := d.rawString()
	if !ok {
		return nil, false
	}
	return d.known.word(s), true
}

// number takes JSON's number grammar and ParseFloat's value.
func (d *decoder) number() (any, bool) {
	start, i := d.pos, d.pos
	digits := func() int {
		n := 0
		for i < len(d.data) && d.data[i] >= '0' && d.data[i] <= '9' {
			i++
			n++
		}
		return n
	}
	if d.data[i] == '-' {
		i++
	}
	if i < len(d.data) && d.data[i] == '0' {
		i++
	} else if digits() == 0 {
		return nil, false
	}
	if i < len(d.data) && d.data[i] == '.' {
		i++
		if digits() == 0 {
			return nil, false
		}
	}
	if i < len(d.data) && (d.data[i] == 'e' || d.data[i] == 'E') {
		i++
		if i < len(d.data) && (d.data[i] == '+' || d.data[i] == '-') {
			i++
		}
		if digits() == 0 {
			return nil, false
		}
	}
	f, err := strconv.ParseFloat(string(d.data[start:i]), 64)
	if err != nil {
		return nil, false
	}
	d.pos = i
	return f, true
}
