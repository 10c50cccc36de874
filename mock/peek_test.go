package mock

import "testing"

// A body's keys are read exactly as spelt (a key given twice: the last, as
// encoding/json decodes it): a refused body is filed under them as an
// accepted body's are read.
func TestABodysKeysAreReadExactlyAsSpelt(t *testing.T) {
	for _, tc := range []struct{ body, num, key string }{
		{`{"incident_num":"IM1","operate_key":"acceptIncident1"}`, "IM1", "acceptIncident1"},
		{`{"incident_num":"IM1","incident_num":"IM2","operate_key":7}`, "IM2", ""},
		{`{"Incident_Num":"IM-CASE","operate_key":"k"}`, "", "k"},
		{`{"incident_num":"IM1","INCIDENT_NUM":"IM2"}`, "IM1", ""},
		{`{"operate_\u212aey":"kelvin","operate_key":"k"}`, "", "k"},
		{`{"incident_num":null,"operate_key":["k"]}`, "", ""},
		{`{"other":"x"}`, "", ""},
		{`{}`, "", ""},
		// A body that is not an object, or not JSON, names nothing.
		{`[1]`, "", ""},
		{`"IM1"`, "", ""},
		{`{"incident_num":`, "", ""},
	} {
		d := decodeJSON([]byte(tc.body))
		if num, key := bodyString(d, "incident_num"), bodyString(d, "operate_key"); num != tc.num || key != tc.key {
			t.Errorf("%s: %q %q, want %q %q", tc.body, num, key, tc.num, tc.key)
		}
	}
}
