package main

import (
	"strings"
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
