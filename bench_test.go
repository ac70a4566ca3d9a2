package liveconfig_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"sync/atomic"
	"testing"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/benchkit"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// The benchmarks compare the client with the floor: a hand-written net/http POST over a keep-alive connection
// with a cached UserSig and the same JSON decoding, against one loopback server that answers at once. Compare
// the ratios within one run (scripts/bench.sh); absolute times depend on the machine.

const (
	benchApp        = 1400000001
	benchIdentifier = "administrator"
	benchKey        = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// instantServer answers every request with benchkit.GetAnswer at once, after reading the body as a real server
// would.
func instantServer(b *testing.B, tls bool) (*httptest.Server, *atomic.Int64) {
	return benchkit.Server(b, tls, 0)
}

func benchClient(b *testing.B, endpoint string, hc *http.Client) *liveconfig.Client {
	c, err := liveconfig.NewClient(liveconfig.Config{Endpoint: endpoint, SDKAppID: benchApp, Identifier: benchIdentifier,
		SecretKey: benchKey, RateLimit: -1, HTTPClient: hc})
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

func BenchmarkClient(b *testing.B) {
	srv, _ := instantServer(b, false)
	c := benchClient(b, srv.URL, nil)
	ctx := context.Background()
	cfg := liveconfig.CallbackConfig{URL: "https://live.example.com/tencent/webhook", Commands: []liveconfig.Command{
		liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom, liveconfig.CommandAfterMemberStateChanged}}
	benchSequentialAndParallel(b, "GetCallback", "GetCallbackParallel", func() error {
		_, err := c.GetCallback(ctx)
		return err
	})
	b.Run("CreateCallback", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := c.CreateCallback(ctx, cfg); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkBareNetHTTP(b *testing.B) {
	srv, _ := instantServer(b, false)
	call := newBareCall(b, srv.URL)
	ctx := context.Background()
	benchSequentialAndParallel(b, "Sequential", "Parallel", func() error { return call.do(ctx, "") })
}

func BenchmarkPlainResty(b *testing.B) {
	srv, _ := instantServer(b, false)
	call := newPlainRestyCall(b, srv.URL)
	ctx := context.Background()
	benchSequentialAndParallel(b, "Sequential", "Parallel", func() error { return call.do(ctx) })
}

// benchSequentialAndParallel runs call as two sub-benchmarks: one goroutine, and 32 at once.
func benchSequentialAndParallel(b *testing.B, sequential, parallel string, call func() error) {
	b.Run(sequential, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := call(); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run(parallel, func(b *testing.B) {
		b.ReportAllocs()
		b.SetParallelism(benchkit.Parallelism())
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if err := call(); err != nil {
					b.Error(err)
					return
				}
			}
		})
	})
}

func BenchmarkNaiveSignPerCall(b *testing.B) {
	srv, _ := instantServer(b, false)
	call := newBareCall(b, srv.URL)
	ctx := context.Background()
	b.ReportAllocs()
	for b.Loop() {
		sig, err := tencentyun.GenUserSig(benchApp, benchKey, benchIdentifier, 3600)
		if err != nil {
			b.Fatal(err)
		}
		if err := call.do(ctx, sig); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkTLS shows what connection reuse saves: the client's pool against a client that opens a connection
// per call. It reports the TLS handshakes the server saw per 1,000 calls.
func BenchmarkTLS(b *testing.B) {
	for _, keepAlive := range []bool{true, false} {
		name := map[bool]string{true: "Pooled", false: "NoKeepAlive"}[keepAlive]
		b.Run(name, func(b *testing.B) {
			srv, conns := instantServer(b, true)
			hc := srv.Client()
			if !keepAlive {
				tr := hc.Transport.(*http.Transport).Clone()
				tr.DisableKeepAlives = true
				hc = &http.Client{Transport: tr}
			}
			c := benchClient(b, srv.URL, hc)
			ctx := context.Background()
			conns.Store(0)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetCallback(ctx); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(conns.Load())*1000/float64(b.N), "handshakes/1000calls")
		})
	}
}

// BenchmarkUserSig compares the cached signature the client uses with signing anew.
func BenchmarkUserSig(b *testing.B) {
	b.Run("Cached", func(b *testing.B) {
		srv, _ := instantServer(b, false)
		c := benchClient(b, srv.URL, nil)
		if _, err := c.GetCallback(context.Background()); err != nil {
			b.Fatal(err)
		}
		b.ReportAllocs()
		for b.Loop() {
			if liveconfig.CachedUserSig(c) == "" {
				b.Fatal("no cached UserSig")
			}
		}
	})
	b.Run("GenUserSig", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := tencentyun.GenUserSig(benchApp, benchKey, benchIdentifier, 3600); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// parallelism makes RunParallel use 32 goroutines in all.
func benchTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConnsPerHost = 64
	return t
}

// BenchmarkRateLimited makes 1,000 sequential calls with the default client-side limit (200 a second) against
// the fake, which enforces the same limit: the calls should take 5 s, and the fake should answer no 60007.
func BenchmarkRateLimited(b *testing.B) {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	srv.SetCallback(&liveconfig.CallbackConfig{URL: "https://a.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	cfg := srv.Config()
	cfg.RateLimit = 0 // the default, 200 a second
	c, err := liveconfig.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	defer c.CloseIdleConnections()
	ctx := context.Background()
	for b.Loop() {
		srv.Reset()
		srv.SetCallback(&liveconfig.CallbackConfig{URL: "https://a.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
		for range 1000 {
			if _, err := c.GetCallback(ctx); err != nil {
				b.Fatal(err)
			}
		}
		limited := 0
		for _, r := range srv.AllRequests() {
			if r.Code == 60007 {
				limited++
			}
		}
		b.ReportMetric(float64(limited), "60007s/op")
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1000calls")
}
