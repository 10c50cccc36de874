package main

import (
	"bytes"
	"io"
	"sync"
	"sync/atomic"
	"time"
)

// logWriter gathers the log's lines so that a busy server does not pay a
// write system call for every access-log line, and so that a slow stderr
// (a terminal, a pipe to a log shipper) does not hold up the requests
// logging. It has two buffers: lines gather in one while a goroutine
// writes the other out, when 64 KiB have gathered and every flushEvery.
// Only when both are full, the one written out and the one gathering,
// does a line wait: the two buffers are the bound, they never grow past
// one line over. Close writes out every line gathered, so none is lost,
// and lines keep their order.
type logWriter struct {
	out io.Writer

	mu sync.Mutex
	// active gathers lines; spare is the other buffer, nil while the
	// flusher writes it out (returned is signalled when it is back).
	active, spare []byte
	returned      *sync.Cond
	// handoff takes a full buffer to the flusher; it holds at most the
	// one buffer out, which is why sending never waits.
	handoff chan []byte
	closed  bool // after Close, lines go straight through
	stop    chan struct{}
	done    chan struct{}
	// dropped counts the lines out refused (a closed pipe: SIGPIPE is
	// ignored, so the write fails instead of killing the process).
	dropped atomic.Int64
}

// Dropped is how many lines could not be written.
func (l *logWriter) Dropped() int64 { return l.dropped.Load() }

// write writes b out, counting its lines as dropped when out refuses it.
func (l *logWriter) write(b []byte) error {
	_, err := l.out.Write(b)
	if err != nil {
		l.dropped.Add(int64(bytes.Count(b, []byte{'\n'})))
	}
	return err
}

const (
	flushEvery    = 200 * time.Millisecond
	logBufferSize = 64 << 10
)

func newLogWriter(w io.Writer) *logWriter {
	l := &logWriter{
		out:    w,
		active: make([]byte, 0, logBufferSize), spare: make([]byte, 0, logBufferSize),
		handoff: make(chan []byte, 1),
		stop:    make(chan struct{}), done: make(chan struct{}),
	}
	l.returned = sync.NewCond(&l.mu)
	go l.flushing()
	return l
}

func (l *logWriter) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	// A line that does not fit hands the gathered ones on, once the spare
	// is back. The wait lets go of the lock, so the question is asked
	// again after it: another writer may have handed on meanwhile (the
	// line fits now), or Close come.
	for !l.closed && len(l.active) > 0 && len(l.active)+len(p) > logBufferSize {
		if l.spare != nil {
			l.handOn()
			break
		}
		l.returned.Wait()
	}
	if l.closed {
		// What was gathered goes first, after the buffer out, if any.
		l.waitForSpare()
		l.active = append(l.active, p...)
		err := l.write(l.active)
		l.active = l.active[:0]
		return len(p), err
	}
	l.active = append(l.active, p...)
	return len(p), nil
}

// handOn gives the gathered lines to the flusher and gathers in the other
// buffer. l.mu is held and the spare is back.
func (l *logWriter) handOn() {
	full := l.active
	l.active, l.spare = l.spare, nil
	l.handoff <- full
}

// waitForSpare waits until the buffer being written out is back. l.mu is
// held (and let go of while waiting).
func (l *logWriter) waitForSpare() {
	for l.spare == nil {
		l.returned.Wait()
	}
}

// flushing writes out each buffer handed on, hands on what has gathered
// every flushEvery, and on Close writes out the rest.
func (l *logWriter) flushing() {
	defer close(l.done)
	t := time.NewTicker(flushEvery)
	defer t.Stop()
	for {
		select {
		case b := <-l.handoff:
			l.writeOut(b)
		case <-t.C:
			l.mu.Lock()
			if len(l.active) > 0 && l.spare != nil && !l.closed {
				l.handOn()
			}
			l.mu.Unlock()
		case <-l.stop:
			// From here on lines go straight through (closed), so no
			// buffer is handed on once the one out (if any) is back; then
			// the rest is written out.
			l.mu.Lock()
			l.closed = true
			l.mu.Unlock()
			for {
				l.mu.Lock()
				if l.spare != nil {
					if len(l.active) > 0 {
						_ = l.write(l.active)
						l.active = l.active[:0]
					}
					l.mu.Unlock()
					return
				}
				l.mu.Unlock()
				l.writeOut(<-l.handoff)
			}
		}
	}
}

// writeOut writes a buffer and returns it as the spare; one that a huge
// line grew is dropped for a new one, so that it does not pin its memory.
func (l *logWriter) writeOut(b []byte) {
	_ = l.write(b)
	if cap(b) > logBufferSize {
		b = make([]byte, 0, logBufferSize)
	}
	l.mu.Lock()
	l.spare = b[:0]
	l.returned.Broadcast()
	l.mu.Unlock()
}

// Close writes out every line gathered and stops the flusher, which marks
// the writer closed itself, in order with what it writes out; a line
// written after it (a goroutine still winding down) is written at once.
func (l *logWriter) Close() {
	close(l.stop)
	<-l.done
}
