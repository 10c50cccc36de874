package main

import (
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestTheLogIsBufferedButNeverLost(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out)
	for range 1000 {
		_, _ = w.Write([]byte("request line\n"))
	}
	// Flushed by the ticker without Close…
	deadline := time.Now().Add(5 * time.Second)
	for !strings.Contains(out.String(), "request line") && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if !strings.Contains(out.String(), "request line") {
		t.Fatal("buffered lines never reached the writer")
	}
	// …and every last line on Close.
	_, _ = w.Write([]byte("the last line\n"))
	w.Close()
	if got := strings.Count(out.String(), "\n"); got != 1001 || !strings.HasSuffix(out.String(), "the last line\n") {
		t.Fatalf("%d lines after Close", got)
	}
	// A line after Close is not left in the buffer.
	_, _ = w.Write([]byte("after close\n"))
	if !strings.HasSuffix(out.String(), "after close\n") {
		t.Fatal("a line written after Close never reached the writer")
	}
}

// gatedWriter blocks every Write until open is closed, and keeps what it
// was given, and the size of each write.
type gatedWriter struct {
	open  chan struct{}
	out   syncBuffer
	mu    sync.Mutex
	sizes []int
}

func (g *gatedWriter) Write(p []byte) (int, error) {
	<-g.open
	g.mu.Lock()
	g.sizes = append(g.sizes, len(p))
	g.mu.Unlock()
	return g.out.Write(p)
}

// writesUnder counts the writes of fewer than n bytes.
func (g *gatedWriter) writesUnder(n int) int {
	g.mu.Lock()
	defer g.mu.Unlock()
	small := 0
	for _, s := range g.sizes {
		if s < n {
			small++
		}
	}
	return small
}

// A slow stderr holds up a line only when both buffers are taken: while
// one is written out, lines gather in the other.
func TestASlowLogReaderHoldsUpLinesOnlyWhenBothBuffersAreFull(t *testing.T) {
	g := &gatedWriter{open: make(chan struct{})}
	w := newLogWriter(g)
	line := []byte(strings.Repeat("x", 99) + "\n")
	write := func(n int) chan struct{} {
		done := make(chan struct{})
		go func() {
			defer close(done)
			for range n {
				_, _ = w.Write(line)
			}
		}()
		return done
	}
	perBuffer := logBufferSize / len(line)
	// One buffer's worth and a line: the first buffer goes out, and its
	// write waits at the gate…
	select {
	case <-write(perBuffer + 1):
	case <-time.After(5 * time.Second):
		t.Fatal("a line waited while the second buffer was free")
	}
	// …while lines go on gathering in the second.
	select {
	case <-write(perBuffer / 2):
	case <-time.After(5 * time.Second):
		t.Fatal("a line waited while the second buffer had room")
	}
	// Past the second buffer too, a line waits: the two are the bound.
	held := write(perBuffer)
	select {
	case <-held:
		t.Fatal("lines went past both buffers while the first was still out")
	case <-time.After(100 * time.Millisecond):
	}
	close(g.open)
	<-held
	w.Close()
	if got, want := strings.Count(g.out.String(), "\n"), 2*perBuffer+perBuffer/2+1; got != want {
		t.Fatalf("%d lines written out, want %d", got, want)
	}
}

// Lines keep their order and none is lost when Close comes while writers
// are still writing: those after Close go straight through, after what
// was gathered.
func TestLogLinesKeepTheirOrderAcrossClose(t *testing.T) {
	out := &syncBuffer{}
	w := newLogWriter(out)
	const writers, lines = 8, 3000
	var wg sync.WaitGroup
	for i := range writers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for n := range lines {
				_, _ = fmt.Fprintf(w, "%d %d %s\n", i, n, strings.Repeat("y", n%200))
			}
		}()
	}
	time.Sleep(20 * time.Millisecond)
	w.Close()
	wg.Wait()
	next := make([]int, writers)
	for _, l := range strings.Split(strings.TrimSuffix(out.String(), "\n"), "\n") {
		var i, n int
		if _, err := fmt.Sscanf(l, "%d %d", &i, &n); err != nil {
			t.Fatalf("a torn line %q: %v", l, err)
		}
		if n != next[i] {
			t.Fatalf("writer %d: line %d after %d", i, n, next[i]-1)
		}
		next[i]++
	}
	for i, n := range next {
		if n != lines {
			t.Fatalf("writer %d: %d lines of %d", i, n, lines)
		}
	}
}

// Writers that waited for the spare do not each hand on a buffer of one
// line: once one has handed on, the others' lines fit and gather.
func TestWaitingWritersDoNotHandOnALineEach(t *testing.T) {
	g := &gatedWriter{open: make(chan struct{})}
	w := newLogWriter(g)
	line := []byte(strings.Repeat("x", 99) + "\n")
	perBuffer := logBufferSize / len(line)
	for range 2 * perBuffer { // the first buffer out at the gate, the second full
		_, _ = w.Write(line)
	}
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() { defer wg.Done(); _, _ = w.Write(line) }()
	}
	time.Sleep(50 * time.Millisecond) // let them queue (if they have not, the test proves less, and passes)
	close(g.open)
	wg.Wait()
	w.Close()
	if small := g.writesUnder(logBufferSize / 2); small > 1 {
		t.Fatalf("%d writes of a few lines each", small)
	}
}

// A line longer than a buffer grows it; once written out, that buffer is
// dropped for one of the usual size.
func TestALongLineDoesNotLeaveItsBufferBehind(t *testing.T) {
	w := newLogWriter(&syncBuffer{})
	defer w.Close()
	_, _ = w.Write([]byte(strings.Repeat("h", 100<<10) + "\n"))
	_, _ = w.Write([]byte("next\n")) // hands the long line on
	w.mu.Lock()
	defer w.mu.Unlock()
	w.waitForSpare()
	if c := cap(w.spare) + cap(w.active); c > 2*logBufferSize {
		t.Fatalf("the two buffers keep %d KiB", c>>10)
	}
}
