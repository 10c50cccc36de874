package main

import (
	"bufio"
	"io"
	"sync"
	"time"
)

// logWriter buffers the log so that a busy server does not pay a write
// system call for every access-log line: lines are flushed when 64 KiB
// have gathered, every flushEvery, and when the server stops (Close), so
// none is lost. The buffer is the bound: a slow stderr makes writers wait,
// it never grows.
type logWriter struct {
	mu     sync.Mutex
	buf    *bufio.Writer
	closed bool // after Close, lines go straight through
	stop   chan struct{}
	done   chan struct{}
}

const flushEvery = 200 * time.Millisecond

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{buf: bufio.NewWriterSize(w, 64<<10), stop: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(l.done)
		t := time.NewTicker(flushEvery)
		defer t.Stop()
		for {
			select {
			case <-t.C:
				l.flush()
			case <-l.stop:
				l.flush()
				return
			}
		}
	}()
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.buf.Write(p)
	if err == nil && l.closed {
		err = l.buf.Flush()
	}
	return n, err
}

func (l *logWriter) flush() {
	l.mu.Lock()
	_ = l.buf.Flush()
	l.mu.Unlock()
}

// Close flushes what is buffered and stops the flushing goroutine; a line
// written after it (a goroutine still winding down) is written at once.
func (l *logWriter) Close() {
	close(l.stop)
	<-l.done
	l.mu.Lock()
	l.closed = true
	l.mu.Unlock()
}
