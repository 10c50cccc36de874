package httpd

import (
	"testing"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// newEngine is an engine on the embedded contract and the built-in
// scenarios, for the package's own tests (mocktest imports this package).
func newEngine(t *testing.T) *mock.Engine {
	t.Helper()
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	set, err := scenarios.Load(spec, scenarios.Source{Name: "builtin", FS: scenarios.Builtin()})
	if err != nil {
		t.Fatal(err)
	}
	eng, err := mock.New(spec, set, mock.WithSeed(1))
	if err != nil {
		t.Fatal(err)
	}
	return eng
}
