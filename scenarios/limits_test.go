package scenarios_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cocmock/cocmock/scenarios"
)

// loadDir loads a folder as the server does, failing the test if it takes
// longer than a few seconds (a FIFO used to hang it).
func loadDir(t *testing.T, dir string) error {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		_, err := scenarios.Load(spec(t), scenarios.Source{Name: "dir", FS: scenarios.Dir(dir)})
		done <- err
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("loading the folder hung")
		return nil
	}
}

func TestNestedAliasesAreRefusedWithFileAndLine(t *testing.T) {
	// Nine levels of ten aliases each: a billion nodes from under 1 KB.
	var b strings.Builder
	b.WriteString("name: bomb\ndescription: nested aliases\nrules: []\nx0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n")
	for i := 1; i <= 9; i++ {
		prev := "*a" + string(rune('0'+i-1))
		b.WriteString("x" + string(rune('0'+i)) + ": &a" + string(rune('0'+i)) + " [" + strings.Repeat(prev+", ", 9) + prev + "]\n")
	}
	start := time.Now()
	sc, findings := scenarios.Parse("bomb.yaml", []byte(b.String()), spec(t))
	if sc != nil || len(findings) != 1 || findings[0].Line == 0 || !strings.Contains(findings[0].Msg, "expands to more than") {
		t.Fatalf("%v", findings)
	}
	if time.Since(start) > 2*time.Second {
		t.Fatalf("refusing took %v", time.Since(start))
	}
}

func TestOnlyRegularFilesOfBoundedSizeAreRead(t *testing.T) {
	dir := t.TempDir()
	good := "name: good\ndescription: a file that a symlink points to\nrules: []\n"
	if err := os.WriteFile(filepath.Join(dir, "real.yml"), []byte(good), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "real.yml"), filepath.Join(dir, "link.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := loadDir(t, dir); err == nil || !strings.Contains(err.Error(), `scenario "good" is also defined`) {
		t.Fatalf("a symlink to a regular file must be read like one: %v", err)
	}
	os.Remove(filepath.Join(dir, "link.yaml"))
	if err := syscall.Mkfifo(filepath.Join(dir, "fifo.yaml"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("/dev/zero", filepath.Join(dir, "zero.yaml")); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "huge.yaml"), make([]byte, scenarios.MaxFileSize+1), 0o644); err != nil {
		t.Fatal(err)
	}
	err := loadDir(t, dir)
	for _, want := range []string{"fifo.yaml: not a regular file", "zero.yaml: not a regular file", "huge.yaml: 1048577 bytes"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("findings lack %q: %v", want, err)
		}
	}
}

// A delay is bounded like a hang: a file asking for more than MaxDelay is a
// finding (validate used to pass delay: 8760h).
func TestADelayOverTheBoundIsAFinding(t *testing.T) {
	for delay, ok := range map[string]bool{"1h": true, "61m": false, "8760h": false, "1s..1h": true, "1s..2h": false} {
		y := "name: x\ndescription: d\nrules:\n  - {name: a, respond: {status: 200, gom: {code: GOM.00000000}, delay: " + delay + "}}\n"
		sc, findings := scenarios.Parse("x.yaml", []byte(y), spec(t))
		if (sc != nil) != ok {
			t.Errorf("delay %s: %v", delay, findings)
		}
	}
}

// A template's loops are bounded by their shape at load: text/template
// cannot stop a loop once it runs ({{range 100000000000}}{{end}} made
// validate run for ever and a reload hang).
func TestRunawayTemplatesAreFindingsAtLoad(t *testing.T) {
	for tmpl, ok := range map[string]bool{
		`{{range 100000000000}}{{end}}`:                                                   false,
		`{{range 1000}}x{{end}}`:                                                          true,
		`{{range 1001}}x{{end}}`:                                                          false,
		`{{range 100}}{{range 100}}x{{end}}{{end}}`:                                       true,
		`{{range 100}}{{range 101}}x{{end}}{{end}}`:                                       false,
		`{{range .Body.list}}{{.}}{{end}}`:                                                true,
		`{{range .Body.list}}{{range .Body.list}}{{end}}{{end}}`:                          false,
		`{{range 10}}{{range .Body.list}}{{end}}{{end}}`:                                  false,
		`{{if .Body.x}}{{range .Body.list}}{{range 2}}{{end}}{{end}}{{end}}`:              false,
		`{{ fake "sentence:5" }}`:                                                         true,
		`{{define "b"}}{{range 1000}}{{end}}{{end}}{{range 1000}}{{template "b"}}{{end}}`: false,
		`{{define "b"}}{{range 10}}{{end}}{{end}}{{range 10}}{{template "b"}}{{end}}`:     true,
		`{{define "b"}}{{template "b"}}{{end}}{{template "b"}}`:                           false,
	} {
		y := "name: x\ndescription: d\nrules:\n  - name: a\n    respond: {status: 200, contract: false, body: {msg: '" + tmpl + "'}}\n"
		done := make(chan bool, 1)
		go func() {
			sc, _ := scenarios.Parse("x.yaml", []byte(y), spec(t))
			done <- sc != nil
		}()
		select {
		case got := <-done:
			if got != ok {
				t.Errorf("%s: loaded %v, want %v", tmpl, got, ok)
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("%s: loading did not end", tmpl)
		}
	}
}
