package liveconfig_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkPaired times the client, a plain resty call and the bare net/http floor call by call, in turn and
// with the order rotated, against one server that answers at once: a slowdown of the machine then hits all
// three alike, which separate benchmarks run seconds apart cannot promise. It reports each one's mean time
// per call and the ratios the targets are stated in, client/resty and client/bare. One op is one call of each.
func BenchmarkPaired(b *testing.B) {
	srv, _ := instantServer(b, false)
	c := benchClient(b, srv.URL, nil)
	resty := newPlainRestyCall(b, srv.URL)
	bare := newBareCall(b, srv.URL)
	ctx := context.Background()
	benchRotation(b, []namedCall{
		{"client", func() error { _, err := c.GetCallback(ctx); return err }},
		{"resty", func() error { return resty.do(ctx) }},
		{"bare", func() error { return bare.do(ctx, "") }},
	})
}

// realisticLatency is how long the server of BenchmarkRealisticLatency takes to answer: about what Tencent's
// API takes from a nearby region.
const realisticLatency = 20 * time.Millisecond

// BenchmarkRealisticLatency is BenchmarkPaired for the client and the floor against a server that answers
// after realisticLatency: the share of a call's time a user feels the client add.
func BenchmarkRealisticLatency(b *testing.B) {
	srv, _ := answeringServer(b, false, realisticLatency)
	c := benchClient(b, srv.URL, nil)
	bare := newBareCall(b, srv.URL)
	ctx := context.Background()
	benchRotation(b, []namedCall{
		{"client", func() error { _, err := c.GetCallback(ctx); return err }},
		{"bare", func() error { return bare.do(ctx, "") }},
	})
}

type namedCall struct {
	name string
	call func() error
}

// benchRotation runs calls in rotation as two sub-benchmarks, one goroutine and 32 at once, and reports the
// mean time per call of each and the ratio of the first to each other one.
func benchRotation(b *testing.B, calls []namedCall) {
	b.Run("Sequential", func(b *testing.B) {
		spent := make([]time.Duration, len(calls))
		for i := 0; b.Loop(); i++ {
			if err := rotate(i, calls, spent); err != nil {
				b.Fatal(err)
			}
		}
		reportRotation(b, calls, spent)
	})
	b.Run("Parallel", func(b *testing.B) {
		total := make([]time.Duration, len(calls))
		var mu sync.Mutex
		var goroutines atomic.Int32
		b.SetParallelism(parallelism())
		b.RunParallel(func(pb *testing.PB) {
			spent := make([]time.Duration, len(calls))
			// Each goroutine starts the rotation at a different call, so that they do not all make the
			// same kind of call at once.
			for i := int(goroutines.Add(1)); pb.Next(); i++ {
				if err := rotate(i, calls, spent); err != nil {
					b.Error(err)
					return
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k := range spent {
				total[k] += spent[k]
			}
		})
		reportRotation(b, calls, total)
	})
}

// rotate makes one call of each, starting with call number i modulo their count, and adds each one's time to
// spent.
func rotate(i int, calls []namedCall, spent []time.Duration) error {
	for k := range calls {
		which := (i + k) % len(calls)
		start := time.Now()
		if err := calls[which].call(); err != nil {
			return err
		}
		spent[which] += time.Since(start)
	}
	return nil
}

func reportRotation(b *testing.B, calls []namedCall, spent []time.Duration) {
	for k, c := range calls {
		b.ReportMetric(float64(spent[k].Nanoseconds())/float64(b.N), c.name+"-ns/call")
	}
	for k := 1; k < len(calls); k++ {
		if spent[k] > 0 {
			b.ReportMetric(float64(spent[0])/float64(spent[k]), calls[0].name+"/"+calls[k].name)
		}
	}
}
