package mock

import (
	"encoding/json"
	"net/http"
)

// ProblemType is the content type of the sandbox's own errors.
const ProblemType = "application/problem+json"

// Problem is an RFC 9457 problem detail: the sandbox's own error language
// (bad admin call, unknown scenario, unusable Prefer), never used for the
// replies of the simulated API.
type Problem struct {
	Title  string
	Status int
	Detail string
	// Extra holds extension members, such as the known scenario names.
	Extra map[string]any
}

// MarshalJSON writes the standard members, then Extra's, as one object.
func (p Problem) MarshalJSON() ([]byte, error) {
	m := map[string]any{"type": "about:blank", "title": p.Title, "status": p.Status}
	if p.Detail != "" {
		m["detail"] = p.Detail
	}
	for k, v := range p.Extra {
		m[k] = v
	}
	return json.Marshal(m)
}

// Reply turns the problem into a reply.
func (p Problem) Reply() Reply {
	return Reply{Status: p.Status, Header: http.Header{"Content-Type": {ProblemType}}, Body: mustJSON(p)}
}
