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
)

// shutdownGrace is how long in-flight replies get to finish on SIGINT/SIGTERM.
const shutdownGrace = 10 * time.Second

type serveConfig struct {
	addr      string
	spec      string
	maxBody   byteSize
	logFormat string
	logLevel  string
}

func serve(ctx context.Context, args []string, getenv func(string) string, stdout, stderr io.Writer) error {
	cfg := serveConfig{maxBody: httpd.DefaultMaxBody}
	fs := newFlagSet("serve", stderr)
	fs.StringVar(&cfg.addr, "addr", "127.0.0.1:8080", "address to listen on (host:port; port 0 picks a free one)")
	fs.StringVar(&cfg.spec, "spec", "", "OpenAPI document to serve instead of the embedded COC contract")
	fs.Var(&cfg.maxBody, "max-body", "largest request body taken; larger ones get the gateway's 413 APIGW.0201")
	fs.StringVar(&cfg.logFormat, "log-format", "text", "log format: text or json")
	fs.StringVar(&cfg.logLevel, "log-level", "info", "log level: debug, info, warn or error")
	if err := parseFlags(fs, args, getenv); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	log, err := newLogger(stderr, cfg.logFormat, cfg.logLevel)
	if err != nil {
		return err
	}
	spec, err := loadSpec(cfg.spec)
	if err != nil {
		return err
	}
	engine := mock.New(spec, mock.WithLogger(log))
	srv := httpd.New(engine, httpd.Config{MaxBody: int64(cfg.maxBody), Logger: log}).HTTPServer(cfg.addr)

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	fmt.Fprintf(stdout, "cocmock %s listening on http://%s (spec %s, seed %d)\n", version(), ln.Addr(), spec.Name(), engine.Seed())

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
