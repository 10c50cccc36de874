package bench

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cocmock/cocmock/bench/floor"
	"github.com/cocmock/cocmock/mock"
	"github.com/cocmock/cocmock/mock/httpd"
	"github.com/cocmock/cocmock/mock/mocktest"
	"github.com/cocmock/cocmock/openapi"
)

// Knobs of the loopback runs. The defaults keep BenchmarkThroughputRatio at a
// few seconds per run on a 2-core machine.
var (
	ratioRequests = flag.Int("ratio-requests", 20000, "requests per server in one BenchmarkThroughputRatio run")
	ratioRounds   = flag.Int("ratio-rounds", 8, "rounds the ratio run is split into, alternating which server goes first")
	clients       = flag.Int("clients", 32, "concurrent client goroutines in the ratio run (RunParallel uses 16*GOMAXPROCS)")
)

const handlePath = "/v1/external/incident/handle"

// The request mix: what the SDK and Terraform send most.
var (
	acceptBody = []byte(`{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"acceptedIncident1"}`)
	commitBody = []byte(`{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"commitSolution1",` +
		`"parameter":{"mtm_type":"inc_type_p_config_issues","is_service_interrupt":true,` +
		`"cause":"A configuration push set the connection pool of the order service to 4; requests queued and timed out under the morning peak.",` +
		`"solution":"Rolled the configuration back to the previous revision, raised the pool to 64 and added an alarm on pool saturation.",` +
		`"start_time":1712345678000,"fault_recovery_time":"1712349278000"}}`)
	confirmBody = []byte(`{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"confirm",` +
		`"parameter":{"virtual_confirm_result":"true","virtual_confirm_comment":"Verified: error rate back to baseline for 30 minutes."}}`)
	mix = [][]byte{acceptBody, commitBody, confirmBody}
)

// newCocmock builds the server under test as `cocmock serve` does, logging
// aside: the embedded contract, the built-in scenarios (the default one
// active), a fixed seed, and the default edge config (logger nil: discard).
func newCocmock(tb testing.TB) (*mock.Engine, http.Handler) {
	tb.Helper()
	eng := mocktest.NewEngine(tb, mocktest.WithSeed(1))
	return eng, httpd.New(eng, httpd.Config{}).Handler()
}

// servers is a pair of loopback listeners, floor and cocmock, with one client.
type servers struct {
	floor, cocmock *httptest.Server
	client         *http.Client
}

func startServers(tb testing.TB) *servers {
	tb.Helper()
	_, h := newCocmock(tb)
	s := &servers{
		floor:   httptest.NewServer(http.HandlerFunc(floor.Handler)),
		cocmock: httptest.NewServer(h),
		client:  newClient(),
	}
	tb.Cleanup(func() {
		s.client.CloseIdleConnections()
		s.floor.Close()
		s.cocmock.Close()
	})
	// Warm up: open the connections and fault in both servers' lazy state.
	for _, url := range []string{s.floor.URL, s.cocmock.URL} {
		if _, err := drive(s.client, url+handlePath, 2000, *clients); err != nil {
			tb.Fatal(err)
		}
	}
	return s
}

func newClient() *http.Client {
	return &http.Client{
		Timeout: 10 * time.Second,
		Transport: &http.Transport{
			Proxy:               nil,
			DialContext:         (&net.Dialer{Timeout: 2 * time.Second, KeepAlive: 30 * time.Second}).DialContext,
			MaxIdleConns:        512,
			MaxIdleConnsPerHost: 256,
			IdleConnTimeout:     30 * time.Second,
			DisableCompression:  true,
			ForceAttemptHTTP2:   false,
		},
	}
}

// post sends one body and reads the whole reply; anything but a 200 with a
// body is an error.
func post(client *http.Client, url string, body []byte) error {
	req, err := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return err
	}
	req.Header["Content-Type"] = []string{"application/json"}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	n, err := io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	if err != nil {
		return err
	}
	if resp.StatusCode != http.StatusOK || n != int64(len(floor.OKBody)) {
		return fmt.Errorf("%s: status %d, %d body bytes", url, resp.StatusCode, n)
	}
	return nil
}

// drive sends n requests of the mix from workers goroutines and returns the
// wall time they took.
func drive(client *http.Client, url string, n, workers int) (time.Duration, error) {
	var (
		next     atomic.Int64
		wg       sync.WaitGroup
		firstErr atomic.Pointer[error]
	)
	start := time.Now()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				i := next.Add(1) - 1
				if i >= int64(n) || firstErr.Load() != nil {
					return
				}
				if err := post(client, url, mix[i%int64(len(mix))]); err != nil {
					firstErr.CompareAndSwap(nil, &err)
					return
				}
			}
		}()
	}
	wg.Wait()
	elapsed := time.Since(start)
	if p := firstErr.Load(); p != nil {
		return elapsed, *p
	}
	return elapsed, nil
}

// BenchmarkThroughput drives each server over loopback with RunParallel; one
// op is one full request/response exchange.
func BenchmarkThroughput(b *testing.B) {
	s := startServers(b)
	for _, t := range []struct {
		name string
		url  string
	}{
		{"floor", s.floor.URL + handlePath},
		{"cocmock", s.cocmock.URL + handlePath},
	} {
		b.Run(t.name, func(b *testing.B) {
			var failures atomic.Int64
			var firstErr atomic.Pointer[error]
			var seq atomic.Uint64
			b.SetParallelism(16) // 16*GOMAXPROCS clients keep the server busy
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				i := seq.Add(1)
				for pb.Next() {
					if err := post(s.client, t.url, mix[i%uint64(len(mix))]); err != nil {
						failures.Add(1)
						firstErr.CompareAndSwap(nil, &err)
					}
					i++
				}
			})
			b.StopTimer()
			if n := failures.Load(); n > 0 {
				b.Fatalf("%d failed requests; first: %v", n, *firstErr.Load())
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
		})
	}
}

// BenchmarkThroughputRatio compares cocmock with the floor in-process,
// over loopback, with a Go client in the same process: a quick check while
// working, not the figure to quote (the client shares the CPU and hides
// the server's cost; the README quotes BenchmarkProcess). Both servers, the
// same client, the same number of requests, interleaved in rounds (ABBA order) so
// that drift in the machine's speed hits both alike. One op is one whole
// comparison (2 × -ratio-requests exchanges).
//
// It reports the pooled wall-clock rates and their ratio, the median of the
// per-round ratios (which a burst of outside load moves least), and the
// ratio of CPU time per request of the whole process (client included),
// which outside load on a shared machine hardly moves at all. On an idle
// machine where the run is CPU-bound the two ratios agree.
func BenchmarkThroughputRatio(b *testing.B) {
	s := startServers(b)
	n, rounds := *ratioRequests, max(*ratioRounds, 1)
	per := max(n/rounds, 1)
	var floorTime, cocTime, floorCPU, cocCPU time.Duration
	var floorReqs, cocReqs int
	var ratios []float64
	b.Logf("load before: %s", loadavg())
	b.ResetTimer()
	for b.Loop() {
		for r := range rounds {
			first, second := s.floor, s.cocmock
			if r%2 == 1 {
				first, second = second, first
			}
			var ft, ct time.Duration
			for _, srv := range []*httptest.Server{first, second} {
				cpu0 := cpuTime()
				d, err := drive(s.client, srv.URL+handlePath, per, *clients)
				if err != nil {
					b.Fatal(err)
				}
				cpu := cpuTime() - cpu0
				if srv == s.floor {
					ft, floorCPU = d, floorCPU+cpu
				} else {
					ct, cocCPU = d, cocCPU+cpu
				}
			}
			floorTime += ft
			cocTime += ct
			floorReqs += per
			cocReqs += per
			ratios = append(ratios, ft.Seconds()/ct.Seconds())
		}
	}
	b.StopTimer()
	b.Logf("load after: %s", loadavg())
	slices.Sort(ratios)
	floorRate := float64(floorReqs) / floorTime.Seconds()
	cocRate := float64(cocReqs) / cocTime.Seconds()
	b.ReportMetric(floorRate, "floor-req/s")
	b.ReportMetric(cocRate, "cocmock-req/s")
	b.ReportMetric(cocRate/floorRate, "ratio")
	b.ReportMetric(median(ratios), "ratio-median")
	b.ReportMetric(ratios[0], "ratio-min")
	b.ReportMetric(ratios[len(ratios)-1], "ratio-max")
	floorUs := float64(floorCPU.Microseconds()) / float64(floorReqs)
	cocUs := float64(cocCPU.Microseconds()) / float64(cocReqs)
	b.ReportMetric(floorUs, "floor-cpu-us/req")
	b.ReportMetric(cocUs, "cocmock-cpu-us/req")
	b.ReportMetric(floorUs/cocUs, "ratio-cpu")
}

// cpuTime is the CPU time (user+system) the whole process has used.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func median(sorted []float64) float64 {
	m := len(sorted) / 2
	if len(sorted)%2 == 1 {
		return sorted[m]
	}
	return (sorted[m-1] + sorted[m]) / 2
}

// loadavg says how busy the machine was: on a shared box, a ratio measured
// under outside load is worth less.
func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "unknown"
	}
	return strings.TrimSpace(string(b))
}

// BenchmarkRequestPath times cocmock's request path without the network,
// part by part, with allocations; the floor handler goes through the same
// recorder harness for comparison.
func BenchmarkRequestPath(b *testing.B) {
	eng, h := newCocmock(b)
	spec, err := openapi.Load("embedded", openapi.Embedded())
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	header := http.Header{"Content-Type": {"application/json"}}

	b.Run("engine.Serve", func(b *testing.B) {
		req := mock.Request{
			ID: "0123456789abcdef0123456789abcdef", Method: http.MethodPost, Path: handlePath,
			Header: header, Body: commitBody,
		}
		if r := eng.Serve(ctx, req); r.Status != http.StatusOK || !bytes.Equal(r.Body, floor.OKBody) {
			b.Fatalf("status %d body %s", r.Status, r.Body)
		}
		b.ReportAllocs()
		for b.Loop() {
			eng.Serve(ctx, req)
		}
	})

	b.Run("engine.Serve/refused", func(b *testing.B) {
		// The mix's invalid request: an operate_key typo, refused 400.
		req := mock.Request{
			ID: "0123456789abcdef0123456789abcdef", Method: http.MethodPost, Path: handlePath,
			Header: header, Body: []byte(`{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"acceptIncident1"}`),
		}
		if r := eng.Serve(ctx, req); r.Status != http.StatusBadRequest {
			b.Fatalf("status %d body %s", r.Status, r.Body)
		}
		b.ReportAllocs()
		for b.Loop() {
			eng.Serve(ctx, req)
		}
	})

	b.Run("spec.Route", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, _, err := spec.Route(http.MethodPost, handlePath); err != nil {
				b.Fatal(err)
			}
		}
	})

	op, params, err := spec.Route(http.MethodPost, handlePath)
	if err != nil {
		b.Fatal(err)
	}
	oreq := openapi.Request{Method: http.MethodPost, Path: handlePath, Header: header, Body: commitBody, PathParams: params}
	b.Run("spec.ValidateRequest", func(b *testing.B) {
		if c := spec.ValidateRequest(ctx, op, oreq); len(c.Violations) > 0 {
			b.Fatal(c.Violations)
		}
		b.ReportAllocs()
		for b.Loop() {
			spec.ValidateRequest(ctx, op, oreq)
		}
	})

	checked := spec.ValidateRequest(ctx, op, oreq)
	b.Run("op.UnknownFields", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			op.UnknownFields(checked.Body)
		}
	})

	b.Run("engine.NewRequestID", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			eng.NewRequestID()
		}
	})

	serve := func(b *testing.B, h http.Handler) {
		newReq := func() *http.Request {
			r, _ := http.NewRequest(http.MethodPost, handlePath, bytes.NewReader(commitBody))
			r.Header["Content-Type"] = []string{"application/json"}
			r.RemoteAddr = "127.0.0.1:40000"
			return r
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, newReq())
		if rec.Code != http.StatusOK || !bytes.Equal(rec.Body.Bytes(), floor.OKBody) {
			b.Fatalf("status %d body %s", rec.Code, rec.Body)
		}
		b.ReportAllocs()
		for b.Loop() {
			h.ServeHTTP(httptest.NewRecorder(), newReq())
		}
	}
	b.Run("echo.Handler", func(b *testing.B) { serve(b, h) })
	b.Run("floor.Handler", func(b *testing.B) { serve(b, http.HandlerFunc(floor.Handler)) })
}
