package httpd

import (
	"context"
	"io"
	"log/slog"
	"math"
	"strconv"
	"sync"
	"sync/atomic"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/cocmock/cocmock/internal/jsontext"
)

// AccessLog writes the access log's lines, one per exchange, in the bytes
// slog's TextHandler or JSONHandler would write for the same record, so
// that they sit among the server's other log lines unchanged. It formats
// them by hand into pooled buffers: slog's generic path (a Record, its
// attributes, the handler's state) was 5% of the server's CPU under load.
// TestAccessLogWritesWhatSlogWould holds the bytes equal. Safe for
// concurrent use when w is (each line is one Write).
type AccessLog struct {
	w     io.Writer
	json  bool
	level slog.Leveler
	bufs  sync.Pool
	// second is the text time of the last line's second, which the
	// lines of that second share: formatting a time was a fifth of a
	// line's cost.
	second atomic.Pointer[textSecond]
}

// NewAccessLog writes lines to w, as JSON or as text, when their level is
// at least level.
func NewAccessLog(w io.Writer, asJSON bool, level slog.Leveler) *AccessLog {
	a := &AccessLog{w: w, json: asJSON, level: level}
	a.bufs.New = func() any { b := make([]byte, 0, 512); return &b }
	return a
}

// Enabled reports whether lines at level are written.
func (a *AccessLog) Enabled(level slog.Level) bool { return level >= a.level.Level() }

// NewLogs builds the server's logs on w, as JSON or as text, at level:
// the logger for its lines, and the access log that writes its requests'
// lines among them. The logger's lines whose attributes all are strings,
// ints or finite floats, each with a key (the request path's notes are),
// go through the access line's formatter too; any other line, and any
// logger derived by With or WithGroup, is slog's own handler's, for the
// same writer, format and level. The bytes are the same either way
// (TestLogHandlerWritesWhatSlogWould).
func NewLogs(w io.Writer, asJSON bool, level slog.Level) (*slog.Logger, *AccessLog) {
	access := NewAccessLog(w, asJSON, level)
	opts := &slog.HandlerOptions{Level: level}
	var lines slog.Handler = slog.NewTextHandler(w, opts)
	if asJSON {
		lines = slog.NewJSONHandler(w, opts)
	}
	return slog.New(access.handler(lines)), access
}

// handler is the slog.Handler of NewLogs: next is slog's handler for the
// access log's writer, format and level.
func (a *AccessLog) handler(next slog.Handler) slog.Handler { return &lineHandler{a: a, next: next} }

type lineHandler struct {
	a    *AccessLog
	next slog.Handler
}

// maxLineFields is the most attributes a record may have to take the
// formatter's path (its fields live on the stack).
const maxLineFields = 16

func (h *lineHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level)
}

func (h *lineHandler) WithAttrs(attrs []slog.Attr) slog.Handler { return h.next.WithAttrs(attrs) }

func (h *lineHandler) WithGroup(name string) slog.Handler { return h.next.WithGroup(name) }

func (h *lineHandler) Handle(ctx context.Context, r slog.Record) error {
	if r.Time.IsZero() || r.NumAttrs() > maxLineFields {
		return h.next.Handle(ctx, r) // slog leaves a zero time out
	}
	if y := r.Time.Year(); h.a.json && (y < 0 || y > 9999) {
		return h.next.Handle(ctx, r) // slog's JSON writes an error there
	}
	var buf [maxLineFields]field
	fields, simple := buf[:0], true
	r.Attrs(func(at slog.Attr) bool {
		v := at.Value
		switch {
		case at.Key == "":
			simple = false
		case v.Kind() == slog.KindString:
			fields = append(fields, stringField(at.Key, v.String()))
		case v.Kind() == slog.KindInt64:
			fields = append(fields, intField(at.Key, v.Int64()))
		case v.Kind() == slog.KindFloat64 && !math.IsNaN(v.Float64()) && !math.IsInf(v.Float64(), 0):
			fields = append(fields, floatField(at.Key, v.Float64()))
		default:
			simple = false
		}
		return simple
	})
	if !simple {
		return h.next.Handle(ctx, r)
	}
	h.a.write(r.Time, r.Level, r.Message, fields)
	return nil
}

// field is one key and value of an access line: a string, an int or a
// float, as slog.String, slog.Int and slog.Float64 would carry them.
type field struct {
	key  string
	kind byte // 's', 'i' or 'f'
	s    string
	i    int64
	f    float64
}

func stringField(key, v string) field    { return field{key: key, kind: 's', s: v} }
func intField(key string, v int64) field { return field{key: key, kind: 'i', i: v} }
func floatField(key string, v float64) field {
	return field{key: key, kind: 'f', f: v}
}

// attr is the field as slog carries it.
func (f field) attr() slog.Attr {
	switch f.kind {
	case 's':
		return slog.String(f.key, f.s)
	case 'i':
		return slog.Int64(f.key, f.i)
	}
	return slog.Float64(f.key, f.f)
}

// write formats and writes one line; a buffer grown past 16 KiB is dropped
// rather than kept in the pool, so that one huge line does not pin its
// memory.
func (a *AccessLog) write(t time.Time, level slog.Level, msg string, fields []field) {
	p := a.bufs.Get().(*[]byte)
	b := (*p)[:0]
	// The text form is time=… level=… msg=… key=value …; the JSON form
	// {"time":"…","level":…,"msg":…,"key":value,…}, its time with every
	// digit of the nanoseconds.
	if a.json {
		b = t.AppendFormat(append(b, `{"time":"`...), time.RFC3339Nano)
		b = append(b, '"')
	} else {
		b = a.appendTime(append(b, "time="...), t)
	}
	b = a.appendField(b, field{key: "level", kind: 's', s: level.String()})
	b = a.appendField(b, field{key: "msg", kind: 's', s: msg})
	for _, f := range fields {
		b = a.appendField(b, f)
	}
	if a.json {
		b = append(b, '}')
	}
	b = append(b, '\n')
	_, _ = a.w.Write(b)
	if cap(b) <= 16<<10 {
		*p = b
		a.bufs.Put(p)
	}
}

// appendField appends one key and value, after the line's earlier ones.
func (a *AccessLog) appendField(b []byte, f field) []byte {
	if a.json {
		b = append(jsontext.AppendString(append(b, ','), f.key, jsontext.Slog), ':')
		switch f.kind {
		case 's':
			return jsontext.AppendString(b, f.s, jsontext.Slog)
		case 'i':
			return strconv.AppendInt(b, f.i, 10)
		}
		b, _ = jsontext.AppendFloat(b, f.f) // a duration is finite
		return b
	}
	b = append(appendText(append(b, ' '), f.key), '=')
	switch f.kind {
	case 's':
		return appendText(b, f.s)
	case 'i':
		return strconv.AppendInt(b, f.i, 10)
	}
	return strconv.AppendFloat(b, f.f, 'g', -1, 64)
}

// textSecond is the text time of one second in one location, around its
// milliseconds: "2006-01-02T15:04:05" and "Z07:00".
type textSecond struct {
	unix       int64
	loc        *time.Location
	head, zone string
}

// appendTime is appendMillis, the second's text taken from the last line's
// when the second and the location are the same: within one second in one
// location, the date, the time of day and the offset do not change. Only
// seconds of the years 1–9999 are kept, so a kept one needs no year check.
func (a *AccessLog) appendTime(b []byte, t time.Time) []byte {
	s := a.second.Load()
	if s == nil || s.unix != t.Unix() || s.loc != t.Location() {
		if y := t.Year(); y < 1 || y > 9999 {
			return appendMillis(b, t) // the digits of the year vary
		}
		s = &textSecond{unix: t.Unix(), loc: t.Location(),
			head: t.Format("2006-01-02T15:04:05"), zone: t.Format("Z07:00")}
		a.second.Store(s)
	}
	ms := t.Nanosecond() / int(time.Millisecond)
	b = append(append(b, s.head...), '.', byte('0'+ms/100), byte('0'+ms/10%10), byte('0'+ms%10))
	return append(b, s.zone...)
}

// appendMillis is the text handler's time: RFC 3339 with exactly three
// digits of milliseconds.
func appendMillis(b []byte, t time.Time) []byte {
	const prefix = len("2006-01-02T15:04:05.000")
	n := len(b)
	// RFC3339Nano trims trailing zeros: a tenth of a millisecond keeps
	// four digits, and the fourth is dropped.
	b = t.Truncate(time.Millisecond).Add(time.Millisecond/10).AppendFormat(b, time.RFC3339Nano)
	return append(b[:n+prefix], b[n+prefix+1:]...)
}

// appendText writes a text value bare when it can be read back unambiguously,
// quoted (Go syntax) otherwise: when empty, or holding a space, '=', '"', a
// control character, a character that is not printable, or bytes that are
// not UTF-8.
func appendText(b []byte, s string) []byte {
	if textNeedsQuotes(s) {
		return strconv.AppendQuote(b, s)
	}
	return append(b, s...)
}

// textBare marks the ASCII bytes a text value may hold bare (a look-up a
// byte, for the four comparisons it replaces).
var textBare = func() (bare [utf8.RuneSelf]bool) {
	for c := range utf8.RuneSelf {
		bare[c] = c >= 0x20 && c != ' ' && c != '=' && c != '"'
	}
	return bare
}()

func textNeedsQuotes(s string) bool {
	if s == "" {
		return true
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if !textBare[c] {
				return true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError || unicode.IsSpace(r) || !unicode.IsPrint(r) {
			return true
		}
		i += size
	}
	return false
}
