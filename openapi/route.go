package openapi

import (
	"slices"
	"strings"
)

// routeTable finds an operation by method and path. Paths without a
// template are looked up in a map; the others are matched segment by
// segment, a literal segment winning over a template, so that GET on
// /v1/external/incident/handle reaches the detail read at
// /v1/external/incident/{incident_num} (the POST there is another
// operation), as on the real service.
type routeTable struct {
	static    map[string]map[string]*Operation
	templated []templatedRoute
}

type templatedRoute struct {
	op       *Operation
	segments []string // "{name}" for a parameter
	literals int      // how many segments are literal, for precedence
}

func newRouteTable(ops []*Operation) routeTable {
	t := routeTable{static: map[string]map[string]*Operation{}}
	for _, op := range ops {
		if !strings.Contains(op.Path, "{") {
			if t.static[op.Path] == nil {
				t.static[op.Path] = map[string]*Operation{}
			}
			t.static[op.Path][op.Method] = op
			continue
		}
		r := templatedRoute{op: op, segments: strings.Split(strings.TrimPrefix(op.Path, "/"), "/")}
		for _, s := range r.segments {
			if !isParam(s) {
				r.literals++
			}
		}
		t.templated = append(t.templated, r)
	}
	// More literal segments first; then by path for a stable order.
	slices.SortStableFunc(t.templated, func(a, b templatedRoute) int {
		if a.literals != b.literals {
			return b.literals - a.literals
		}
		return strings.Compare(a.op.Path, b.op.Path)
	})
	return t
}

func isParam(segment string) bool {
	return strings.HasPrefix(segment, "{") && strings.HasSuffix(segment, "}")
}

// find returns the operation and path parameters, or ErrNoMethod when the
// path is known with other methods only, or ErrNoPath.
func (t routeTable) find(method, path string) (*Operation, map[string]string, error) {
	if op := t.static[path][method]; op != nil {
		return op, nil, nil
	}
	pathKnown := t.static[path] != nil
	segments := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for _, r := range t.templated {
		params, ok := r.match(segments)
		if !ok {
			continue
		}
		if r.op.Method == method {
			return r.op, params, nil
		}
		pathKnown = true
	}
	if pathKnown {
		return nil, nil, ErrNoMethod
	}
	return nil, nil, ErrNoPath
}

func (r templatedRoute) match(segments []string) (map[string]string, bool) {
	if len(segments) != len(r.segments) {
		return nil, false
	}
	var params map[string]string
	for i, s := range r.segments {
		switch {
		case isParam(s):
			if segments[i] == "" {
				return nil, false
			}
			if params == nil {
				params = map[string]string{}
			}
			params[s[1:len(s)-1]] = segments[i]
		case s != segments[i]:
			return nil, false
		}
	}
	return params, true
}
