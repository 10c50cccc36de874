package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cocmock/cocmock/coverage"
)

// sessionList is a repeatable --session.
type sessionList []string

func (s *sessionList) String() string { return strings.Join(*s, ",") }
func (s *sessionList) Set(v string) error {
	*s = append(*s, strings.Split(v, ",")...)
	return nil
}

// coverageCmd reports a running server's coverage, or the catalogue, and
// gates on it: exit 0 when the gate holds, 1 when it does not (naming
// what is missing), 2 on a usage error or a server it cannot read.
func coverageCmd(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("coverage")
	addr := fs.String("addr", "127.0.0.1:8080", "address the server listens on (host:port)")
	var sessions sessionList
	fs.Var(&sessions, "session", "session to report (repeat, or a comma list, to merge; * for every session); default the default session")
	format := fs.String("format", "text", "output format: text, json or junit (JUnit XML, one test case an item)")
	require := fs.String("require", "", "comma-separated item ids the run must have met (exit 1 naming those it did not)")
	minPct := fs.Float64("min", 0, "the least percent of the catalogue the run must have met (exit 1 below it)")
	catalogueOnly := fs.Bool("catalogue", false, "print the catalogue (every item, with how to meet it) instead of a server's coverage; needs no server")
	specPath := fs.String("spec", "", "with --catalogue: the OpenAPI document to derive it from instead of the embedded one")
	token := fs.String("admin-token", "", "the server's --admin-token, if it has one")
	timeout := fs.Duration("timeout", 5*time.Second, "give up when the server takes longer")
	if _, _, err := parseFlags(fs, args, getenv, false, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if !slices.Contains([]string{"text", "json", "junit"}, *format) {
		return usageError("--format %q: want text, json or junit", *format)
	}
	if *minPct < 0 || *minPct > 100 {
		return usageError("--min %v: want a percent from 0 to 100", *minPct)
	}
	var required []string
	for _, id := range strings.Split(*require, ",") {
		if id = strings.TrimSpace(id); id != "" {
			required = append(required, id)
		}
	}

	var report coverage.Report
	if *catalogueOnly {
		spec, err := loadSpec(*specPath)
		if err != nil {
			return &exitError{code: 2, err: err}
		}
		report = coverage.New(spec).Report(nil, nil)
	} else {
		target, err := probeAddr(*addr)
		if err != nil {
			return usageError("--addr %q: %v", *addr, err)
		}
		if report, err = fetchCoverage(ctx, "http://"+target, sessions, *token, *timeout); err != nil {
			return &exitError{code: 2, err: err}
		}
	}
	for _, id := range required {
		if !report.Known(id) {
			return usageError("--require %s: no such item (cocmock coverage --catalogue lists them)", id)
		}
	}

	var err error
	switch *format {
	case "json":
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		err = enc.Encode(report)
	case "junit":
		err = report.WriteJUnit(stdout, required)
	default:
		if *catalogueOnly {
			for _, it := range report.Items {
				fmt.Fprintf(stdout, "%s\t%s\n", it.ID, it.How)
			}
		} else {
			err = report.WriteText(stdout)
		}
	}
	if err != nil || *catalogueOnly {
		return err
	}
	return gate(report, required, *minPct, stderr)
}

// gate checks the report against --require and --min, naming on stderr
// what the run never met and how to meet it.
func gate(report coverage.Report, required []string, minPct float64, stderr io.Writer) error {
	missing := report.Missing(required)
	for _, id := range missing {
		fmt.Fprintf(stderr, "not met: %s (%s)\n", id, report.How(id))
	}
	var failed []string
	if len(missing) > 0 {
		failed = append(failed, fmt.Sprintf("%d required item(s) not met", len(missing)))
	}
	if report.Percent < minPct {
		failed = append(failed, fmt.Sprintf("%.1f%% of the catalogue met, under --min %v%%", report.Percent, minPct))
	}
	if len(failed) > 0 {
		return errors.New("coverage gate: " + strings.Join(failed, "; "))
	}
	return nil
}

// fetchCoverage reads /__admin/coverage for the sessions.
func fetchCoverage(ctx context.Context, base string, sessions []string, token string, timeout time.Duration) (coverage.Report, error) {
	q := url.Values{}
	for _, s := range sessions {
		q.Add("session", s)
	}
	if len(sessions) == 0 {
		q.Add("session", "")
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/__admin/coverage?"+q.Encode(), nil)
	if err != nil {
		return coverage.Report{}, err
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	client := &http.Client{Timeout: timeout, Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	resp, err := client.Do(req)
	if err != nil {
		return coverage.Report{}, fmt.Errorf("reading the coverage: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 16<<20))
	if err != nil {
		return coverage.Report{}, fmt.Errorf("reading the coverage: %w", err)
	}
	if resp.StatusCode != http.StatusOK {
		return coverage.Report{}, fmt.Errorf("%s/__admin/coverage: HTTP %d %s", base, resp.StatusCode, oneLine(body, 200))
	}
	var r coverage.Report
	if err := json.Unmarshal(body, &r); err != nil {
		return coverage.Report{}, fmt.Errorf("the coverage reply: %w", err)
	}
	return r, nil
}
