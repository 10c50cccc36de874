package mock_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"testing"

	"github.com/cocmock/cocmock/incident"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/auth"
	"github.com/cocmock/cocmock/mock/mocktest"
)

// liveHeap is the heap a full collection leaves.
func liveHeap() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// big is a distinct string of n bytes: each request's own, as an attacker
// sends them (one shared string would be kept alive by the test itself).
func big(i, n int) string {
	return fmt.Sprintf("%08d", i) + strings.Repeat("x", n-8)
}

// Every value a request can make the sandbox keep is kept in bytes of its
// own, cut, and counted at its kept size: the live heap after a collection
// stays within a small factor of what the budgets count, whatever the
// client sends (before, a cut kept the whole backing string alive: 300
// requests with a 1 MB header counted 3.4 MB and held 278 MB).
func TestWhatTheSandboxKeepsIsCountedAtItsKeptSize(t *testing.T) {
	const n = 60
	const size = 1 << 20
	serve := func(eng *mock.Engine, req mock.Request) {
		if req.Header == nil {
			req.Header = http.Header{}
		}
		if req.Header.Get("Content-Type") == "" {
			req.Header.Set("Content-Type", "application/json")
		}
		if req.Method == "" {
			req.Method = "POST"
		}
		if req.Path == "" {
			req.Path = "/v1/external/incident/handle"
		}
		eng.Serve(context.Background(), req)
	}
	handle := []byte(mocktest.HandleBody("IM1", "acceptedIncident1"))
	for _, tc := range []struct {
		name string
		opts []mock.Option
		req  func(i int) mock.Request
	}{
		{"a 1 MB header (the journal keeps 8 KiB)", nil, func(i int) mock.Request {
			return mock.Request{Header: http.Header{"X-Big": {big(i, size)}}, Body: handle}
		}},
		{"a 1 MB path", nil, func(i int) mock.Request { return mock.Request{Path: "/v1/" + big(i, size), Body: handle} }},
		{"a 1 MB query", nil, func(i int) mock.Request { return mock.Request{RawQuery: "q=" + big(i, size), Body: handle} }},
		{"a 1 MB method", nil, func(i int) mock.Request { return mock.Request{Method: big(i, size), Body: handle} }},
		{"an invalid call with a 900 KB incident_num", nil, func(i int) mock.Request {
			return mock.Request{Body: []byte(mocktest.HandleBody(big(i, 900<<10), "acceptIncident1"))}
		}},
		{"a 1 MB session id", nil, func(i int) mock.Request {
			return mock.Request{Header: http.Header{"X-Cocmock-Session": {big(i, size)}}, Body: handle}
		}},
		{"a 1 MB Content-Type parameter", nil, func(i int) mock.Request {
			return mock.Request{Header: http.Header{"Content-Type": {"application/json; x=" + big(i, size)}}, Body: handle}
		}},
		{"--validation off, a long operate_key", []mock.Option{mock.WithValidation(mock.ValidationOff)}, func(i int) mock.Request {
			return mock.Request{Body: []byte(`{"incident_num":"IM1","operator":"u","operate_key":"` + big(i, 200<<10) + `"}`)}
		}},
		{"--validation report, a long incident_level", []mock.Option{mock.WithValidation(mock.ValidationReport)}, func(i int) mock.Request {
			return mock.Request{Path: "/v1/external/incident/create", Body: []byte(`{"incident_level":"` + big(i, 200<<10) +
				`","is_service_interrupt":"false","incident_type":"t","incident_title":"x","incident_source":"incident_source_manual","creator":"c"}`)}
		}},
		{"--auth aksk, a 1 MB Access=", []mock.Option{mock.WithAuth(mustAuth(t))}, func(i int) mock.Request {
			return mock.Request{Header: http.Header{"Authorization": {"SDK-HMAC-SHA256 Access=" + big(i, size) + ", SignedHeaders=x-sdk-date, Signature=00"},
				"X-Sdk-Date": {"20261208T000000Z"}}, Body: handle}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			eng := newEngine(t, tc.opts...)
			before := liveHeap()
			for i := range n {
				serve(eng, tc.req(i))
			}
			live := int64(liveHeap()) - int64(before)
			st := eng.Stats()
			counted := st.JournalBytes + st.StateBytes
			// The engine's own fixed costs (a session's structures, the
			// media-type cache) sit beside what is counted: 4 MiB of slack.
			if live > 4*counted+4<<20 {
				t.Fatalf("%d requests: live heap grew %d KiB, the budgets count %d KiB", n, live>>10, counted>>10)
			}
			runtime.KeepAlive(eng)
		})
	}
}

func mustAuth(t *testing.T) *auth.Authenticator {
	t.Helper()
	a, err := auth.New(auth.Config{Mode: auth.AKSK, Keys: map[string]string{"AK": "SK"}})
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// A huge parameter costs a history entry its kept KiB, not its size again
// on every call (200 calls with a 0.9 MB parameter took RSS to 331 MiB).
func TestAHugeParameterIsCutBeforeItIsWrittenOut(t *testing.T) {
	eng := newEngine(t)
	num := create(t, eng, nil)
	body := `{"incident_num":"` + num + `","operator":"u","operate_key":"forwardOther1","parameter":{"virtual_send_comment":"` + strings.Repeat("x", 900<<10) + `"}}`
	send(eng, body)
	var m0, m1 runtime.MemStats
	runtime.ReadMemStats(&m0)
	const calls = 20
	for range calls {
		send(eng, body)
	}
	runtime.ReadMemStats(&m1)
	// Each call reads and decodes its 0.9 MB body (about 2 MB); writing the
	// parameter out whole cost another 1-2 MB.
	if per := (m1.TotalAlloc - m0.TotalAlloc) / calls; per > 3<<20 {
		t.Fatalf("a call allocates %d KiB", per>>10)
	}
	tk, _ := eng.Incident("", num)
	if e := tk.History[len(tk.History)-1]; len(e.Parameter) > incident.MaxParameter+64 || !e.ParameterCut {
		t.Fatalf("the entry keeps %d bytes of its parameter (cut %v)", len(e.Parameter), e.ParameterCut)
	}
}
