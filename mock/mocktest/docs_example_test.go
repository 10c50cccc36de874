// The test docs/go-tests.md shows, as it is there (docs/doc_test.go holds
// the two equal).
package mocktest_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

func TestAcceptMovesTheTicket(t *testing.T) {
	srv := mocktest.NewServer(t, mocktest.WithScenario("lifecycle"), mocktest.WithSeed(1))
	// Point the client under test at srv.URL (the official SDK: WithEndpoints([]string{srv.URL})).
	resp, err := http.Post(srv.URL+"/v1/external/incident/handle", "application/json",
		strings.NewReader(mocktest.HandleBody("IM202403221515060171753781", "acceptedIncident1")))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	tk, _ := srv.Incident("IM202403221515060171753781") // as the sandbox keeps it: status, approvals, history
	if tk.Status != "INCIDENT_STATUS_ACKNOWLEDGED" {
		t.Fatalf("status %s", tk.Status)
	}
	srv.AssertCalled(t, mock.Filter{OperateKey: "acceptedIncident1"}, 1) // called exactly once
	srv.AssertNoInvalidRequests(t)                                       // nothing the client sent broke the contract
	srv.AssertCovered(t, "lifecycle/acceptedIncident1/TRIGGERED→ACKNOWLEDGED")
}
