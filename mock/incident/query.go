package incident

import (
	"cmp"
	"fmt"
	"slices"
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
		q, _ := ParseListQuery(m)
		for _, f := range q.Filters {
			if f.Field == "ticket_id" && f.Operator == "=" && len(f.Values) > 0 {
				return f.Values[0]
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

// Filter is one string filter: "=" (any of Values), "in" (the same), or
// "!=" (none of them), on a field of HistoryInfo.
type Filter struct {
	Field, Operator string
	Values          []string
}

// historyFields reads the fields a filter may name.
var historyFields = map[string]func(HistoryInfo) string{
	"id": func(h HistoryInfo) string { return h.ID }, "ticket_id": func(h HistoryInfo) string { return h.TicketID },
	"action": func(h HistoryInfo) string { return h.Action }, "sub_action": func(h HistoryInfo) string { return h.SubAction },
	"operator": func(h HistoryInfo) string { return h.Operator }, "status": func(h HistoryInfo) string { return h.Status },
}

// ParseListQuery reads a history list's decoded body. Filters cocmock
// cannot apply (another field or operator) are returned apart, to be
// reported rather than silently dropped.
func ParseListQuery(body map[string]any) (q ListQuery, unsupported []string) {
	filters, _ := body["string_filters"].([]any)
	for _, f := range filters {
		fm, _ := f.(map[string]any)
		flt := Filter{Field: text(fm["field"]), Operator: text(fm["operator"]), Values: texts(fm["values"])}
		_, known := historyFields[flt.Field]
		if !known || !slices.Contains([]string{"=", "in", "!="}, flt.Operator) {
			unsupported = append(unsupported, fmt.Sprintf("%s %s %v", flt.Field, flt.Operator, flt.Values))
			continue
		}
		q.Filters = append(q.Filters, flt)
	}
	sort, _ := body["sort_filter"].(map[string]any)
	q.NewestFirst = text(sort["operator"]) == "desc"
	return q, unsupported
}

func (f Filter) holds(h HistoryInfo) bool {
	in := slices.Contains(f.Values, historyFields[f.Field](h))
	if f.Operator == "!=" {
		return !in
	}
	return in
}

// Histories lists the history entries of the store's incidents that pass
// the query, by start time (oldest first unless asked otherwise).
func (s *Store) Histories(q ListQuery) Histories {
	out := Histories{Info: []HistoryInfo{}}
	for _, num := range s.order {
		for _, h := range s.byNum[num].HistoryOf(false) {
			if !slices.ContainsFunc(q.Filters, func(f Filter) bool { return !f.holds(h) }) {
				out.Info = append(out.Info, h)
			}
		}
	}
	slices.SortStableFunc(out.Info, func(a, b HistoryInfo) int { return cmp.Compare(a.StartTime, b.StartTime) })
	if q.NewestFirst {
		slices.Reverse(out.Info)
	}
	return out
}
