//go:build unix

// Package redistest starts a real redis-server for a test, so that code using liveconfigredis (a receiver's
// duplicate filter, a shared rate limit) is tested against Redis itself, including on its bad days: Stop
// freezes the server as a partition or a stuck primary would (it accepts connections and answers nothing),
// Kill ends it as a crash would.
//
// Each server listens on a free loopback port, with persistence off, and is killed when the test ends. Where
// redis-server is not installed (Debian: apt-get install -y redis-server), the test is skipped with a message
// that says so, unless LIVECONFIG_REQUIRE_REDIS=1 (as in this module's CI), which makes it fail instead. It
// needs a Unix system, for the signals.
package redistest

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"syscall"
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

// Start starts a redis-server for t (or skips t where there is none: see the package doc) and kills it when t
// ends. It fails t when five servers in a row do not come up; each gets 10 s.
func Start(t testing.TB) *Server {
	t.Helper()
	path, err := exec.LookPath("redis-server")
	if err != nil {
		if os.Getenv(RequireEnv) == "1" {
			t.Fatalf("redis-server is not installed and %s=1: apt-get install -y redis-server", RequireEnv)
		}
		t.Skipf("redis-server is not installed: apt-get install -y redis-server (or set %s=1 to fail instead)", RequireEnv)
	}
	// A port found free can be taken by a parallel test's server before this one binds it; this server then
	// exits, and its PING would reach the other. So the server answering must be this one (its process id),
	// else it starts again on another port.
	for attempt := 1; ; attempt++ {
		s, err := start(path)
		if err == nil {
			t.Cleanup(s.Kill)
			return s
		}
		if attempt == 5 {
			t.Fatal(err)
		}
	}
}

func start(path string) (*Server, error) {
	port := freePort()
	s := &Server{Addr: "127.0.0.1:" + strconv.Itoa(port), out: &bytes.Buffer{}, done: make(chan struct{})}
	s.cmd = exec.Command(path, "--port", strconv.Itoa(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
		"--daemonize", "no", "--protected-mode", "yes", "--loglevel", "warning")
	s.cmd.Stdout, s.cmd.Stderr = s.out, s.out
	if err := s.cmd.Start(); err != nil {
		return nil, fmt.Errorf("starting redis-server: %v", err)
	}
	go func() {
		s.cmd.Wait()
		close(s.done)
	}()
	if err := s.waitReady(); err != nil {
		s.Kill()
		return nil, err
	}
	return s, nil
}

// Client returns a client of the server that does not retry and dials for at most 1 s, closed when t ends.
func (s *Server) Client(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1, DialTimeout: time.Second})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// DefaultClient returns a client of the server with go-redis's default options, as a user who sets only the
// address has one, closed when t ends.
func (s *Server) DefaultClient(t testing.TB) *redis.Client {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr})
	t.Cleanup(func() { rdb.Close() })
	return rdb
}

// Stop freezes the server with SIGSTOP: it keeps accepting connections (the kernel does) and answers
// nothing, as a stuck primary or a partition looks to a client. Continue undoes it; Kill works on it too.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
}

// Continue lets a stopped server run again (SIGCONT).
func (s *Server) Continue(t testing.TB) {
	t.Helper()
	if err := s.cmd.Process.Signal(syscall.SIGCONT); err != nil {
		t.Fatal(err)
	}
}

// Kill stops the server at once, as a crash would, and waits for it to be gone.
func (s *Server) Kill() {
	s.once.Do(func() {
		s.cmd.Process.Kill()
		<-s.done
	})
}

// waitReady waits until the server answers PING, and checks that the server answering is this one.
func (s *Server) waitReady() error {
	rdb := redis.NewClient(&redis.Options{Addr: s.Addr, MaxRetries: -1})
	defer rdb.Close()
	deadline := time.Now().Add(10 * time.Second)
	for delay := time.Millisecond; ; delay = min(2*delay, 50*time.Millisecond) {
		ctx, cancel := context.WithTimeout(context.Background(), time.Second)
		info, err := rdb.Info(ctx, "server").Result()
		cancel()
		if err == nil {
			if !strings.Contains(info, "process_id:"+strconv.Itoa(s.cmd.Process.Pid)+"\r\n") {
				return fmt.Errorf("another redis-server took port %s first", s.Addr)
			}
			return nil
		}
		select {
		case <-s.done:
			return fmt.Errorf("redis-server exited: %s", s.out.String())
		default:
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("redis-server on %s did not answer within 10 s: %v", s.Addr, err)
		}
		time.Sleep(delay)
	}
}

// freePort returns a loopback port nothing listens on now.
func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		panic(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
