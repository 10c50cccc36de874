package main

import (
	"context"
	"errors"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// reloader loads the scenario files again and swaps them into the engine;
// a broken set is refused and the last good one keeps serving.
type reloader struct {
	spec   *openapi.Spec
	dir    string
	engine *mock.Engine
	log    *slog.Logger
	mu     sync.Mutex // one reload at a time
}

func (r *reloader) reload() error {
	r.mu.Lock()
	defer r.mu.Unlock()
	set, err := loadScenarios(r.spec, r.dir)
	if err == nil {
		err = r.engine.ReplaceScenarios(set)
	}
	if err != nil {
		var findings scenarios.Findings
		if errors.As(err, &findings) {
			for _, f := range findings {
				r.log.Error("scenario reload refused; the last good set keeps serving", "finding", f.String())
			}
		} else {
			r.log.Error("scenario reload refused; the last good set keeps serving", "error", err)
		}
		return err
	}
	r.log.Info("scenarios reloaded", "scenarios", set.Names())
	return nil
}

// reloadDebounce lets an editor finish writing (or a checkout finish
// touching many files) before one reload runs.
const reloadDebounce = 200 * time.Millisecond

// watch reloads whenever a scenario file in the folder changes, until ctx
// ends.
func (r *reloader) watch(ctx context.Context) error {
	w, err := fsnotify.NewWatcher()
	if err != nil {
		return err
	}
	defer w.Close()
	if err := w.Add(r.dir); err != nil {
		return err
	}
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case ev, ok := <-w.Events:
			if !ok {
				return nil
			}
			if ext := filepath.Ext(ev.Name); ext == ".yaml" || ext == ".yml" {
				timer.Reset(reloadDebounce)
			}
		case err, ok := <-w.Errors:
			if !ok {
				return nil
			}
			r.log.Warn("watching the scenario folder", "error", err)
		case <-timer.C:
			_ = r.reload() // logged inside; the last good set stays
		}
	}
}
