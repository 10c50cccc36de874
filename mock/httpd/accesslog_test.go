package httpd

import (
	"bytes"
	"context"
	"log/slog"
	"math"
	"math/rand/v2"
	"strconv"
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
				fields = append(fields, intField(key, rng.Int64N(1000)-100))
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

// The text time's second is kept from line to line: each line must still
// carry its own time, whatever came before it.
func TestEachLineCarriesItsOwnTimeThoughTheSecondIsKept(t *testing.T) {
	rng := rand.New(rand.NewPCG(5, 6))
	zones := []*time.Location{time.UTC, time.FixedZone("x", 8*3600), time.FixedZone("y", -(3*3600 + 1800)), time.FixedZone("z", 8*3600)}
	var mine, theirs bytes.Buffer
	a := NewAccessLog(&mine, false, slog.LevelDebug)
	h := slog.NewTextHandler(&theirs, &slog.HandlerOptions{Level: slog.LevelDebug})
	at := time.Date(2026, 11, 28, 23, 59, 58, 990_000_000, time.UTC)
	for i := range 5000 {
		switch rng.IntN(8) {
		case 0: // another location, the same instant
			at = at.In(zones[rng.IntN(len(zones))])
		case 1: // far away, years of one to five digits and before zero too
			at = time.Date(rng.IntN(12000)-1000, time.Month(1+rng.IntN(12)), 1+rng.IntN(28), rng.IntN(24), rng.IntN(60), rng.IntN(60), rng.IntN(1e9), zones[rng.IntN(len(zones))])
		case 2: // back a little
			at = at.Add(-time.Duration(rng.IntN(3000)) * time.Millisecond)
		default: // on, across seconds, midnights and years
			at = at.Add(time.Duration(rng.IntN(700)) * time.Millisecond)
		}
		mine.Reset()
		theirs.Reset()
		a.write(at, slog.LevelInfo, "request", []field{intField("i", int64(i))})
		if err := h.Handle(context.Background(), slog.NewRecord(at, slog.LevelInfo, "request", 0).Clone()); err != nil {
			t.Fatal(err)
		}
		want := strings.Replace(theirs.String(), "msg=request\n", "msg=request i="+strconv.Itoa(i)+"\n", 1)
		if mine.String() != want {
			t.Fatalf("line %d at %v:\nmine: %sslog: %s", i, at, mine.String(), want)
		}
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

// countingHandler counts the records it is handed.
type countingHandler struct {
	slog.Handler
	handled *int
}

func (c countingHandler) Handle(ctx context.Context, r slog.Record) error {
	*c.handled++
	return c.Handler.Handle(ctx, r)
}

func TestLogHandlerWritesWhatSlogWould(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	at := time.Date(2026, 11, 28, 5, 6, 7, 890123456, time.UTC)
	attrs := func() (out []slog.Attr, simple bool) {
		simple = true
		for range rng.IntN(maxLineFields + 3) {
			key := accessStrings[rng.IntN(len(accessStrings))]
			switch rng.IntN(9) {
			case 0:
				out = append(out, slog.Int(key, rng.IntN(2000)-1000))
			case 1:
				out = append(out, slog.Float64(key, []float64{0, 2.5, 1e21, 1e-7, -3}[rng.IntN(5)]))
			case 2: // what the formatter leaves to slog
				out = append(out, []slog.Attr{slog.Bool(key, true), slog.Duration(key, time.Second), slog.Any(key, []int{1}),
					slog.Group(key, slog.String("a", "b")), slog.Float64(key, math.NaN()), slog.Float64(key, math.Inf(-1)),
					slog.Uint64(key, 7), slog.Time(key, at), slog.String("", "no key")}[rng.IntN(9)])
				simple = false
			default:
				out = append(out, slog.String(key, accessStrings[rng.IntN(len(accessStrings))]))
			}
		}
		for _, a := range out {
			simple = simple && a.Key != "" // slog's rules for an empty key stay slog's
		}
		return out, simple && len(out) <= maxLineFields
	}
	fast := 0
	for range 3000 {
		level := []slog.Level{slog.LevelDebug, slog.LevelInfo, slog.LevelWarn, slog.LevelError, slog.LevelInfo + 2}[rng.IntN(5)]
		msg := accessStrings[rng.IntN(len(accessStrings))] + " " + accessStrings[rng.IntN(len(accessStrings))]
		list, simple := attrs()
		for _, asJSON := range []bool{false, true} {
			var mine, theirs bytes.Buffer
			opts := &slog.HandlerOptions{Level: slog.LevelDebug}
			newHandler := func(w *bytes.Buffer) slog.Handler {
				if asJSON {
					return slog.NewJSONHandler(w, opts)
				}
				return slog.NewTextHandler(w, opts)
			}
			slow := 0
			h := NewAccessLog(&mine, asJSON, slog.LevelDebug).handler(countingHandler{newHandler(&mine), &slow})
			rec := slog.NewRecord(at, level, msg, 0)
			rec.AddAttrs(list...)
			if err := h.Handle(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			if err := newHandler(&theirs).Handle(context.Background(), rec); err != nil {
				t.Fatal(err)
			}
			if mine.String() != theirs.String() {
				t.Fatalf("json=%v\nmine: %s\nslog: %s", asJSON, mine.String(), theirs.String())
			}
			if simple != (slow == 0) {
				t.Fatalf("a record of %d attributes, simple %v, went to slog's handler %d times", len(list), simple, slow)
			}
			if simple {
				fast++
			}
		}
	}
	if fast < 1000 {
		t.Fatalf("only %d records took the formatter's path", fast)
	}
	// A time slog's JSON handler cannot write as RFC 3339 stays slog's.
	for _, at := range []time.Time{time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), time.Date(-1, 1, 1, 0, 0, 0, 0, time.UTC)} {
		var mine, theirs bytes.Buffer
		rec := slog.NewRecord(at, slog.LevelInfo, "far", 0)
		log, _ := NewLogs(&mine, true, slog.LevelInfo)
		_ = log.Handler().Handle(context.Background(), rec)
		_ = slog.NewJSONHandler(&theirs, nil).Handle(context.Background(), rec)
		if mine.String() != theirs.String() {
			t.Fatalf("year %d:\nmine: %sslog: %s", at.Year(), mine.String(), theirs.String())
		}
	}
}

// Times written line after line by one access log are slog's, across
// milliseconds, seconds, zones, and before 1970.
func TestAccessLogTimesAreSlogsLineAfterLine(t *testing.T) {
	var mine, theirs bytes.Buffer
	a := NewAccessLog(&mine, false, slog.LevelDebug)
	h := slog.NewTextHandler(&theirs, &slog.HandlerOptions{Level: slog.LevelDebug})
	zones := []*time.Location{time.UTC, time.FixedZone("x", 8*3600)}
	for _, base := range []time.Time{time.Date(2026, 11, 28, 5, 59, 59, 990_000_000, time.UTC), time.Unix(-1, 995_000_000)} {
		for i := range 400 {
			at := base.Add(time.Duration(i) * 137 * time.Microsecond).In(zones[i/50%2])
			mine.Reset()
			theirs.Reset()
			a.write(at, slog.LevelInfo, "request", []field{stringField("k", "v")})
			rec := slog.NewRecord(at, slog.LevelInfo, "request", 0)
			rec.AddAttrs(slog.String("k", "v"))
			_ = h.Handle(context.Background(), rec)
			if mine.String() != theirs.String() {
				t.Fatalf("%v:\nmine: %sslog: %s", at, mine.String(), theirs.String())
			}
		}
	}
}
