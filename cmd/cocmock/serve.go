package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// shutdownGrace is how long in-flight replies get to finish on SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

type serveConfig struct {
	addr        string
	spec        string
	scenarios   string
	scenario    string
	seed        int64
	maxBody     byteSize
	maxHang     time.Duration
	maxSessions int
	journalSize int
	adminToken  string
	logFormat   string
	logLevel    string
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := serveConfig{maxBody: httpd.DefaultMaxBody}
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&cfg.spec, "spec", "", "OpenAPI document to serve instead of the embedded COC contract")
	fs.StringVar(&cfg.scenarios, "scenarios", "", "folder of scenario files (*.yaml) that add to and override the built-in ones by name")
	fs.StringVar(&cfg.scenario, "scenario", mock.DefaultScenario, "scenario used when a request and its session name none")
	fs.Int64Var(&cfg.seed, "seed", 0, "seed for every random choice and fake value; 0 picks one and prints it")
	fs.Var(&cfg.maxBody, "max-body", "largest request body taken; larger ones get the gateway's 413 APIGW.0201")
	fs.DurationVar(&cfg.maxHang, "max-hang", httpd.DefaultMaxHang, "longest a 'hang' fault holds a request")
	fs.IntVar(&cfg.maxSessions, "max-sessions", mock.DefaultMaxSessions, "sessions kept; the least recently used is dropped beyond it")
	fs.IntVar(&cfg.journalSize, "journal-size", mock.DefaultJournalSize, "exchanges each session's journal keeps (a ring)")
	fs.StringVar(&cfg.adminToken, "admin-token", "", "when set, /__admin (but health) needs Authorization: Bearer <token>")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fs, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if cfg.maxHang <= 0 || cfg.maxSessions <= 0 || cfg.journalSize <= 0 {
		return usageError("--max-hang, --max-sessions and --journal-size must be above 0")
	}
	log, err := newLogger(stderr, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	spec, err := loadSpec(cfg.spec)
	if err != nil {
		return err
	}
	set, err := loadScenarios(spec, cfg.scenarios)
	if err != nil {
		return err
	}
	engine, err := mock.New(spec, set,
		mock.WithSeed(cfg.seed), mock.WithScenario(cfg.scenario), mock.WithLogger(log),
		mock.WithMaxSessions(cfg.maxSessions), mock.WithJournalSize(cfg.journalSize))
	if err != nil {
		return usageError("--scenario: %v", err)
	}
	srv := httpd.New(engine, httpd.Config{
		MaxBody: int64(cfg.maxBody), MaxHang: cfg.maxHang, Logger: log, AdminToken: cfg.adminToken,
	}).HTTPServer(cfg.addr)

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cocmock %s listening on http://%s (spec %s, scenario %s, seed %d)\n",
		version(), ln.Addr(), spec.Name(), cfg.scenario, engine.Seed())

	served := make(chan error, 1)
	go func() { served <- srv.Serve(ln) }()
	select {
	case err := <-served:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down; letting in-flight replies finish", "grace", shutdownGrace)
	shutdownCtx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		_ = srv.Close()
		return fmt.Errorf("shutdown: %w", err)
	}
	return nil
}

func loadSpec(path string) (*openapi.Spec, error) {
	if path == "" {
		return openapi.Load("embedded", openapi.Embedded())
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, &exitError{code: 2, err: err}
	}
	return openapi.Load(path, data)
}

// loadScenarios loads the built-in scenarios, then the folder's, which
// override built-ins of the same name.
func loadScenarios(spec *openapi.Spec, dir string) (*scenarios.Set, error) {
	sources := []scenarios.Source{{Name: "builtin", FS: scenarios.Builtin()}}
	if dir != "" {
		info, err := os.Stat(dir)
		if err != nil {
			return nil, &exitError{code: 2, err: err}
		}
		if !info.IsDir() {
			return nil, usageError("--scenarios %s is not a folder", dir)
		}
		sources = append(sources, scenarios.Source{Name: dir, FS: os.DirFS(dir)})
	}
	return scenarios.Load(spec, sources...)
}
