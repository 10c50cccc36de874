package httpd

import (
	"context"
	"net"
	"net/http"
	"sync"
)

// adminReserve is how many connections past MaxConns are accepted when
// every slot is busy with a request: they serve the sandbox API (health,
// the journal, reset) and answer anything else 503, so that an operator
// can always look at a server that is full.
const adminReserve = 16

// Listener bounds a listener to MaxConns connections served at once.
// A connection idle between requests does not keep its slot from a new
// one: when every slot is taken the oldest idle connection is closed
// (HTTP lets a server close an idle keep-alive connection at any time;
// clients retry on a new one). When every slot is busy with a request, a
// few more connections are taken for the sandbox API (adminReserve); past
// those, new connections wait in the kernel's accept queue.
//
// The http.Server must report connection states to the listener:
// HTTPServer sets ConnState and ConnContext for it.
func (s *Server) Listener(ln net.Listener) net.Listener {
	return &limitListener{Listener: ln, max: s.cfg.MaxConns, reserve: adminReserve,
		wake: make(chan struct{}, 1), done: make(chan struct{})}
}

// limitListener serves at most max connections at once (plus reserve
// for the sandbox API), reclaiming idle ones. Its connections say what
// they wrap (NetConn), so that a fault can reach the TCP connection to
// send a reset.
type limitListener struct {
	net.Listener
	max, reserve int

	mu       sync.Mutex
	open     int      // connections holding a slot
	reserved int      // connections in the reserve
	idle     idleList // connections idle between requests, oldest first

	wake      chan struct{} // a slot was freed or a connection went idle
	done      chan struct{} // closed by Close: an Accept waiting for room gives up
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	reserve, err := l.room()
	if err != nil {
		return nil, err
	}
	c, err := l.Listener.Accept()
	if err != nil {
		l.release(reserve)
		return nil, err
	}
	return &limitedConn{Conn: c, l: l, reserve: reserve}, nil
}

// room waits until a connection can be taken: a free slot, a slot freed
// by closing the oldest idle connection, or a place in the reserve.
func (l *limitListener) room() (reserve bool, err error) {
	for {
		l.mu.Lock()
		switch {
		case l.open < l.max:
			l.open++
			l.mu.Unlock()
			return false, nil
		case l.idle.head != nil:
			oldest := l.idle.head
			l.idle.remove(oldest)
			l.mu.Unlock()
			// Its Close gives the slot back and wakes this loop.
			_ = oldest.Close()
			continue
		case l.reserved < l.reserve:
			l.reserved++
			l.mu.Unlock()
			return true, nil
		}
		l.mu.Unlock()
		select {
		case <-l.wake:
		case <-l.done:
			return false, net.ErrClosed
		}
	}
}

func (l *limitListener) release(reserve bool) {
	l.mu.Lock()
	if reserve {
		l.reserved--
	} else {
		l.open--
	}
	l.mu.Unlock()
	l.signal()
}

func (l *limitListener) signal() {
	select {
	case l.wake <- struct{}{}:
	default:
	}
}

// state records what the http.Server says a connection is doing.
func (l *limitListener) state(c *limitedConn, st http.ConnState) {
	l.mu.Lock()
	switch st {
	case http.StateIdle:
		// A reserve connection holds no slot: closing it would free
		// none, and would cut the operator's view of a full server.
		if !c.closed && !c.reserve {
			l.idle.push(c)
		}
	default:
		l.idle.remove(c)
	}
	l.mu.Unlock()
	if st == http.StateIdle {
		l.signal()
	}
}

func (l *limitListener) Close() error {
	err := l.Listener.Close()
	l.closeOnce.Do(func() { close(l.done) })
	return err
}

// limitedConn gives its slot back when it is closed, once.
type limitedConn struct {
	net.Conn
	l       *limitListener
	reserve bool // taken from the reserve: serves the sandbox API only

	// guarded by l.mu
	idle       bool // in l.idle
	prev, next *limitedConn
	closed     bool
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.l.mu.Lock()
	first := !c.closed
	c.closed = true
	c.l.idle.remove(c)
	c.l.mu.Unlock()
	if first {
		c.l.release(c.reserve)
	}
	return err
}

// idleList is a list of connections linked through their own fields: a
// connection goes idle after every request, and a list that allocated a
// node each time would cost an allocation a request.
type idleList struct{ head, tail *limitedConn }

func (q *idleList) push(c *limitedConn) {
	if c.idle {
		return
	}
	c.idle, c.prev, c.next = true, q.tail, nil
	if q.tail != nil {
		q.tail.next = c
	} else {
		q.head = c
	}
	q.tail = c
}

func (q *idleList) remove(c *limitedConn) {
	if !c.idle {
		return
	}
	if c.prev != nil {
		c.prev.next = c.next
	} else {
		q.head = c.next
	}
	if c.next != nil {
		c.next.prev = c.prev
	} else {
		q.tail = c.prev
	}
	c.idle, c.prev, c.next = false, nil, nil
}

// NetConn is the connection it wraps.
func (c *limitedConn) NetConn() net.Conn { return c.Conn }

// limitedOf finds the limitedConn under a connection the http.Server
// holds (TLS wraps it).
func limitedOf(c net.Conn) *limitedConn {
	for c != nil {
		if lc, ok := c.(*limitedConn); ok {
			return lc
		}
		w, ok := c.(interface{ NetConn() net.Conn })
		if !ok {
			return nil
		}
		c = w.NetConn()
	}
	return nil
}

// connState is the http.Server's ConnState hook: it tells each
// connection's listener when it goes idle.
func connState(c net.Conn, st http.ConnState) {
	if lc := limitedOf(c); lc != nil {
		lc.l.state(lc, st)
	}
}

type reserveKey struct{}

// connContext is the http.Server's ConnContext hook: requests on a
// connection from the reserve carry the mark.
func connContext(ctx context.Context, c net.Conn) context.Context {
	if lc := limitedOf(c); lc != nil && lc.reserve {
		return context.WithValue(ctx, reserveKey{}, true)
	}
	return ctx
}

// onReserve says whether a request came on a connection from the reserve.
func onReserve(r *http.Request) bool {
	v, _ := r.Context().Value(reserveKey{}).(bool)
	return v
}
