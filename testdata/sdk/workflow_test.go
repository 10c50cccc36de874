package sdk_test

import (
	"encoding/json"
	"errors"
	"net/http"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/config"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	coc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1/model"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// The whole incident workflow with the official client: create → detail →
// accept → detail → commit → detail → confirm → detail → history → detail of
// an unknown ticket; under default and lifecycle, and with the server
// checking AK/SK signatures.
func TestIncidentWorkflowWithTheOfficialClient(t *testing.T) {
	t.Parallel()
	underEachServer(t, runWorkflow)
}

// underEachServer runs a client's steps against a server in the default
// scenario, in lifecycle, and in lifecycle checking AK/SK signatures, in
// parallel.
func underEachServer(t *testing.T, steps func(*testing.T, *coc.CocClient)) {
	t.Helper()
	for name, opts := range map[string][]mock.Option{
		"default":        {mock.WithScenario("default")},
		"lifecycle":      {mock.WithScenario("lifecycle")},
		"lifecycle aksk": {mock.WithScenario("lifecycle"), withAKSK(t)},
	} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			steps(t, globalClient(t, startServer(t, opts...)))
		})
	}
}

func runWorkflow(t *testing.T, client *coc.CocClient) {
	t.Helper()
	desc, assignee, start := "Users cannot log in", []string{"9605B67C741D4553887A3462771107D3"}, int64(1711091706017)
	created, err := client.CreateCocIncident(&model.CreateCocIncidentRequest{Body: &model.CreateExternalIncidentRequest{
		IncidentLevel: "level_40", IsServiceInterrupt: "true", IncidentType: "inc_type_p_security_issues",
		IncidentTitle: "Login fails", IncidentDescription: &desc, IncidentSource: "incident_source_manual",
		Creator: assignee[0], IncidentAssignee: &assignee, EnterpriseProject: &[]string{"0"}, StartTime: &start,
	}})
	if err != nil || created.ErrorCode != codeOK || created.Data == nil || created.Data.IncidentNum == "" {
		t.Fatalf("create: %v %+v", err, created)
	}
	num := created.Data.IncidentNum

	readStatus := func(want string) *model.IncidentTicketInfoResponseData {
		t.Helper()
		resp, err := client.ShowCocIncidentDetail(&model.ShowCocIncidentDetailRequest{IncidentNum: num})
		if err != nil || resp.ErrorCode != codeOK || resp.Data == nil || resp.Data.Status == nil {
			t.Fatalf("detail: %v %+v", err, resp)
		}
		if *resp.Data.Status != want {
			t.Fatalf("status %s, want %s", *resp.Data.Status, want)
		}
		return resp.Data
	}
	d := readStatus("INCIDENT_STATUS_TRIGGERED")
	if *d.IncidentLevel != "level_40" || d.IsServiceInterrupt == nil || !*d.IsServiceInterrupt || *d.StartTime != start ||
		*d.IncidentDescription != desc || (*d.IncidentAssignee)[0] != assignee[0] || d.CreateTime == nil || len(*d.EnumDataList) == 0 {
		t.Fatalf("detail after create: %+v", d)
	}

	handleNum := func(key string, parameter map[string]any) {
		t.Helper()
		resp, err := client.HandleCocIncident(&model.HandleCocIncidentRequest{Body: &model.HandleExternalIncidentRequest{
			IncidentNum: num, Operator: operator, OperateKey: key, Parameter: parameter,
		}})
		checkSuccess(t, resp, err)
	}
	handleNum("acceptedIncident1", nil)
	readStatus("INCIDENT_STATUS_ACKNOWLEDGED")
	handleNum("commitSolution1", map[string]any{"mtm_type": "inc_type_p_config_issues", "is_service_interrupt": false, "cause": "c", "solution": "s"})
	if d := readStatus("INCIDENT_STATUS_RESOLVED"); *d.IncidentType != "inc_type_p_config_issues" || *d.IsServiceInterrupt {
		t.Fatalf("the solution's fields were not recorded: %+v", d)
	}
	handleNum("confirm", map[string]any{"virtual_confirm_result": true, "virtual_confirm_comment": "ok"})
	readStatus("INCIDENT_STATUS_COMPLETED")

	filter := []model.ObjectFilter{{Field: ptr("ticket_id"), Operator: ptr("="), Values: &[]string{num}}}
	hist, err := client.ListTicketOperationHistories(&model.ListTicketOperationHistoriesRequest{
		TicketType: "incident", Body: &model.ListTicketParams{StringFilters: &filter},
	})
	if err != nil || hist.ErrorCode != codeOK || hist.Data == nil {
		t.Fatalf("history: %v %+v", err, hist)
	}
	// The SDK types data as interface{}: read it as Terraform does.
	b, _ := json.Marshal(*hist.Data)
	var data struct {
		Info []struct {
			Action   string `json:"action"`
			TicketID string `json:"ticket_id"`
		} `json:"info"`
	}
	if err := json.Unmarshal(b, &data); err != nil || len(data.Info) < 3 || data.Info[0].Action != "create" || data.Info[0].TicketID != num {
		t.Fatalf("history data %s", b)
	}
	ext, err := client.ListCocTicketOperationHistories(&model.ListCocTicketOperationHistoriesRequest{
		TicketType: model.GetListCocTicketOperationHistoriesRequestTicketTypeEnum().INCIDENT, Body: &model.ListTicketParams{StringFilters: &filter},
	})
	if err != nil || ext.ErrorCode != codeOK {
		t.Fatalf("external history: %v %+v", err, ext)
	}

	_, err = client.ShowCocIncidentDetail(&model.ShowCocIncidentDetailRequest{IncidentNum: "IM00000000000000000000000000"})
	var sre *sdkerr.ServiceResponseError
	if !errors.As(err, &sre) || sre.StatusCode != http.StatusBadRequest || sre.ErrorCode != "COC.00067003" || !requestIDPattern.MatchString(sre.RequestId) {
		t.Fatalf("unknown ticket: %v", err)
	}
}

func ptr(s string) *string { return &s }

// The official client over HTTPS, certificate verification off as the SDK
// offers (WithIgnoreSSLVerification), against the sandbox's TLS server.
func TestIncidentWorkflowOverHTTPS(t *testing.T) {
	t.Parallel()
	srv := mocktest.NewTLSServer(t, mocktest.WithScenario("lifecycle"))
	cred, err := global.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	hc, err := coc.CocClientBuilder().
		WithEndpoints([]string{srv.URL}).
		WithCredential(cred).
		WithHttpConfig(config.DefaultHttpConfig().WithIgnoreSSLVerification(true)).
		SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	runWorkflow(t, coc.NewCocClient(hc))
}
