package sdk_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/auth/global"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/core/sdkerr"
	coc "github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1"
	"github.com/huaweicloud/huaweicloud-sdk-go-v3/services/coc/v1/model"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// Point the official Go SDK at an in-process sandbox: an http:// endpoint
// and no region, so the SDK never calls IAM.
func Example_officialSDK() {
	t := &testing.T{} // in a real test, the test's own t
	srv := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"))
	defer srv.Close()

	cred, _ := global.NewCredentialsBuilder().WithAk("AK").WithSk("SK").SafeBuild()
	hc, _ := coc.CocClientBuilder().WithEndpoints([]string{srv.URL}).WithCredential(cred).SafeBuild()
	client := coc.NewCocClient(hc)

	for _, key := range []string{"acceptedIncident1", "acceptedIncident1"} {
		resp, err := client.HandleCocIncident(&model.HandleCocIncidentRequest{Body: &model.HandleExternalIncidentRequest{
			IncidentNum: "IM202403221515060171753781", Operator: "7da46971b7e24eed90cf777cc2ff8b91", OperateKey: key,
		}})
		var sre *sdkerr.ServiceResponseError
		if errors.As(err, &sre) { // the second accept: the ticket is no longer TRIGGERED
			fmt.Println(sre.StatusCode, sre.ErrorCode)
			continue
		}
		fmt.Println(resp.HttpStatusCode, resp.ErrorCode)
	}
	tk, _ := srv.Incident("IM202403221515060171753781")
	fmt.Println(tk.Status, len(srv.Requests(mock.Filter{Status: 400})))
	// Output:
	// 200 GOM.00000000
	// 400 GOM.00007256
	// INCIDENT_STATUS_ACKNOWLEDGED 1
}
