// Package blackhole gives tests addresses that stand in for a server nothing may reach: a listener that
// counts every connection made to it and closes it at once, and an address that refuses every connection.
package blackhole

import (
	"net"
	"strconv"
	"sync/atomic"
	"syscall"
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

// Refusing returns a loopback host:port at which every connection is refused, for as long as the test runs.
// It holds the port with a TCP socket that is bound and never listens: a port found by closing a listener is
// free for any parallel test's server to take before it is dialled, and a dial meant to be refused then
// reaches that server instead.
func Refusing(t testing.TB) string {
	t.Helper()
	fd, err := syscall.Socket(syscall.AF_INET, syscall.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { syscall.Close(fd) })
	if err := syscall.Bind(fd, &syscall.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	sa, err := syscall.Getsockname(fd)
	if err != nil {
		t.Fatal(err)
	}
	return "127.0.0.1:" + strconv.Itoa(sa.(*syscall.SockaddrInet4).Port)
}
