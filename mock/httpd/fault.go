package httpd

import (
	"fmt"
	"net"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/cocmock/cocmock/mock"
)

// fault breaks the connection the way the reply asks. Every fault needs the
// raw connection, so it only works on a real listener.
func (s *Server) fault(c echo.Context, reply mock.Reply) error {
	if reply.Fault == mock.FaultHang {
		// Hold the request until the client gives up or the bound passes,
		// then drop the connection without a reply.
		if err := wait(c.Request().Context(), s.cfg.MaxHang); err != nil {
			return abandon(c)
		}
	}
	rc := http.NewResponseController(c.Response().Writer)
	conn, buf, err := rc.Hijack()
	if err != nil {
		return fmt.Errorf("fault %q needs a raw connection: %w", reply.Fault, err)
	}
	// The exchange ends here; Echo must not write a reply of its own.
	c.Response().Committed = true
	defer conn.Close()
	switch reply.Fault {
	case mock.FaultReset:
		// The connection may be wrapped (the connection limit, TLS): the
		// RST is the TCP connection's underneath.
		// It is closed first, itself: closing a TLS connection would send
		// a close_notify alert, which a client reads as a clean end.
		if tcp := tcpConn(conn); tcp != nil {
			_ = tcp.SetLinger(0) // Close now sends RST instead of FIN
			_ = tcp.Close()
		}
	case mock.FaultMalformed:
		body := reply.Body
		if len(body) == 0 {
			body = []byte(`{"provider_code":"049","error_code":`)
		}
		_ = conn.SetWriteDeadline(time.Now().Add(5 * time.Second))
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\nX-Request-Id: %s\r\n\r\n",
			statusOr200(reply.Status), http.StatusText(statusOr200(reply.Status)), len(body)+128,
			c.Response().Header().Get(echo.HeaderXRequestID))
		_, _ = buf.Write(body[:len(body)/2])
		_ = buf.Flush()
	}
	return nil
}

// tcpConn finds the TCP connection under wrappers that say what they wrap
// (NetConn, as *tls.Conn and the server's own limit do), or nil.
func tcpConn(c net.Conn) *net.TCPConn {
	for range 8 { // a chain of wrappers is short; never loop forever
		switch v := c.(type) {
		case *net.TCPConn:
			return v
		case interface{ NetConn() net.Conn }:
			c = v.NetConn()
		default:
			return nil
		}
	}
	return nil
}

func statusOr200(status int) int {
	if status == 0 {
		return http.StatusOK
	}
	return status
}
