package mock

import (
	"encoding/json"
	"testing"
)

// The decoded object answers only when it must agree with encoding/json's
// own reading of the body, whose case-insensitive, last-match-wins rules
// it cannot see in a map.
func TestPeekKeysFromTheDecodedBodyAgreesWithReadingTheBody(t *testing.T) {
	for _, body := range []string{
		`{"incident_num":"IM1","operate_key":"acceptIncident1"}`,
		`{"incident_num":"IM1","incident_num":"IM2","operate_key":7}`,
		`{"Incident_Num":"IM-CASE","operate_key":"k"}`,
		`{"incident_num":"IM1","INCIDENT_NUM":"IM2"}`,
		`{"INCIDENT_NUM":"IM2","incident_num":"IM1"}`,
		`{"operate_\u212aey":"kelvin","operate_key":"k"}`, // the Kelvin sign folds to k
		`{"operate_key":"k","operate_\u212aey":"kelvin"}`,
		`{"incident_num":null,"operate_key":["k"]}`,
		`{"other":"x"}`,
		`{}`,
	} {
		var decoded any
		if err := json.Unmarshal([]byte(body), &decoded); err != nil {
			t.Fatal(err)
		}
		n1, k1 := peekKeys([]byte(body), decoded)
		n2, k2 := peekKeys([]byte(body), nil)
		if n1 != n2 || k1 != k2 {
			t.Errorf("%s: from the decoded body %q %q, from the bytes %q %q", body, n1, k1, n2, k2)
		}
	}
	// A body that is not an object, or not JSON, names nothing.
	for _, body := range []string{`[1]`, `"IM1"`, `{"incident_num":`} {
		if n, k := peekKeys([]byte(body), nil); n != "" || k != "" {
			t.Errorf("%s: %q %q", body, n, k)
		}
	}
}
