package bench

import (
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	procRounds     = flag.Int("proc-rounds", 3, "rounds of BenchmarkProcess; each server is driven once a round, in a rotating order")
	procDuration   = flag.Duration("proc-duration", 4*time.Second, "how long wrk drives a server in one round")
	procConns      = flag.Int("proc-conns", 32, "wrk's connections")
	procCocmock    = flag.String("proc-cocmock", "", "a cocmock binary to measure instead of building ./cmd/cocmock")
	procBefore     = flag.String("proc-before", "", "an older cocmock binary to measure too, as the row \"before\", in the same rounds (before/after in one run)")
	procArgs       = flag.String("proc-args", "", "flags added to cocmock's (and before's) own, space-separated (--gc-percent 1000); the default measures the defaults")
	procBeforeArgs = flag.String("proc-before-args", "", "flags added to before's alone, after -proc-args: with -proc-before naming the same binary, an on/off comparison in one run (--coverage=false)")
)

// wrkScript sends the request mix in turn: accept, commitSolution1 with a
// realistic cause and solution, confirm with string booleans (Terraform's
// way), and an invalid request (an operate_key typo).
const wrkScript = `
local bodies = {
  '{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"acceptedIncident1"}',
  '{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"commitSolution1","parameter":{"mtm_type":"inc_type_p_config_issues","is_service_interrupt":true,"cause":"A configuration push set the connection pool of the order service to 4; requests queued and timed out under the morning peak.","solution":"Rolled the configuration back to the previous revision, raised the pool to 64 and added an alarm on pool saturation.","start_time":1712345678000,"fault_recovery_time":"1712349278000"}}',
  '{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"confirm","parameter":{"virtual_confirm_result":"true","virtual_confirm_comment":"Verified: error rate back to baseline for 30 minutes."}}',
  '{"incident_num":"IM202403221515060171753781","operator":"7da46971b7e24eed90cf777cc2ff8b91","operate_key":"acceptIncident1"}',
}
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/external/incident/handle", {["Content-Type"] = "application/json;charset=UTF-8"}, bodies[i])
end
`

// listScript is ListIncidents as Terraform's huaweicloud_coc_incidents data
// source sends it (a create_time window, newest first), paged as the SDK
// pages (per_page 10, with the total), on a store of listTickets incidents.
const listScript = `
request = function()
  return wrk.format("POST", "/v2/incidents/list", {["Content-Type"] = "application/json;charset=UTF-8"},
    '{"contain_total":true,"per_page":10,"string_filters":[{"field":"create_time","name":"start","operator":">=","values":["1000000000000"]},{"field":"create_time","name":"end","operator":"<=","values":["9999999999999"]}],"sort_filter":{"field":"create_time","name":"create_time","operator":"desc","values":["create_time"]}}')
end
`

// listTickets is how many incidents the v2 list row lists from.
const listTickets = 1000

// BenchmarkProcess measures the servers as a load test sees them: each is
// its own process with its default flags, pinned to CPU 0, driven by wrk
// pinned to CPU 1, in interleaved rounds; it prints the medians of req/s,
// p50, p90 and p99, the ratios to the floor, peak RSS, idle RSS and start-up
// time (process start to a 200 from health), the server's CPU time per
// request (user and system, from /proc) during the measured run, and, for
// cocmock, the bytes it allocated per request then (from its metrics). It
// needs wrk and taskset (Debian's wrk and util-linux).
//
//	go test -run '^$' -bench Process -benchtime 1x ./bench/
func BenchmarkProcess(b *testing.B) {
	wrk, err := exec.LookPath("wrk")
	if err != nil {
		b.Skip("wrk is not installed (Debian package wrk)")
	}
	if _, err := exec.LookPath("taskset"); err != nil {
		b.Skip("taskset is not installed")
	}
	dir := b.TempDir()
	bins := map[string]string{"cocmock": *procCocmock}
	if bins["cocmock"] == "" {
		bins["cocmock"] = buildCocmock(b)
	}
	for _, name := range []string{"floor", "naive"} {
		bins[name] = buildServer(b, "./cmd/"+name)
	}
	script := filepath.Join(dir, "mix.lua")
	if err := os.WriteFile(script, []byte(wrkScript), 0o644); err != nil {
		b.Fatal(err)
	}
	lister := filepath.Join(dir, "list.lua")
	if err := os.WriteFile(lister, []byte(listScript), 0o644); err != nil {
		b.Fatal(err)
	}
	order := []string{"floor", "naive", "cocmock"}
	if *procBefore != "" {
		bins["before"] = *procBefore
		order = append(order, "before")
	}
	type sample struct{ rps, p50, p90, p99, cpuMicros, allocBytes float64 }
	client := newClient()
	// allocated reads a cocmock's bytes allocated so far from its metrics
	// (-1 for the references, which have none).
	allocated := func(name, url string) float64 {
		if name != "cocmock" && name != "before" {
			return -1
		}
		return serverMetric(client, url, "go_memstats_alloc_bytes_total")
	}
	samples := map[string][]sample{}
	var lists []sample // cocmock's v2 list on listTickets incidents, a run a round
	peak := map[string]int64{}
	idle := map[string]int64{}
	start := map[string][]time.Duration{}
	for b.Loop() {
		for round := range *procRounds {
			for k := range order {
				name := order[(k+round)%len(order)]
				t0 := time.Now()
				var args []string
				if name == "cocmock" || name == "before" {
					args = strings.Fields(*procArgs)
				}
				if name == "before" {
					args = append(args, strings.Fields(*procBeforeArgs)...)
				}
				srv := startProcess(b, 0, "/__admin/health", bins[name], args...)
				start[name] = append(start[name], time.Since(t0))
				time.Sleep(200 * time.Millisecond)
				rss, _ := memory(srv.pid())
				idle[name] = max(idle[name], rss)
				// A short warm-up, then the measured run.
				_ = exec.Command("taskset", "-c", "1", wrk, "-t1", fmt.Sprintf("-c%d", *procConns), "-d1s", "-s", script, srv.url).Run()
				alloc0 := allocated(name, srv.url)
				cpu0 := cpuTicks(srv.pid())
				out, err := exec.Command("taskset", "-c", "1", wrk, "-t1", fmt.Sprintf("-c%d", *procConns), "-d"+procDuration.String(),
					"--latency", "-s", script, srv.url).CombinedOutput()
				cpu := cpuTicks(srv.pid()) - cpu0
				alloc := allocated(name, srv.url) - alloc0
				if err != nil {
					b.Fatalf("wrk on %s: %v\n%s", name, err, out)
				}
				s, err := parseWrk(string(out), mixRefused)
				if err != nil {
					b.Fatalf("%s: %v\n%s", name, err, out)
				}
				perRequest := -1.0
				if alloc0 >= 0 && alloc >= 0 {
					perRequest = alloc / s.total
				}
				samples[name] = append(samples[name], sample{s.rps, s.p50, s.p90, s.p99, float64(cpu) * 1e6 / clockTicks / s.total, perRequest})
				_, hwm := memory(srv.pid())
				peak[name] = max(peak[name], hwm)
				if name == "cocmock" {
					lists = append(lists, measureList(b, client, wrk, lister, srv))
				}
				srv.stop()
			}
		}
	}
	med := func(name string, f func(sample) float64) float64 {
		var v []float64
		for _, s := range samples[name] {
			v = append(v, f(s))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	floorRPS, floorP99 := med("floor", func(s sample) float64 { return s.rps }), med("floor", func(s sample) float64 { return s.p99 })
	fmt.Printf("%d rounds of %s, %d connections; servers on CPU 0, wrk on CPU 1; medians of the rounds, RSS the largest\n", *procRounds, *procDuration, *procConns)
	naiveRPS := med("naive", func(s sample) float64 { return s.rps })
	fmt.Printf("%-8s %10s %8s %8s %9s %9s %9s %9s %9s %9s %10s %10s %10s\n", "server", "req/s", "ratio", "/naive", "p50 ms", "p90 ms", "p99 ms", "p99/floor", "peak MiB", "idle MiB", "start ms", "cpu µs/req", "alloc B/req")
	for _, name := range order {
		rps, p99 := med(name, func(s sample) float64 { return s.rps }), med(name, func(s sample) float64 { return s.p99 })
		st := slices.Clone(start[name])
		slices.Sort(st)
		allocs := "—"
		if a := med(name, func(s sample) float64 { return s.allocBytes }); a >= 0 {
			allocs = fmt.Sprintf("%.0f", a)
		}
		fmt.Printf("%-8s %10.0f %8.2f %8.2f %9.2f %9.2f %9.2f %9.2f %9.1f %9.1f %10.1f %10.1f %11s\n", name, rps, rps/floorRPS, rps/naiveRPS,
			med(name, func(s sample) float64 { return s.p50 }), med(name, func(s sample) float64 { return s.p90 }), p99, p99/floorP99, mib(peak[name]), mib(idle[name]),
			float64(st[len(st)/2].Microseconds())/1000, med(name, func(s sample) float64 { return s.cpuMicros }), allocs)
	}
	// Each round drives the servers back to back, so a ratio taken within
	// a round is spared the drift of a shared machine between rounds. p90's
	// ratio beside p99's shows where the tail begins: a server that is only
	// slower has the two alike.
	lmed := func(f func(sample) float64) float64 {
		var v []float64
		for _, s := range lists {
			v = append(v, f(s))
		}
		slices.Sort(v)
		return v[len(v)/2]
	}
	fmt.Printf("%-8s %10.0f %8s %8s %9.2f %9.2f %9.2f %9s %9s %9s %10s %10.1f %11.0f   (v2 list, %d incidents, per_page 10)\n", "cocmock", lmed(func(s sample) float64 { return s.rps }), "—", "—",
		lmed(func(s sample) float64 { return s.p50 }), lmed(func(s sample) float64 { return s.p90 }), lmed(func(s sample) float64 { return s.p99 }), "—", "—", "—", "—",
		lmed(func(s sample) float64 { return s.cpuMicros }), lmed(func(s sample) float64 { return s.allocBytes }), listTickets)
	fmt.Printf("within each round, ratio to the floor's req/s (and p90, p99), rounds sorted:\n")
	for _, name := range order[1:] {
		var rps, p90, p99 []float64
		for r := range samples[name] {
			rps = append(rps, samples[name][r].rps/samples["floor"][r].rps)
			p90 = append(p90, samples[name][r].p90/samples["floor"][r].p90)
			p99 = append(p99, samples[name][r].p99/samples["floor"][r].p99)
		}
		slices.Sort(rps)
		slices.Sort(p90)
		slices.Sort(p99)
		fmt.Printf("%-8s req/s %s  p90 %s  p99 %s\n", name, ratios(rps), ratios(p90), ratios(p99))
	}
	// The machine's other load only ever slows a server down: each
	// server's best round is the nearest to a quiet machine.
	best := func(name string, f func(sample) float64) float64 {
		v := f(samples[name][0])
		for _, s := range samples[name][1:] {
			v = min(v, f(s))
		}
		return v
	}
	bestRPS := func(name string) float64 { return -best(name, func(s sample) float64 { return -s.rps }) }
	bestP99 := func(name string) float64 { return best(name, func(s sample) float64 { return s.p99 }) }
	bestCPU := func(name string) float64 { return best(name, func(s sample) float64 { return s.cpuMicros }) }
	fmt.Printf("each server's best round (highest req/s, lowest p99, least CPU a request, each on its own), with this/floor's for req/s and p99, floor's/this for CPU:\n")
	for _, name := range order {
		fmt.Printf("%-8s req/s %6.0f %5.2f  p99 %5.2f ms %5.2f  cpu %5.1f µs %5.2f\n", name, bestRPS(name), bestRPS(name)/bestRPS("floor"),
			bestP99(name), bestP99(name)/bestP99("floor"), bestCPU(name), bestCPU("floor")/bestCPU(name))
	}
}

// measureList creates listTickets incidents in a running cocmock, then
// drives ListIncidents on them for the round's duration: req/s, latency,
// CPU and bytes allocated a request.
func measureList(b *testing.B, client *http.Client, wrk, script string, srv *process) (s struct{ rps, p50, p90, p99, cpuMicros, allocBytes float64 }) {
	b.Helper()
	for i := range listTickets {
		body := fmt.Sprintf(`{"incident_level":"level_%d0","is_service_interrupt":"false","incident_type":"inc_type_p_security_issues","incident_title":"ticket %d","incident_source":"incident_source_manual","creator":"9605B67C741D4553887A3462771107D3"}`, i%5+1, i)
		resp, err := client.Post(srv.url+"/v1/external/incident/create", "application/json", strings.NewReader(body))
		if err != nil {
			b.Fatal(err)
		}
		_, _ = io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("create: %d", resp.StatusCode)
		}
	}
	_ = exec.Command("taskset", "-c", "1", wrk, "-t1", fmt.Sprintf("-c%d", *procConns), "-d1s", "-s", script, srv.url).Run()
	alloc0 := serverMetric(client, srv.url, "go_memstats_alloc_bytes_total")
	cpu0 := cpuTicks(srv.pid())
	out, err := exec.Command("taskset", "-c", "1", wrk, "-t1", fmt.Sprintf("-c%d", *procConns), "-d"+procDuration.String(),
		"--latency", "-s", script, srv.url).CombinedOutput()
	cpu := cpuTicks(srv.pid()) - cpu0
	alloc := serverMetric(client, srv.url, "go_memstats_alloc_bytes_total") - alloc0
	if err != nil {
		b.Fatalf("wrk on the v2 list: %v\n%s", err, out)
	}
	r, err := parseWrk(string(out), 0)
	if err != nil {
		b.Fatalf("the v2 list: %v\n%s", err, out)
	}
	s.rps, s.p50, s.p90, s.p99 = r.rps, r.p50, r.p90, r.p99
	s.cpuMicros, s.allocBytes = float64(cpu)*1e6/clockTicks/r.total, alloc/r.total
	return s
}

// ratios prints sorted ratios, the median marked.
func ratios(v []float64) string {
	var b strings.Builder
	for i, x := range v {
		if i == len(v)/2 {
			fmt.Fprintf(&b, "[%.2f] ", x)
		} else {
			fmt.Fprintf(&b, "%.2f ", x)
		}
	}
	return strings.TrimSpace(b.String())
}

var (
	wrkRPS     = regexp.MustCompile(`Requests/sec:\s+([0-9.]+)`)
	wrkTotal   = regexp.MustCompile(`(?m)^\s*([0-9]+) requests in`)
	wrkNon2xx  = regexp.MustCompile(`Non-2xx or 3xx responses:\s+([0-9]+)`)
	wrkErrors  = regexp.MustCompile(`Socket errors:.*(read|write|timeout) [1-9]`)
	wrkLatency = regexp.MustCompile(`(?m)^\s+(50|90|99)%\s+([0-9.]+)(us|ms|s)`)
)

// wrkRun is what one wrk run reports: req/s, p50, p90 and p99 (ms), and
// the number of requests.
type wrkRun struct{ rps, p50, p90, p99, total float64 }

// mixRefused is the share of wrkScript's requests a server must refuse:
// one in four, the operate_key typo.
const mixRefused = 0.25

// parseWrk reads a wrk --latency report. It fails unless the server
// answered as the script asks: the share refused of its requests (within
// five points), the others answered 2xx, none lost.
func parseWrk(out string, refusedShare float64) (wrkRun, error) {
	var r wrkRun
	m := wrkRPS.FindStringSubmatch(out)
	if m == nil {
		return r, fmt.Errorf("no Requests/sec")
	}
	r.rps, _ = strconv.ParseFloat(m[1], 64)
	if wrkErrors.MatchString(out) {
		return r, fmt.Errorf("wrk saw socket errors")
	}
	refused := 0.0
	if m := wrkTotal.FindStringSubmatch(out); m != nil {
		r.total, _ = strconv.ParseFloat(m[1], 64)
	}
	if m := wrkNon2xx.FindStringSubmatch(out); m != nil {
		refused, _ = strconv.ParseFloat(m[1], 64)
	}
	if share := refused / r.total; r.total == 0 || share < refusedShare-0.05 || share > refusedShare+0.05 {
		return r, fmt.Errorf("%.0f of %.0f requests refused: want a share of %.2f", refused, r.total, refusedShare)
	}
	for _, l := range wrkLatency.FindAllStringSubmatch(out, -1) {
		v, _ := strconv.ParseFloat(l[2], 64)
		switch l[3] {
		case "us":
			v /= 1000
		case "s":
			v *= 1000
		}
		switch l[1] {
		case "50":
			r.p50 = v
		case "90":
			r.p90 = v
		default:
			r.p99 = v
		}
	}
	return r, nil
}
