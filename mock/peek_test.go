package mock

import (
	"encoding/json"
	"testing"
)

// A refused body is filed under its keys as an accepted body is read:
// exactly as spelt (a key given twice: the last, as encoding/json decodes
// it), whether the contract check decoded the body or not.
func TestPeekKeysReadsTheKeysAsAnAcceptedBodysAre(t *testing.T) {
	for _, tc := range []struct{ body, num, key string }{
		{`{"incident_num":"IM1","operate_key":"acceptIncident1"}`, "IM1", "acceptIncident1"},
		{`{"incident_num":"IM1","incident_num":"IM2","operate_key":7}`, "IM2", ""},
		{`{"Incident_Num":"IM-CASE","operate_key":"k"}`, "", "k"},
		{`{"incident_num":"IM1","INCIDENT_NUM":"IM2"}`, "IM1", ""},
		{`{"operate_\u212aey":"kelvin","operate_key":"k"}`, "", "k"},
		{`{"incident_num":null,"operate_key":["k"]}`, "", ""},
		{`{"other":"x"}`, "", ""},
		{`{}`, "", ""},
	} {
		var decoded any
		if err := json.Unmarshal([]byte(tc.body), &decoded); err != nil {
			t.Fatal(err)
		}
		for name, d := range map[string]any{"the decoded body": decoded, "the bytes": nil} {
			if num, key := peekKeys([]byte(tc.body), d); num != tc.num || key != tc.key {
				t.Errorf("%s, from %s: %q %q, want %q %q", tc.body, name, num, key, tc.num, tc.key)
			}
		}
	}
	// A body that is not an object, or not JSON, names nothing.
	for _, body := range []string{`[1]`, `"IM1"`, `{"incident_num":`} {
		if n, k := peekKeys([]byte(body), nil); n != "" || k != "" {
			t.Errorf("%s: %q %q", body, n, k)
		}
	}
}
