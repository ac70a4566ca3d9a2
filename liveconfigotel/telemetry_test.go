package liveconfigotel_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/liveconfigotel"
	"github.com/go-tuilive/liveconfig/liveconfigotel/internal/oteltest"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// telemetryRow is a way a call can go, with the requests it sends. The root package's fault matrix runs every
// fault through the client; these are the ways a call's telemetry can differ: first time, after retries of
// each reason, definitively refused, given up on, no answer at all, ended by its ctx, and one call that is
// two (a create that reads back).
type telemetryRow struct {
	name     string
	op       liveconfig.Op // set_callback (CreateCallback) or delete_callback (DeleteCallback)
	faults   []liveconfigtest.Fault
	refused  bool          // the endpoint refuses connections
	cancelAt time.Duration // the call's ctx is cancelled this long after the first answer
	fails    bool
	attempts int
}

func telemetryRows() []telemetryRow {
	always := liveconfigtest.Always
	html := &liveconfigtest.RawAnswer{Status: 502, ContentType: "text/html", Body: []byte("<html>502</html>")}
	return []telemetryRow{
		{name: "first time", attempts: 1},
		{name: "internal, then renewal, then OK", faults: []liveconfigtest.Fault{{Code: 100001}, {Code: 70001}}, attempts: 3},
		{name: "rate limited, then OK", faults: []liveconfigtest.Fault{{Code: 60007}}, attempts: 2},
		{name: "dropped, then OK", faults: []liveconfigtest.Fault{{Drop: true}}, attempts: 2},
		{name: "HTML 502 for ever", faults: []liveconfigtest.Fault{{Raw: html, Times: always}}, fails: true, attempts: 4},
		{name: "definitive 70003", faults: []liveconfigtest.Fault{{Code: 70003, Times: always}}, fails: true, attempts: 1},
		{name: "not JSON", faults: []liveconfigtest.Fault{{Raw: &liveconfigtest.RawAnswer{ContentType: "application/json", Body: []byte("{")}, Times: always}},
			fails: true, attempts: 1},
		{name: "connection refused", refused: true, fails: true, attempts: 4},
		{name: "ctx cancelled during backoff", faults: []liveconfigtest.Fault{{Code: 100001, Times: always}}, cancelAt: 10 * time.Millisecond,
			fails: true, attempts: 1},
		{name: "create applied, then dropped", op: liveconfig.OpSetCallback, faults: []liveconfigtest.Fault{{Apply: true, Drop: true}},
			attempts: 3}, // create, create (100300), read back
	}
}

// TestTelemetryOfEveryWayACallGoes runs each row through a client with liveconfigotel's observer on the SDK's
// in-memory exporters, and checks the spans and metrics with assertTelemetry.
func TestTelemetryOfEveryWayACallGoes(t *testing.T) {
	t.Parallel()
	for _, row := range telemetryRows() {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			rec := oteltest.New(t)
			obs, err := liveconfigotel.NewClientObserver(rec.Options()...)
			require.NoError(t, err)
			srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(testKey), liveconfigtest.WithRateLimit(0))
			catcher := &sigCatcher{}
			cfg := srv.Config()
			cfg.Observer, cfg.HTTPClient, cfg.RateLimit = obs, &http.Client{Transport: catcher}, -1
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			if row.refused {
				cfg.Endpoint = "http://" + blackhole.Refusing(t)
			}
			if row.cancelAt > 0 {
				cfg.Retry.BaseDelay, cfg.Retry.MaxDelay = time.Hour, time.Hour
				catcher.onAnswer = func() { time.AfterFunc(row.cancelAt, cancel) }
			}
			c, err := srv.NewClient(cfg)
			require.NoError(t, err)
			t.Cleanup(c.CloseIdleConnections)
			op := row.op
			if op == "" {
				op = liveconfig.OpDeleteCallback
			}
			for _, f := range row.faults {
				srv.InjectFault(op, f)
			}
			if op == liveconfig.OpSetCallback {
				_, err = c.CreateCallback(ctx, roomEvents)
			} else {
				_, err = c.DeleteCallback(ctx)
			}
			assert.Equal(t, row.fails, err != nil, "the call failed: %v", err)
			assertTelemetry(t, rec, err, row.attempts, catcher.last())
		})
	}
}

// assertTelemetry checks what liveconfigotel recorded of a call that ended in err after sending attempts
// requests: a span per call with a child per attempt, metrics that agree with the spans, and no credential in
// any of it. A call may be more than one call to the API (a create that reads back).
func assertTelemetry(t *testing.T, rec *oteltest.Recorder, err error, attempts int, usersig string) {
	t.Helper()
	var calls, tries []sdktrace.ReadOnlySpan
	callIDs := map[trace.SpanID]bool{}
	for _, s := range rec.Spans() {
		if strings.HasPrefix(s.Name(), "liveconfig ") {
			calls = append(calls, s)
			callIDs[s.SpanContext().SpanID()] = true
		} else {
			tries = append(tries, s)
		}
	}
	if !assert.NotEmpty(t, calls, "call spans") {
		return
	}
	sent, retried := 0, 0
	for _, call := range calls {
		assert.False(t, call.Parent().IsValid(), "a call span is a root here")
		n, _ := oteltest.Attr(call, "liveconfig.attempts")
		sent += int(n.AsInt64())
	}
	for _, try := range tries {
		assert.Equal(t, "POST", try.Name())
		assert.True(t, callIDs[try.Parent().SpanID()], "an attempt span is a child of a call span")
		if _, ok := oteltest.Attr(try, "liveconfig.retry_reason"); ok {
			retried++
		}
		url, _ := oteltest.Attr(try, "url.full")
		assert.NotContains(t, url.AsString(), "?", "url.full has no query")
	}
	assert.Equal(t, attempts, sent, "liveconfig.attempts adds up to the requests sent")
	if len(calls) == 1 && err == nil {
		assert.Equal(t, len(tries)-1, retried, "every attempt but the last says why it was retried")
	} else if len(calls) == 1 {
		// The last may say so too, if the ctx ended the call in the backoff before the retry it announced.
		assert.Contains(t, []int{len(tries) - 1, len(tries)}, retried, "every attempt but the last says why it was retried")
	}

	last := calls[len(calls)-1]
	outcome, _ := oteltest.Attr(last, "liveconfig.outcome")
	if err == nil {
		assert.Equal(t, "ok", outcome.AsString())
		assert.Equal(t, codes.Unset, last.Status().Code)
	} else {
		assert.NotEqual(t, "ok", outcome.AsString())
		assert.Equal(t, codes.Error, last.Status().Code)
		assert.NotEmpty(t, last.Status().Description)
		errType, _ := oteltest.Attr(last, "error.type")
		assert.Equal(t, outcome, errType, "error.type is the outcome")
	}

	assert.Equal(t, float64(len(calls)), rec.Total(t, "liveconfig.client.calls"), "calls counted")
	assert.Equal(t, float64(len(calls)), rec.Total(t, "liveconfig.client.call.duration"), "call durations recorded")
	assert.Equal(t, float64(len(tries)), rec.Total(t, "liveconfig.client.attempts"), "attempts counted")
	assert.Equal(t, float64(retried), rec.Total(t, "liveconfig.client.retries"), "retries counted")
	assert.Positive(t, rec.Total(t, "liveconfig.client.usersig.signings"), "signings counted")
	if usersig == "" {
		rec.AssertNoCredential(t, testKey)
		return
	}
	rec.AssertNoCredential(t, testKey, usersig)
}
