package liveconfig_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig/internal/oteltest"
)

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
		rec.AssertNoCredential(t, recognisableKey)
		return
	}
	rec.AssertNoCredential(t, recognisableKey, usersig)
}
