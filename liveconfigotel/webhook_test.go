package liveconfigotel_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig/liveconfigotel"
	"github.com/go-tuilive/liveconfig/liveconfigotel/internal/oteltest"
	"github.com/go-tuilive/liveconfig/webhook"
)

// otelHandler returns a handler of fn whose observer is liveconfigotel's, recording to a new Recorder, with
// the config edit (if not nil) changes.
func otelHandler(t *testing.T, edit func(*webhook.Config), fn webhook.HandlerFunc) (http.Handler, *oteltest.Recorder) {
	t.Helper()
	rec := oteltest.New(t)
	obs, err := liveconfigotel.NewWebhookObserver(rec.Options()...)
	require.NoError(t, err)
	cfg := testConfig()
	cfg.Observer = obs
	if edit != nil {
		edit(&cfg)
	}
	h, err := webhook.NewHandler(cfg, fn)
	require.NoError(t, err)
	return h, rec
}

func answerOK(context.Context, webhook.Event) error { return nil }

// TestOpenTelemetrySeesEveryOutcomeAndRefusal serves every outcome and every refusal through a handler with
// liveconfigotel's observer on the SDK's in-memory exporters.
func TestOpenTelemetrySeesEveryOutcomeAndRefusal(t *testing.T) {
	t.Parallel()
	h, rec := otelHandler(t, func(cfg *webhook.Config) { cfg.Duplicates = webhook.NewMemoryFilter(0) }, func(_ context.Context, ev webhook.Event) error {
		switch ev.(type) {
		case *webhook.BeforeSendGift:
			return webhook.Reject(102150, "no")
		case *webhook.AfterDestroyRoom:
			panic("boom")
		}
		return nil
	})

	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())
	serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":1}}`).request())
	serve(t, h, newDelivery("Live.CallbackAfterDestroyRoom", `{}`).request())
	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request()) // a duplicate of the first
	refusals := []struct {
		name string
		edit func(d *delivery)
	}{
		{"bad_signature", func(d *delivery) { d.token = "guessed-webhook-token" }},
		{"stale", func(d *delivery) { d.requestTime = testNow.Unix() - 3600 }},
		{"unsigned", func(d *delivery) { d.token = "" }},
		{"foreign_app", func(d *delivery) { d.query = map[string][]string{"SdkAppid": {"1"}} }},
		{"not_json", func(d *delivery) { d.body = "Live.CallbackAttackerLabel" }},
		{"body_too_large", func(d *delivery) { d.body = `{"P":"` + strings.Repeat("x", 2<<20) + `"}` }},
		{"malformed", func(d *delivery) { d.command = "Live.Callback Attacker Label" }},
		{"method_not_allowed", func(d *delivery) { d.method = http.MethodGet }},
	}
	for _, r := range refusals {
		d := newDelivery("Live.CallbackAttackerLabel", roomCreated)
		r.edit(d)
		serve(t, h, d.request())
	}

	spans := rec.Spans()
	require.Len(t, spans, 4+len(refusals))
	duplicate := spans[3]
	spans = append(spans[:3:3], spans[4:]...)
	oteltest.AssertAttrs(t, duplicate, attribute.String("liveconfig.webhook.outcome", "duplicate"), attribute.Int("http.response.status_code", 200))
	assert.Equal(t, codes.Unset, duplicate.Status().Code)
	for _, s := range spans {
		assert.Equal(t, trace.SpanKindServer, s.SpanKind())
		assert.False(t, s.Parent().IsValid(), "a new root: Tencent sends no trace context")
	}
	ok, rejected, failed := spans[0], spans[1], spans[2]
	assert.Equal(t, "liveconfig webhook Live.CallbackAfterCreateRoom", ok.Name())
	oteltest.AssertAttrs(t, ok, attribute.String("liveconfig.webhook.command", "Live.CallbackAfterCreateRoom"),
		attribute.String("liveconfig.webhook.outcome", "ok"), attribute.Int("http.response.status_code", 200))
	assert.Equal(t, codes.Unset, ok.Status().Code)
	left, _ := oteltest.Attr(ok, "liveconfig.webhook.budget_left")
	assert.True(t, left.AsFloat64() > 0 && left.AsFloat64() <= webhook.AnswerBudget.Seconds(), "budget left %v", left.AsFloat64())
	oteltest.AssertAttrs(t, rejected, attribute.String("liveconfig.webhook.outcome", "rejected"), attribute.Int("liveconfig.error_code", 102150))
	assert.Equal(t, codes.Unset, rejected.Status().Code, "a rejection is the user's answer, not a failure")
	oteltest.AssertAttrs(t, failed, attribute.String("liveconfig.webhook.outcome", "error"), attribute.String("error.type", "error"))
	assert.Equal(t, codes.Error, failed.Status().Code)

	for i, r := range refusals {
		s := spans[3+i]
		assert.Equal(t, "liveconfig webhook", s.Name(), "a refused request's word is the sender's, never a name")
		oteltest.AssertAttrs(t, s, attribute.String("liveconfig.webhook.outcome", "refused"), attribute.String("liveconfig.webhook.refusal", r.name))
		_, hasCommand := oteltest.Attr(s, "liveconfig.webhook.command")
		assert.False(t, hasCommand, r.name)
		assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.outcome", "refused"),
			attribute.String("liveconfig.webhook.refusal", r.name)), r.name)
	}

	assert.Equal(t, float64(4+len(refusals)), rec.Total(t, "liveconfig.webhook.requests"))
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.outcome", "duplicate")))
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.command", "Live.CallbackBeforeSendGift"),
		attribute.String("liveconfig.webhook.outcome", "rejected")))
	assert.Equal(t, 3.0, rec.Total(t, "liveconfig.webhook.handler.duration"), "only requests that reached the HandlerFunc")
	assert.Equal(t, float64(4+len(refusals)), rec.Total(t, "liveconfig.webhook.budget.left"))
	assert.Zero(t, rec.Total(t, "liveconfig.webhook.late"))
	for _, p := range rec.Points(t, "liveconfig.webhook.requests") {
		command, _ := p.Attributes.Value("liveconfig.webhook.command")
		assert.NotContains(t, command.AsString(), "Attacker", "no label from a refused request")
	}
	good := webhook.Sign(testToken, testNow.Unix())
	forged := webhook.Sign("guessed-webhook-token", testNow.Unix())
	rec.AssertNoCredential(t, testToken, good, forged)
}

func TestOpenTelemetryCountsLateAnswers(t *testing.T) {
	t.Parallel()
	h, rec := otelHandler(t, func(cfg *webhook.Config) { cfg.Observer = lateObserver{cfg.Observer} }, answerOK)
	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())

	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.late", attribute.String("liveconfig.webhook.command", "Live.CallbackAfterCreateRoom")))
	points := rec.Points(t, "liveconfig.webhook.budget.left")
	require.Len(t, points, 1)
	left, _ := oteltest.Attr(rec.Spans()[0], "liveconfig.webhook.budget_left")
	assert.Less(t, left.AsFloat64(), 0.0, "the span says by how much")
}

// lateObserver passes reports on as if the answer had come 3 s after the request.
type lateObserver struct{ next webhook.Observer }

func (l lateObserver) RequestStart(ctx context.Context) context.Context {
	return l.next.RequestStart(ctx)
}

func (l lateObserver) RequestEnd(ctx context.Context, report webhook.RequestReport) {
	report.BudgetLeft = webhook.AnswerBudget - 3*time.Second
	l.next.RequestEnd(ctx, report)
}

func TestOpenTelemetryNestsUnderALocalSpanOnly(t *testing.T) {
	t.Parallel()
	h, rec := otelHandler(t, nil, answerOK)

	local, middleware := rec.Tracers.Tracer("test").Start(context.Background(), "middleware")
	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request().WithContext(local))
	middleware.End()
	remote := trace.ContextWithRemoteSpanContext(context.Background(), trace.NewSpanContext(trace.SpanContextConfig{
		TraceID: trace.TraceID{1}, SpanID: trace.SpanID{2}, TraceFlags: trace.FlagsSampled, Remote: true}))
	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request().WithContext(remote))

	spans := rec.Spans()
	require.Len(t, spans, 3)
	assert.Equal(t, middleware.SpanContext().SpanID(), spans[0].Parent().SpanID(), "a child of the caller's middleware span")
	assert.False(t, spans[2].Parent().IsValid(), "a remote context (from a header anyone can set) is not continued")
	assert.NotEqual(t, trace.TraceID{1}, spans[2].SpanContext().TraceID())
}

func TestOpenTelemetryCountsFilterFailures(t *testing.T) {
	t.Parallel()
	h, rec := otelHandler(t, func(cfg *webhook.Config) { cfg.Duplicates = failingFilter{} }, answerOK)
	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.filter.errors", attribute.String("liveconfig.webhook.command", "Live.CallbackAfterCreateRoom")))
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.outcome", "ok")), "handled")
}

// TestOpenTelemetryCountsLateHandlerFuncs: a gift check answered by LateAnswer is a request of outcome "late",
// and its HandlerFunc's result, when it comes, is counted by what it would have answered.
func TestOpenTelemetryCountsLateHandlerFuncs(t *testing.T) {
	t.Parallel()
	release, returned := make(chan struct{}), make(chan struct{})
	h, rec := otelHandler(t, func(cfg *webhook.Config) { cfg.HandlerTimeout = 10 * time.Millisecond }, func(context.Context, webhook.Event) error {
		defer close(returned)
		<-release
		return webhook.Reject(102150, "no")
	})
	assert.Equal(t, 1, serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":1}}`).request()).body.ErrorCode)
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.outcome", "late")))
	assert.Zero(t, rec.Total(t, "liveconfig.webhook.handler.late"))
	close(release)
	<-returned
	require.Eventually(t, func() bool { return rec.Total(t, "liveconfig.webhook.handler.late") == 1 }, 5*time.Second, time.Millisecond)
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.handler.late", attribute.String("liveconfig.webhook.command", "Live.CallbackBeforeSendGift"),
		attribute.String("liveconfig.webhook.outcome", "rejected")))
}

// TestOpenTelemetryCountsWebhooksByTheTokenThatSignedThem: during a rotation the requests counter says how
// many webhooks each token signed, so that an operator sees when the old one is no longer used.
func TestOpenTelemetryCountsWebhooksByTheTokenThatSignedThem(t *testing.T) {
	t.Parallel()
	h, rec := otelHandler(t, func(cfg *webhook.Config) { cfg.PreviousTokens = []string{"webhook-token-old-91c2"} }, answerOK)
	for _, token := range []string{"webhook-token-old-91c2", "webhook-token-old-91c2", testToken} {
		d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
		d.token = token
		serve(t, h, d.request())
	}
	assert.Equal(t, 2.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.token", "previous")))
	assert.Equal(t, 1.0, rec.Total(t, "liveconfig.webhook.requests", attribute.String("liveconfig.webhook.token", "current")))
	oteltest.AssertAttrs(t, rec.Spans()[0], attribute.String("liveconfig.webhook.token", "previous"))
	rec.AssertNoCredential(t, "webhook-token-old-91c2", testToken)
}
