package mock

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cocmock/cocmock/internal/textcut"
	"github.com/cocmock/cocmock/scenarios"
)

// DefaultJournalSize is how many exchanges a session's journal keeps.
const DefaultJournalSize = 1000

// maxJournalBody bounds the bytes of a body kept in the journal, so that
// memory stays flat whatever the traffic.
const maxJournalBody = 64 << 10

// Exchange is one journaled exchange.
type Exchange struct {
	// labelBefore and labelAfter are the incident's state labels around
	// the request, and throttled says the gateway's rate limit refused it:
	// what coverage reads of an exchange beside its fields.
	labelBefore, labelAfter string
	throttled               bool
	// body is the decoded request body, for coverage only: cleared before
	// the exchange is journaled, which keeps the body's bytes instead.
	body      any
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
	// Delay is the wait the reply asked for before it was sent (JSON:
	// delay_ms).
	Delay time.Duration `json:"-"`
	// ClientSaw says, for a fault, what reached the client instead of a
	// reply.
	ClientSaw string `json:"client_saw,omitempty"`
	// Violations lists how the request broke the contract.
	Violations []string `json:"violations,omitempty"`
	// ReplyViolations lists how a scenario's templated reply broke it.
	ReplyViolations []string `json:"reply_violations,omitempty"`
	// NearMisses says, when no rule answered (the operation's default
	// answer did), why each rule for the operation did not.
	NearMisses []scenarios.NearMiss `json:"near_misses,omitempty"`
	// Duration is how long the sandbox took to decide, the delay excluded
	// (JSON: duration_ms).
	Duration time.Duration `json:"-"`
	// Auth holds what the authentication check found, when it failed.
	Auth *AuthFailure `json:"auth,omitempty"`
	// bytes is size(), counted once when the journal keeps the exchange.
	bytes int
}

// MarshalJSON writes the exchange with its times in milliseconds.
func (x Exchange) MarshalJSON() ([]byte, error) {
	type plain Exchange
	return json.Marshal(struct {
		plain
		DurationMS float64 `json:"duration_ms"`
		DelayMS    float64 `json:"delay_ms"`
	}{plain(x), millis(x.Duration), millis(x.Delay)})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (x *Exchange) UnmarshalJSON(data []byte) error {
	type plain Exchange
	var v struct {
		plain
		DurationMS float64 `json:"duration_ms"`
		DelayMS    float64 `json:"delay_ms"`
	}
	if err := json.Unmarshal(data, &v); err != nil {
		return err
	}
	*x = Exchange(v.plain)
	x.Duration, x.Delay = time.Duration(v.DurationMS*float64(time.Millisecond)), time.Duration(v.DelayMS*float64(time.Millisecond))
	return nil
}

func millis(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// faultSeen says what a client sees of each fault.
var faultSeen = map[Fault]string{
	FaultReset:     "the connection reset (TCP RST), no reply",
	FaultEmpty:     "the connection closed without a byte",
	FaultMalformed: "the status line and headers promising a longer body than was sent, then the connection closed",
	FaultHang:      "nothing, until it gave up or --max-hang passed",
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
	Method string      `json:"method,omitempty"`
	Path   string      `json:"path,omitempty"`
	Query  string      `json:"query,omitempty"`
	Header http.Header `json:"headers,omitempty"`
	// HeadersTruncated says values were cut to keep maxJournalHeader bytes.
	HeadersTruncated bool `json:"headers_truncated,omitempty"`
	Body             Body `json:"body,omitempty"`
	Truncated        bool `json:"body_truncated,omitempty"`
	// BodyEncoding is "base64" for a body that is not valid UTF-8: Body
	// then holds its base64 text, so that the journal stays valid JSON.
	BodyEncoding string `json:"body_encoding,omitempty"`
}

// Field reads a value of a JSON body by its dotted path
// ("parameter.cause", "region.0"); nil when the body is not JSON or has no
// such value. Tests read what a client sent with it.
func (m Message) Field(path string) any {
	var v any
	if m.BodyEncoding != "" || json.Unmarshal(m.Body, &v) != nil {
		return nil
	}
	for _, seg := range strings.Split(path, ".") {
		switch node := v.(type) {
		case map[string]any:
			v = node[seg]
		case []any:
			i, err := strconv.Atoi(seg)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}

// own is x with headers of its own, for whoever the engine hands it to
// (Requests, Watch) to change: the journal shares a request's headers with
// the request, and a reply's with other replies. Its bodies are still the
// journal's (a default answer's is shared with later replies): read them.
func (x *Exchange) own() Exchange {
	out := *x
	out.Request.Header = x.Request.Header.Clone()
	out.Reply.Header = x.Reply.Header.Clone()
	return out
}

// journalMessage is a message's headers and body as the journal keeps
// them: secrets redacted, headers and body cut, invalid UTF-8 as base64.
func journalMessage(h http.Header, body []byte) Message {
	m := Message{}
	m.Header, m.HeadersTruncated = journalHeader(h)
	m.Body, m.Truncated = journalBody(body)
	if m.Truncated {
		// The cut may split a character: back off to its start, so that a
		// valid UTF-8 body stays text.
		for i := 0; i < utf8.UTFMax && len(m.Body) > 0 && !utf8.Valid(m.Body); i++ {
			m.Body = m.Body[:len(m.Body)-1]
		}
		if !utf8.Valid(m.Body) {
			m.Body, _ = journalBody(body)
		}
	}
	if !utf8.Valid(m.Body) {
		m.Body, m.BodyEncoding = Body(base64.StdEncoding.EncodeToString(m.Body)), "base64"
	}
	return m
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
var secretHeaders = []string{"Authorization", "X-Auth-Token", "X-Security-Token", "Proxy-Authorization", "Cookie", "Set-Cookie"}

// Redacted is what stands in for a secret.
const Redacted = "[redacted]"

// Per-exchange caps: what one exchange can hold however large the request.
const (
	// maxJournalHeader bounds the header bytes kept of one message; longer
	// values are cut (and the message says so).
	maxJournalHeader = 8 << 10
	// exchangeOverhead is what an exchange costs beside its bodies and
	// headers, for the byte budget: the struct, twice over for the ring's
	// spare capacity, and its strings (measured, see BenchmarkSoak).
	exchangeOverhead = 2 << 10
)

// journalHeader returns h as the journal keeps it: secrets replaced, and
// values cut so that the whole is at most maxJournalHeader bytes. Without
// anything to change it returns h itself: a request's headers are not
// written to once it is read.
func journalHeader(h http.Header) (http.Header, bool) {
	secret, size := false, 0
	for name, values := range h {
		if slices.Contains(secretHeaders, name) {
			secret = true
		}
		for _, v := range values {
			size += len(name) + len(v)
		}
	}
	if !secret && size <= maxJournalHeader {
		return h, false
	}
	out := make(http.Header, len(h))
	left := maxJournalHeader
	for _, name := range slices.Sorted(maps.Keys(h)) {
		if left <= len(name) {
			break // names count too: a flood of headers is cut as well
		}
		for _, v := range h[name] {
			if slices.Contains(secretHeaders, name) {
				v = Redacted
			}
			// Every value kept is a copy: a cut (or a value beside one)
			// would keep the request's whole header alive.
			v = textcut.Own(v, max(left-len(name), 0))
			left -= len(name) + len(v)
			key := textcut.Own(name, maxJournalHeader)
			out[key] = append(out[key], v)
		}
	}
	return out, size > maxJournalHeader
}

// headerBytes is what a header costs in the byte budget: its strings and
// the map's own cost per entry.
func headerBytes(h http.Header) int {
	n := 64
	for name, values := range h {
		n += len(name) + 96
		for _, v := range values {
			n += len(v) + 16
		}
	}
	return n
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

// Bounds of the client's strings an exchange keeps beside its headers and
// bodies, each cut and copied when kept (own).
const (
	maxJournalMethod = 32
	maxJournalPath   = 2 << 10
	maxJournalField  = 256 // an incident number, an operate_key
	maxJournalText   = 1 << 10
)

// ownStrings makes the exchange's strings that came from the client its
// own, cut to their bounds: a slice of the request's path or body would
// keep all of it alive, uncounted.
func (x *Exchange) ownStrings() {
	textcut.OwnAll(
		textcut.Field{S: &x.Request.Method, Max: maxJournalMethod},
		textcut.Field{S: &x.Request.Path, Max: maxJournalPath},
		textcut.Field{S: &x.Request.Query, Max: maxJournalPath},
		textcut.Field{S: &x.IncidentNum, Max: maxJournalField},
		textcut.Field{S: &x.OperateKey, Max: maxJournalField},
		textcut.Field{S: &x.StatusBefore, Max: maxJournalField},
		textcut.Field{S: &x.StatusAfter, Max: maxJournalField},
	)
	for i, v := range x.Violations {
		x.Violations[i] = textcut.Own(v, maxJournalText)
	}
}

// size is what an exchange costs in the journal's byte budget.
func (x *Exchange) size() int {
	// Bodies count a quarter more than their length: the allocator rounds
	// each to its size class (measured with BenchmarkSoak's mix).
	bodies := len(x.Request.Body) + len(x.Reply.Body)
	n := exchangeOverhead + bodies + bodies/4 + headerBytes(x.Request.Header) + headerBytes(x.Reply.Header) +
		len(x.Request.Method) + len(x.Request.Path) + len(x.Request.Query) + len(x.IncidentNum) + len(x.OperateKey)
	if x.Auth != nil {
		n += len(x.Auth.CanonicalRequest) + len(x.Auth.StringToSign)
	}
	for _, v := range x.Violations {
		n += len(v)
	}
	for _, v := range x.ReplyViolations {
		n += len(v)
	}
	for _, m := range x.NearMisses {
		n += 128 + len(m.Rule) + len(m.Condition) + len(m.Actual) + len(m.Want) + len(m.Text)
	}
	return n
}

// journal holds a session's latest exchanges, oldest first: at most max of
// them, in a ring grown as they come (a new session costs nothing until
// used) and shrunk when the byte budget has emptied most of it, so that
// its slots stay within about four times what it holds (16 at least). A
// full ring overwrites its oldest slot: keeping an exchange copies nothing
// else. The session lock guards it.
type journal struct {
	max   int
	ring  []Exchange
	head  int // ring[head] is the oldest held
	n     int // how many are held
	bytes int
}

// minJournalRing is the ring's smallest size once used.
const minJournalRing = 16

func newJournal(max int) *journal {
	if max <= 0 {
		max = DefaultJournalSize
	}
	return &journal{max: max}
}

// add keeps an exchange, dropping the oldest beyond max.
func (j *journal) add(x Exchange) {
	x.bytes = x.size()
	if j.n == j.max {
		j.dropOldest()
	}
	if j.n == len(j.ring) {
		j.resize(min(j.max, max(minJournalRing, 2*len(j.ring))))
	}
	j.ring[(j.head+j.n)%len(j.ring)] = x
	j.n++
	j.bytes += x.bytes
}

// at is the i-th oldest exchange held.
func (j *journal) at(i int) *Exchange { return &j.ring[(j.head+i)%len(j.ring)] }

// resize lays the held exchanges out, oldest first, in a ring of size n.
func (j *journal) resize(n int) {
	ring := make([]Exchange, n)
	for i := range j.n {
		ring[i] = *j.at(i)
	}
	j.ring, j.head = ring, 0
}

// dropOldest forgets the oldest exchange and returns the bytes it held.
func (j *journal) dropOldest() int {
	if j.n == 0 {
		return 0
	}
	oldest := j.at(0)
	n := oldest.bytes
	*oldest = Exchange{}
	j.head = (j.head + 1) % len(j.ring)
	j.n--
	j.bytes -= n
	if len(j.ring) > minJournalRing && j.n < len(j.ring)/4 {
		j.resize(max(minJournalRing, 2*j.n))
	}
	return n
}

func (j *journal) len() int { return j.n }

// newestFirst calls f on each entry, newest first, until f returns false.
func (j *journal) newestFirst(f func(*Exchange) bool) {
	for i := j.n - 1; i >= 0; i-- {
		if !f(j.at(i)) {
			return
		}
	}
}

// clear forgets every exchange.
func (j *journal) clear() {
	j.ring, j.head, j.n, j.bytes = nil, 0, 0, 0
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
	// Before, a request id, starts the list after that exchange: the next
	// page of one that ended there (a cursor).
	Before string
}

func (f Filter) matches(e *Exchange) bool {
	return (f.Operation == "" || e.Operation == f.Operation) &&
		(f.IncidentNum == "" || e.IncidentNum == f.IncidentNum) &&
		(f.OperateKey == "" || e.OperateKey == f.OperateKey) &&
		(f.Status == 0 || e.Status == f.Status) &&
		(f.Rule == "" || e.Rule == f.Rule)
}
