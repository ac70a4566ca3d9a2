package liveconfigotel_test

import (
	"context"
	"testing"

	metricnoop "go.opentelemetry.io/otel/metric/noop"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"
	tracenoop "go.opentelemetry.io/otel/trace/noop"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/benchkit"
	"github.com/go-tuilive/liveconfig/liveconfigotel"
)

// The benchmarks' app, and what its client signs with.
const (
	benchApp        = 1400000001
	benchIdentifier = "administrator"
	benchKey        = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
)

// benchClient is a client of the server at endpoint, with no observer and no rate limit.
func benchClient(b *testing.B, endpoint string) *liveconfig.Client {
	return observedBenchClient(b, endpoint)
}

// observedBenchClient is a client of the server at endpoint with no rate limit and, when opts are given,
// liveconfigotel's observer on the providers opts name.
func observedBenchClient(b *testing.B, endpoint string, opts ...liveconfigotel.Option) *liveconfig.Client {
	cfg := liveconfig.Config{Endpoint: endpoint, SDKAppID: benchApp, Identifier: benchIdentifier, SecretKey: benchKey, RateLimit: -1}
	if len(opts) > 0 {
		obs, err := liveconfigotel.NewClientObserver(opts...)
		if err != nil {
			b.Fatal(err)
		}
		cfg.Observer = obs
	}
	c, err := liveconfig.NewClient(cfg)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(c.CloseIdleConnections)
	return c
}

// noopProviders are OpenTelemetry's no-op providers: what a service that has not set one up records to.
func noopProviders() []liveconfigotel.Option {
	return []liveconfigotel.Option{liveconfigotel.WithTracerProvider(tracenoop.NewTracerProvider()),
		liveconfigotel.WithMeterProvider(metricnoop.NewMeterProvider())}
}

// sdkProviders are the SDK's providers as a service runs them, sampling every span, exporting in batches to an
// exporter that drops them, and aggregating metrics for a reader.
func sdkProviders(b *testing.B) []liveconfigotel.Option {
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(tracetest.NewNoopExporter()), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithReader(sdkmetric.NewManualReader()))
	b.Cleanup(func() {
		_ = tp.Shutdown(context.Background())
		_ = mp.Shutdown(context.Background())
	})
	return []liveconfigotel.Option{liveconfigotel.WithTracerProvider(tp), liveconfigotel.WithMeterProvider(mp)}
}

// BenchmarkObserved times the client with liveconfigotel's observer against the client without one, call by
// call in rotation (see BenchmarkPaired): on no-op providers (the target: at most 1.03x) and on the SDK's.
func BenchmarkObserved(b *testing.B) {
	srv, _ := benchkit.Server(b, false, 0)
	plain := benchClient(b, srv.URL)
	ctx := context.Background()
	get := func(c *liveconfig.Client) func() error {
		return func() error { _, err := c.GetCallback(ctx); return err }
	}
	b.Run("Noop", func(b *testing.B) {
		benchkit.Rotation(b, []benchkit.Call{{Name: "otel-noop", Do: get(observedBenchClient(b, srv.URL, noopProviders()...))}, {Name: "client", Do: get(plain)}})
	})
	b.Run("SDK", func(b *testing.B) {
		benchkit.Rotation(b, []benchkit.Call{{Name: "otel-sdk", Do: get(observedBenchClient(b, srv.URL, sdkProviders(b)...))}, {Name: "client", Do: get(plain)}})
	})
}

// BenchmarkObservedAllocs reports what one call allocates without an observer, with one on no-op providers
// and with one on the SDK's.
func BenchmarkObservedAllocs(b *testing.B) {
	srv, _ := benchkit.Server(b, false, 0)
	ctx := context.Background()
	for _, tc := range []struct {
		name string
		c    func(b *testing.B) *liveconfig.Client
	}{
		{"None", func(b *testing.B) *liveconfig.Client { return benchClient(b, srv.URL) }},
		{"Noop", func(b *testing.B) *liveconfig.Client { return observedBenchClient(b, srv.URL, noopProviders()...) }},
		{"SDK", func(b *testing.B) *liveconfig.Client { return observedBenchClient(b, srv.URL, sdkProviders(b)...) }},
	} {
		b.Run(tc.name, func(b *testing.B) {
			c := tc.c(b)
			b.ReportAllocs()
			for b.Loop() {
				if _, err := c.GetCallback(ctx); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
