package liveconfigotel_test

import (
	"context"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigotel"
	"github.com/go-tuilive/liveconfig/liveconfigotel/internal/oteltest"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

const testKey = "otel-test-secret-key-7d3c0f9a2b5e"

var roomEvents = liveconfig.CallbackConfig{URL: "https://example.com/live/callback",
	Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom}}

// sigCatcher keeps the usersig of the requests it sends, so that a test can look for it where it must not be,
// and calls onAnswer (if set) as each answer arrives.
type sigCatcher struct {
	mu       sync.Mutex
	usersig  string
	onAnswer func()
}

func (s *sigCatcher) RoundTrip(r *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.usersig = r.URL.Query().Get("usersig")
	s.mu.Unlock()
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && s.onAnswer != nil {
		s.onAnswer()
	}
	return resp, err
}

func (s *sigCatcher) last() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.usersig
}

// observedClient returns a fake, a client of it that reports to a new Recorder, and what catches its UserSig.
func observedClient(t *testing.T) (*liveconfigtest.Server, *liveconfig.Client, *oteltest.Recorder, *sigCatcher) {
	t.Helper()
	rec := oteltest.New(t)
	obs, err := liveconfigotel.NewClientObserver(rec.Options()...)
	require.NoError(t, err)
	srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(testKey))
	catcher := &sigCatcher{}
	cfg := srv.Config()
	cfg.Observer = obs
	cfg.HTTPClient = &http.Client{Transport: catcher}
	c, err := srv.NewClient(cfg)
	require.NoError(t, err)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	return srv, c, rec, catcher
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func TestEveryEndpointIsOneCallSpanWithItsAttempts(t *testing.T) {
	t.Parallel()
	srv, c, rec, catcher := observedClient(t)
	parentCtx, parent := rec.Tracers.Tracer("test").Start(testCtx(t), "deploy")
	token := liveconfig.CallbackToken{Token: "otel-webhook-token-41c9e2", Enabled: true}

	var requestIDs []string
	note := func(res *liveconfig.Result, err error) {
		t.Helper()
		require.NoError(t, err)
		requestIDs = append(requestIDs, res.RequestID)
	}
	note(c.SetCallbackToken(parentCtx, token))
	_, err := c.GetCallbackToken(parentCtx)
	require.NoError(t, err)
	requestIDs = append(requestIDs, "")
	note(c.CreateCallback(parentCtx, roomEvents))
	_, err = c.GetCallback(parentCtx)
	require.NoError(t, err)
	requestIDs = append(requestIDs, "")
	changed := roomEvents
	changed.URL = "https://example.com/live/other"
	note(c.UpdateCallback(parentCtx, changed))
	note(c.DeleteCallback(parentCtx))
	note(c.DeleteCallbackToken(parentCtx))
	parent.End()

	ops := []liveconfig.Op{liveconfig.OpSetCallbackToken, liveconfig.OpGetCallbackToken, liveconfig.OpSetCallback,
		liveconfig.OpGetCallback, liveconfig.OpUpdateCallback, liveconfig.OpDeleteCallback, liveconfig.OpDeleteCallbackToken}
	require.ElementsMatch(t, liveconfig.Ops(), ops, "every endpoint is called")
	spans := rec.Spans()
	require.Len(t, spans, 2*len(ops)+1, "a call span and an attempt span per call, and the test's")
	for i, op := range ops {
		attempt, call := spans[2*i], spans[2*i+1]
		assert.Equal(t, "liveconfig "+string(op), call.Name())
		assert.Equal(t, parent.SpanContext().SpanID(), call.Parent().SpanID(), "the call is a child of the caller's span")
		assert.Equal(t, trace.SpanKindInternal, call.SpanKind())
		oteltest.AssertAttrs(t, call, attribute.String("liveconfig.op", string(op)), attribute.Int64("liveconfig.sdkappid", int64(srv.SDKAppID())),
			attribute.Int("liveconfig.attempts", 1), attribute.String("liveconfig.outcome", "ok"))
		assert.Equal(t, codes.Unset, call.Status().Code)

		assert.Equal(t, "POST", attempt.Name())
		assert.Equal(t, call.SpanContext().SpanID(), attempt.Parent().SpanID(), "the attempt is a child of its call")
		assert.Equal(t, trace.SpanKindClient, attempt.SpanKind())
		oteltest.AssertAttrs(t, attempt, attribute.Int("liveconfig.attempt", 1), attribute.String("http.request.method", "POST"),
			attribute.String("url.full", srv.URL()+"/v4/live_config/"+string(op)), attribute.String("server.address", "127.0.0.1"),
			attribute.Int("http.response.status_code", 200))
		if requestIDs[i] != "" {
			oteltest.AssertAttrs(t, attempt, attribute.String("liveconfig.request_id", requestIDs[i]))
		}
		_, hasCode := oteltest.Attr(attempt, "liveconfig.error_code")
		assert.False(t, hasCode, "no error code on success")

		assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.calls", attribute.String("liveconfig.op", string(op)),
			attribute.String("liveconfig.outcome", "ok")), op)
		assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.attempts", attribute.String("liveconfig.op", string(op))), op)
		assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.call.duration", attribute.String("liveconfig.op", string(op))), op)
		assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.attempt.duration", attribute.String("liveconfig.op", string(op))), op)
		assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.limiter.wait", attribute.String("liveconfig.op", string(op))), op)
	}
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.usersig.signings"), "one UserSig for every call")
	assert.Zero(t, rec.Total(t, "liveconfig.client.retries"))
	rec.AssertNoCredential(t, testKey, catcher.last(), token.Token)
}

func TestEnsureIsAReadThenAWrite(t *testing.T) {
	t.Parallel()
	_, c, rec, _ := observedClient(t)
	_, err := c.EnsureCallback(testCtx(t), roomEvents)
	require.NoError(t, err)
	var names []string
	for _, s := range rec.Spans() {
		names = append(names, s.Name())
	}
	assert.Equal(t, []string{"POST", "liveconfig get_callback", "POST", "liveconfig set_callback"}, names)
}

func TestRetriesAndFailuresAreRecorded(t *testing.T) {
	t.Parallel()
	srv, c, rec, catcher := observedClient(t)
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 100001})
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 70001})
	_, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 70003, Info: "refused " + catcher.last()})
	_, err = c.GetCallback(testCtx(t))
	require.Error(t, err)

	spans := rec.Spans()
	require.Len(t, spans, 6, "three attempts and their call, one attempt and its call")
	first, second, third, deleted := spans[0], spans[1], spans[2], spans[3]
	oteltest.AssertAttrs(t, first, attribute.Int("liveconfig.attempt", 1), attribute.Int("liveconfig.error_code", 100001),
		attribute.String("liveconfig.retry_reason", "internal"), attribute.String("error.type", "api_error"))
	assert.Equal(t, codes.Error, first.Status().Code)
	oteltest.AssertAttrs(t, second, attribute.Int("liveconfig.attempt", 2), attribute.Int("liveconfig.error_code", 70001),
		attribute.String("liveconfig.retry_reason", "usersig_renewal"))
	oteltest.AssertAttrs(t, third, attribute.Int("liveconfig.attempt", 3))
	assert.Equal(t, codes.Unset, third.Status().Code)
	oteltest.AssertAttrs(t, deleted, attribute.Int("liveconfig.attempts", 3), attribute.String("liveconfig.outcome", "ok"))

	failedAttempt, failed := spans[4], spans[5]
	_, retried := oteltest.Attr(failedAttempt, "liveconfig.retry_reason")
	assert.False(t, retried, "70003 is final")
	oteltest.AssertAttrs(t, failed, attribute.String("liveconfig.outcome", "api_error"), attribute.String("error.type", "api_error"))
	assert.Equal(t, codes.Error, failed.Status().Code)
	assert.Contains(t, failed.Status().Description, "70003")

	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.retries", attribute.String("liveconfig.retry_reason", "internal")))
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.retries", attribute.String("liveconfig.retry_reason", "usersig_renewal")))
	assert.Equal(t, 2.0, rec.Total(t, "liveconfig.client.usersig.signings"), "the first, and the one after 70001")
	assert.Equal(t, 3.0, rec.Total(t, "liveconfig.client.attempts", attribute.String("liveconfig.outcome", "api_error")), "100001, 70001, 70003")
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.client.calls", attribute.String("liveconfig.op", "get_callback"),
		attribute.String("liveconfig.outcome", "api_error")))
	rec.AssertNoCredential(t, testKey, catcher.last())
}
