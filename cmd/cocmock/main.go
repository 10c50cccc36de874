// Command cocmock serves a sandbox of Huawei Cloud COC's HandleCocIncident
// API. Run `cocmock help` for the subcommands and flags.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/cocmock/cocmock/internal/nearest"
)

func main() {
	// A closed stdout or stderr (the log shipper reading them exited) must
	// not kill the server: the write fails instead, and the log writer
	// counts the lines it drops (cocmock_log_lines_dropped_total).
	signal.Ignore(syscall.SIGPIPE)
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Getenv, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "cocmock:", err)
		os.Exit(exitCode(err))
	}
}

// exitError carries a process exit code other than 1.
type exitError struct {
	code int
	err  error
}

func (e *exitError) Error() string { return e.err.Error() }
func (e *exitError) Unwrap() error { return e.err }

// usageError marks errors in how cocmock was called (exit 2).
func usageError(format string, args ...any) error {
	return &exitError{code: 2, err: fmt.Errorf(format, args...)}
}

func exitCode(err error) int {
	var ee *exitError
	if errors.As(err, &ee) {
		return ee.code
	}
	return 1
}

// run is the whole program; main only hands it the process's environment.
func run(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cmd, rest := "serve", args
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, rest = args[0], args[1:]
	}
	if len(args) > 0 {
		switch args[0] {
		case "-h", "--help", "-help":
			cmd = "help"
		case "--version", "-version", "-v":
			cmd = "version"
		}
	}
	switch cmd {
	case "serve":
		return serve(ctx, rest, getenv, stdout, stderr)
	case "validate":
		return validate(ctx, rest, getenv, stdout, stderr)
	case "scenarios":
		return listScenarios(ctx, rest, getenv, stdout, stderr)
	case "health":
		return health(ctx, rest, getenv, stdout, stderr)
	case "coverage":
		return coverageCmd(ctx, rest, getenv, stdout, stderr)
	case "version":
		fmt.Fprintln(stdout, "cocmock", version())
		return nil
	case "help":
		fmt.Fprint(stdout, usage)
		var cfg serveConfig
		fmt.Fprintln(stdout)
		printHelp(stdout, serveFlags(&cfg))
		return nil
	default:
		if near := nearest.Word(cmd, commands); near != "" {
			return usageError("unknown command %q; did you mean %q? (cocmock help lists them)", cmd, near)
		}
		return usageError("unknown command %q; run 'cocmock help'", cmd)
	}
}

var commands = []string{"serve", "validate", "scenarios", "health", "coverage", "version", "help"}

const usage = `cocmock — a sandbox of Huawei Cloud COC's incident API (v1: handle, create,
detail, the history lists; v2: list, tasks, actions, histories)

Usage:
  cocmock [serve] [flags]            serve the sandbox (the default command)
      e.g. cocmock --scenario lifecycle --seed 7
  cocmock validate [flags] [PATH…]   lint the spec and scenario files or folders
                                     (exit 0 clean, 1 findings, 2 usage or I/O error)
      e.g. cocmock validate my-scenarios/
  cocmock scenarios [flags]          list the scenarios, one line each
      e.g. cocmock scenarios --scenarios my-scenarios/
  cocmock health [flags]             probe a running server's /__admin/health (exit 0
                                     healthy, 1 not, 2 usage); the container healthcheck
      e.g. cocmock health --addr 127.0.0.1:8080
  cocmock coverage [flags]           what a client's test run met of the catalogue (text, json,
                                     junit), with a gate: exit 1 when --require or --min fails
      e.g. cocmock coverage --session ci-42 --format junit --require fault/reset > coverage.xml
  cocmock version                    print the version (also --version)
  cocmock help                       this text

Run 'cocmock <command> -h' for a command's flags; serve's follow. Every flag has an
environment twin COCMOCK_<FLAG> (upper case, '-' as '_'); a flag on the command line
wins. Sizes take units (48MiB, 1GiB), durations too (500ms, 5m).
Documentation: docs/README.md in the repository.
`
