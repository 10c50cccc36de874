package mock

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strings"
	"time"
)

// DefaultJournalSize is how many exchanges a session's journal keeps.
const DefaultJournalSize = 1000

// maxJournalBody bounds the bytes of a body kept in the journal, so that
// memory stays flat whatever the traffic.
const maxJournalBody = 64 << 10

// Exchange is one journaled exchange.
type Exchange struct {
	Time      time.Time `json:"time"`
	Session   string    `json:"session"`
	RequestID string    `json:"request_id"`
	Request   Message   `json:"request"`
	// Operation is the spec's operationId the request was routed to.
	Operation string `json:"operation,omitempty"`
	// RequestValid is true when the request met the contract.
	RequestValid bool `json:"request_valid"`
	// IncidentNum is the incident the exchange is about, wherever the
	// request named it (a created incident's new number for a create);
	// OperateKey is read from a handle call's body.
	IncidentNum  string  `json:"incident_num,omitempty"`
	OperateKey   string  `json:"operate_key,omitempty"`
	Scenario     string  `json:"scenario,omitempty"`
	Rule         string  `json:"rule,omitempty"`
	StatusBefore string  `json:"status_before,omitempty"`
	StatusAfter  string  `json:"status_after,omitempty"`
	Status       int     `json:"status"`
	Reply        Message `json:"reply"`
	Fault        Fault   `json:"fault,omitempty"`
	// Delay is the wait the reply asked for before it was sent.
	Delay time.Duration `json:"delay"`
	// Violations lists how the request broke the contract.
	Violations []string `json:"violations,omitempty"`
	// ReplyViolations lists how a scenario's templated reply broke it.
	ReplyViolations []string `json:"reply_violations,omitempty"`
	// Duration is how long the sandbox took to decide, the delay excluded.
	Duration time.Duration `json:"duration"`
	// Auth holds what the authentication check found, when it failed.
	Auth *AuthFailure `json:"auth,omitempty"`
}

// AuthFailure explains a refused signature or token.
type AuthFailure struct {
	Reason string `json:"reason"`
	// CanonicalRequest and StringToSign are what the sandbox computed, to
	// diff against the client's own.
	CanonicalRequest string `json:"canonical_request,omitempty"`
	StringToSign     string `json:"string_to_sign,omitempty"`
}

// Message is a request or reply as journaled.
type Message struct {
	Method    string      `json:"method,omitempty"`
	Path      string      `json:"path,omitempty"`
	Query     string      `json:"query,omitempty"`
	Header    http.Header `json:"headers,omitempty"`
	Body      Body        `json:"body,omitempty"`
	Truncated bool        `json:"body_truncated,omitempty"`
}

// Body is a journaled body: the bytes as they were sent. It is encoded as
// the JSON value when it is JSON, else as a string. Checking which is left
// to the reader, so that journaling costs the hot path nothing.
type Body []byte

// MarshalJSON writes the body as JSON when it is JSON, else as a string.
func (b Body) MarshalJSON() ([]byte, error) {
	if json.Valid(b) {
		return b, nil
	}
	return json.Marshal(strings.ToValidUTF8(string(b), "\uFFFD"))
}

// UnmarshalJSON keeps the JSON as it comes: a JSON body reads back as it
// was sent; a non-JSON one reads back as a JSON string.
func (b *Body) UnmarshalJSON(data []byte) error {
	*b = append((*b)[:0], data...)
	return nil
}

// secretHeaders never reach the journal or the log.
var secretHeaders = []string{"Authorization", "X-Auth-Token", "X-Security-Token"}

// Redacted is what stands in for a secret.
const Redacted = "[redacted]"

// redact returns h with secrets replaced. Without secrets it returns h
// itself: a request's headers are not written to once it is read.
func redact(h http.Header) http.Header {
	secret := false
	for _, name := range secretHeaders {
		if _, ok := h[name]; ok {
			secret = true
		}
	}
	if !secret {
		return h
	}
	out := h.Clone()
	for _, name := range secretHeaders {
		if _, ok := out[name]; ok {
			out[name] = []string{Redacted}
		}
	}
	return out
}

// journalBody keeps a body, cut at maxJournalBody. The bytes are shared,
// not copied: the edge and the engine never write to a body once read.
func journalBody(b []byte) (Body, bool) {
	if len(b) > maxJournalBody {
		// A copy: a slice of b would keep all of b alive.
		return Body(bytes.Clone(b[:maxJournalBody])), true
	}
	return Body(b), false
}

// journal is a ring of the latest entries. The session lock guards it.
type journal struct {
	entries []Exchange
	next    int // where the next entry goes
	full    bool
}

func newJournal(size int) *journal {
	if size <= 0 {
		size = DefaultJournalSize
	}
	return &journal{entries: make([]Exchange, size)}
}

func (j *journal) add(e Exchange) {
	j.entries[j.next] = e
	j.next = (j.next + 1) % len(j.entries)
	if j.next == 0 {
		j.full = true
	}
}

func (j *journal) len() int {
	if j.full {
		return len(j.entries)
	}
	return j.next
}

// newestFirst calls f on each entry, newest first, until f returns false.
func (j *journal) newestFirst(f func(*Exchange) bool) {
	n := j.len()
	for i := 1; i <= n; i++ {
		idx := (j.next - i + len(j.entries)) % len(j.entries)
		if !f(&j.entries[idx]) {
			return
		}
	}
}

func (j *journal) clear() {
	clear(j.entries)
	j.next, j.full = 0, false
}

// Filter selects journal entries; zero fields match everything.
type Filter struct {
	Operation   string
	IncidentNum string
	OperateKey  string
	Status      int
	Rule        string
	// Limit caps how many entries are returned (newest first); 0 is no cap.
	Limit int
}

func (f Filter) matches(e *Exchange) bool {
	return (f.Operation == "" || e.Operation == f.Operation) &&
		(f.IncidentNum == "" || e.IncidentNum == f.IncidentNum) &&
		(f.OperateKey == "" || e.OperateKey == f.OperateKey) &&
		(f.Status == 0 || e.Status == f.Status) &&
		(f.Rule == "" || e.Rule == f.Rule)
}
