// Package docs holds cocmock's documentation. Its test keeps the pages
// honest: every example marked runnable runs against a fresh server (the
// real binary, as its own process) and its output must match the page, and
// the command line reference lists exactly the flags `cocmock serve` has.
package docs

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// binary is the cocmock binary, built once for the whole test.
var binary string

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "cocmock-docs")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "cocmock")
	if out, err := exec.Command("go", "build", "-o", binary, "../cmd/cocmock").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building cocmock: %v\n%s", err, out)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// example is a runnable example of a page: the server's flags, and the
// commands with the output each must print.
type example struct {
	file  string
	line  int
	flags []string
	steps []step
}

type step struct {
	command string
	want    []string
}

// marker introduces a runnable example: the next ```console block runs
// against a fresh `cocmock serve` with these flags (the address is the
// test's; the page says http://127.0.0.1:8080).
var marker = regexp.MustCompile(`^<!-- doc-test: serve(.*) -->$`)

// examples reads the runnable examples of a Markdown file.
func examples(t *testing.T, file string) []example {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	var out []example
	lines := strings.Split(string(data), "\n")
	for i := 0; i < len(lines); i++ {
		m := marker.FindStringSubmatch(lines[i])
		if m == nil {
			continue
		}
		if i+1 >= len(lines) || lines[i+1] != "```console" {
			t.Fatalf("%s:%d: a doc-test marker must come right before a ```console block", file, i+1)
		}
		ex := example{file: file, line: i + 1, flags: strings.Fields(m[1])}
		for i += 2; i < len(lines) && lines[i] != "```"; i++ {
			if cmd, ok := strings.CutPrefix(lines[i], "$ "); ok {
				ex.steps = append(ex.steps, step{command: cmd})
				continue
			}
			if len(ex.steps) == 0 {
				t.Fatalf("%s:%d: output before the first $ command", file, i+1)
			}
			last := &ex.steps[len(ex.steps)-1]
			last.want = append(last.want, lines[i])
		}
		out = append(out, ex)
	}
	return out
}

// pages are the files whose examples run: the README and every page here.
func pages(t *testing.T) []string {
	t.Helper()
	files, err := filepath.Glob("*.md")
	if err != nil {
		t.Fatal(err)
	}
	return append([]string{"../README.md"}, files...)
}

func TestEveryRunnableExampleShowsWhatItPrints(t *testing.T) {
	if _, err := exec.LookPath("curl"); err != nil {
		if os.Getenv("CI") != "" {
			t.Fatal("curl is needed to run the documentation's examples")
		}
		t.Skip("no curl")
	}
	n := 0
	for _, file := range pages(t) {
		for _, ex := range examples(t, file) {
			n++
			t.Run(fmt.Sprintf("%s:%d", filepath.Base(file), ex.line), func(t *testing.T) { ex.run(t) })
		}
	}
	if n < 5 {
		t.Fatalf("only %d runnable examples found: the markers are not being read", n)
	}
}

// startLine names the addresses a server listens on: HTTP, and HTTPS when
// it serves it.
var startLine = regexp.MustCompile(`listening on http://(127\.0\.0\.1:[0-9]+)(?: and https://(127\.0\.0\.1:[0-9]+))?`)

func (ex example) run(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	// The page's 8443 is the test's HTTPS port, picked like the HTTP one.
	flags := slices.Clone(ex.flags)
	for i, f := range flags {
		if f == "127.0.0.1:8443" {
			flags[i] = "127.0.0.1:0"
		}
	}
	srv := exec.CommandContext(ctx, binary, append([]string{"serve", "--addr", "127.0.0.1:0"}, flags...)...)
	srv.Dir = ".." // as a user runs it: from the repository's root
	stdout, err := srv.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Process.Kill(); _ = srv.Wait() }()
	addr := make(chan []string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if m := startLine.FindStringSubmatch(sc.Text()); m != nil {
				addr <- m
			}
		}
		close(addr)
	}()
	var at, tlsAt string
	select {
	case m := <-addr:
		if m != nil {
			at, tlsAt = m[1], m[2]
		}
	case <-time.After(10 * time.Second):
	}
	if at == "" {
		t.Fatalf("the server did not start (%v)", srv.Process)
	}

	// One shell runs every command, so variables carry from one to the
	// next; a marker line between them splits the output.
	const split = "@@doc-test-step@@"
	var script strings.Builder
	for _, s := range ex.steps {
		cmd := strings.ReplaceAll(s.command, "127.0.0.1:8080", at)
		if tlsAt != "" {
			cmd = strings.ReplaceAll(cmd, "localhost:8443", "localhost:"+strings.TrimPrefix(tlsAt, "127.0.0.1:"))
		}
		fmt.Fprintf(&script, "echo %s\n%s\n", split, cmd)
	}
	sh := exec.CommandContext(ctx, "bash", "-c", script.String())
	sh.Dir = ".."
	// `cocmock` in an example is the binary under test. A command's exit
	// status is not checked: some examples show an error; what counts is
	// what it prints.
	sh.Env = append(os.Environ(), "PATH="+filepath.Dir(binary)+string(os.PathListSeparator)+os.Getenv("PATH"))
	out, err := sh.CombinedOutput()
	if ctx.Err() != nil {
		t.Fatalf("the example did not finish: %v\n%s", err, out)
	}
	// HTTP headers end in CRLF; a page cannot show the CR.
	text := strings.ReplaceAll(strings.ReplaceAll(string(out), "\r\n", "\n"), at, "127.0.0.1:8080")
	got := strings.Split(text, split+"\n")[1:]
	for i, s := range ex.steps {
		lines := strings.Split(strings.TrimSuffix(got[i], "\n"), "\n")
		if got[i] == "" {
			lines = nil
		}
		if !matches(s.want, lines) {
			t.Errorf("$ %s\nprinted:\n%s\nthe page shows:\n%s", s.command, strings.Join(lines, "\n"), strings.Join(s.want, "\n"))
		}
	}
}

// matches compares printed lines with a page's: equal, but that "…" in the
// page stands for any text within its line.
func matches(want, got []string) bool {
	if len(want) != len(got) {
		return false
	}
	for i, w := range want {
		parts := strings.Split(w, "…")
		for j := range parts {
			parts[j] = regexp.QuoteMeta(parts[j])
		}
		if !regexp.MustCompile("^" + strings.Join(parts, ".*") + "$").MatchString(got[i]) {
			return false
		}
	}
	return true
}

func TestMatchesTakesAnEllipsisForAnyText(t *testing.T) {
	for _, tc := range []struct {
		want, got string
		ok        bool
	}{
		{`{"id":"…"}`, `{"id":"abc"}`, true},
		{`{"id":"…"}`, `{"id":"abc"} trailing`, false},
		{`a.b`, `axb`, false}, // the page's text is literal
		{`IM…`, `IM2026`, true},
	} {
		if got := matches([]string{tc.want}, []string{tc.got}); got != tc.ok {
			t.Errorf("%q against %q: %v", tc.want, tc.got, got)
		}
	}
	if matches([]string{"a"}, []string{"a", "b"}) {
		t.Error("a line more matched")
	}
}

// flagName is a flag as `serve --help` or the reference names it.
var flagName = regexp.MustCompile("`?--([a-z][a-z0-9-]*)")

func TestTheCommandLineReferenceListsEveryServeFlag(t *testing.T) {
	help, err := exec.Command(binary, "serve", "--help").Output() // help goes to stdout
	if err != nil {
		t.Fatalf("serve --help: %v", err)
	}
	var served []string
	for _, line := range strings.Split(string(help), "\n") {
		if m := flagName.FindStringSubmatch(strings.TrimSpace(line)); m != nil && strings.HasPrefix(strings.TrimSpace(line), "--") {
			served = append(served, m[1])
		}
	}
	ref, err := os.ReadFile("cli.md")
	if err != nil {
		t.Fatal(err)
	}
	// The serve table's rows: | `--flag`[, `--other`] | env | default | meaning |
	var documented []string
	_, table, _ := strings.Cut(string(ref), "<!-- serve flags -->")
	table, _, _ = strings.Cut(table, "<!-- end serve flags -->")
	for _, line := range strings.Split(table, "\n") {
		cells := strings.Split(line, "|")
		if len(cells) < 3 {
			continue
		}
		for _, m := range flagName.FindAllStringSubmatch(cells[1], -1) {
			documented = append(documented, m[1])
		}
	}
	if len(served) < 10 || len(documented) < 10 {
		t.Fatalf("read %d flags from --help and %d from cli.md: the formats changed", len(served), len(documented))
	}
	slices.Sort(served)
	slices.Sort(documented)
	for _, f := range served {
		if !slices.Contains(documented, f) {
			t.Errorf("--%s is a serve flag missing from docs/cli.md", f)
		}
	}
	for _, f := range documented {
		if !slices.Contains(served, f) {
			t.Errorf("docs/cli.md lists --%s, which serve does not have", f)
		}
	}
	if !bytes.Contains(help, []byte("--addr")) {
		t.Error("serve --help does not name --addr")
	}
}

// The Go test docs/go-tests.md shows is one that runs: the page's code is
// mock/mocktest/docs_example_test.go's, but for the package line and the
// file's opening comment.
func TestTheGoTestsPageShowsATestThatRuns(t *testing.T) {
	page, err := os.ReadFile("go-tests.md")
	if err != nil {
		t.Fatal(err)
	}
	_, rest, _ := strings.Cut(string(page), "## A test")
	_, rest, _ = strings.Cut(rest, "```go\n")
	shown, _, _ := strings.Cut(rest, "```")
	file, err := os.ReadFile("../mock/mocktest/docs_example_test.go")
	if err != nil {
		t.Fatal(err)
	}
	_, body, _ := strings.Cut(string(file), "package mocktest_test\n")
	_, shownBody, _ := strings.Cut(shown, "package myclient_test\n")
	if body == "" || body != shownBody {
		t.Fatalf("docs/go-tests.md's test and mock/mocktest/docs_example_test.go differ:\n--- page\n%s\n--- file\n%s", shownBody, body)
	}
}
