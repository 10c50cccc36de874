// Package sdk_test drives cocmock with Huawei Cloud's official Go SDK
// (huaweicloud-sdk-go-v3, services/coc/v1), end to end over loopback HTTP.
//
// It lives in its own module under testdata so that the SDK (~45 MB) stays out
// of the main module's requirements and `go test ./...` of the main module
// skips it. Run it with `cd testdata/sdk && go test -race ./...`.
package sdk_test

import (
	"errors"
	"net/http"
	"regexp"
	"testing"
	"time"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/basic"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	coc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1/model"

	"github.com/cocmock/cocmock/mock"
	cocauth "github.com/cocmock/cocmock/mock/auth"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// The ticket and operator of the documented request examples.
const (
	incidentNum = "IM202403221515060171753781"
	operator    = "7da46971b7e24eed90cf777cc2ff8b91"
)

// The test's AK/SK: any pair works while the server does not check
// signatures; withAKSK makes it check against this one.
const (
	testAK = "HPUAEXAMPLEAK0000000"
	testSK = "example-secret-key-0000000000000000000000"
)

const (
	codeOK               = "GOM.00000000"
	codeInvalidParameter = "GOM.00007256"
	providerCode         = "049"
)

var requestIDPattern = regexp.MustCompile(`^[0-9a-f]{32}$`)

// startServer runs the sandbox in-process with mocktest and returns its URL.
func startServer(t *testing.T, opts ...mock.Option) string {
	t.Helper()
	return mocktest.NewServer(t, mocktest.WithEngineOptions(opts...)).URL
}

// newClient builds a COC client that talks only to url. With an endpoint and
// no region the SDK never calls IAM, so no domain or project id is needed.
func newClient(t *testing.T, url string, cred auth.ICredential) *coc.CocClient {
	t.Helper()
	hc, err := coc.CocClientBuilder().
		WithEndpoints([]string{url}).
		WithCredential(cred).
		SafeBuild()
	if err != nil {
		t.Fatalf("building the COC client: %v", err)
	}
	return coc.NewCocClient(hc)
}

func globalClient(t *testing.T, url string) *coc.CocClient {
	t.Helper()
	cred, err := global.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).SafeBuild()
	if err != nil {
		t.Fatalf("building global credentials: %v", err)
	}
	return newClient(t, url, cred)
}

func basicClient(t *testing.T, url string) *coc.CocClient {
	t.Helper()
	cred, err := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).SafeBuild()
	if err != nil {
		t.Fatalf("building basic credentials: %v", err)
	}
	return newClient(t, url, cred)
}

func handle(client *coc.CocClient, operateKey string, parameter map[string]any) (*model.HandleCocIncidentResponse, error) {
	return client.HandleCocIncident(&model.HandleCocIncidentRequest{
		Body: &model.HandleExternalIncidentRequest{
			IncidentNum: incidentNum,
			Operator:    operator,
			OperateKey:  operateKey,
			Parameter:   parameter,
		},
	})
}

// checkSuccess asserts COC's success envelope on HTTP 200. The SDK returns
// err == nil for any 200, so the error code must be checked as well.
func checkSuccess(t *testing.T, resp *model.HandleCocIncidentResponse, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("HandleCocIncident: unexpected error: %v", err)
	}
	if resp.HttpStatusCode != http.StatusOK {
		t.Errorf("HttpStatusCode = %d, want %d", resp.HttpStatusCode, http.StatusOK)
	}
	if resp.ErrorCode != codeOK {
		t.Errorf("ErrorCode = %q, want %q", resp.ErrorCode, codeOK)
	}
	if resp.ProviderCode != providerCode {
		t.Errorf("ProviderCode = %q, want %q", resp.ProviderCode, providerCode)
	}
	if resp.ErrorMsg != nil {
		t.Errorf("ErrorMsg = %q, want null on success", *resp.ErrorMsg)
	}
}

func TestAcceptCommitSolutionConfirmSucceeds(t *testing.T) {
	t.Parallel()
	for _, scenario := range []string{"default", "lifecycle"} {
		t.Run(scenario, func(t *testing.T) {
			t.Parallel()
			client := globalClient(t, startServer(t, mock.WithScenario(scenario)))
			walkTicket(t, client)
		})
	}
}

// walkTicket runs one ticket's life: accept, commit the solution, confirm.
func walkTicket(t *testing.T, client *coc.CocClient) {
	t.Helper()

	// The steps are one ticket's life, in order: no t.Parallel inside.
	steps := []struct {
		operateKey string
		parameter  map[string]any
	}{
		// No parameter: the SDK omits an empty map from the JSON.
		{operateKey: "acceptedIncident1"},
		{operateKey: "commitSolution1", parameter: map[string]any{
			"mtm_type":             "inc_type_p_config_issues",
			"is_service_interrupt": true,
			"cause":                "100001",
			"solution":             "20001",
		}},
		{operateKey: "confirm", parameter: map[string]any{
			"virtual_confirm_result":  true,
			"virtual_confirm_comment": "ok",
		}},
	}
	for _, step := range steps {
		t.Run(step.operateKey, func(t *testing.T) {
			resp, err := handle(client, step.operateKey, step.parameter)
			checkSuccess(t, resp, err)
		})
	}
}

func TestInvalidRequestSurfacesAsServiceResponseError(t *testing.T) {
	t.Parallel()
	client := globalClient(t, startServer(t))

	tests := []struct {
		name       string
		operateKey string
		parameter  map[string]any
		// wantMsg is the exact error_msg; empty means any non-empty message.
		wantMsg string
	}{
		{
			name:       "unknown operate_key",
			operateKey: "acceptedIncident111",
			wantMsg:    "The field[operate_key] value[acceptedIncident111] invalid",
		},
		{
			name:       "commitSolution1 without parameter",
			operateKey: "commitSolution1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			resp, err := handle(client, tt.operateKey, tt.parameter)
			if err == nil {
				t.Fatalf("HandleCocIncident succeeded (status %d, error_code %q), want a 400 error",
					resp.HttpStatusCode, resp.ErrorCode)
			}
			var sre *sdkerr.ServiceResponseError
			if !errors.As(err, &sre) {
				t.Fatalf("error is %T (%v), want *sdkerr.ServiceResponseError", err, err)
			}
			t.Logf("got %v", sre)
			if sre.StatusCode != http.StatusBadRequest {
				t.Errorf("StatusCode = %d, want %d", sre.StatusCode, http.StatusBadRequest)
			}
			if sre.ErrorCode != codeInvalidParameter {
				t.Errorf("ErrorCode = %q, want %q", sre.ErrorCode, codeInvalidParameter)
			}
			switch {
			case tt.wantMsg != "" && sre.ErrorMessage != tt.wantMsg:
				t.Errorf("ErrorMessage = %q, want %q", sre.ErrorMessage, tt.wantMsg)
			case sre.ErrorMessage == "":
				t.Errorf("ErrorMessage is empty")
			}
			if !requestIDPattern.MatchString(sre.RequestId) {
				t.Errorf("RequestId = %q, want 32 lowercase hex characters", sre.RequestId)
			}
		})
	}
}

func TestBasicCredentialsAcceptSucceeds(t *testing.T) {
	t.Parallel()
	client := basicClient(t, startServer(t))
	resp, err := handle(client, "acceptedIncident1", nil)
	checkSuccess(t, resp, err)
}

// Under lifecycle a ticket refuses what its status does not allow, and the
// SDK surfaces the refusal as a ServiceResponseError.
func TestLifecycleRefusalSurfacesAsServiceResponseError(t *testing.T) {
	t.Parallel()
	client := globalClient(t, startServer(t, mock.WithScenario("lifecycle")))
	walkTicket(t, client)
	_, err := handle(client, "acceptedIncident1", nil)
	var sre *sdkerr.ServiceResponseError
	if !errors.As(err, &sre) {
		t.Fatalf("accepting a completed ticket: err %v, want *sdkerr.ServiceResponseError", err)
	}
	want := "The incident " + incidentNum + " is INCIDENT_STATUS_COMPLETED; acceptedIncident1 needs INCIDENT_STATUS_TRIGGERED"
	if sre.StatusCode != http.StatusBadRequest || sre.ErrorCode != codeInvalidParameter || sre.ErrorMessage != want {
		t.Fatalf("got %d %s %q", sre.StatusCode, sre.ErrorCode, sre.ErrorMessage)
	}
	if !requestIDPattern.MatchString(sre.RequestId) {
		t.Errorf("RequestId = %q", sre.RequestId)
	}
}

// withAKSK makes the server verify signatures against the test AK/SK.
func withAKSK(t *testing.T) mock.Option {
	t.Helper()
	a, err := cocauth.New(cocauth.Config{Mode: cocauth.AKSK, Keys: map[string]string{testAK: testSK}, LockAfter: 5, LockFor: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	return mock.WithAuth(a)
}

// The SDK's own signer (user-agent;x-sdk-date, plus x-domain-id or
// x-project-id when set) passes the sandbox's verifier with both
// credential types.
func TestSDKSignaturesPass(t *testing.T) {
	t.Parallel()
	url := startServer(t, withAKSK(t))
	clients := map[string]*coc.CocClient{"global": globalClient(t, url), "basic": basicClient(t, url)}
	domain, _ := global.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).WithDomainId("0123456789abcdef0123456789abcdef").SafeBuild()
	clients["global with domain id"] = newClient(t, url, domain)
	project, _ := basic.NewCredentialsBuilder().WithAk(testAK).WithSk(testSK).WithProjectId("fedcba9876543210fedcba9876543210").SafeBuild()
	clients["basic with project id"] = newClient(t, url, project)
	for name, client := range clients {
		t.Run(name, func(t *testing.T) {
			resp, err := handle(client, "forwardOther1", nil)
			checkSuccess(t, resp, err)
		})
	}
}

func TestWrongSKSurfacesAs401(t *testing.T) {
	t.Parallel()
	url := startServer(t, withAKSK(t))
	cred, err := global.NewCredentialsBuilder().WithAk(testAK).WithSk("not-the-secret").SafeBuild()
	if err != nil {
		t.Fatal(err)
	}
	_, err = handle(newClient(t, url, cred), "acceptedIncident1", nil)
	var sre *sdkerr.ServiceResponseError
	if !errors.As(err, &sre) {
		t.Fatalf("err %v, want *sdkerr.ServiceResponseError", err)
	}
	if sre.StatusCode != http.StatusUnauthorized || sre.ErrorCode != "APIGW.0301" ||
		sre.ErrorMessage != "Incorrect IAM authentication information: verify aksk signature fail" || !requestIDPattern.MatchString(sre.RequestId) {
		t.Fatalf("got %d %q %q %q", sre.StatusCode, sre.ErrorCode, sre.ErrorMessage, sre.RequestId)
	}
}
