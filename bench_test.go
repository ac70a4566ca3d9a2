package liveconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig"
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

var getAnswer = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720",` +
	`"Response":{"Url":"https://live.example.com/tencent/webhook","CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterDestroyRoom","Live.CallbackAfterMemberStateChanged"]}}`)

// instantServer answers every request with getAnswer, after reading the body as a real server would.
func instantServer(b *testing.B, tls bool) (*httptest.Server, *atomic.Int64) {
	var newConns atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		w.Header().Set("Content-Type", "application/json")
		w.Write(getAnswer)
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			newConns.Add(1)
		}
	}
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	b.Cleanup(srv.Close)
	return srv, &newConns
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

// bareCall is the floor: what a careful hand-written call costs.
type bareCall struct {
	hc      *http.Client
	prefix  string // base/v4/live_config/get_callback?sdkappid=...&identifier=...&usersig=...
	body    []byte
	decoded struct {
		ActionStatus string
		ErrorInfo    string
		ErrorCode    int
		RequestID    string `json:"RequestId"`
		Response     struct {
			URL      string   `json:"Url"`
			Commands []string `json:"CallbackCommandList"`
		}
	}
}

// newBareCall prepares the floor's calls to base over a pool of its own, closed when b ends.
func newBareCall(b *testing.B, base string) *bareCall {
	hc := &http.Client{Transport: benchTransport()}
	b.Cleanup(hc.CloseIdleConnections)
	sig, err := tencentyun.GenUserSig(benchApp, benchKey, benchIdentifier, 3600)
	if err != nil {
		b.Fatal(err)
	}
	return &bareCall{hc: hc, body: []byte("{}"), prefix: base + "/v4/live_config/get_callback?sdkappid=" +
		strconv.Itoa(benchApp) + "&identifier=" + benchIdentifier + "&usersig=" + url.QueryEscape(sig)}
}

func (c *bareCall) do(ctx context.Context, sig string) error {
	target := c.prefix
	if sig != "" {
		target = c.prefix[:len(c.prefix)-len(url.QueryEscape(sig))] + url.QueryEscape(sig)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target+"&random="+strconv.FormatUint(uint64(rand.Uint32()), 10)+"&contenttype=json", bytes.NewReader(c.body))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	out := c.decoded
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	if out.ErrorCode != 0 {
		return fmt.Errorf("code %d", out.ErrorCode)
	}
	return nil
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
		b.SetParallelism(parallelism())
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
func parallelism() int { return max(1, 32/runtime.GOMAXPROCS(0)) }

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
		for _, r := range srv.Requests() {
			if r.Code == 60007 {
				limited++
			}
		}
		b.ReportMetric(float64(limited), "60007s/op")
	}
	b.ReportMetric(b.Elapsed().Seconds()/float64(b.N), "s/1000calls")
}

// BenchmarkPaired times the client and the floor call by call, alternating which goes first, against one
// server: a slowdown of the machine then hits both alike, which separate benchmarks run seconds apart cannot
// promise. It reports each one's mean time per call and client/bare, the ratio issue #6 states its target in.
// One op is one client call plus one bare call.
func BenchmarkPaired(b *testing.B) {
	srv, _ := instantServer(b, false)
	c := benchClient(b, srv.URL, nil)
	bare := newBareCall(b, srv.URL)
	ctx := context.Background()
	clientCall := func() error { _, err := c.GetCallback(ctx); return err }
	bareCall := func() error { return bare.do(ctx, "") }

	b.Run("Sequential", func(b *testing.B) {
		var t pairedTimes
		for i := 0; b.Loop(); i++ {
			if err := t.pair(i, clientCall, bareCall); err != nil {
				b.Fatal(err)
			}
		}
		t.report(b)
	})
	b.Run("Parallel", func(b *testing.B) {
		var total pairedTimes
		var mu sync.Mutex
		b.SetParallelism(parallelism())
		b.RunParallel(func(pb *testing.PB) {
			var t pairedTimes
			for i := 0; pb.Next(); i++ {
				if err := t.pair(i, clientCall, bareCall); err != nil {
					b.Error(err)
					return
				}
			}
			mu.Lock()
			total.client += t.client
			total.bare += t.bare
			mu.Unlock()
		})
		total.report(b)
	})
}

// pairedTimes sums the time spent in client calls and in bare calls.
type pairedTimes struct{ client, bare time.Duration }

// pair makes one client call and one bare call, the client first on even i and second on odd i.
func (t *pairedTimes) pair(i int, client, bare func() error) error {
	calls := [2]func() error{client, bare}
	sums := [2]*time.Duration{&t.client, &t.bare}
	for k := range 2 {
		which := (i + k) % 2
		start := time.Now()
		if err := calls[which](); err != nil {
			return err
		}
		*sums[which] += time.Since(start)
	}
	return nil
}

func (t pairedTimes) report(b *testing.B) {
	b.ReportMetric(float64(t.client.Nanoseconds())/float64(b.N), "client-ns/call")
	b.ReportMetric(float64(t.bare.Nanoseconds())/float64(b.N), "bare-ns/call")
	if t.bare > 0 {
		b.ReportMetric(float64(t.client)/float64(t.bare), "client/bare")
	}
}
