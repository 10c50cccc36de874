package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/fsnotify/fsnotify"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/openapi"
	"github.com/cocmock/cocmock/scenarios"
)

// reloader loads the scenario files again and swaps them into the engine;
// a broken set is refused and the last good one keeps serving.
type reloader struct {
	spec *openapi.Spec
	opts scenarios.Options
	// dir is the folder watched; path what is loaded (the folder, or a
	// file in it), given by flag; poll how often the watch compares the
	// folder.
	dir    string
	path   string
	flag   string
	poll   time.Duration
	engine *mock.Engine
	log    *slog.Logger
	mu     sync.Mutex // one reload at a time
	// lastAt and lastErr are the last reload's time and outcome, guarded
	// by lastMu.
	lastMu  sync.Mutex
	lastAt  time.Time
	lastErr error
	// armed is the folder the watch is on. Only the watch goroutine uses
	// it.
	armed os.FileInfo
}

func (r *reloader) reload() error {
	// One reload at a time, and none waits for another: a reload that is
	// slow (a large folder) never piles up callers behind it.
	if !r.mu.TryLock() {
		return httpd.ErrReloadBusy
	}
	defer r.mu.Unlock()
	set, err := loadScenarios(r.spec, r.opts, r.flag, r.path)
	if err == nil {
		err = r.engine.ReplaceScenarios(set)
	}
	r.lastMu.Lock()
	r.lastAt, r.lastErr = time.Now(), err
	r.lastMu.Unlock()
	if err != nil {
		var findings scenarios.Findings
		if errors.As(err, &findings) {
			for _, f := range findings {
				// A warning is not why the reload was refused: it is
				// logged as one, beside the errors that were.
				if f.Warning {
					r.log.Warn("scenario file", "finding", f.String())
					continue
				}
				r.log.Error("scenario reload refused; the last good set keeps serving", "finding", f.String())
			}
		} else {
			r.log.Error("scenario reload refused; the last good set keeps serving", "error", err)
		}
		return err
	}
	for _, w := range set.Warnings() {
		r.log.Warn("scenario file", "finding", w.String())
	}
	r.log.Info("scenarios reloaded", "scenarios", set.Names())
	return nil
}

// last is when the scenario files were last reloaded, and how it went.
func (r *reloader) last() (time.Time, error) {
	r.lastMu.Lock()
	defer r.lastMu.Unlock()
	return r.lastAt, r.lastErr
}

// reloadDebounce lets an editor finish writing (or a checkout finish
// touching many files) before one reload runs.
const reloadDebounce = 200 * time.Millisecond

// watch reloads whenever the scenario folder changes, until ctx ends. It
// watches the folder and its parent with fsnotify, so that a folder deleted
// and re-created, swapped by mv, or a Kubernetes ConfigMap's ..data symlink
// swap is seen and the watch re-armed on the new folder; and it polls a
// fingerprint of the folder every r.poll, so that a lost watch (or a file
// system fsnotify cannot watch) costs at most that delay.
func (r *reloader) watch(ctx context.Context) {
	poll := r.poll
	last := fingerprint(r.dir)
	w, err := fsnotify.NewWatcher()
	if err != nil {
		r.log.Warn("cannot watch the scenario folder; polling only", "dir", r.dir, "every", poll, "error", err)
	} else {
		defer w.Close()
		r.arm(w)
	}
	var events <-chan fsnotify.Event
	var errs <-chan error
	if w != nil {
		events, errs = w.Events, w.Errors
	}
	debounce := time.NewTimer(time.Hour)
	debounce.Stop()
	defer debounce.Stop()
	ticker := time.NewTicker(poll)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case ev, ok := <-events:
			if !ok {
				r.log.Warn("the scenario folder's watch closed; polling only", "dir", r.dir, "every", poll)
				events, errs = nil, nil
				continue
			}
			if filepath.Clean(ev.Name) == filepath.Clean(r.dir) || filepath.Dir(ev.Name) == filepath.Clean(r.dir) {
				debounce.Reset(reloadDebounce)
			}
		case err, ok := <-errs:
			if ok {
				r.log.Warn("watching the scenario folder", "error", err)
			}
		case <-ticker.C:
			if fp := fingerprint(r.dir); fp != last {
				last = fp
				debounce.Reset(reloadDebounce)
			}
		case <-debounce.C:
			if w != nil {
				r.arm(w) // the folder may be a new one now
			}
			last = fingerprint(r.dir)
			if err := r.reload(); errors.Is(err, httpd.ErrReloadBusy) {
				debounce.Reset(reloadDebounce) // try again once it is done
			}
		}
	}
}

// arm watches the folder and its parent, and watches the folder anew when
// it was replaced since (deleted and made again, or swapped by mv). It logs
// what it watches.
func (r *reloader) arm(w *fsnotify.Watcher) {
	dir := filepath.Clean(r.dir)
	info, err := os.Stat(dir)
	if err != nil {
		r.log.Warn("the scenario folder is gone; polling until it is back", "dir", dir, "error", err)
		return
	}
	if r.armed != nil && os.SameFile(r.armed, info) {
		return
	}
	if err := w.Add(filepath.Dir(dir)); err != nil {
		r.log.Warn("cannot watch the scenario folder's parent; a replaced folder is seen by polling", "dir", filepath.Dir(dir), "error", err)
	}
	if r.armed != nil {
		_ = w.Remove(dir) // the old folder's watch, if any is left
	}
	if err := w.Add(dir); err != nil {
		r.log.Warn("cannot watch the scenario folder; polling only", "dir", dir, "error", err)
		return
	}
	if r.armed == nil {
		r.log.Info("watching the scenario folder", "dir", dir, "poll", r.poll)
	} else {
		r.log.Info("scenario folder replaced; watch re-armed", "dir", dir)
	}
	r.armed = info
}

// fingerprint sums up the scenario files of a folder as they are now:
// names, where their symlinks lead, sizes and times.
func fingerprint(dir string) string {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return "unreadable: " + err.Error()
	}
	var b strings.Builder
	for _, e := range entries {
		if ext := filepath.Ext(e.Name()); ext != ".yaml" && ext != ".yml" {
			continue
		}
		info, err := os.Stat(filepath.Join(dir, e.Name()))
		if err != nil {
			fmt.Fprintf(&b, "%s:?;", e.Name())
			continue
		}
		target, _ := filepath.EvalSymlinks(filepath.Join(dir, e.Name()))
		fmt.Fprintf(&b, "%s>%s:%d:%d;", e.Name(), target, info.Size(), info.ModTime().UnixNano())
	}
	return b.String()
}
