package bench

import (
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

var soakHostile = flag.Int("soak-hostile", 1600, "hostile requests in BenchmarkSoak's hostile phase (0: none)")

// soakRSSAfter is what the process may hold once the load has stopped
// and the sandbox is reset (issue 25).
const soakRSSAfter = 64 << 20

// hostile is one kind of hostile request: each holds the server to what
// it keeps of it (the issue 25 table, one row each).
type hostile struct {
	name string
	req  func(url string, i int) *http.Request
}

// big is n bytes of one letter, unique to i in its first bytes.
func big(i, n int) string {
	s := strconv.Itoa(i) + "z"
	return s + strings.Repeat("a", n-len(s))
}

const nearMiB = 1<<20 - 8<<10 // fits under the 1 MiB header cap with the rest of the request

var hostiles = []hostile{
	{"1 MB header", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("GET", url+"/v1/external/incident/IM1", nil)
		r.Header.Set("X-Junk", big(i, nearMiB))
		return r
	}},
	{"1 MB path", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("GET", url+"/v1/external/incident/"+big(i, nearMiB), nil)
		return r
	}},
	{"1 MB query", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("GET", url+"/v1/external/incident/IM1?q="+big(i, nearMiB), nil)
		return r
	}},
	{"1 MB method", func(url string, i int) *http.Request {
		r, _ := http.NewRequest(strings.ToUpper(big(i, nearMiB)), url+handlePath, nil)
		return r
	}},
	{"900 KB incident_num", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("POST", url+handlePath, strings.NewReader(`{"incident_num":"`+big(i, 900<<10)+`","operator":"u","operate_key":"acceptedIncident1"}`))
		r.Header.Set("Content-Type", "application/json")
		return r
	}},
	{"1 MB session id", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("GET", url+"/v1/external/incident/IM1", nil)
		r.Header.Set("X-Cocmock-Session", big(i, nearMiB))
		return r
	}},
	{"1 MB Content-Type parameter", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("POST", url+handlePath, strings.NewReader(`{}`))
		r.Header.Set("Content-Type", "application/json; x="+big(i, nearMiB))
		return r
	}},
	{"0.9 MB parameter on one ticket", func(url string, i int) *http.Request {
		r, _ := http.NewRequest("POST", url+handlePath, strings.NewReader(`{"incident_num":"IM-HOSTILE","operator":"u","operate_key":"forwardOther1","parameter":{"virtual_send_comment":"`+big(i, 900<<10)+`"}}`))
		r.Header.Set("Content-Type", "application/json")
		r.Header.Set("X-Cocmock-Session", "hostile")
		return r
	}},
}

// hostilePhase sends the hostile requests, mixed with the normal traffic
// (normal, run until the phase ends), while connections misbehave beside
// them: idle keep-alive connections, bodies announced and not sent, and
// journal readers that never read. It samples the live heap (after a
// collection) and RSS as it goes; once the load stops and the sandbox is
// reset, it waits up to 60 s for RSS to come back under soakRSSAfter.
func hostilePhase(b *testing.B, srv *process, client *http.Client, normal func(stop <-chan struct{})) {
	if *soakHostile <= 0 {
		return
	}
	addr := strings.TrimPrefix(srv.url, "http://")
	var conns []net.Conn
	var mu sync.Mutex
	keep := func(c net.Conn) { mu.Lock(); conns = append(conns, c); mu.Unlock() }
	// 200 idle keep-alive connections, 64 bodies announced at 500 KB with
	// one byte sent, 4 journal readers that read nothing.
	for i := range 268 {
		c, err := net.Dial("tcp", addr)
		if err != nil {
			b.Fatal(err)
		}
		keep(c)
		switch {
		case i < 200:
			fmt.Fprintf(c, "GET /__admin/health HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		case i < 264:
			fmt.Fprintf(c, "POST %s HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 512000\r\n\r\n{", handlePath)
		default:
			fmt.Fprintf(c, "GET /__admin/requests HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() { defer wg.Done(); normal(stop) }()

	fmt.Printf("hostile phase: %d requests of %d kinds, with normal traffic, 200 idle and 64 stalled connections, 4 unread journal lists\n", *soakHostile, len(hostiles))
	fmt.Printf("%10s %10s %10s %10s %12s %10s\n", "hostile", "rss MiB", "peak MiB", "live MiB", "counted MiB", "health ms")
	var next, refused atomic.Int64
	every := max(*soakHostile/8, 1)
	for done := 0; done < *soakHostile; done += every {
		var round sync.WaitGroup
		n := min(every, *soakHostile-done)
		for range 4 {
			round.Add(1)
			go func() {
				defer round.Done()
				for {
					i := int(next.Add(1) - 1)
					if i >= done+n {
						return
					}
					h := hostiles[i%len(hostiles)]
					resp, err := client.Do(h.req(srv.url, i))
					if err != nil {
						refused.Add(1) // the server may cut a connection; it must not fall over
						continue
					}
					_, _ = io.Copy(io.Discard, resp.Body)
					resp.Body.Close()
					if resp.StatusCode >= 500 {
						b.Errorf("%s: %d", h.name, resp.StatusCode)
					}
				}
			}()
		}
		round.Wait()
		start := time.Now()
		resp, err := client.Get(srv.url + "/__admin/health")
		if err != nil || resp.StatusCode != 200 {
			b.Fatalf("health during the hostile phase: %v %v", resp, err)
		}
		resp.Body.Close()
		took := time.Since(start)
		live, counted := liveHeap(b, client, srv.url)
		rss, peak := memory(srv.pid())
		fmt.Printf("%10d %10.1f %10.1f %10.1f %12.1f %10.1f\n", done+n, mib(rss), mib(peak), live/(1<<20), counted/(1<<20), float64(took.Microseconds())/1000)
		if live > soakHeapTarget {
			b.Fatalf("live heap %.1f MiB under hostile input, over %d MiB", live/(1<<20), soakHeapTarget>>20)
		}
		if peak > soakRSSCeiling {
			b.Fatalf("RSS peaked at %.1f MiB under hostile input, over %d MiB", mib(peak), soakRSSCeiling>>20)
		}
	}
	close(stop)
	wg.Wait()
	for _, c := range conns {
		c.Close()
	}
	client.CloseIdleConnections()
	if n := refused.Load(); n > 0 {
		fmt.Printf("hostile requests whose connection the server cut: %d\n", n)
	}

	// The load has stopped: what the sandbox holds is what its sessions
	// keep, up to the budgets; a reset gives it up, and the runtime's
	// scavenger returns the pages to the system.
	resp, err := client.Post(srv.url+"/__admin/reset?all=true", "application/json", nil)
	if err != nil || resp.StatusCode/100 != 2 {
		b.Fatalf("reset: %v %v", resp, err)
	}
	resp.Body.Close()
	stopped := time.Now()
	for {
		rss, _ := memory(srv.pid())
		if rss < soakRSSAfter {
			fmt.Printf("RSS %.1f MiB %.0f s after the load stopped and the reset\n", mib(rss), time.Since(stopped).Seconds())
			return
		}
		if time.Since(stopped) > 60*time.Second {
			b.Fatalf("RSS still %.1f MiB 60 s after the load stopped and the reset, over %d MiB", mib(rss), soakRSSAfter>>20)
		}
		time.Sleep(time.Second)
	}
}

// liveHeap is the server's heap after a full collection (the heap
// profiler's gc=1, behind --pprof), and what its budgets count.
func liveHeap(b *testing.B, client *http.Client, url string) (live, counted float64) {
	resp, err := client.Get(url + "/__admin/debug/pprof/heap?gc=1")
	if err != nil || resp.StatusCode != 200 {
		b.Fatalf("forcing a collection (--pprof): %v %v", resp, err)
	}
	_, _ = io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	journal, state := serverMetric(client, url, "cocmock_journal_bytes"), serverMetric(client, url, "cocmock_state_bytes")
	return serverMetric(client, url, "go_memstats_heap_alloc_bytes"), journal + state
}
