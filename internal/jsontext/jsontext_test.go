package jsontext

import (
	"bytes"
	"context"
	"encoding/json"
	"log/slog"
	"math"
	"testing"
	"time"
)

var samples = []string{"", "plain", `"q" \ /`, "<a>&b", "\x00\x08\x0c\t\n\r\x1f\x7f", "é😀", "\u2028\u2029", "\xff", "a\xc3", "\xed\xa0\x80"}

func init() {
	for c := range 256 {
		samples = append(samples, string(rune(c)), string([]byte{byte(c)}))
	}
}

func TestMarshalEscapingIsEncodingJSONs(t *testing.T) {
	for _, s := range samples {
		want, _ := json.Marshal(s)
		if got := AppendString(nil, s, Marshal); !bytes.Equal(got, want) {
			t.Errorf("%q: %s, json.Marshal %s", s, got, want)
		}
	}
}

func TestEncoderEscapingIsEncodingJSONsWithoutHTMLEscaping(t *testing.T) {
	for _, s := range samples {
		var buf bytes.Buffer
		enc := json.NewEncoder(&buf)
		enc.SetEscapeHTML(false)
		if err := enc.Encode(s); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(buf.Bytes(), []byte("\n"))
		if got := AppendString(nil, s, Encoder); !bytes.Equal(got, want) {
			t.Errorf("%q: %s, Encoder %s", s, got, want)
		}
	}
}

func TestSlogEscapingIsTheJSONHandlers(t *testing.T) {
	for _, s := range samples {
		var buf bytes.Buffer
		rec := slog.NewRecord(time.Time{}, slog.LevelInfo, "", 0)
		rec.AddAttrs(slog.String("k", s))
		if err := slog.NewJSONHandler(&buf, nil).Handle(context.Background(), rec); err != nil {
			t.Fatal(err)
		}
		want := bytes.TrimSuffix(bytes.TrimPrefix(buf.Bytes(), []byte(`{"level":"INFO","msg":"","k":`)), []byte("}\n"))
		if got := AppendString(nil, s, Slog); !bytes.Equal(got, want) {
			t.Errorf("%q: %s, slog %s", s, got, want)
		}
	}
}

func TestAppendFloatIsEncodingJSONs(t *testing.T) {
	for _, f := range []float64{0, math.Copysign(0, -1), 1, -2.5, 1e-6, 9.99e-7, 1e-7, 5e-324, 1e20, 1e21, 1.5e300, math.MaxFloat64, 0.1, 1712345678000} {
		want, _ := json.Marshal(f)
		if got, ok := AppendFloat(nil, f); !ok || !bytes.Equal(got, want) {
			t.Errorf("%g: %s, json.Marshal %s", f, got, want)
		}
	}
	for _, f := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got, ok := AppendFloat([]byte("x"), f); ok || string(got) != "x" {
			t.Errorf("%g: appended %q", f, got)
		}
	}
}
