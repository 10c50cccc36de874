package incident

import (
	"cmp"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// Filter is one filter of a list body (the SDK's ObjectFilter): a field,
// an operator and the values it compares with. A field the listed records
// lack reads as "", so a filter on it narrows rather than being dropped.
type Filter struct {
	Field, Operator string
	Values          []string
	// Name is the filter's name, which a condition refers to.
	Name string
}

// Operators are the filter operators cocmock evaluates: the SDK's model
// names "in/like/startwith/endwith/=/!=/>/< and others", and Terraform's
// incidents data source sends >= and <= too. The contract takes any
// operator; the list refuses one it cannot evaluate, naming these.
var Operators = []string{"in", "like", "startwith", "endwith", "=", "!=", ">", "<", ">=", "<="}

// ListError is a list body the service would refuse: the 400 GOM.00007256
// answer, with the field and value its message names.
type ListError struct {
	Field, Value, Reason string
}

func (e *ListError) Error() string {
	return fmt.Sprintf("The field[%s] value[%s] invalid: %s", e.Field, e.Value, e.Reason)
}

// MaxFilterValues bounds the values one filter compares with: the
// contract bounds each list body, and this bounds the work a filter costs
// per record.
const MaxFilterValues = 100

// parseFilters reads one list of filters (string_filters, int_filters …)
// of a decoded body, refusing operators it cannot evaluate. Values that are
// numbers or booleans are compared as their text.
func parseFilters(body map[string]any, key string) ([]Filter, error) {
	list, _ := body[key].([]any)
	var out []Filter
	for _, item := range list {
		m, _ := item.(map[string]any)
		f := Filter{Field: text(m["field"]), Operator: text(m["operator"]), Name: text(m["name"])}
		if !slices.Contains(Operators, f.Operator) {
			return nil, &ListError{Field: key + ".operator", Value: f.Operator, Reason: "cocmock evaluates " + strings.Join(Operators, " ")}
		}
		values, _ := m["values"].([]any)
		if len(values) > MaxFilterValues {
			return nil, &ListError{Field: key + ".values", Value: strconv.Itoa(len(values)) + " values", Reason: "at most " + strconv.Itoa(MaxFilterValues)}
		}
		for _, v := range values {
			f.Values = append(f.Values, valueText(v))
		}
		out = append(out, f)
	}
	return out, nil
}

// valueText is a filter value as text: strings as they are, numbers in
// decimal, booleans as true/false.
func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

// holds reports whether a record's field value passes the filter.
func (f Filter) holds(v string) bool {
	anyValue := func(test func(v, want string) bool) bool {
		return slices.ContainsFunc(f.Values, func(want string) bool { return test(v, want) })
	}
	switch f.Operator {
	case "=", "in":
		return slices.Contains(f.Values, v)
	case "!=":
		return !slices.Contains(f.Values, v)
	case "like":
		return anyValue(strings.Contains)
	case "startwith":
		return anyValue(strings.HasPrefix)
	case "endwith":
		return anyValue(strings.HasSuffix)
	case ">":
		return anyValue(func(v, w string) bool { return compareField(v, w) > 0 })
	case "<":
		return anyValue(func(v, w string) bool { return compareField(v, w) < 0 })
	case ">=":
		return anyValue(func(v, w string) bool { return compareField(v, w) >= 0 })
	case "<=":
		return anyValue(func(v, w string) bool { return compareField(v, w) <= 0 })
	}
	return false // parseFilters lets no other operator through
}

// allHold reports whether every filter holds for a record whose fields
// field reads.
func allHold(filters []Filter, field func(string) string) bool {
	for _, f := range filters {
		if !f.holds(field(f.Field)) {
			return false
		}
	}
	return true
}

// compareField compares numerically when both sides are integers, else
// as text.
func compareField(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// Sort is a list's order: a field, descending or not.
type Sort struct {
	Field string
	Desc  bool
}

// parseSort reads sort_filter (a free ObjectFilter in the SDK: any field,
// operator asc or desc); def is the order without one.
func parseSort(body map[string]any, def Sort) (Sort, error) {
	m, ok := body["sort_filter"].(map[string]any)
	if !ok {
		return def, nil
	}
	s := Sort{Field: text(m["field"]), Desc: def.Desc}
	if s.Field == "" {
		s.Field = def.Field
	}
	switch op := text(m["operator"]); op {
	case "asc":
		s.Desc = false
	case "desc":
		s.Desc = true
	case "":
	default:
		return def, &ListError{Field: "sort_filter.operator", Value: op, Reason: "asc or desc"}
	}
	return s, nil
}

// sortBy orders records by a field that field reads, numerically where
// both sides are integers. Ties keep their order ascending and reverse it
// descending, so that entries of one millisecond list newest first in desc.
func sortBy[T any](records []T, s Sort, field func(T, string) string) {
	slices.SortStableFunc(records, func(a, b T) int { return compareField(field(a, s.Field), field(b, s.Field)) })
	if s.Desc {
		slices.Reverse(records)
	}
}

// stringFilters yields a list body's string filters in order, as they are
// (KeyOf reads them before the list checks them).
func stringFilters(body map[string]any) iter.Seq[Filter] {
	return func(yield func(Filter) bool) {
		list, _ := body["string_filters"].([]any)
		for _, f := range list {
			fm, _ := f.(map[string]any)
			if !yield(Filter{Field: text(fm["field"]), Operator: text(fm["operator"]), Values: texts(fm["values"])}) {
				return
			}
		}
	}
}
