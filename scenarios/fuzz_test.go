package scenarios_test

import (
	"io/fs"
	"testing"

	"github.com/cocmock/cocmock/scenarios"
)

// FuzzParse feeds arbitrary bytes to the scenario loader: a bad file gives
// findings with a file name, never a panic, and a file that loads has a
// name and a reply for every rule.
func FuzzParse(f *testing.F) {
	files, _ := fs.Glob(scenarios.Builtin(), "*.yaml")
	for _, name := range files {
		data, _ := fs.ReadFile(scenarios.Builtin(), name)
		f.Add(data)
	}
	f.Add([]byte("name: x\ndescription: d\nrules:\n  - {name: a, when: {body.a: {regex: '('}}, respond: {status: 200}}\n"))
	f.Add([]byte("name: x\ndescription: d\nrules: [{name: a, random: [{weight: 1, status: 200, body: '{{ fake \"x\" }}'}]}]\n"))
	f.Add([]byte("*a\n"))
	f.Add([]byte("name: &a x\ndescription: *a\nrules: []\n"))
	s := spec(f)
	f.Fuzz(func(t *testing.T, data []byte) {
		sc, findings := scenarios.Parse("fuzz.yaml", data, s)
		if sc == nil {
			if len(findings) == 0 {
				t.Fatal("refused without a finding")
			}
			for _, fd := range findings {
				if fd.File != "fuzz.yaml" || fd.Msg == "" {
					t.Fatalf("finding without file or message: %+v", fd)
				}
			}
			return
		}
		if sc.Name == "" || sc.Description == "" {
			t.Fatal("loaded without a name or description")
		}
		for _, r := range sc.Rules {
			if len(r.Replies()) == 0 {
				t.Fatalf("rule %q loaded without a reply", r.Name)
			}
		}
	})
}
