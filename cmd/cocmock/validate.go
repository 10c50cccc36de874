package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/scenarios"
)

// validate lints the spec and every scenario file: exit 0 when clean, 1 on
// findings, 2 on usage or I/O errors.
func validate(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("validate")
	specPath := fs.String("spec", "", "OpenAPI document to check instead of the embedded one")
	dir := fs.String("scenarios", "", "folder of scenario files, or one file, to check with the built-in ones")
	format := fs.String("format", "text", "output format: text or json")
	validation := fs.String("validation", string(mock.ValidationEnforce), "the --validation the server will run with: under report or off, a when value the contract refuses is a warning, not an error")
	strict := fs.Bool("strict", false, "warnings fail too (exit 1), as errors do")
	_, paths, err := parseFlags(fs, args, getenv, true, stdout)
	if err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	paths = append([]string{*dir}, paths...)
	if *format != "text" && *format != "json" {
		return usageError("--format %q: want text or json", *format)
	}
	mode, err := mock.ParseValidation(*validation)
	if err != nil {
		return usageError("--validation: %v", err)
	}
	opts := mode.ScenarioOptions()
	// The checks run apart so that SIGINT/SIGTERM (ctx) stop validate at
	// once, with a non-zero exit, whatever it is reading.
	type outcome struct {
		findings scenarios.Findings
		err      error
	}
	done := make(chan outcome, 1)
	go func() {
		var o outcome
		spec, err := loadSpec(*specPath)
		switch {
		case err != nil && exitCode(err) == 2:
			o.err = err
		case err != nil:
			o.findings = scenarios.Findings{{File: specName(*specPath), Msg: err.Error()}}
		default:
			set, err := loadScenarios(spec, opts, "validate", paths...)
			switch {
			case err == nil:
				o.findings = set.Warnings()
			case !errors.As(err, &o.findings):
				o.err = &exitError{code: 2, err: err}
			}
		}
		done <- o
	}()
	var o outcome
	select {
	case o = <-done:
	case <-ctx.Done():
	}
	if ctx.Err() != nil {
		return &exitError{code: 130, err: errors.New("interrupted; nothing was checked to the end")}
	}
	if o.err != nil {
		return o.err
	}
	findings := o.findings
	problems := 0
	for _, f := range findings {
		if !f.Warning || *strict {
			problems++
		}
	}
	if *format == "json" {
		out := struct {
			OK       bool                `json:"ok"`
			Findings []scenarios.Finding `json:"findings"`
		}{OK: problems == 0, Findings: append([]scenarios.Finding{}, findings...)}
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(out); err != nil {
			return err
		}
	} else {
		for _, f := range findings {
			fmt.Fprintln(stdout, f)
		}
		if problems == 0 {
			fmt.Fprintln(stdout, "ok: spec and scenarios are valid")
		}
	}
	if problems > 0 {
		if *strict {
			return &exitError{code: 1, err: fmt.Errorf("%d finding(s), warnings included (--strict)", problems)}
		}
		return &exitError{code: 1, err: fmt.Errorf("%d finding(s)", problems)}
	}
	return nil
}

func specName(path string) string {
	if path == "" {
		return "embedded"
	}
	return path
}

// listScenarios prints one line per scenario: name and description.
func listScenarios(_ context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	fs := newFlagSet("scenarios")
	specPath := fs.String("spec", "", "OpenAPI document to load the scenarios against")
	dir := fs.String("scenarios", "", "folder of scenario files, or one file, to list with the built-in ones")
	if _, _, err := parseFlags(fs, args, getenv, false, stdout); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	spec, err := loadSpec(*specPath)
	if err != nil {
		return err
	}
	set, err := loadScenarios(spec, scenarios.Options{}, "--scenarios", *dir)
	if err != nil {
		return err
	}
	for _, sc := range set.Scenarios() {
		fmt.Fprintf(stdout, "%-12s %s\n", sc.Name, sc.Description)
	}
	return nil
}
