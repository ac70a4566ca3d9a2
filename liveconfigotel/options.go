package liveconfigotel

import (
	"errors"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/metric"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig"
)

// ScopeName is the instrumentation scope of every tracer and meter this package creates.
const ScopeName = "github.com/go-tuilive/liveconfig/liveconfigotel"

// Option changes what NewClientObserver and NewWebhookObserver record to.
type Option func(*options)

type options struct {
	tracers trace.TracerProvider
	meters  metric.MeterProvider
}

// WithTracerProvider records spans to tp instead of the global TracerProvider (otel.GetTracerProvider, read
// when the observer is built). A nil tp is ignored.
func WithTracerProvider(tp trace.TracerProvider) Option {
	return func(o *options) {
		if tp != nil {
			o.tracers = tp
		}
	}
}

// WithMeterProvider records metrics to mp instead of the global MeterProvider (otel.GetMeterProvider, read when
// the observer is built). A nil mp is ignored.
func WithMeterProvider(mp metric.MeterProvider) Option {
	return func(o *options) {
		if mp != nil {
			o.meters = mp
		}
	}
}

// instruments returns the tracer and an instrument maker on the meter that opts name.
func instruments(opts []Option) (trace.Tracer, *instrumentMaker) {
	o := options{tracers: otel.GetTracerProvider(), meters: otel.GetMeterProvider()}
	for _, opt := range opts {
		opt(&o)
	}
	return o.tracers.Tracer(ScopeName, trace.WithInstrumentationVersion(liveconfig.Version)),
		&instrumentMaker{meter: o.meters.Meter(ScopeName, metric.WithInstrumentationVersion(liveconfig.Version))}
}

// secondsBuckets are the histogram boundaries, in seconds, for every duration recorded: OpenTelemetry's advice
// for HTTP durations, which spans both a loopback answer and Tencent's 2 s webhook budget.
var secondsBuckets = metric.WithExplicitBucketBoundaries(0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10)

// instrumentMaker creates the instruments of one observer on a meter, and keeps every error for the end.
type instrumentMaker struct {
	meter metric.Meter
	errs  []error
}

// counter creates a counter.
func (m *instrumentMaker) counter(name, unit, description string) metric.Int64Counter {
	c, err := m.meter.Int64Counter(name, metric.WithUnit(unit), metric.WithDescription(description))
	m.errs = append(m.errs, err)
	return c
}

// seconds creates a histogram of durations in seconds.
func (m *instrumentMaker) seconds(name, description string) metric.Float64Histogram {
	h, err := m.meter.Float64Histogram(name, metric.WithUnit("s"), secondsBuckets, metric.WithDescription(description))
	m.errs = append(m.errs, err)
	return h
}

// err is every error the instruments' creation returned, or nil.
func (m *instrumentMaker) err() error { return errors.Join(m.errs...) }
