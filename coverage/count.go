package coverage

import (
	"bytes"
	"sync/atomic"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/scenarios"
)

// Counts is how often one session met or sent each catalogue item: one
// counter an item, so that a session's coverage is bounded by the
// catalogue whatever its client sends. Safe for concurrent use.
type Counts struct {
	n []atomic.Uint32
}

// NewCounts makes a session's counters, all zero.
func (c *Catalogue) NewCounts() *Counts { return &Counts{n: make([]atomic.Uint32, len(c.Items))} }

func (n *Counts) hit(i int) {
	if i >= 0 && i < len(n.n) {
		n.n[i].Add(1)
	}
}

// Clear sets every counter back to zero.
func (n *Counts) Clear() {
	for i := range n.n {
		n.n[i].Store(0)
	}
}

// Exchange is what an exchange tells coverage: its operation, what the
// client got, the incident's state around it, and what it sent.
type Exchange struct {
	Operation string
	Status    int
	// Code is the reply body's error_code ("" when it has none).
	Code  string
	Fault scenarios.Fault
	// Delayed: the reply was held back (a delay); Throttled: the gateway's
	// rate limit refused it; AuthRefused: a signature or token was
	// refused, LockedOut because the AK is locked.
	Delayed, Throttled, AuthRefused, LockedOut bool
	// RequestValid: the request kept the contract.
	RequestValid bool
	// Key is the operate_key or v2 action; Before and After the
	// incident's state labels around the call (incident.StateLabel), ""
	// when the call named no incident it had.
	Key, Before, After string
	// Body is the decoded request body.
	Body any
}

// Record counts what an exchange met and sent.
func (c *Catalogue) Record(n *Counts, x Exchange) {
	if x.Operation != "" {
		n.hit(at(c.sentOps, x.Operation))
		if body, ok := x.Body.(map[string]any); ok {
			c.recordSent(n, c.sentFields[x.Operation], body, 0)
		}
	}
	switch {
	case x.Fault != scenarios.NoFault:
		n.hit(at(c.faults, x.Fault))
		return
	case x.Throttled:
		n.hit(c.throttled)
	case x.LockedOut:
		n.hit(c.lockedOut)
		n.hit(c.refused)
	case x.AuthRefused:
		n.hit(c.refused)
	}
	if x.Delayed {
		n.hit(c.slow)
	}
	n.hit(at(c.replies, replyKey{x.Operation, x.Status, x.Code}))
	if x.Operation != incident.OpHandle && x.Operation != incident.OpAction || x.Key == "" || x.Before == "" {
		return
	}
	switch {
	case x.Status == 200 && x.Code == incident.CodeOK:
		n.hit(at(c.lifecycle, transitionKey{x.Key, x.Before, x.After}))
	case x.Status == 400 && x.Code == incident.CodeInvalidParameter && x.RequestValid:
		n.hit(at(c.refusals, x.Key))
	}
}

// at is a lookup's index, or -1 (which hit ignores).
func at[K comparable](m map[K]int, k K) int {
	if i, ok := m[k]; ok {
		return i
	}
	return -1
}

// recordSent counts the body's fields and enum values the catalogue names,
// walking the keys the body has (a few) down the catalogue's tree of them.
func (c *Catalogue) recordSent(n *Counts, f *field, body map[string]any, depth int) {
	if f == nil || depth > 2 {
		return
	}
	for k, v := range body {
		child := f.children[k]
		if child == nil {
			continue
		}
		n.hit(child.item)
		switch v := v.(type) {
		case string:
			n.hit(at(child.values, v))
		case bool:
			if v {
				n.hit(at(child.values, "true"))
			} else {
				n.hit(at(child.values, "false"))
			}
		case map[string]any:
			c.recordSent(n, child, v, depth+1)
		}
	}
}

// ErrorCode reads a reply body's error_code without decoding it: the
// first "error_code":"…" string (at most 64 bytes). The codes the sandbox
// sends most come back as constants, allocating nothing.
func ErrorCode(body []byte) string {
	key := []byte(`"error_code":"`)
	i := bytes.Index(body, key)
	if i < 0 {
		return ""
	}
	rest := body[i+len(key):]
	j := bytes.IndexByte(rest, '"')
	if j < 0 || j > 64 {
		return ""
	}
	code := rest[:j]
	for _, known := range knownCodes {
		if string(code) == known {
			return known
		}
	}
	return string(code)
}

var knownCodes = []string{incident.CodeOK, incident.CodeInvalidParameter, incident.CodeNotFound,
	"APIGW.0101", "APIGW.0103", "APIGW.0201", "APIGW.0301", "APIGW.0308"}
