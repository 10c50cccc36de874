package mock

import (
	"fmt"
	"github.com/brianvoe/gofakeit/v6"
	"github.com/cocmock/cocmock/openapi"
	"maps"
	"net/http"
	"strconv"
	"strings"
)

// preference is what a client asked for in Prefer, Prism's way:
// code=400, example=NAME, dynamic=true, seed=N.
type preference struct {
	code    int
	example string
	dynamic bool
	seed    int64
	hasSeed bool
	// applied lists the preferences honoured, for Preference-Applied.
	applied []string
}

// fromSpec reports whether the reply should come from the spec (its
// examples or schema) rather than the scenario's rules.
func (p preference) fromSpec() bool { return p.code != 0 || p.example != "" || p.dynamic }

// parsePrefer reads every Prefer header. Preferences cocmock does not know
// are left out of Preference-Applied, as RFC 7240 says; a known one with a
// value it cannot use is an error.
func parsePrefer(h http.Header) (preference, error) {
	var p preference
	for _, line := range h.Values("Prefer") {
		for _, part := range strings.Split(line, ",") {
			part = strings.TrimSpace(part)
			if part == "" {
				continue
			}
			name, value, _ := strings.Cut(part, "=")
			name = strings.ToLower(strings.TrimSpace(name))
			value = strings.Trim(strings.TrimSpace(value), `"`)
			switch name {
			case "code":
				n, err := strconv.Atoi(value)
				if err != nil || n < 100 || n > 599 {
					return p, fmt.Errorf("code=%q in Prefer: want an HTTP status such as 400", value)
				}
				p.code = n
			case "example":
				if value == "" {
					return p, fmt.Errorf("example= in Prefer needs an example name")
				}
				p.example = value
			case "dynamic":
				b, err := strconv.ParseBool(value)
				if err != nil {
					return p, fmt.Errorf("dynamic=%q in Prefer: want true or false", value)
				}
				p.dynamic = b
			case "seed":
				n, err := strconv.ParseInt(value, 10, 64)
				if err != nil {
					return p, fmt.Errorf("seed=%q in Prefer: want a whole number", value)
				}
				p.seed, p.hasSeed = n, true
			default:
				continue
			}
			p.applied = append(p.applied, name+"="+value)
		}
	}
	return p, nil
}

// specReply answers from the spec as Prefer asked: a named example, the
// first example of a status, or a value generated from its schema.
func (e *Engine) specReply(op *openapi.Operation, pref preference, faker *gofakeit.Faker, requestID string) (Reply, *Problem) {
	unusable := func(format string, args ...any) (Reply, *Problem) {
		return Reply{}, &Problem{Status: http.StatusBadRequest, Title: "Unusable Prefer header", Detail: fmt.Sprintf(format, args...),
			Extra: map[string]any{"statuses": op.Statuses()}}
	}
	status := pref.code
	if status != 0 && !op.Declares(status) {
		return unusable("%s declares no %d response", op.ID, status)
	}
	var value any
	switch {
	case pref.dynamic:
		if status == 0 {
			status = http.StatusOK
		}
		v, err := op.Generate(status, faker)
		if err != nil {
			return unusable("dynamic=true: %v", err)
		}
		value = v
	case pref.example != "":
		ex, ok := op.FindExample(pref.example)
		if !ok || (status != 0 && ex.Status != status) {
			return unusable("%s has no example named %q%s", op.ID, pref.example, forStatus(status))
		}
		status, value = ex.Status, ex.Value
	default:
		examples := op.Examples(status)
		if len(examples) == 0 {
			return unusable("the %d response has no example; add dynamic=true", status)
		}
		value = examples[0].Value
	}
	if m, ok := value.(map[string]any); ok && op.FromGateway(status) {
		if _, has := m["request_id"]; has {
			m = maps.Clone(m)
			m["request_id"] = requestID
			value = m
		}
	}
	return jsonReply(status, encodeExample(value)), nil
}

func forStatus(status int) string {
	if status == 0 {
		return ""
	}
	return fmt.Sprintf(" for status %d", status)
}
