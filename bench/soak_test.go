package bench

import (
	"bufio"
	"bytes"
	"flag"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var (
	soakRequests = flag.Int("soak-requests", 1_000_000, "requests in one BenchmarkSoak run")
	soakSessions = flag.Int("soak-sessions", 5000, "X-Cocmock-Session values BenchmarkSoak spreads them over")
	soakEvery    = flag.Int("soak-every", 100_000, "requests between two BenchmarkSoak samples")
)

// BenchmarkSoak runs `cocmock serve` as its own process with default flags
// (plus --pprof, for the forced collection) and drives it with many
// sessions, each creating, moving and reading incidents, with some large
// bodies; every soak-every requests it prints the server's RSS (now and
// at its peak, from /proc), heap in use and live heap, and the bytes its
// budgets count (journal and state, from its metrics). With the budgets
// working, all level off once the sessions are at their cap, under the
// README's ceilings, which the run checks. A hostile phase follows
// (hostilePhase).
//
//	go test -run '^$' -bench Soak -benchtime 1x ./bench/
func BenchmarkSoak(b *testing.B) {
	bin := buildCocmock(b)
	// --pprof: the live heap is read after the profiler's forced collection.
	srv := startProcess(b, -1, "/__admin/health", bin, "--pprof")
	client := newClient()
	pad := strings.Repeat("x", 8<<10) // a larger body now and then: journals fill faster
	bodies := func(i int) (method, path string, body []byte) {
		// Requests go to the sessions in turn; a session's own turns (its
		// rounds) pick what it sends, so that each session creates, moves
		// and reads its tickets. Seven tickets a session, seven being prime
		// to the ten kinds: each is handled and read. With more sessions
		// than the server keeps (--max-sessions), each is dropped between
		// two of its turns and its reads find no ticket: the run then
		// measures the sessions' churn; -soak-sessions 900 keeps them all.
		sess, round := i%*soakSessions, i / *soakSessions
		num := fmt.Sprintf("IM-S%d-%d", sess, round%7)
		switch round % 10 {
		case 0:
			return "POST", "/v1/external/incident/create", []byte(`{"incident_level":"level_40","is_service_interrupt":"false","incident_type":"t","incident_title":"soak","incident_source":"incident_source_alarm","creator":"c"}`)
		case 1:
			return "GET", "/v1/external/incident/" + num, nil
		case 2:
			return "POST", "/v1/incident/list-histories", []byte(`{"string_filters":[{"field":"ticket_id","operator":"=","values":["` + num + `"]}]}`)
		case 3:
			return "POST", handlePath, []byte(`{"incident_num":"` + num + `","operator":"u","operate_key":"forwardOther1","parameter":{"virtual_send_comment":"` + pad + `"}}`)
		}
		return "POST", handlePath, mix[round%len(mix)]
	}
	fmt.Printf("%10s %10s %10s %10s %10s %12s %10s %10s %8s\n", "requests", "rss MiB", "peak MiB", "heap MiB", "live MiB", "counted MiB", "live/count", "sessions", "req/s")
	var sent, failures atomic.Int64
	send := func(i int) {
		method, path, body := bodies(i)
		req, _ := http.NewRequest(method, srv.url+path, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("X-Cocmock-Session", "soak-"+strconv.Itoa(i%*soakSessions))
		resp, err := client.Do(req)
		if err != nil {
			failures.Add(1)
			return
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 500 {
			failures.Add(1) // the mix asks for 200s and 400s only
		}
		sent.Add(1)
	}
	for b.Loop() {
		sent.Store(0)
		failures.Store(0)
		start := time.Now()
		for done := 0; done < *soakRequests; done += *soakEvery {
			var wg sync.WaitGroup
			n := min(*soakEvery, *soakRequests-done)
			next := atomic.Int64{}
			for range 32 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := int(next.Add(1)-1) + done
						if i >= done+n {
							return
						}
						send(i)
					}
				}()
			}
			wg.Wait()
			rss, peak := memory(srv.pid())
			heap, sessions := serverMetric(client, srv.url, "go_memstats_heap_inuse_bytes"), serverMetric(client, srv.url, "cocmock_sessions")
			// What the byte budgets count, against the live heap (what a
			// full collection leaves, which the heap profiler's gc=1 runs):
			// the README's Limits says how far the one exceeds the other.
			live, counted := liveHeap(b, client, srv.url)
			rate := float64(sent.Load()) / time.Since(start).Seconds()
			fmt.Printf("%10d %10.1f %10.1f %10.1f %10.1f %12.1f %10.2f %10.0f %8.0f\n", done+n, mib(rss), mib(peak), heap/(1<<20), live/(1<<20), counted/(1<<20), live/counted, sessions, rate)
			if live < 0 || counted < 0 || live > soakHeapTarget {
				b.Fatalf("live heap %.1f MiB, counted %.1f MiB: the metrics are missing, or the heap is over the README's %d MiB target", live/(1<<20), counted/(1<<20), soakHeapTarget>>20)
			}
			if peak > soakRSSCeiling {
				b.Fatalf("RSS peaked at %.1f MiB, over the %d MiB a client may see", mib(peak), soakRSSCeiling>>20)
			}
		}
		if f := failures.Load(); f > 0 {
			b.Fatalf("%d requests failed", f)
		}
		hostilePhase(b, srv, client, func(stop <-chan struct{}) {
			var wg sync.WaitGroup
			var next atomic.Int64
			for range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						select {
						case <-stop:
							return
						default:
						}
						send(int(next.Add(1)))
					}
				}()
			}
			wg.Wait()
		})
		if f := failures.Load(); f > 0 {
			b.Fatalf("%d normal requests failed during the hostile phase", f)
		}
	}
}

// soakHeapTarget is the README's memory target with the default flags
// (--memory-limit).
const soakHeapTarget = 256 << 20

// soakRSSCeiling is what the process may hold at its peak: the memory
// limit covers what Go's runtime manages, the binary and the runtime's own
// books come on top (a run with the budgets binding peaked at 264 MiB).
const soakRSSCeiling = soakHeapTarget + 64<<20

func mib(n int64) float64 { return float64(n) / (1 << 20) }

// serverMetric reads one unlabelled metric from the server's Prometheus page.
func serverMetric(client *http.Client, url, name string) float64 {
	resp, err := client.Get(url + "/__admin/metrics")
	if err != nil {
		return -1
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), name+" "); ok {
			f, _ := strconv.ParseFloat(v, 64)
			return f
		}
	}
	return -1
}
