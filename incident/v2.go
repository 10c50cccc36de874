package incident

import (
	"slices"
	"strconv"
	"time"
)

// The v2 operations, by the spec's operationId.
const (
	OpList          = "ListIncidents"
	OpTasks         = "ShowIncidentTask"
	OpAction        = "HandleIncident"
	OpHistoriesV2   = "ListIncidentsHistories"
	ticketTypeV2    = "incident"
	defaultPerPage  = 10
	defaultPageNum  = 1
	maxPageNum      = 1_000_000
	maxPerPageLimit = 200
)

// MaxTickets bounds how many tickets one ListIncidents reply holds, even
// with contain_all: the first MaxTickets in the requested order; total
// still counts every match.
const MaxTickets = 1000

// Ticket is an incident as ListIncidents lists it: the SDK's
// CocIncidentDataV2, whose fields are all strings (times as decimal
// milliseconds, is_service_interrupt as "true"/"false"; Terraform's data
// source reads them as strings too), keys in the SDK's order.
type Ticket struct {
	CurrentCloudServiceID string       `json:"current_cloud_service_id,omitempty"`
	LevelID               string       `json:"level_id,omitempty"`
	MtmRegion             string       `json:"mtm_region,omitempty"`
	SourceID              string       `json:"source_id,omitempty"`
	ForwardRuleID         string       `json:"forward_rule_id,omitempty"`
	EnterpriseProjectID   string       `json:"enterprise_project_id,omitempty"`
	MtmType               string       `json:"mtm_type,omitempty"`
	Title                 string       `json:"title,omitempty"`
	Description           string       `json:"description,omitempty"`
	TicketID              string       `json:"ticket_id"`
	IsServiceInterrupt    string       `json:"is_service_interrupt"`
	WorkFlowStatus        string       `json:"work_flow_status"`
	Phase                 string       `json:"phase,omitempty"`
	Assignee              string       `json:"assignee,omitempty"`
	Creator               string       `json:"creator,omitempty"`
	Operator              string       `json:"operator,omitempty"`
	UpdateTime            string       `json:"update_time"`
	CreateTime            string       `json:"create_time"`
	StartTime             string       `json:"start_time,omitempty"`
	HandleTime            string       `json:"handle_time,omitempty"`
	IncidentOwnership     string       `json:"incident_ownership,omitempty"`
	EnumDataList          []EnumDataV2 `json:"enum_data_list"`
}

// EnumDataV2 is a display name in the v2 views (the SDK's
// CocTicketInfoEnumDataV2 and CocTicketEnumDataV2): the field it names
// (prop_id) and the key (biz_id).
type EnumDataV2 struct {
	PropID string `json:"prop_id"`
	BizID  string `json:"biz_id"`
	NameZh string `json:"name_zh"`
	NameEn string `json:"name_en"`
}

// Tickets is the data of ListIncidents. Total is there when the body asks
// for it (contain_total).
type Tickets struct {
	// Tickets holds Ticket values, or maps of the fields a body names.
	Tickets []any `json:"tickets"`
	Total   *int  `json:"total,omitempty"`
}

func first(list []string) string {
	if len(list) > 0 {
		return list[0]
	}
	return ""
}

func msText(ms int64) string {
	if ms == 0 {
		return ""
	}
	return strconv.FormatInt(ms, 10)
}

// Ticket is the incident as ListIncidents lists it at now. work_flow_status
// is the status key and phase the key of its first workflow node: COC
// publishes neither value set, so these are cocmock's choice. operator is
// who acted last (the creator, at first).
func (inc *Incident) Ticket(now time.Time) Ticket {
	t := Ticket{
		CurrentCloudServiceID: first(inc.CurrentCloudService), LevelID: inc.Level, MtmRegion: first(inc.Region),
		SourceID: inc.Source, EnterpriseProjectID: first(inc.EnterpriseProject), MtmType: inc.Type,
		Title: inc.Title, Description: inc.Description, TicketID: inc.Num,
		IsServiceInterrupt: strconv.FormatBool(inc.ServiceInterrupt != nil && *inc.ServiceInterrupt),
		WorkFlowStatus:     inc.Status, Assignee: first(inc.Assignee), Creator: inc.Creator, Operator: inc.Operator(),
		UpdateTime: msText(inc.CreateTime), CreateTime: msText(inc.CreateTime), StartTime: msText(inc.StartTime),
		HandleTime: msText(inc.HandleTime), IncidentOwnership: inc.Ownership, EnumDataList: []EnumDataV2{},
	}
	t.Phase = inc.nodeKeys()[0]
	t.UpdateTime = strconv.FormatInt(inc.updateTime(), 10)
	t.CreateTime = strconv.FormatInt(inc.CreateTime, 10)
	for _, f := range []struct{ field, key string }{
		{"level_id", inc.Level}, {"mtm_type", inc.Type}, {"source_id", inc.Source}, {"work_flow_status", inc.Status},
	} {
		if n, ok := Names[f.key]; ok {
			t.EnumDataList = append(t.EnumDataList, EnumDataV2{PropID: f.field, BizID: f.key, NameZh: n.Zh, NameEn: n.En})
		}
	}
	return t
}

// ticketField reads a field of a ticket by its JSON name.
func ticketField(t Ticket, field string) string {
	switch field {
	case "current_cloud_service_id":
		return t.CurrentCloudServiceID
	case "level_id":
		return t.LevelID
	case "mtm_region":
		return t.MtmRegion
	case "source_id":
		return t.SourceID
	case "forward_rule_id":
		return t.ForwardRuleID
	case "enterprise_project_id":
		return t.EnterpriseProjectID
	case "mtm_type":
		return t.MtmType
	case "title":
		return t.Title
	case "description":
		return t.Description
	case "ticket_id":
		return t.TicketID
	case "is_service_interrupt":
		return t.IsServiceInterrupt
	case "work_flow_status", "status":
		return t.WorkFlowStatus
	case "phase":
		return t.Phase
	case "assignee":
		return t.Assignee
	case "creator":
		return t.Creator
	case "operator":
		return t.Operator
	case "update_time":
		return t.UpdateTime
	case "create_time":
		return t.CreateTime
	case "start_time":
		return t.StartTime
	case "handle_time":
		return t.HandleTime
	case "incident_ownership":
		return t.IncidentOwnership
	}
	return ""
}

// listField reads a field of an incident as ListIncidents shows it,
// without building the ticket: a list filters and sorts every incident of
// a session and builds tickets for one page only. TestListFieldIsTicketField
// holds it to Ticket.
func (inc *Incident) listField(field string) value {
	switch field {
	case "current_cloud_service_id":
		return value{text: first(inc.CurrentCloudService)}
	case "level_id":
		return value{text: inc.Level}
	case "mtm_region":
		return value{text: first(inc.Region)}
	case "source_id":
		return value{text: inc.Source}
	case "enterprise_project_id":
		return textValue(first(inc.EnterpriseProject))
	case "mtm_type":
		return value{text: inc.Type}
	case "title":
		return textValue(inc.Title)
	case "description":
		return textValue(inc.Description)
	case "ticket_id":
		return textValue(inc.Num)
	case "is_service_interrupt":
		return value{text: strconv.FormatBool(inc.ServiceInterrupt != nil && *inc.ServiceInterrupt)}
	case "work_flow_status", "status":
		return value{text: inc.Status}
	case "phase":
		return value{text: inc.nodeKeys()[0]}
	case "assignee":
		return textValue(first(inc.Assignee))
	case "creator":
		return textValue(inc.Creator)
	case "operator":
		return textValue(inc.Operator())
	case "update_time":
		return numValue(inc.updateTime())
	case "create_time":
		return numValue(inc.CreateTime)
	case "start_time":
		return optionalTime(inc.StartTime)
	case "handle_time":
		return optionalTime(inc.HandleTime)
	case "incident_ownership":
		return textValue(inc.Ownership)
	}
	return value{}
}

// optionalTime is a time a ticket may lack: unset, it reads as "".
func optionalTime(ms int64) value {
	if ms == 0 {
		return value{}
	}
	return numValue(ms)
}

// updateTime is when the incident last changed: its newest history entry,
// or its creation.
func (inc *Incident) updateTime() int64 {
	if n := len(inc.History); n > 0 {
		return millis(inc.History[n-1].Time)
	}
	return inc.CreateTime
}

// ticketMap is a ticket as the reply writes it when the body names fields:
// those fields (and ticket_id).
func ticketMap(t Ticket, fields []string) map[string]any {
	keep := func(name string) bool { return slices.Contains(fields, name) }
	m := map[string]any{}
	for _, name := range ticketFields {
		if v := ticketField(t, name); keep(name) && (v != "" || name == "ticket_id") {
			m[name] = v
		}
	}
	if keep("enum_data_list") {
		m["enum_data_list"] = t.EnumDataList
	}
	return m
}

// ticketFields are Ticket's JSON names, in the SDK's order.
var ticketFields = []string{
	"current_cloud_service_id", "level_id", "mtm_region", "source_id", "forward_rule_id", "enterprise_project_id",
	"mtm_type", "title", "description", "ticket_id", "is_service_interrupt", "work_flow_status", "phase",
	"assignee", "creator", "operator", "update_time", "create_time", "start_time", "handle_time", "incident_ownership",
}

// TicketQuery is a ListIncidents body: filters (string and integer ones,
// combined by condition when it names them), order, page and fields.
type TicketQuery struct {
	filterSet
	Sort    Sort
	Page    int
	PerPage int
	All     bool
	Total   bool
	Fields  []string
	// Incidents is false when ticket_types names no incident: the list is
	// then empty (cocmock keeps incidents only).
	Incidents bool
}

// ParseTicketQuery reads a ListIncidents body, checked by the contract.
// Without a sort_filter the newest come first (create_time desc).
func ParseTicketQuery(body map[string]any) (TicketQuery, error) {
	q := TicketQuery{Page: defaultPageNum, PerPage: defaultPerPage, Incidents: true}
	var err error
	if q.filterSet, err = parseFilterSet(body); err != nil {
		return TicketQuery{}, err
	}
	if q.Sort, err = parseSort(body, Sort{Field: "create_time", Desc: true}); err != nil {
		return TicketQuery{}, err
	}
	if n, ok := body["page"].(float64); ok {
		q.Page = min(max(int(n), 1), maxPageNum)
	}
	if n, ok := body["per_page"].(float64); ok {
		q.PerPage = min(max(int(n), 1), maxPerPageLimit)
	}
	q.All, _ = body["contain_all"].(bool)
	q.Total, _ = body["contain_total"].(bool)
	q.Fields = texts(body["fields"])
	if types := texts(body["ticket_types"]); len(types) > 0 {
		q.Incidents = slices.Contains(types, ticketTypeV2)
	}
	return q, nil
}

// List lists the store's incidents as ListIncidents does at now: every
// incident is filtered and sorted on the fields the query names, and only
// the page's become tickets.
func (s *Store) List(q TicketQuery, now time.Time) Tickets {
	var matched []*Incident
	if q.Incidents {
		for _, inc := range s.byNum.All() {
			if q.holds(inc.listField) {
				matched = append(matched, inc)
			}
		}
	}
	sortBy(matched, q.Sort, (*Incident).listField)
	total := len(matched)
	page := matched
	if !q.All {
		from := min((q.Page-1)*q.PerPage, len(page))
		page = page[from:min(from+q.PerPage, len(page))]
	}
	page = page[:min(len(page), MaxTickets)]
	out := Tickets{Tickets: make([]any, 0, len(page))}
	for _, inc := range page {
		if t := inc.Ticket(now); len(q.Fields) == 0 {
			out.Tickets = append(out.Tickets, t)
		} else {
			out.Tickets = append(out.Tickets, ticketMap(t, q.Fields))
		}
	}
	if q.Total {
		out.Total = &total
	}
	return out
}

// HistoryV2 is one history entry as ListIncidentsHistories lists it: the
// SDK's CocTicketHistoryBaseInfoV2, whose times are strings.
type HistoryV2 struct {
	Action       string       `json:"action"`
	ActionNameZh string       `json:"action_name_zh"`
	ActionNameEn string       `json:"action_name_en"`
	Operator     string       `json:"operator,omitempty"`
	Status       string       `json:"status"`
	StartTime    string       `json:"start_time"`
	StopTime     string       `json:"stop_time"`
	Comment      string       `json:"comment,omitempty"`
	EnumDataList []EnumDataV2 `json:"enum_data_list"`
}

// HistoriesV2 is the data of ListIncidentsHistories.
type HistoriesV2 struct {
	Total int         `json:"total"`
	Info  []HistoryV2 `json:"info"`
}

func historyV2Field(h HistoryV2, field string) value {
	switch field {
	case "action":
		return textValue(h.Action)
	case "action_name_zh":
		return textValue(h.ActionNameZh)
	case "action_name_en":
		return textValue(h.ActionNameEn)
	case "operator":
		return textValue(h.Operator)
	case "status":
		return textValue(h.Status)
	case "start_time":
		return textValue(h.StartTime)
	case "stop_time":
		return textValue(h.StopTime)
	case "comment":
		return textValue(h.Comment)
	}
	return value{}
}

// HistoryQuery is a ListIncidentsHistories body: filters, condition and
// order (oldest first unless sort_filter says otherwise).
type HistoryQuery struct {
	filterSet
	Sort Sort
}

// ParseHistoryQuery reads a ListIncidentsHistories body, checked by the
// contract.
func ParseHistoryQuery(body map[string]any) (HistoryQuery, error) {
	set, err := parseFilterSet(body)
	if err != nil {
		return HistoryQuery{}, err
	}
	sort, err := parseSort(body, Sort{Field: "start_time"})
	if err != nil {
		return HistoryQuery{}, err
	}
	return HistoryQuery{filterSet: set, Sort: sort}, nil
}

// HistoriesV2 lists the incident's history entries as ListIncidentsHistories
// does: the same entries as the v1 lists, v1 calls and v2 actions alike.
func (inc *Incident) HistoriesV2(q HistoryQuery) HistoriesV2 {
	out := HistoriesV2{Info: []HistoryV2{}}
	for _, e := range inc.History {
		name := ActionNames[e.Action]
		ms := msText(millis(e.Time))
		h := HistoryV2{
			Action: e.Action, ActionNameZh: name.Zh, ActionNameEn: name.En, Operator: e.Operator,
			Status: e.StatusAfter, StartTime: ms, StopTime: ms, Comment: e.Comment, EnumDataList: []EnumDataV2{},
		}
		if n, ok := Names[e.StatusAfter]; ok {
			h.EnumDataList = append(h.EnumDataList, EnumDataV2{PropID: "status", BizID: e.StatusAfter, NameZh: n.Zh, NameEn: n.En})
		}
		if q.holds(func(field string) value { return historyV2Field(h, field) }) {
			out.Info = append(out.Info, h)
		}
	}
	sortBy(out.Info, q.Sort, historyV2Field)
	out.Total = len(out.Info)
	return out
}

// Operator is who acted on the incident last: the operator of its newest
// history entry, or its assignee or creator.
func (inc *Incident) Operator() string {
	for i := len(inc.History) - 1; i >= 0; i-- {
		if op := inc.History[i].Operator; op != "" {
			return op
		}
	}
	if len(inc.Assignee) > 0 {
		return inc.Assignee[0]
	}
	return inc.Creator
}
