// Package redistest starts a real redis-server for a test: on a free loopback port, with persistence off,
// stopped when the test ends. Where redis-server is not installed, the test is skipped with a message that
// says how to install it, unless LIVECONFIG_REQUIRE_REDIS=1 (as in CI), which makes it fail instead.
package redistest

import (
	"bytes"
	"context"
	"net"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/redis/go-redis/v9"
)

// RequireEnv is the environment variable that turns a missing redis-server from a skip into a failure.
const RequireEnv = "LIVECONFIG_REQUIRE_REDIS"

// Server is a running redis-server.
type Server struct {
	Addr string // host:port

	cmd  *exec.Cmd
	out  *bytes.Buffer
	once sync.Once
	done chan struct{}
}

// Start starts a redis-server for t, and stops it when t ends.
func Start(t testing.TB) *Server {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("redis-server is not installed and %s=1: apt-get install -y redis-server", RequireEnv)
		}
		t.Skipf("redis-server is not installed: apt-get install -y redis-server (or set %s=1 to fail instead)", RequireEnv)
	}
	port := freePort(t)
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), out: &bytes.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		t.Fatalf("starting redis-server: %v", err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	t.Cleanup(s.Kill)
	s.waitReady(t)
	return s
}

// Client returns a client of the server, closed when t ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Kill stops the server at once, as a crash would, and waits for it to be gone.
func (s *Server) Kill() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		<-s.done
	})
}

// waitReady waits until the server answers PING.
func (s *Server) waitReady(t testing.TB) {
	t.Helper()
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		err := rdb.Ping(ctx).Err()
		cancel()
		if err == nil {
			return
		}
		select {
		case <-s.done:
			t.Fatalf("redis-server exited: %s", s.out.String())
		default:
		}
		if time.Now().After(deadline) {
			t.Fatalf("redis-server on %s did not answer within 10 s: %v", s.Addr, err)
		}
		time.Sleep(delay)
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
