package incident

import (
	"bytes"
	"encoding/json"
	"math"
	"math/rand/v2"
	"strconv"
	"strings"
	"testing"
)

var jsonStrings = []string{"", "a", "<b>&amp;", `"q"`, `\`, "\b\f\n\r\t\x00\x1f\x7f", "é😀", "\u2028\u2029", "\xff", "a\xc3", "/"}

var jsonFloats = []float64{0, math.Copysign(0, -1), 1, -1, 0.1, 1e-6, 9.99e-7, 1e-7, 1.5e-300, 1e20, 1e21, 1.2345e22, 123456789012345678, 1712345678000, math.MaxFloat64, 5e-324}

// randomJSON makes a value of the types json.Unmarshal gives an any.
func randomJSON(rng *rand.Rand, depth int) any {
	switch rng.IntN(7) {
	case 0:
		return nil
	case 1:
		return rng.IntN(2) == 0
	case 2:
		if rng.IntN(2) == 0 {
			return jsonFloats[rng.IntN(len(jsonFloats))]
		}
		return (rng.Float64() - 0.5) * math.Pow(10, float64(rng.IntN(60)-30))
	case 3:
		return jsonStrings[rng.IntN(len(jsonStrings))] + jsonStrings[rng.IntN(len(jsonStrings))]
	case 4:
		if depth > 3 {
			return "leaf"
		}
		var out []any
		if rng.IntN(5) > 0 {
			out = []any{}
		}
		for range rng.IntN(4) {
			out = append(out, randomJSON(rng, depth+1))
		}
		return out
	default:
		if depth > 3 {
			return 1.5
		}
		var out map[string]any
		if rng.IntN(8) > 0 {
			out = map[string]any{}
			for range rng.IntN(5) {
				out[jsonStrings[rng.IntN(len(jsonStrings))]+"k"] = randomJSON(rng, depth+1)
			}
		}
		return out
	}
}

func TestAppendJSONIsJSONMarshal(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 20000 {
		v := randomJSON(rng, 0)
		checkMarshal(t, v)
	}
	for _, v := range []any{math.NaN(), math.Inf(1), []any{math.Inf(-1)}, map[string]any{"a": json.Number("1")}, int64(3)} {
		if _, ok := appendJSON(nil, v); ok {
			t.Errorf("appendJSON took %#v, which it leaves to json.Marshal", v)
		}
	}
}

// FuzzAppendJSON compares appendJSON with json.Marshal on any decoded body.
//
//	go test -run '^$' -fuzz FuzzAppendJSON ./incident/
func FuzzAppendJSON(f *testing.F) {
	f.Add([]byte(`{"cause":"<x> & \u2028","n":[1e-7,1e21,0.5,null,true,{}]}`))
	f.Fuzz(func(t *testing.T, body []byte) {
		var v any
		if json.Unmarshal(body, &v) == nil {
			checkMarshal(t, v)
		}
	})
}

func checkMarshal(t *testing.T, v any) {
	t.Helper()
	want, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	got, ok := appendJSON(nil, v)
	if !ok || !bytes.Equal(got, want) {
		t.Fatalf("%#v:\n got %s (%v)\nwant %s", v, got, ok, want)
	}
	if got, err := appendMarshal(nil, v); err != nil || !bytes.Equal(got, want) {
		t.Fatalf("appendMarshal(%#v):\n got %s (%v)\nwant %s", v, got, err, want)
	}
}

// TestAParameterPastTheStackBuffersIsKeptAsJSONMarshalWritesIt: a
// parameter is written on the stack up to about MaxParameter bytes, and its
// keys sorted there up to 16; larger ones grow onto the heap, and the
// entry keeps json.Marshal's text, or its first MaxParameter bytes as a
// string.
func TestAParameterPastTheStackBuffersIsKeptAsJSONMarshalWritesIt(t *testing.T) {
	wide := map[string]any{}
	for i := range 40 {
		wide[strings.Repeat("k", i%7)+strconv.Itoa(i)] = float64(i)
	}
	long := strings.Repeat("<é>", MaxParameter)
	for _, p := range []map[string]any{
		wide,
		{"cause": long},
		{"a": wide, "b": []any{long, wide}, "c": map[string]any{"d": wide}},
		{"n": math.NaN()}, // json.Marshal's error: nothing kept
	} {
		text, err := json.Marshal(p)
		want, wantCut := json.RawMessage(text), false
		if err == nil && len(text) > MaxParameter {
			want, _ = json.Marshal(string(text[:MaxParameter]))
			wantCut = true
		}
		if err != nil {
			want = nil
		}
		if got, cut := capParameter(p); !bytes.Equal(got, want) || cut != wantCut {
			t.Fatalf("%.60s…: kept %.80s… (cut %v), want %.80s… (cut %v)", text, got, cut, want, wantCut)
		}
	}
	// Each text is its own: a later call does not write over an earlier one.
	a, _ := capParameter(map[string]any{"a": "1"})
	_, _ = capParameter(map[string]any{"b": long})
	if string(a) != `{"a":"1"}` {
		t.Fatalf("an earlier text changed: %s", a)
	}
}

// TestRecordingAParameterAllocatesOnlyItsText: a usual commitSolution1
// parameter is written on the stack and copied out once; the history
// keeps only that copy.
func TestRecordingAParameterAllocatesOnlyItsText(t *testing.T) {
	p := map[string]any{
		"mtm_type": "inc_type_p_config_issues", "is_service_interrupt": true,
		"cause":               "A configuration push set the connection pool of the order service to 4; requests queued and timed out under the morning peak.",
		"solution":            "Rolled the configuration back to the previous revision, raised the pool to 64 and added an alarm on pool saturation.",
		"start_time":          float64(1712345678000),
		"fault_recovery_time": "1712349278000",
	}
	if n := testing.AllocsPerRun(100, func() { capParameter(p) }); n != 1 {
		t.Fatalf("%v allocations per parameter, want 1", n)
	}
}

// TestMarshalReplyIsMarshal: the envelope written by hand is the
// encoder's, whatever the code and message hold.
func TestMarshalReplyIsMarshal(t *testing.T) {
	for _, code := range append([]string{CodeInvalidParameter}, jsonStrings...) {
		for _, msg := range jsonStrings {
			for _, data := range []any{nil, map[string]string{"incident_num": msg}, (map[string]string)(nil)} {
				want, err := Marshal(Reply(code, msg, data))
				if err != nil {
					t.Fatal(err)
				}
				if got, err := MarshalReply(code, msg, data); err != nil || !bytes.Equal(got, want) {
					t.Fatalf("(%q, %q, %#v):\n got %s (%v)\nwant %s", code, msg, data, got, err, want)
				}
			}
		}
	}
	if n := testing.AllocsPerRun(100, func() { _, _ = MarshalReply(CodeInvalidParameter, "The field[operate_key] value[x] invalid", nil) }); n != 1 {
		t.Fatalf("%v allocations for a refusal's envelope, want 1", n)
	}
}

// FuzzMarshalReply compares the envelope written by hand with the
// encoder's, for any code and message.
//
//	go test -run '^$' -fuzz FuzzMarshalReply ./incident/
func FuzzMarshalReply(f *testing.F) {
	f.Add(CodeInvalidParameter, "The field[operate_key] value[<x> & \u2028] invalid")
	f.Add("\xff", "\b\f\x00\x7f\"\\/")
	f.Fuzz(func(t *testing.T, code, msg string) {
		want, err := Marshal(Reply(code, msg, nil))
		if err != nil {
			t.Fatal(err)
		}
		if got, err := MarshalReply(code, msg, nil); err != nil || !bytes.Equal(got, want) {
			t.Fatalf("(%q, %q):\n got %s (%v)\nwant %s", code, msg, got, err, want)
		}
	})
}
