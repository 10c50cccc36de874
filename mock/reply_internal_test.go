package mock

import (
	"net/http"
	"reflect"
	"strconv"
	"testing"
)

func TestARulesRepliesShareHeadersBuiltOnce(t *testing.T) {
	var c ruleHeaders
	a, b := jsonReply(200, nil), jsonReply(400, nil)
	c.name(&a, "success")
	c.name(&b, "success")
	if reflect.ValueOf(a.Header).UnsafePointer() != reflect.ValueOf(b.Header).UnsafePointer() || !a.sharedHeader {
		t.Fatal("two replies of one rule have headers of their own")
	}
	if len(a.Header) != 2 || a.Header.Get("Content-Type") != "application/json" || a.Header.Get(RuleHeader) != "success" {
		t.Fatalf("%v", a.Header)
	}
	// A reply with headers of its own (a rendered one) keeps them, named.
	own := Reply{Header: http.Header{"Content-Type": {"text/plain"}, "X-A": {"1"}}}
	c.name(&own, "templated")
	if own.Header.Get(RuleHeader) != "templated" || own.Header.Get("X-A") != "1" || own.sharedHeader {
		t.Fatalf("%v", own.Header)
	}
	if jsonHeader.Get(RuleHeader) != "" || len(jsonHeader) != 1 {
		t.Fatalf("the shared JSON headers were written to: %v", jsonHeader)
	}
}

// Reloaded scenarios may bring rule names without end: past
// maxRuleHeaders, each reply gets its own copy, named all the same.
func TestRuleHeadersKeepABoundedNumberOfRules(t *testing.T) {
	var c ruleHeaders
	for i := range maxRuleHeaders + 50 {
		r := jsonReply(200, nil)
		name := "rule-" + strconv.Itoa(i)
		c.name(&r, name)
		if r.Header.Get(RuleHeader) != name || r.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("%s: %v", name, r.Header)
		}
		if shared := i < maxRuleHeaders; r.sharedHeader != shared {
			t.Fatalf("%s: shared %v, want %v", name, r.sharedHeader, shared)
		}
	}
	if len(c.byRule) != maxRuleHeaders {
		t.Fatalf("%d rules kept", len(c.byRule))
	}
}

// A new scenario set's rules share headers again, however many rules the
// sets before it named.
func TestANewScenarioSetsRulesShareHeadersAgain(t *testing.T) {
	var c ruleHeaders
	for i := range maxRuleHeaders {
		r := jsonReply(200, nil)
		c.name(&r, "old-"+strconv.Itoa(i))
	}
	c.reset()
	r := jsonReply(200, nil)
	c.name(&r, "new")
	if !r.sharedHeader || len(c.byRule) != 1 || r.Header.Get(RuleHeader) != "new" {
		t.Fatalf("shared %v, %d rules kept, %v", r.sharedHeader, len(c.byRule), r.Header)
	}
}
