package sdk_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	coc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1/model"
)

// The v2 incident API with the official client, on the one store: v1
// create → v2 list (by filter) → tasks → accepted → tasks (the node moved)
// → commitSolution → v1 detail → v2 histories (v1 and v2 entries in order)
// → a stale task id refused; under default, lifecycle and AK/SK.
func TestV2WorkflowWithTheOfficialClient(t *testing.T) {
	t.Parallel()
	underEachServer(t, runV2Workflow)
}

func runV2Workflow(t *testing.T, client *coc.CocClient) {
	t.Helper()
	created, err := client.CreateCocIncident(&model.CreateCocIncidentRequest{Body: &model.CreateExternalIncidentRequest{
		IncidentLevel: "level_30", IsServiceInterrupt: "false", IncidentType: "inc_type_p_networking_issues",
		IncidentTitle: "Packet loss in az1", IncidentSource: "incident_source_manual", Creator: operator,
	}})
	if err != nil || created.Data == nil {
		t.Fatalf("create: %v %+v", err, created)
	}
	num := created.Data.IncidentNum

	// v2 list, found by a filter on its number; data is free-form in the SDK.
	contain := true
	list, err := client.ListIncidents(&model.ListIncidentsRequest{Body: &model.ListTicketParamsWithPageV2{
		StringFilters: &[]model.ObjectFilterV2{{Field: "ticket_id", Operator: "=", Values: []interface{}{num}}},
		ContainTotal:  &contain,
	}})
	if err != nil || list.ErrorCode != codeOK || list.Data == nil {
		t.Fatalf("list: %v %+v", err, list)
	}
	b, _ := json.Marshal(*list.Data)
	var tickets struct {
		Tickets []model.CocIncidentDataV2 `json:"tickets"`
		Total   int                       `json:"total"`
	}
	if err := json.Unmarshal(b, &tickets); err != nil || tickets.Total != 1 || *tickets.Tickets[0].TicketId != num ||
		*tickets.Tickets[0].LevelId != "level_30" || *tickets.Tickets[0].IsServiceInterrupt != "false" {
		t.Fatalf("list data %s (%v)", b, err)
	}

	taskOf := func(action string) string {
		t.Helper()
		resp, err := client.ShowIncidentTask(&model.ShowIncidentTaskRequest{IncidentId: num})
		if err != nil || resp.Data == nil {
			t.Fatalf("tasks: %v %+v", err, resp)
		}
		for _, task := range *resp.Data {
			for _, op := range *task.Operations {
				if *op.Key == action {
					return *op.TaskId
				}
			}
		}
		t.Fatalf("no task offers %s: %+v", action, *resp.Data)
		return ""
	}
	act := func(task, action string, params map[string]any) error {
		t.Helper()
		var p interface{} = params
		body := &model.ExecuteActionParamsV2{TaskId: task, Action: action}
		if params != nil {
			body.Params = &p
		}
		_, err := client.HandleIncident(&model.HandleIncidentRequest{IncidentId: num, Body: body})
		return err
	}
	accept := taskOf("accepted")
	if err := act(accept, "accepted", nil); err != nil {
		t.Fatalf("accepted: %v", err)
	}
	commit := taskOf("commitSolution")
	if commit == accept {
		t.Fatal("the node did not move: the task id is the same")
	}
	if err := act(commit, "commitSolution", map[string]any{"mtm_type": "inc_type_p_change_issues", "is_service_interrupt": true,
		"cause": "a route change", "solution": "rolled back", "start_time": 1711091706017}); err != nil {
		t.Fatalf("commitSolution: %v", err)
	}

	d, err := client.ShowCocIncidentDetail(&model.ShowCocIncidentDetailRequest{IncidentNum: num})
	if err != nil || *d.Data.Status != "INCIDENT_STATUS_RESOLVED" || *d.Data.IncidentType != "inc_type_p_change_issues" ||
		!*d.Data.IsServiceInterrupt || *d.Data.StartTime != 1711091706017 {
		t.Fatalf("v1 detail after v2 actions: %v %+v", err, d)
	}

	// A v1 call, then the v2 history: both kinds of entry, in order.
	resp, err := client.HandleCocIncident(&model.HandleCocIncidentRequest{Body: &model.HandleExternalIncidentRequest{
		IncidentNum: num, Operator: operator, OperateKey: "confirm",
		Parameter: map[string]interface{}{"virtual_confirm_result": false, "virtual_confirm_comment": "still lossy"},
	}})
	checkSuccess(t, resp, err)
	h, err := client.ListIncidentsHistories(&model.ListIncidentsHistoriesRequest{IncidentId: num, Body: &model.ListTicketParamsV2{}})
	if err != nil || h.Data == nil || h.Data.Info == nil {
		t.Fatalf("histories: %v %+v", err, h)
	}
	var actions []string
	for _, e := range *h.Data.Info {
		actions = append(actions, *e.Action)
		if e.StartTime == nil || *e.StartTime == "" {
			t.Errorf("entry without a start time: %+v", e)
		}
	}
	if got := strings.Join(actions, " "); got != "create accepted commitSolution confirm" || *h.Data.Total != 4 {
		t.Fatalf("history %q (total %d)", got, *h.Data.Total)
	}

	// The accept task is stale now: a 400 naming the field.
	err = act(accept, "accepted", nil)
	var sre *sdkerr.ServiceResponseError
	if !errors.As(err, &sre) || sre.StatusCode != http.StatusBadRequest || sre.ErrorCode != "GOM.00007256" || !strings.Contains(sre.ErrorMessage, "field[task_id]") {
		t.Fatalf("stale task: %v", err)
	}
	// The unknown incident: COC.00067003, as the detail answers it.
	_, err = client.ShowIncidentTask(&model.ShowIncidentTaskRequest{IncidentId: "IM-NONE"})
	if !errors.As(err, &sre) || sre.ErrorCode != "COC.00067003" {
		t.Fatalf("unknown incident: %v", err)
	}
}
