package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"runtime/debug"
	"strings"

	"github.com/cocmock/cocmock/mock/httpd"
)

// envName is a flag's environment twin: --max-body → COCMOCK_MAX_BODY.
func envName(flagName string) string {
	return "COCMOCK_" + strings.ToUpper(strings.ReplaceAll(flagName, "-", "_"))
}

// origins says where each flag's value came from, so that an error names
// what the user typed: the flag, or its environment twin.
type origins map[string]bool // flag name → from the environment

// name is "--flag" or "COCMOCK_FLAG", as the value was given.
func (o origins) name(flag string) string {
	if o[flag] {
		return envName(flag)
	}
	return "--" + flag
}

// parseFlags parses args, then fills every flag not given on the command
// line from its environment twin. Precedence: flags > env > defaults.
// Arguments that are not flags are an error unless positional is set; they
// are returned.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, positional bool) (origins, []string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil, nil, err
		}
		return nil, nil, usageError("%v", err)
	}
	if fs.NArg() > 0 && !positional {
		return nil, nil, usageError("unexpected argument %q (flags start with --)", fs.Arg(0))
	}
	given := map[string]bool{}
	fs.Visit(func(f *flag.Flag) { given[f.Name] = true })
	from := origins{}
	var err error
	fs.VisitAll(func(f *flag.Flag) {
		if given[f.Name] || err != nil {
			return
		}
		if v := getenv(envName(f.Name)); v != "" {
			from[f.Name] = true
			if setErr := fs.Set(f.Name, v); setErr != nil {
				err = usageError("%s=%q: %v", envName(f.Name), v, setErr)
			}
		}
	})
	return from, fs.Args(), err
}

// newFlagSet makes a flag set whose -h output names each env twin.
func newFlagSet(name string, stderr io.Writer) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(stderr)
	fs.Usage = func() {
		fmt.Fprintf(stderr, "Usage of cocmock %s:\n", name)
		fs.VisitAll(func(f *flag.Flag) {
			fmt.Fprintf(stderr, "  --%s (env %s, default %q)\n      %s\n", f.Name, envName(f.Name), f.DefValue, f.Usage)
		})
	}
	return fs
}

// byteSize is a flag value such as 1048576, 512KiB or 1MiB.
type byteSize int64

func (b *byteSize) String() string { return fmt.Sprint(int64(*b)) }

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"KB", 1000}, {"MB", 1000 * 1000}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != s {
		return fmt.Errorf("want a positive size such as 1048576, 512KiB or 1MiB")
	}
	*b = byteSize(n * mult)
	return nil
}

// newLogger builds the process logger from --log-format and --log-level,
// and the access log that writes in its format to the same writer.
func newLogger(w io.Writer, format, level string) (*slog.Logger, *httpd.AccessLog, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, nil, usageError("--log-level %q: want debug, info, warn or error", level)
	}
	if format != "text" && format != "json" {
		return nil, nil, usageError("--log-format %q: want text or json", format)
	}
	// The other lines of the request path (a refusal, a failed signature)
	// go through the access line's formatter too when they can.
	log, access := httpd.NewLogs(w, format == "json", lvl)
	return log, access, nil
}

// version is the module version the binary was built from.
func version() string {
	if info, ok := debug.ReadBuildInfo(); ok && info.Main.Version != "" && info.Main.Version != "(devel)" {
		return info.Main.Version
	}
	return "devel"
}
