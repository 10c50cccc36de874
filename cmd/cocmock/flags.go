package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"regexp"
	"runtime/debug"
	"strings"
	"time"

	"github.com/cocmock/cocmock/internal/nearest"
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
// are returned. -h and --help print the command's help on stdout and return
// flag.ErrHelp; a mistake says what the flag or value must be, in one line.
func parseFlags(fs *flag.FlagSet, args []string, getenv func(string) string, positional bool, stdout io.Writer) (origins, []string, error) {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			printHelp(stdout, fs)
			return nil, nil, err
		}
		return nil, nil, usageError("%s", explainFlagError(fs, err))
	}
	if fs.NArg() > 0 && !positional {
		return nil, nil, usageError("unexpected argument %q (flags start with --; cocmock %s -h lists them)", fs.Arg(0), fs.Name())
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
				err = usageError("%s=%q: %s", envName(f.Name), v, wants(f))
			}
		}
	})
	return from, fs.Args(), err
}

// The flag package's errors, to be reworded.
var (
	undefinedFlag = regexp.MustCompile(`^flag provided but not defined: -+(.*)$`)
	invalidValue  = regexp.MustCompile(`^invalid (?:boolean )?value "(.*)" for flag -+([^:]*): `)
)

// explainFlagError rewords a parse error: an unknown flag names the
// nearest known one, a bad value says what a value must look like.
func explainFlagError(fs *flag.FlagSet, err error) string {
	msg := err.Error()
	if m := undefinedFlag.FindStringSubmatch(msg); m != nil {
		var names []string
		fs.VisitAll(func(f *flag.Flag) { names = append(names, f.Name) })
		if near := nearest.Word(m[1], names); near != "" {
			return fmt.Sprintf("unknown flag --%s; did you mean --%s? (cocmock %s -h lists the flags)", m[1], near, fs.Name())
		}
		return fmt.Sprintf("unknown flag --%s (cocmock %s -h lists the flags)", m[1], fs.Name())
	}
	if m := invalidValue.FindStringSubmatch(msg); m != nil {
		if f := fs.Lookup(m[2]); f != nil {
			return fmt.Sprintf("--%s %q: %s", f.Name, m[1], wants(f))
		}
	}
	return msg
}

// wants says what a flag's value must look like, by its type.
func wants(f *flag.Flag) string {
	switch v := f.Value.(type) {
	case *byteSize:
		return "want a size such as 1048576, 512KiB, 48MiB or 1GiB"
	case flag.Getter:
		switch v.Get().(type) {
		case int, int64:
			return "want a whole number such as 7"
		case time.Duration:
			return "want a duration such as 500ms, 30s or 5m"
		case bool:
			return "want true or false"
		}
	}
	return "not a valid value"
}

// newFlagSet makes a command's flag set. It prints nothing itself:
// parseFlags prints the help on stdout, and errors are returned.
func newFlagSet(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// flagGroups orders a command's flags in its help, by what they are for;
// a flag in no group is listed last, under "Other".
var flagGroups = []struct {
	title string
	flags []string
}{
	{"Listening", []string{"addr", "tls-addr", "tls-cert", "tls-key", "tls-host", "read-timeout", "max-conns", "shutdown-grace", "timeout"}},
	{"Contract and scenarios", []string{"spec", "scenarios", "scenario", "validation", "seed", "watch", "watch-poll", "format", "strict"}},
	{"Gateway", []string{"auth", "ak", "sk", "credentials", "token", "auth-lock-after", "auth-lock-for", "rate-limit"}},
	{"Limits", []string{"max-body", "max-hang", "max-sessions", "journal-size", "journal-bytes", "state-bytes", "body-bytes", "memory-limit", "gc-percent"}},
	{"Sandbox API and logs", []string{"admin-token", "allowed-host", "pprof", "coverage", "log-format", "log-level"}},
}

// printHelp writes a command's flags, grouped, each with its environment
// twin and default.
func printHelp(w io.Writer, fs *flag.FlagSet) {
	fmt.Fprintf(w, "Usage: cocmock %s [flags]\n\nEvery flag has an environment twin COCMOCK_<FLAG>; a flag on the command line wins.\n", fs.Name())
	listed := map[string]bool{}
	group := func(title string, names []string) {
		var fl []*flag.Flag
		for _, n := range names {
			if f := fs.Lookup(n); f != nil && !listed[n] {
				fl = append(fl, f)
				listed[n] = true
			}
		}
		if len(fl) == 0 {
			return
		}
		fmt.Fprintf(w, "\n%s:\n", title)
		for _, f := range fl {
			def := f.DefValue
			if def == "" {
				def = "none"
			}
			fmt.Fprintf(w, "  --%s (env %s, default %s)\n      %s\n", f.Name, envName(f.Name), def, f.Usage)
		}
	}
	for _, g := range flagGroups {
		group(g.title, g.flags)
	}
	var rest []string
	fs.VisitAll(func(f *flag.Flag) { rest = append(rest, f.Name) })
	group("Other", rest)
}

// byteSize is a flag value such as 1048576, 512KiB or 1MiB.
type byteSize int64

// String writes a size in the largest binary unit that divides it.
func (b *byteSize) String() string {
	n := int64(*b)
	for _, u := range []struct {
		suffix string
		size   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if n >= u.size && n%u.size == 0 {
			return fmt.Sprintf("%d%s", n/u.size, u.suffix)
		}
	}
	return fmt.Sprint(n)
}

func (b *byteSize) Set(s string) error {
	units := []struct {
		suffix string
		mult   int64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}, {"GB", 1000 * 1000 * 1000}, {"KB", 1000}, {"MB", 1000 * 1000}, {"B", 1}}
	mult := int64(1)
	for _, u := range units {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSuffix(s, u.suffix), u.mult
			break
		}
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || n <= 0 || fmt.Sprint(n) != s || n > (1<<62)/mult {
		return fmt.Errorf("want a positive size such as 1048576, 512KiB, 48MiB or 1GiB")
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
