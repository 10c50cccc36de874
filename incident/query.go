package incident

import (
	"cmp"
	"iter"
	"slices"
	"strconv"
	"strings"
)

// The operations of the incident workflow, by the spec's operationId.
const (
	OpHandle            = "HandleCocIncident"
	OpCreate            = "CreateCocIncident"
	OpDetail            = "ShowCocIncidentDetail"
	OpHistories         = "ListTicketOperationHistories"
	OpHistoriesExternal = "ListCocTicketOperationHistories"
)

// KeyOf is the incident a request names, wherever its operation names it:
// body.incident_num (handle), the path (detail), the ticket_id filter (the
// history lists). CreateCocIncident names no incident yet: its key is the
// title, so that one rule (`when: {key: {suffix: -E400}}`) steers every
// operation.
func KeyOf(op string, body any, path map[string]string) string {
	m, _ := body.(map[string]any)
	switch op {
	case OpHandle:
		return text(m["incident_num"])
	case OpCreate:
		return text(m["incident_title"])
	case OpDetail:
		return path["incident_num"]
	case OpHistories, OpHistoriesExternal:
		for f := range stringFilters(m) {
			if f.namesTickets() {
				if len(f.Values) > 0 {
					return f.Values[0]
				}
				break
			}
		}
	}
	return ""
}

// ListQuery is a history list's body: filters, all of which must hold, and
// the order.
type ListQuery struct {
	Filters []Filter
	// NewestFirst is sort_filter {field: start_time, operator: desc}.
	NewestFirst bool
}

// Filter is one string filter on a field of HistoryInfo, with the
// operators the SDK names: in, like, startwith, endwith, =, !=, >, <. A
// field the entries lack reads as "", so a filter on it narrows rather
// than being dropped.
type Filter struct {
	Field, Operator string
	Values          []string
}

// MaxListed bounds how many entries one history list returns (the newest
// in the requested order are kept).
const MaxListed = 1000

// ParseListQuery reads a history list's decoded body, checked by the
// contract.
func ParseListQuery(body map[string]any) ListQuery {
	q := ListQuery{Filters: slices.Collect(stringFilters(body))}
	sort, _ := body["sort_filter"].(map[string]any)
	q.NewestFirst = text(sort["operator"]) == "desc"
	return q
}

// stringFilters yields a history list body's string filters in order.
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

// namesTickets reports whether a filter narrows a list to incidents it
// names: ticket_id with "=" or "in".
func (f Filter) namesTickets() bool {
	return f.Field == "ticket_id" && (f.Operator == "=" || f.Operator == "in")
}

// tickets names the incidents the query can match, when a ticket_id
// filter ("=" or "in") narrows it, each once: a number named again would
// list its history again, and a body of copies would make the list as
// long as the body allows. nil means every incident.
func (q ListQuery) tickets() []string {
	for _, f := range q.Filters {
		if f.namesTickets() {
			seen := make(map[string]bool, len(f.Values))
			nums := make([]string, 0, len(f.Values))
			for _, v := range f.Values {
				if !seen[v] {
					seen[v] = true
					nums = append(nums, v)
				}
			}
			return nums
		}
	}
	return nil
}

func (f Filter) holds(h HistoryInfo) bool {
	v := historyField(h, f.Field)
	any := func(test func(v, want string) bool) bool {
		return slices.ContainsFunc(f.Values, func(want string) bool { return test(v, want) })
	}
	switch f.Operator {
	case "=", "in":
		return slices.Contains(f.Values, v)
	case "!=":
		return !slices.Contains(f.Values, v)
	case "like":
		return any(strings.Contains)
	case "startwith":
		return any(strings.HasPrefix)
	case "endwith":
		return any(strings.HasSuffix)
	case ">":
		return any(func(v, w string) bool { return compareField(v, w) > 0 })
	case "<":
		return any(func(v, w string) bool { return compareField(v, w) < 0 })
	}
	return false // the contract lets no other operator through
}

// historyField reads a field of an entry by its JSON name; numbers in
// decimal.
func historyField(h HistoryInfo, field string) string {
	switch field {
	case "id", "action_id":
		return h.ID
	case "ticket_id":
		return h.TicketID
	case "action", "sub_action", "final_sub_action":
		return h.Action
	case "operator":
		return h.Operator
	case "comment":
		return h.Comment
	case "status":
		return h.Status
	case "start_time", "stop_time", "update_time":
		return strconv.FormatInt(h.StartTime, 10)
	}
	return ""
}

// compareField compares numerically when both sides are integers.
func compareField(a, b string) int {
	x, errA := strconv.ParseInt(a, 10, 64)
	y, errB := strconv.ParseInt(b, 10, 64)
	if errA == nil && errB == nil {
		return cmp.Compare(x, y)
	}
	return strings.Compare(a, b)
}

// Histories lists the history entries of the store's incidents that pass
// the query, by start time (oldest first unless asked otherwise), at most
// MaxListed of them.
func (s *Store) Histories(q ListQuery) Histories {
	incidents := s.byNum.All()
	if nums := q.tickets(); nums != nil {
		incidents = func(yield func(string, *Incident) bool) {
			for _, num := range nums {
				if inc := s.Get(num); inc != nil && !yield(num, inc) {
					return
				}
			}
		}
	}
	out := Histories{Info: []HistoryInfo{}}
	for _, inc := range incidents {
		for _, e := range inc.History {
			h := inc.historyInfo(e)
			if !slices.ContainsFunc(q.Filters, func(f Filter) bool { return !f.holds(h) }) {
				out.Info = append(out.Info, h)
			}
		}
	}
	slices.SortStableFunc(out.Info, func(a, b HistoryInfo) int { return cmp.Compare(a.StartTime, b.StartTime) })
	if q.NewestFirst {
		slices.Reverse(out.Info)
	}
	if len(out.Info) > MaxListed {
		if q.NewestFirst {
			out.Info = out.Info[:MaxListed]
		} else {
			out.Info = out.Info[len(out.Info)-MaxListed:]
		}
	}
	return out
}
