package httpd

import (
	"encoding/json"

	"github.com/labstack/echo/v4"
)

// Problem is an RFC 9457 problem detail: the sandbox's own error language,
// never used for replies of the simulated API.
type Problem struct {
	Type   string `json:"type"`
	Title  string `json:"title"`
	Status int    `json:"status"`
	Detail string `json:"detail,omitempty"`
	// Extra members, such as the list of known scenario names.
	Extra map[string]any `json:"-"`
}

// MarshalJSON flattens Extra into the object, as RFC 9457 extension members.
func (p Problem) MarshalJSON() ([]byte, error) {
	m := map[string]any{"type": p.Type, "title": p.Title, "status": p.Status}
	if p.Detail != "" {
		m["detail"] = p.Detail
	}
	for k, v := range p.Extra {
		m[k] = v
	}
	return json.Marshal(m)
}

func problem(c echo.Context, status int, title, detail string) error {
	return writeProblem(c, Problem{Type: "about:blank", Title: title, Status: status, Detail: detail})
}

func writeProblem(c echo.Context, p Problem) error {
	b, err := json.Marshal(p)
	if err != nil {
		return err
	}
	return c.Blob(p.Status, "application/problem+json", b)
}
