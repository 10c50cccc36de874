package main

import (
	"errors"
	"log/slog"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

func TestAReloadWhileAnotherRunsIsRefusedAtOnceAndLoadsNothing(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "team.yaml"), []byte(teamV1), 0o644); err != nil {
		t.Fatal(err)
	}
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		t.Fatal(err)
	}
	engine := mocktest.NewEngine(t)
	r := &reloader{spec: spec, dir: dir, path: dir, flag: "--scenarios", engine: engine, log: slog.New(slog.DiscardHandler)}

	r.mu.Lock() // a reload in flight
	refused := make(chan error, 1)
	go func() { refused <- r.reload() }()
	select {
	case err := <-refused:
		if !errors.Is(err, httpd.ErrReloadBusy) {
			t.Fatalf("a reload during another: %v, want ErrReloadBusy", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("a reload during another waited for it")
	}
	if at, _ := r.last(); !at.IsZero() || loaded(engine.Scenarios()) {
		t.Fatalf("the refused reload loaded the folder (last reload at %v)", at)
	}

	r.mu.Unlock() // the one in flight is done
	if err := r.reload(); err != nil {
		t.Fatal(err)
	}
	if at, err := r.last(); at.IsZero() || err != nil || !loaded(engine.Scenarios()) {
		t.Fatalf("the next reload: at %v, %v; team loaded: %v", at, err, loaded(engine.Scenarios()))
	}
}

func loaded(set *scenarios.Set) bool {
	_, ok := set.Get("team")
	return ok
}
