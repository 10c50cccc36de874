package mock

import (
	"bytes"
	"net/http"
	"slices"
	"strings"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/openapi"
)

// mustJSON is for values built by the engine itself, which always encode.
func mustJSON(v any) []byte { return must(incident.Marshal(v)) }

// must is the text of a value the engine built itself, which always
// encodes.
func must(b []byte, err error) []byte {
	if err != nil {
		panic("mock: encoding a built-in value: " + err.Error())
	}
	return b
}

// exampleBody is the spec's first 200 example, or COC's success envelope
// when the spec has none.
func exampleBody(op *openapi.Operation) []byte {
	examples := op.Examples(http.StatusOK)
	if len(examples) == 0 {
		return mustJSON(incident.Reply(CodeOK, "", nil))
	}
	return encodeExample(examples[0].Value)
}

// fieldRank puts the keys of COC's envelope and the gateway's body in the
// order the services send them (incident.EnvelopeKeys, then the gateway's
// request_id); other keys rank 0 and follow, sorted.
func fieldRank(key string) int {
	if i := slices.Index(incident.EnvelopeKeys, key); i >= 0 {
		return i + 1
	}
	if key == "request_id" {
		return len(incident.EnvelopeKeys) + 1
	}
	return 0
}

// encodeExample encodes an example value, top-level keys in fieldRank order.
func encodeExample(v any) []byte {
	m, ok := v.(map[string]any)
	if !ok {
		b, err := incident.Marshal(v)
		if err != nil {
			return mustJSON(incident.Reply(CodeOK, "", nil))
		}
		return b
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b string) int {
		oa, ob := fieldRank(a), fieldRank(b)
		switch {
		case oa != 0 && ob != 0:
			return oa - ob
		case oa != 0:
			return -1
		case ob != 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	var buf bytes.Buffer
	buf.WriteByte('{')
	for i, k := range keys {
		if i > 0 {
			buf.WriteByte(',')
		}
		buf.Write(mustJSON(k))
		buf.WriteByte(':')
		b, err := incident.Marshal(m[k])
		if err != nil {
			b = []byte("null")
		}
		buf.Write(b)
	}
	buf.WriteByte('}')
	return buf.Bytes()
}
