package mock

import (
	"fmt"
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
