package liveconfig_test

import (
	"context"
	"testing"
	"time"

	"github.com/go-tuilive/liveconfig/internal/benchkit"
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
	benchkit.Rotation(b, []benchkit.Call{
		{Name: "client", Do: func() error { _, err := c.GetCallback(ctx); return err }},
		{Name: "resty", Do: func() error { return resty.do(ctx) }},
		{Name: "bare", Do: func() error { return bare.do(ctx, "") }},
	})
}

// realisticLatency is how long the server of BenchmarkRealisticLatency takes to answer: about what Tencent's
// API takes from a nearby region.
const realisticLatency = 20 * time.Millisecond

// BenchmarkRealisticLatency is BenchmarkPaired for the client and the floor against a server that answers
// after realisticLatency: the share of a call's time a user feels the client add.
func BenchmarkRealisticLatency(b *testing.B) {
	srv, _ := benchkit.Server(b, false, realisticLatency)
	c := benchClient(b, srv.URL, nil)
	bare := newBareCall(b, srv.URL)
	ctx := context.Background()
	benchkit.Rotation(b, []benchkit.Call{
		{Name: "client", Do: func() error { _, err := c.GetCallback(ctx); return err }},
		{Name: "bare", Do: func() error { return bare.do(ctx, "") }},
	})
}
