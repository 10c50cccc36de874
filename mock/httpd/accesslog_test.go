package httpd

import (
	"bytes"
	"context"
	"log/slog"
	"math/rand/v2"
	"strings"
	"testing"
	"time"
)

// accessLines formats the same line with AccessLog and with slog's
// handler, for text and JSON.
func accessLines(t *testing.T, at time.Time, level slog.Level, fields []field) {
	t.Helper()
	for _, asJSON := range []bool{false, true} {
		var mine, theirs bytes.Buffer
		NewAccessLog(&mine, asJSON, slog.LevelDebug).write(at, level, "request", fields)
		opts := &slog.HandlerOptions{Level: slog.LevelDebug}
		var h slog.Handler = slog.NewTextHandler(&theirs, opts)
		if asJSON {
			h = slog.NewJSONHandler(&theirs, opts)
		}
		rec := slog.NewRecord(at, level, "request", 0)
		for _, f := range fields {
			rec.AddAttrs(f.attr())
		}
		if err := h.Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		if mine.String() != theirs.String() {
			t.Fatalf("json=%v\nmine: %s\nslog: %s", asJSON, mine.String(), theirs.String())
		}
	}
}

var accessStrings = []string{"", "abc", "a b", "a=b", `a"b`, `a\b`, "tab\there", "new\nline", "\x00\x01\x1f\x7f", "é", "😀",
	"\u2028\u2029", "\u00a0", "\u200b", "\xff\xfe", "a\xffb", "<html>&", "IM202403221515060171753781", "(none: default answer)",
	"/v1/external/incident/handle", "POST", "-E400", "x-y_z.0"}

func TestAccessLogWritesWhatSlogWould(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	zones := []*time.Location{time.UTC, time.FixedZone("x", 8*3600), time.FixedZone("y", -(3*3600 + 1800))}
	for range 3000 {
		at := time.Unix(1_700_000_000+rng.Int64N(100_000_000), rng.Int64N(1e9)).In(zones[rng.IntN(len(zones))])
		if rng.IntN(10) == 0 {
			at = at.Truncate(time.Millisecond) // trailing zeros
		}
		level := []slog.Level{slog.LevelDebug, slog.LevelInfo}[rng.IntN(2)]
		var fields []field
		for range 1 + rng.IntN(11) {
			key := accessStrings[rng.IntN(len(accessStrings))]
			switch rng.IntN(4) {
			case 0:
				fields = append(fields, intField(key, rng.IntN(1000)-100))
			case 1:
				fields = append(fields, floatField(key, float64(rng.IntN(5_000_000))/1000))
			case 2:
				fields = append(fields, floatField(key, []float64{0, 1e-7, 1e21, 123456789.125, -2.5, 1e-6}[rng.IntN(6)]))
			default:
				fields = append(fields, stringField(key, accessStrings[rng.IntN(len(accessStrings))]+accessStrings[rng.IntN(len(accessStrings))]))
			}
		}
		accessLines(t, at, level, fields)
	}
}

// FuzzAccessLog compares AccessLog with slog on any string value.
//
//	go test -run '^$' -fuzz FuzzAccessLog ./mock/httpd/
func FuzzAccessLog(f *testing.F) {
	for _, s := range accessStrings {
		f.Add(s, int64(1_700_000_000_123_456_789), 0.25)
	}
	f.Fuzz(func(t *testing.T, s string, nanos int64, ms float64) {
		if ms != ms || ms > 1e300 || ms < -1e300 { // NaN and infinities never occur
			return
		}
		accessLines(t, time.Unix(0, nanos).UTC(), slog.LevelInfo, []field{stringField("k", s), stringField(s, "v"), floatField("duration_ms", ms)})
	})
}

func TestAccessLogIsOneWritePerLine(t *testing.T) {
	var w countingWriter
	a := NewAccessLog(&w, false, slog.LevelInfo)
	for range 3 {
		a.write(time.Now(), slog.LevelInfo, "request", []field{stringField("path", strings.Repeat("x", 20000))})
	}
	if w.writes != 3 || !a.Enabled(slog.LevelInfo) || a.Enabled(slog.LevelDebug) {
		t.Fatalf("%d writes; enabled info %v, debug %v", w.writes, a.Enabled(slog.LevelInfo), a.Enabled(slog.LevelDebug))
	}
}

type countingWriter struct{ writes int }

func (w *countingWriter) Write(p []byte) (int, error) { w.writes++; return len(p), nil }
