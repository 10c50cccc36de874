package openapi

import (
	"encoding/json"
	"fmt"
	"reflect"
	"testing"
)

var decodeSamples = []string{
	`{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"commitSolution1","parameter":{"mtm_type":"inc_type_p_config_issues","is_service_interrupt":true,"cause":"pool","solution":"rollback","start_time":1712345678000,"fault_recovery_time":"1712349278000"}}`,
	` { "a" : [ 1 , -0.5e+3 , 0 , true , false , null , { } , [ ] ] } `,
	`"plain é 😀"`, `-0`, `1E400`, `01`, `1.`, `.5`, `-`, `1e`, `{"a":1,"a":2}`, `{"a":"\u00e9\ud83d\ude00"}`,
	"{\"a\":\"\xff\"}", "{\"a\":\"tab\tinside\"}", `{"a":1}x`, `{"a":1,}`, `[1,]`, `{,}`, `{"a"}`, `nul`, `truex`, ``, ` `,
	`{"a":[[[[[[[[[[1]]]]]]]]]]}`, `123456789012345678901234567890`, `9007199254740993`, `{"\"":1}`,
}

// handleWords is HandleCocIncident's vocabulary: its keys and enum values
// decode to shared strings.
var handleWords = func() *vocabulary {
	spec, err := Load("embedded", embedded)
	if err != nil {
		panic(err)
	}
	op, _ := spec.Operation("HandleCocIncident")
	return op.words
}()

func TestDecodeBodyIsJSONUnmarshal(t *testing.T) {
	for _, s := range decodeSamples {
		checkDecode(t, []byte(s))
	}
}

func TestDecodeBodyTakesCommonBodiesInOnePass(t *testing.T) {
	for _, s := range decodeSamples[:3] {
		d := decoder{data: []byte(s)}
		if _, ok := d.value(0); !ok {
			t.Errorf("%s went to json.Unmarshal", s)
		}
	}
}

func TestDecodeBodyTakesTheContractsWordsWithoutAllocating(t *testing.T) {
	for _, w := range []string{"incident_num", "operate_key", "commitSolution1", "virtual_confirm_comment", "level_10"} {
		if _, ok := handleWords.words[w]; !ok {
			t.Errorf("%s is not in the vocabulary", w)
		}
	}
	body := []byte(`{"incident_num":"IM1","operator":"op","operate_key":"commitSolution1","parameter":{"mtm_type":"t","is_service_interrupt":"true","cause":"c","solution":"s"}}`)
	n := testing.AllocsPerRun(100, func() { _, _ = decodeBody(body, handleWords) })
	// Two maps and their groups, and the five values the contract does
	// not name; none for the nine keys, "true" and "commitSolution1".
	if n > 11 {
		t.Fatalf("%.0f allocations a decode", n)
	}
}

// FuzzDecodeBody compares decodeBody with json.Unmarshal on any input.
//
//	go test -run '^$' -fuzz FuzzDecodeBody ./openapi/
func FuzzDecodeBody(f *testing.F) {
	for _, s := range decodeSamples {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) { checkDecode(t, b) })
}

func checkDecode(t *testing.T, b []byte) {
	t.Helper()
	var want any
	wantErr := json.Unmarshal(b, &want)
	got, err := decodeBody(b, handleWords)
	if (err == nil) != (wantErr == nil) || (err != nil && err.Error() != wantErr.Error()) {
		t.Fatalf("%q: error %v, json.Unmarshal %v", b, err, wantErr)
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%q: %#v, json.Unmarshal %#v", b, got, want)
	}
}

func TestMediaTypeLookupsAreCachedWithinABound(t *testing.T) {
	spec := loadForTest(t, "embedded", embedded)
	op, _ := spec.Operation("HandleCocIncident")
	for i := range 200 {
		ct := fmt.Sprintf("application/json; charset=utf-8; x=%d", i)
		if op.mediaType(ct) == nil || op.mediaType(ct) != op.op.RequestBody.Value.Content.Get(ct) {
			t.Fatalf("%s: not the media type kin-openapi picks", ct)
		}
	}
	if op.mediaType("text/plain") != nil {
		t.Fatal("text/plain picked a media type")
	}
	first := "application/json; charset=utf-8; x=0"
	if n := len(op.mediaTypes.seen); n != maxMediaTypes || op.mediaTypes.seen[first] == nil {
		t.Fatalf("%d Content-Type values cached (want %d, the first among them)", n, maxMediaTypes)
	}
}
