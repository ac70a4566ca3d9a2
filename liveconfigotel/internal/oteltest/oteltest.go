// Package oteltest records what liveconfigotel's observers emit with the OpenTelemetry SDK's in-memory
// exporters, for the tests of every package that checks it: the spans ended and the metrics collected, and
// every text in them, so that a test can look for credentials in all of it.
package oteltest

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/attribute"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/metric/metricdata"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/go-tuilive/liveconfig/liveconfigotel"
)

// Recorder is an SDK TracerProvider and MeterProvider that keep what they are given in memory.
type Recorder struct {
	Tracers *sdktrace.TracerProvider
	Meters  *sdkmetric.MeterProvider
	spans   *tracetest.SpanRecorder
	reader  *sdkmetric.ManualReader
}

// New returns a Recorder that samples every span; it is shut down when t ends.
func New(t testing.TB) *Recorder {
	r := &Recorder{spans: tracetest.NewSpanRecorder(), reader: sdkmetric.NewManualReader()}
	r.Tracers = sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(r.spans), sdktrace.WithSampler(sdktrace.AlwaysSample()))
	r.Meters = sdkmetric.NewMeterProvider(sdkmetric.WithReader(r.reader))
	t.Cleanup(func() {
		_ = r.Tracers.Shutdown(context.Background())
		_ = r.Meters.Shutdown(context.Background())
	})
	return r
}

// Options points an observer at r.
func (r *Recorder) Options() []liveconfigotel.Option {
	return []liveconfigotel.Option{liveconfigotel.WithTracerProvider(r.Tracers), liveconfigotel.WithMeterProvider(r.Meters)}
}

// Spans returns the spans ended so far, in the order they ended.
func (r *Recorder) Spans() []sdktrace.ReadOnlySpan { return r.spans.Ended() }

// Metrics collects the metrics recorded so far (cumulative).
func (r *Recorder) Metrics(t testing.TB) []metricdata.Metrics {
	t.Helper()
	var rm metricdata.ResourceMetrics
	if err := r.reader.Collect(context.Background(), &rm); err != nil {
		t.Fatalf("collecting metrics: %v", err)
	}
	var all []metricdata.Metrics
	for _, sm := range rm.ScopeMetrics {
		all = append(all, sm.Metrics...)
	}
	return all
}

// Point is one data point of a metric: its attributes, and its value (a sum's) or count (a histogram's).
type Point struct {
	Attributes attribute.Set
	Value      float64
}

// Points returns the data points of the metric called name, or nil if none was recorded.
func (r *Recorder) Points(t testing.TB, name string) []Point {
	t.Helper()
	for _, m := range r.Metrics(t) {
		if m.Name == name {
			return points(m)
		}
	}
	return nil
}

func points(m metricdata.Metrics) []Point {
	var out []Point
	switch data := m.Data.(type) {
	case metricdata.Sum[int64]:
		for _, p := range data.DataPoints {
			out = append(out, Point{p.Attributes, float64(p.Value)})
		}
	case metricdata.Histogram[float64]:
		for _, p := range data.DataPoints {
			out = append(out, Point{p.Attributes, float64(p.Count)})
		}
	}
	return out
}

// Total adds up the values of the points of metric name whose attributes include every one of want.
func (r *Recorder) Total(t testing.TB, name string, want ...attribute.KeyValue) float64 {
	t.Helper()
	total := 0.0
	for _, p := range r.Points(t, name) {
		if hasAll(p.Attributes, want) {
			total += p.Value
		}
	}
	return total
}

func hasAll(set attribute.Set, want []attribute.KeyValue) bool {
	for _, kv := range want {
		if v, ok := set.Value(kv.Key); !ok || v != kv.Value {
			return false
		}
	}
	return true
}

// Texts returns every text the recorded spans and metrics hold: span names, attributes (keys and values),
// status descriptions, events and their attributes, links' attributes, metric names, descriptions and the
// attributes of every data point.
func (r *Recorder) Texts(t testing.TB) []string {
	t.Helper()
	var texts []string
	addAll := func(kvs []attribute.KeyValue) {
		for _, kv := range kvs {
			texts = append(texts, string(kv.Key), kv.Value.String(), fmt.Sprint(kv.Value.AsInterface()))
		}
	}
	for _, s := range r.Spans() {
		texts = append(texts, s.Name(), s.Status().Description)
		addAll(s.Attributes())
		for _, e := range s.Events() {
			texts = append(texts, e.Name)
			addAll(e.Attributes)
		}
		for _, l := range s.Links() {
			addAll(l.Attributes)
		}
	}
	for _, m := range r.Metrics(t) {
		texts = append(texts, m.Name, m.Description, m.Unit)
		for _, p := range points(m) {
			addAll(p.Attributes.ToSlice())
		}
	}
	return slices.DeleteFunc(texts, func(s string) bool { return s == "" })
}

// Attr returns the value of key among a span's attributes, and whether it is there.
func Attr(s sdktrace.ReadOnlySpan, key attribute.Key) (attribute.Value, bool) {
	for _, kv := range s.Attributes() {
		if kv.Key == key {
			return kv.Value, true
		}
	}
	return attribute.Value{}, false
}

// AssertNoCredential fails t if any text the spans and metrics hold contains one of credentials: as it is,
// escaped for a query or a path, in a text that is itself escaped, or the first or last 16 characters of it.
// The failure message never repeats the credential.
func (r *Recorder) AssertNoCredential(t testing.TB, credentials ...string) {
	t.Helper()
	var forms []string
	for _, c := range credentials {
		if len(c) < 16 {
			t.Fatalf("a credential of %d characters is too short to look for", len(c))
		}
		forms = append(forms, c, url.QueryEscape(c), url.PathEscape(c), c[:16], c[len(c)-16:])
	}
	for _, text := range r.Texts(t) {
		decoded, err := url.PathUnescape(text)
		if err != nil {
			decoded = text
		}
		for i, form := range forms {
			if strings.Contains(text, form) || strings.Contains(decoded, form) {
				t.Errorf("a recorded text holds credential %d (form %d)", i/5, i%5)
			}
		}
	}
}

// AssertAttrs checks that span has each of want, with its value.
func AssertAttrs(t testing.TB, span sdktrace.ReadOnlySpan, want ...attribute.KeyValue) {
	t.Helper()
	for _, kv := range want {
		got, ok := Attr(span, kv.Key)
		if !ok {
			t.Errorf("%s has no %s", span.Name(), kv.Key)
		} else if got != kv.Value {
			t.Errorf("%s: %s is %v, want %v", span.Name(), kv.Key, got.AsInterface(), kv.Value.AsInterface())
		}
	}
}
