package mock

import (
	"testing"

	"github.com/cocmock/cocmock/openapi"
)

// A refusal's message is COC's sentence, built with one allocation: it is
// made for every refused request.
func TestARefusalsMessageIsCOCsSentenceInOneAllocation(t *testing.T) {
	v := openapi.Violation{Kind: openapi.KindSchema, Field: "operate_key", Value: "acceptIncident1"}
	if got, want := violationMessage(v, nil), "The field[operate_key] value[acceptIncident1] invalid"; got != want {
		t.Fatalf("%q, want %q", got, want)
	}
	if n := testing.AllocsPerRun(100, func() { violationMessage(v, nil) }); n != 1 {
		t.Fatalf("%v allocations, want 1", n)
	}
}
