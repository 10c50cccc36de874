package incident

import (
	"bytes"
	"encoding/json"

	"github.com/cocmock/cocmock/internal/jsontext"
)

// Envelope is COC's reply body, keys in the order the API page shows them
// (HandleCocIncident-en.txt): error_code, error_msg, provider_code, data.
type Envelope struct {
	ErrorCode    string  `json:"error_code"`
	ErrorMsg     *string `json:"error_msg"`
	ProviderCode string  `json:"provider_code"`
	Data         any     `json:"data"`
}

// EnvelopeKeys are the envelope's keys in the service's order.
var EnvelopeKeys = []string{"error_code", "error_msg", "provider_code", "data"}

// ProviderCode is COC's service id, sent as a JSON string: a number breaks
// the official Go SDK's decoder.
const ProviderCode = "049"

// Codes COC answers with (coc-api.md §3).
const (
	CodeOK               = "GOM.00000000"
	CodeInvalidParameter = "GOM.00007256"
	// CodeNotFound is how COC says a ticket does not exist; Terraform maps
	// it to "resource gone".
	CodeNotFound = "COC.00067003"
)

// Marshal writes v as the service writes JSON: compact, without HTML
// escaping, without a trailing newline.
func Marshal(v any) ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// MarshalReply is Marshal(Reply(code, msg, data)). An envelope without
// data (every refusal) is written by hand: the encoder's reflection was
// most of what answering a refused request cost.
func MarshalReply(code, msg string, data any) ([]byte, error) {
	if data != nil {
		return Marshal(Reply(code, msg, data))
	}
	b := make([]byte, 0, len(`{"error_code":"","error_msg":"","provider_code":"049","data":null}`)+len(code)+len(msg))
	b = jsontext.AppendString(append(b, `{"error_code":`...), code, jsontext.Encoder)
	b = append(b, `,"error_msg":`...)
	if msg == "" {
		b = append(b, "null"...)
	} else {
		b = jsontext.AppendString(b, msg, jsontext.Encoder)
	}
	b = jsontext.AppendString(append(b, `,"provider_code":`...), ProviderCode, jsontext.Encoder)
	return append(b, `,"data":null}`...), nil
}

// Reply builds the envelope with a code, a message (empty: null, as the
// service sends on success) and data.
func Reply(code, msg string, data any) Envelope {
	env := Envelope{ErrorCode: code, ProviderCode: ProviderCode, Data: data}
	if msg != "" {
		env.ErrorMsg = &msg
	}
	return env
}

// NotFoundMessage is the error_msg of CodeNotFound.
func NotFoundMessage(num string) string { return "The incident " + num + " does not exist" }

// Detail is an incident as ShowCocIncidentDetail returns it: the SDK's
// IncidentTicketInfoResponseData, keys in its order.
type Detail struct {
	IncidentNum         string     `json:"incident_num"`
	Region              []string   `json:"region,omitempty"`
	EnterpriseProject   []string   `json:"enterprise_project,omitempty"`
	CurrentCloudService []string   `json:"current_cloud_service,omitempty"`
	IncidentLevel       string     `json:"incident_level,omitempty"`
	IsServiceInterrupt  bool       `json:"is_service_interrupt"`
	StartTime           int64      `json:"start_time,omitempty"`
	FaultRecoveryTime   int64      `json:"fault_recovery_time,omitempty"`
	IncidentOwnership   string     `json:"incident_ownership,omitempty"`
	IncidentType        string     `json:"incident_type,omitempty"`
	IncidentTitle       string     `json:"incident_title,omitempty"`
	IncidentDescription string     `json:"incident_description,omitempty"`
	IncidentSource      string     `json:"incident_source,omitempty"`
	IncidentAssignee    []string   `json:"incident_assignee,omitempty"`
	AssigneeScene       string     `json:"assignee_scene,omitempty"`
	AssigneeRole        string     `json:"assignee_role,omitempty"`
	HandleTime          int64      `json:"handle_time,omitempty"`
	Status              string     `json:"status"`
	CreateTime          int64      `json:"create_time,omitempty"`
	Creator             string     `json:"creator,omitempty"`
	EnumDataList        []EnumData `json:"enum_data_list"`
}

// DetailMap is Detail as templates index it, by JSON name
// ({{ .Incident.status }}).
func (inc *Incident) DetailMap() map[string]any {
	b, _ := json.Marshal(inc.Detail())
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	return m
}

// EnumData is one display name of a key the incident uses (note COC's
// spelling filed_key).
type EnumData struct {
	FiledKey string `json:"filed_key"`
	EnumKey  string `json:"enum_key"`
	NameZh   string `json:"name_zh"`
	NameEn   string `json:"name_en"`
}

// Detail is the incident as the detail read shows it.
func (inc *Incident) Detail() Detail {
	d := Detail{
		IncidentNum: inc.Num, Region: inc.Region, EnterpriseProject: inc.EnterpriseProject,
		CurrentCloudService: inc.CurrentCloudService, IncidentLevel: inc.Level,
		IsServiceInterrupt: inc.ServiceInterrupt != nil && *inc.ServiceInterrupt,
		StartTime:          inc.StartTime, FaultRecoveryTime: inc.FaultRecoveryTime,
		IncidentOwnership: inc.Ownership, IncidentType: inc.Type, IncidentTitle: inc.Title,
		IncidentDescription: inc.Description, IncidentSource: inc.Source, IncidentAssignee: inc.Assignee,
		AssigneeScene: inc.AssigneeScene, AssigneeRole: inc.AssigneeRole, HandleTime: inc.HandleTime,
		Status: inc.Status, CreateTime: inc.CreateTime, Creator: inc.Creator,
		EnumDataList: []EnumData{},
	}
	for _, f := range []struct{ field, key string }{
		{"incident_level", inc.Level}, {"incident_type", inc.Type},
		{"incident_source", inc.Source}, {"status", inc.Status},
	} {
		if n, ok := Names[f.key]; ok {
			d.EnumDataList = append(d.EnumDataList, EnumData{FiledKey: f.field, EnumKey: f.key, NameZh: n.Zh, NameEn: n.En})
		}
	}
	return d
}

// HistoryInfo is one history entry as the history lists return it: the
// SDK's TicketHistoryInfo, with the fields Terraform's data source reads
// (is_deteted is COC's spelling).
type HistoryInfo struct {
	ID               string            `json:"id"`
	ActionID         string            `json:"action_id"`
	TicketID         string            `json:"ticket_id"`
	Action           string            `json:"action"`
	SubAction        string            `json:"sub_action"`
	FinalSubAction   string            `json:"final_sub_action"`
	Operator         string            `json:"operator"`
	Comment          string            `json:"comment"`
	StartTime        int64             `json:"start_time"`
	StopTime         int64             `json:"stop_time"`
	UpdateTime       int64             `json:"update_time"`
	TargetType       string            `json:"target_type"`
	TargetValue      string            `json:"target_value"`
	IsDeleted        bool              `json:"is_deteted"`
	ActionNameZh     string            `json:"action_name_zh"`
	ActionNameEn     string            `json:"action_name_en"`
	ActionTemplateZh string            `json:"action_template_zh"`
	ActionTemplateEn string            `json:"action_template_en"`
	Status           string            `json:"status"`
	EnumDataList     []HistoryEnumData `json:"enum_data_list"`
}

// HistoryEnumData is a display name in a history entry (the SDK's
// EnumDataInfo).
type HistoryEnumData struct {
	PropID   string `json:"prop_id"`
	BizID    string `json:"biz_id"`
	TicketID string `json:"ticket_id"`
	NameZh   string `json:"name_zh"`
	NameEn   string `json:"name_en"`
}

// Histories is the data of a history list.
type Histories struct {
	Info []HistoryInfo `json:"info"`
}

// historyInfo is one of the incident's entries as the lists show it.
func (inc *Incident) historyInfo(e Entry) HistoryInfo {
	ms := millis(e.Time)
	name := ActionNames[e.Action]
	h := HistoryInfo{
		ID: e.ID, ActionID: e.ID, TicketID: inc.Num, Action: e.Action, SubAction: e.Action, FinalSubAction: e.Action,
		Operator: e.Operator, Comment: e.Comment, StartTime: ms, StopTime: ms, UpdateTime: ms,
		TargetType: "incident", TargetValue: inc.Num,
		ActionNameZh: name.Zh, ActionNameEn: name.En, ActionTemplateZh: name.Zh, ActionTemplateEn: name.En,
		Status: e.StatusAfter, EnumDataList: []HistoryEnumData{},
	}
	if n, ok := Names[e.StatusAfter]; ok {
		h.EnumDataList = append(h.EnumDataList, HistoryEnumData{PropID: "status", BizID: e.StatusAfter, TicketID: inc.Num, NameZh: n.Zh, NameEn: n.En})
	}
	return h
}

// Name is a display name in both languages.
type Name struct{ Zh, En string }

// Names are the display names of the enum keys (coc-api.md §2): levels,
// sources, statuses, and the preset incident types whose names are known.
var Names = map[string]Name{
	"level_10": {"P1", "P1"}, "level_20": {"P2", "P2"}, "level_30": {"P3", "P3"},
	"level_40": {"P4", "P4"}, "level_50": {"P5", "P5"},

	"incident_source_manual":     {"人工创建", "Manual Creation"},
	"incident_source_forwarding": {"流转创建", "Transfer creation"},
	"incident_source_alarm":      {"告警", "alarm"},

	StatusTriggered:    {"未受理", "Unaccepted"},
	StatusAcknowledged: {"已受理", "Accepted"},
	StatusRejected:     {"被驳回", "Rejected"},
	StatusResolved:     {"已解决待验证", "To-be-verified"},
	StatusCompleted:    {"已完成", "Completed"},

	// The nine preset types (§2.2). The page lists English names only (and
	// 机房问题 for shelter issues); the other Chinese names repeat the
	// English one rather than invent it. Reliability, configuration and
	// change have no name in any source: theirs are cocmock's wording.
	"inc_type_p_security_issues":    {"Security issues", "Security issues"},
	"inc_type_p_function_issues":    {"function issues", "function issues"},
	"inc_type_p_reliability_issues": {"reliability issues", "reliability issues"},
	"inc_type_p_middleware_issues":  {"middleware issues", "middleware issues"},
	"inc_type_p_hardware_issues":    {"hardware issues", "hardware issues"},
	"inc_type_p_networking_issues":  {"networking issues", "networking issues"},
	"inc_type_p_shelter_issues":     {"机房问题", "shelter issues"},
	"inc_type_p_config_issues":      {"configuration issues", "configuration issues"},
	"inc_type_p_change_issues":      {"change issues", "change issues"},
}

// PresetTypes are the preset incident types (coc-api.md §2.2); tenants
// may add their own.
var PresetTypes = []string{
	"inc_type_p_security_issues", "inc_type_p_function_issues", "inc_type_p_reliability_issues",
	"inc_type_p_middleware_issues", "inc_type_p_hardware_issues", "inc_type_p_networking_issues",
	"inc_type_p_shelter_issues", "inc_type_p_config_issues", "inc_type_p_change_issues",
}

// ActionNames are the history lists' names of each action. COC publishes
// none for the v1 operate_keys: these are cocmock's wording.
var ActionNames = map[string]Name{
	"create":               {"创建事件", "Create incident"},
	"acceptedIncident1":    {"受理", "Accept"},
	"forwardOther1":        {"转发", "Forward"},
	"rejected":             {"驳回", "Reject"},
	"ReOpen":               {"重新提交", "Reopen"},
	"commitSolution1":      {"提交解决方案", "Submit solution"},
	"confirm":              {"验证", "Verify"},
	"incidentChangeLevel1": {"变更级别", "Change level"},
	"incidentPause":        {"暂停", "Pause"},
	"agreed":               {"同意", "Approve"},

	// The v2 actions that have no v1 key of the same name.
	ActionAccepted:          {"受理", "Accept"},
	ActionUnAcceptedForward: {"转发", "Forward"},
	ActionAcceptedForward:   {"转发", "Forward"},
	ActionAddRemark:         {"添加备注", "Add remark"},
	ActionCommitSolution:    {"提交解决方案", "Submit solution"},
	ActionChangeLevel:       {"变更级别", "Change level"},
	ActionRecovery:          {"恢复", "Resume"},
}
