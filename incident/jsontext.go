package incident

import (
	"encoding/json"
	"slices"
	"strconv"

	"github.com/cocmock/cocmock/internal/jsontext"
)

// appendJSON writes a decoded JSON value (map[string]any, []any, string,
// float64, bool, nil) in the bytes json.Marshal gives it: keys sorted,
// <, > and & escaped, floats in ES6 form. json.Marshal's reflection was
// the heaviest part of recording a history entry. It returns false for a
// value of any other type, or a float that is not finite, and the caller
// uses json.Marshal; TestAppendJSONIsJSONMarshal holds the two equal.
func appendJSON(b []byte, v any) ([]byte, bool) {
	switch v := v.(type) {
	case nil:
		return append(b, "null"...), true
	case bool:
		return strconv.AppendBool(b, v), true
	case string:
		return jsontext.AppendString(b, v, jsontext.Marshal), true
	case float64:
		return jsontext.AppendFloat(b, v)
	case []any:
		if v == nil {
			return append(b, "null"...), true
		}
		b = append(b, '[')
		for i, e := range v {
			if i > 0 {
				b = append(b, ',')
			}
			var ok bool
			if b, ok = appendJSON(b, e); !ok {
				return b, false
			}
		}
		return append(b, ']'), true
	case map[string]any:
		if v == nil {
			return append(b, "null"...), true
		}
		var small [16]string // a request's objects are small: no allocation
		keys := small[:0]
		for k := range v {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		b = append(b, '{')
		for i, k := range keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = jsontext.AppendString(b, k, jsontext.Marshal)
			b = append(b, ':')
			var ok bool
			if b, ok = appendJSON(b, v[k]); !ok {
				return b, false
			}
		}
		return append(b, '}'), true
	}
	return b, false
}

// appendMarshal appends v as json.Marshal writes it, by appendJSON when it
// can.
func appendMarshal(b []byte, v any) ([]byte, error) {
	if out, ok := appendJSON(b, v); ok {
		return out, nil
	}
	text, err := json.Marshal(v)
	return append(b, text...), err
}
