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
	// nums holds Values as integers when every one is one (numbers
	// compare as numbers), parsed once rather than per record.
	nums []int64
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
		f.parseNums()
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

// parseNums keeps the values as integers when every one is one.
func (f *Filter) parseNums() {
	f.nums = nil
	nums := make([]int64, 0, len(f.Values))
	for _, v := range f.Values {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return
		}
		nums = append(nums, n)
	}
	f.nums = nums
}

// value is a record's field: its text, and its number when it is an
// integer (a time, a count), so that numbers compare as numbers without
// being written out and parsed back for each record.
type value struct {
	text  string
	num   int64
	isNum bool
}

// textValue is a field given as text; digits are also a number.
func textValue(s string) value {
	n, err := strconv.ParseInt(s, 10, 64)
	return value{text: s, num: n, isNum: err == nil}
}

// numValue is an integer field (its text written only if asked for).
func numValue(n int64) value { return value{num: n, isNum: true} }

// String is the value's text.
func (v value) String() string {
	if v.isNum && v.text == "" {
		return strconv.FormatInt(v.num, 10)
	}
	return v.text
}

// compare compares a value with the filter's i-th value: as numbers when
// both are, else as text.
func (f Filter) compare(v value, i int) int {
	if v.isNum && f.nums != nil {
		return cmp.Compare(v.num, f.nums[i])
	}
	return strings.Compare(v.String(), f.Values[i])
}

// holds reports whether a record's field value passes the filter.
func (f Filter) holds(v value) bool {
	anyValue := func(test func(i int) bool) bool {
		for i := range f.Values {
			if test(i) {
				return true
			}
		}
		return false
	}
	text := func(test func(s, want string) bool) bool {
		s := v.String()
		return anyValue(func(i int) bool { return test(s, f.Values[i]) })
	}
	switch f.Operator {
	case "=", "in":
		return anyValue(func(i int) bool { return f.compare(v, i) == 0 })
	case "!=":
		return !anyValue(func(i int) bool { return f.compare(v, i) == 0 })
	case "like":
		return text(strings.Contains)
	case "startwith":
		return text(strings.HasPrefix)
	case "endwith":
		return text(strings.HasSuffix)
	case ">":
		return anyValue(func(i int) bool { return f.compare(v, i) > 0 })
	case "<":
		return anyValue(func(i int) bool { return f.compare(v, i) < 0 })
	case ">=":
		return anyValue(func(i int) bool { return f.compare(v, i) >= 0 })
	case "<=":
		return anyValue(func(i int) bool { return f.compare(v, i) <= 0 })
	}
	return false // parseFilters lets no other operator through
}

// compareValues orders two field values: as numbers when both are, else
// as text.
func compareValues(a, b value) int {
	if a.isNum && b.isNum {
		return cmp.Compare(a.num, b.num)
	}
	return strings.Compare(a.String(), b.String())
}

// allHold reports whether every filter holds for a record whose fields
// field reads.
func allHold(filters []Filter, field func(string) value) bool {
	for _, f := range filters {
		if !f.holds(field(f.Field)) {
			return false
		}
	}
	return true
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
// both sides are integers; each record's key is read once. Ties keep their
// order ascending and reverse it descending, so that entries of one
// millisecond list newest first in desc.
func sortBy[T any](records []T, s Sort, field func(T, string) value) {
	keyed := make([]struct {
		key value
		rec T
	}, len(records))
	for i, r := range records {
		keyed[i].key, keyed[i].rec = field(r, s.Field), r
	}
	slices.SortStableFunc(keyed, func(a, b struct {
		key value
		rec T
	}) int {
		return compareValues(a.key, b.key)
	})
	for i := range keyed {
		records[i] = keyed[i].rec
	}
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
