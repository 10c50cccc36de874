package incident

// The operations of the incident workflow, by the spec's operationId.
const (
	OpHandle            = "HandleCocIncident"
	OpCreate            = "CreateCocIncident"
	OpDetail            = "ShowCocIncidentDetail"
	OpHistories         = "ListTicketOperationHistories"
	OpHistoriesExternal = "ListCocTicketOperationHistories"
	// OpHistoriesIssues is the external list at ticket_type issues_mgmt
	// (problem tickets, which the sandbox does not keep).
	OpHistoriesIssues = "ListCocIssueOperationHistories"
)

// KeyOf is the incident a request names, wherever its operation names it:
// body.incident_num (handle), the path (detail and the v2 operations on
// one incident), the ticket_id filter (the history lists, the v2 list).
// CreateCocIncident names no incident yet: its key is the
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
	case OpTasks, OpAction, OpHistoriesV2:
		return path["incident_id"]
	case OpHistories, OpHistoriesExternal, OpHistoriesIssues, OpList:
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

// ListQuery is a history list's body: the tickets it names, filters, all
// of which must hold, and the order.
type ListQuery struct {
	Filters []Filter
	Sort    Sort
}

// MaxListed bounds how many entries one history list returns (the first
// in the requested order are kept).
const MaxListed = 1000

// ParseListQuery reads a v1 history list's decoded body, checked by the
// contract. The list needs a ticket_id filter ("=" or "in"): the API page
// says the ticket id goes in string_filters, and a list of every ticket's
// history is not what the service answers. Entries come oldest first
// unless sort_filter says otherwise (any field of the entries).
func ParseListQuery(body map[string]any) (ListQuery, error) {
	filters, err := parseFilters(body, "string_filters")
	if err != nil {
		return ListQuery{}, err
	}
	q := ListQuery{Filters: filters}
	if q.Sort, err = parseSort(body, Sort{Field: "start_time"}); err != nil {
		return ListQuery{}, err
	}
	if q.tickets() == nil {
		return ListQuery{}, &ListError{Field: "string_filters", Value: "", Reason: "a ticket_id filter (= or in) names the ticket whose history to list"}
	}
	return q, nil
}

// namesTickets reports whether a filter narrows a list to incidents it
// names: ticket_id with "=" or "in".
func (f Filter) namesTickets() bool {
	return f.Field == "ticket_id" && (f.Operator == "=" || f.Operator == "in")
}

// tickets names the incidents the query can match, from its first
// ticket_id filter ("=" or "in"), each once: a number named again would
// list its history again. nil when no filter names tickets.
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

// historyField reads a field of an entry by its JSON name.
func historyField(h HistoryInfo, field string) value {
	switch field {
	case "id", "action_id":
		return textValue(h.ID)
	case "ticket_id":
		return textValue(h.TicketID)
	case "action", "sub_action", "final_sub_action":
		return textValue(h.Action)
	case "operator":
		return textValue(h.Operator)
	case "comment":
		return textValue(h.Comment)
	case "status":
		return textValue(h.Status)
	case "target_type":
		return textValue(h.TargetType)
	case "target_value":
		return textValue(h.TargetValue)
	case "action_name_zh":
		return textValue(h.ActionNameZh)
	case "action_name_en":
		return textValue(h.ActionNameEn)
	case "start_time", "stop_time", "update_time":
		return numValue(h.StartTime)
	}
	return value{}
}

// Histories lists the history entries of the incidents the query names
// that pass its filters, in its order, at most MaxListed of them.
func (s *Store) Histories(q ListQuery) Histories {
	out := Histories{Info: []HistoryInfo{}}
	for _, num := range q.tickets() {
		inc := s.Get(num)
		if inc == nil {
			continue
		}
		for _, e := range inc.History {
			h := inc.historyInfo(e)
			if allHold(q.Filters, func(field string) value { return historyField(h, field) }) {
				out.Info = append(out.Info, h)
			}
		}
	}
	sortBy(out.Info, q.Sort, historyField)
	if len(out.Info) > MaxListed {
		out.Info = out.Info[:MaxListed]
	}
	return out
}
