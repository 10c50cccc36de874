package mock

import (
	"net/http"
	"reflect"
	"testing"
	"testing/fstest"

	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// loadSet loads the built-in scenarios and, when given, one more file.
func loadSet(t *testing.T, file string) *scenarios.Set {
	t.Helper()
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	sources := []scenarios.Source{{Name: "builtin", FS: scenarios.Builtin()}}
	if file != "" {
		sources = append(sources, scenarios.Source{Name: "t", FS: fstest.MapFS{"extra.yaml": {Data: []byte(file)}}})
	}
	set, err := scenarios.Load(spec, sources...)
	if err != nil {
		t.Fatal(err)
	}
	return set
}

func TestARulesRepliesShareHeadersBuiltOnce(t *testing.T) {
	c := ruleHeadersOf(loadSet(t, ""))
	a, b := jsonReply(200, nil), jsonReply(400, nil)
	c.name(&a, "success")
	c.name(&b, "success")
	if reflect.ValueOf(a.Header).UnsafePointer() != reflect.ValueOf(b.Header).UnsafePointer() || !a.sharedHeader {
		t.Fatal("two replies of one rule have headers of their own")
	}
	if len(a.Header) != 2 || a.Header.Get("Content-Type") != "application/json" || a.Header.Get(RuleHeader) != "success" {
		t.Fatalf("%v", a.Header)
	}
	none := jsonReply(200, nil)
	if c.name(&none, NoRule); !none.sharedHeader || none.Header.Get(RuleHeader) != NoRule {
		t.Fatalf("the default answer's headers: shared %v, %v", none.sharedHeader, none.Header)
	}
	// A reply with headers of its own (a rendered one) keeps them, named.
	own := Reply{Header: http.Header{"Content-Type": {"text/plain"}, "X-A": {"1"}}}
	c.name(&own, "success")
	if own.Header.Get(RuleHeader) != "success" || own.Header.Get("X-A") != "1" || own.sharedHeader {
		t.Fatalf("%v", own.Header)
	}
	if jsonHeader.Get(RuleHeader) != "" || len(jsonHeader) != 1 {
		t.Fatalf("the shared JSON headers were written to: %v", jsonHeader)
	}
}

// A rule the set does not have (a request still on the set before a
// reload) is named on headers of the reply's own, and the set's headers
// gain no entry: they are as many as its rules.
func TestARuleOutsideTheSetIsNamedOnItsOwnHeaders(t *testing.T) {
	c := ruleHeadersOf(loadSet(t, ""))
	n := len(c.byRule)
	r := jsonReply(200, nil)
	c.name(&r, "not-in-the-set")
	if r.sharedHeader || r.Header.Get(RuleHeader) != "not-in-the-set" || r.Header.Get("Content-Type") != "application/json" {
		t.Fatalf("shared %v, %v", r.sharedHeader, r.Header)
	}
	if len(c.byRule) != n {
		t.Fatalf("%d rules' headers, %d before", len(c.byRule), n)
	}
}

// A new scenario set's rules share headers: they are built with the set.
func TestANewScenarioSetsRulesShareHeaders(t *testing.T) {
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	e, err := New(spec, loadSet(t, ""))
	if err != nil {
		t.Fatal(err)
	}
	if err := e.ReplaceScenarios(loadSet(t, "name: fresh\ndescription: A rule the set before it did not have.\nrules:\n  - name: brand-new\n    respond:\n      status: 400\n      body: {provider_code: \"049\", error_code: GOM.00000001, error_msg: x, data: null}\n")); err != nil {
		t.Fatal(err)
	}
	r := jsonReply(200, nil)
	e.ruleHeaders.Load().name(&r, "brand-new")
	if !r.sharedHeader || r.Header.Get(RuleHeader) != "brand-new" {
		t.Fatalf("shared %v, %v", r.sharedHeader, r.Header)
	}
}
