// Package blackhole is a listener for tests that stand in for a server nothing may reach: it counts every
// connection made to it and closes it at once.
package blackhole

import (
	"net"
	"sync/atomic"
	"testing"
)

// Server is a listener on loopback that accepts and counts connections, and answers none.
type Server struct {
	URL         string // "http://127.0.0.1:PORT"
	connections atomic.Int32
}

// Connections returns how many connections were made to s so far.
func (s *Server) Connections() int { return int(s.connections.Load()) }

// Listen starts a Server, closed when the test ends.
func Listen(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	s := &Server{URL: "http://" + ln.Addr().String()}
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s.connections.Add(1)
			c.Close()
		}
	}()
	return s
}
