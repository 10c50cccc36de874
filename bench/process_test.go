package bench

import (
	"bufio"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
)

// process is a server running as its own process, as users run it.
type process struct {
	cmd *exec.Cmd
	url string
}

// buildCocmock builds ./cmd/cocmock into a temporary folder.
func buildCocmock(tb testing.TB) string {
	tb.Helper()
	return buildServer(tb, "../cmd/cocmock")
}

// buildServer builds a server's main package into a temporary folder with
// the Dockerfile's flags (static, stripped), the same for cocmock and the
// references, so that their RSS and start-up compare like for like.
func buildServer(tb testing.TB, pkg string) string {
	tb.Helper()
	bin := filepath.Join(tb.TempDir(), filepath.Base(pkg))
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags=-s -w", "-o", bin, pkg)
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		tb.Fatalf("building %s: %v\n%s", pkg, err, out)
	}
	return bin
}

// freeAddr picks a free loopback port.
func freeAddr(tb testing.TB) string {
	tb.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// startProcess runs bin with args (plus --addr), optionally pinned to a
// CPU with taskset, and waits until GET health answers 200. It is stopped,
// by its PID, when the test ends.
func startProcess(tb testing.TB, cpu int, health string, bin string, args ...string) *process {
	tb.Helper()
	addr := freeAddr(tb)
	argv := append([]string{bin, "--addr", addr}, args...)
	if cpu >= 0 {
		if _, err := exec.LookPath("taskset"); err == nil {
			argv = append([]string{"taskset", "-c", strconv.Itoa(cpu)}, argv...)
		}
	}
	p := &process{cmd: exec.Command(argv[0], argv[1:]...), url: "http://" + addr}
	// The server logs as it would to a terminal or a file; /dev/null keeps
	// the benchmark from holding (or piping) what it writes.
	devNull, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { devNull.Close() })
	p.cmd.Stdout, p.cmd.Stderr = devNull, devNull
	if err := p.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(p.stop)
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(p.url + health)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return p
			}
		}
		time.Sleep(time.Millisecond) // fine enough to time a start-up
	}
	tb.Fatalf("%s did not answer %s", argv, health)
	return nil
}

// stop ends the process by its PID (SIGTERM, then SIGKILL).
func (p *process) stop() {
	if p.cmd.Process == nil || p.cmd.ProcessState != nil {
		return
	}
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	done := make(chan struct{})
	go func() { _ = p.cmd.Wait(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
	}
}

// memory reads a process's resident set now (VmRSS) and at its peak
// (VmHWM), in bytes, from /proc.
func memory(pid int) (rss, peak int64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		field, value, ok := strings.Cut(sc.Text(), ":")
		if !ok {
			continue
		}
		kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(value), "kB")), 10, 64)
		switch field {
		case "VmRSS":
			rss = kb << 10
		case "VmHWM":
			peak = kb << 10
		}
	}
	return rss, peak
}

// pid is the server's own PID (under taskset, taskset execs it, so it is
// the same process).
func (p *process) pid() int { return p.cmd.Process.Pid }

// clockTicks is Linux's USER_HZ, the unit of /proc/PID/stat's CPU times
// (100 on every architecture Go runs Linux on).
const clockTicks = 100

// cpuTicks reads a process's CPU time so far, user and system, in clock
// ticks, from /proc/PID/stat (0 when it cannot).
func cpuTicks(pid int) int64 {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0
	}
	// The command name (field 2) may hold spaces and parentheses: count
	// fields after its last ')'.
	i := strings.LastIndexByte(string(b), ')')
	if i < 0 {
		return 0
	}
	fields := strings.Fields(string(b)[i+1:])
	if len(fields) < 13 {
		return 0
	}
	utime, _ := strconv.ParseInt(fields[11], 10, 64) // field 14
	stime, _ := strconv.ParseInt(fields[12], 10, 64) // field 15
	return utime + stime
}
