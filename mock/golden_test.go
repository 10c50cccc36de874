package mock_test

import (
	"context"
	"flag"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/mocktest"
)

var update = flag.Bool("update", false, "rewrite testdata/golden from the replies")

// The envelopes and a few representative replies, byte for byte, with the
// seed and the clock fixed. Run `go test ./mock -run Golden -update` after a
// deliberate change and read the diff.
func TestGoldenReplies(t *testing.T) {
	clock := &fakeClock{now: time.Date(2026, 11, 28, 9, 30, 5, 0, time.UTC)}
	eng := newEngine(t, mock.WithSeed(7), mock.WithClock(clock))
	post := func(path, body string) mock.Request {
		return mock.Request{Method: "POST", Path: path, Header: http.Header{"Content-Type": {"application/json;charset=UTF-8"}}, Body: []byte(body)}
	}
	// The steps share one engine, in order: the create's number is read back.
	steps := []struct {
		name string
		req  func(created string) mock.Request
	}{
		{"create", func(string) mock.Request { return post(createPath, mocktest.CreateBody("Login fails")) }},
		{"handle-accept", func(n string) mock.Request { return post(handlePath, mocktest.HandleBody(n, "acceptedIncident1")) }},
		{"handle-commit", func(n string) mock.Request { return post(handlePath, mocktest.HandleBody(n, "commitSolution1")) }},
		{"detail", func(n string) mock.Request {
			return mock.Request{Method: "GET", Path: detailPath + n, Header: http.Header{}}
		}},
		{"history", func(n string) mock.Request {
			return post(historyPath, `{"string_filters":[{"field":"ticket_id","operator":"=","values":["`+n+`"]}]}`)
		}},
		{"detail-unknown", func(string) mock.Request {
			return mock.Request{Method: "GET", Path: detailPath + "IM-NOBODY", Header: http.Header{}}
		}},
		{"handle-invalid", func(string) mock.Request { return post(handlePath, mocktest.HandleBody("IM1", "acceptIncident1")) }},
		{"handle-200-gom-error", func(string) mock.Request {
			return post(handlePath, mocktest.HandleBody("IM1-E200", "acceptedIncident1"))
		}},
		{"gateway-401", func(string) mock.Request {
			return post(handlePath, mocktest.HandleBody("IM1-E401", "acceptedIncident1"))
		}},
		{"gateway-429", func(string) mock.Request {
			return post(handlePath, mocktest.HandleBody("IM1-E429", "acceptedIncident1"))
		}},
		{"gateway-404", func(string) mock.Request { return post("/v1/external/nope", "{}") }},
		{"gateway-413", func(string) mock.Request { r := post(handlePath, ""); r.Oversize = true; return r }},
	}
	var created string
	for i, st := range steps {
		req := st.req(created)
		req.ID = fmt.Sprintf("%032x", i+1)
		r := eng.Serve(context.Background(), req)
		if st.name == "create" {
			created = numberIn(t, r.Body)
		}
		got := fmt.Sprintf("%d\nContent-Type: %s\nRetry-After: %s\n\n%s\n", r.Status, r.Header.Get("Content-Type"), r.Header.Get("Retry-After"), r.Body)
		file := filepath.Join("..", "testdata", "golden", st.name+".txt")
		if *update {
			if err := os.WriteFile(file, []byte(got), 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(file)
		if err != nil {
			t.Fatalf("%v (run with -update to write it)", err)
		}
		if got != string(want) {
			t.Errorf("%s: reply changed:\n--- got\n%s--- want (%s)\n%s", st.name, got, file, want)
		}
	}
}

func numberIn(t *testing.T, body []byte) string {
	t.Helper()
	_, rest, ok := strings.Cut(string(body), `"incident_num":"`)
	num, _, _ := strings.Cut(rest, `"`)
	if !ok || num == "" {
		t.Fatalf("no incident_num in %s", body)
	}
	return num
}
