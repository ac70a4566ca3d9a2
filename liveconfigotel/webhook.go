package liveconfigotel

import (
	"context"

	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig/webhook"
)

// WebhookObserver records the requests a webhook handler serves as spans and metrics (see the package
// documentation for their names). Set it as webhook.Config.Observer. One WebhookObserver may serve any number
// of handlers; it is safe for concurrent use.
type WebhookObserver struct {
	tracer trace.Tracer

	requests, late, filterErrors   metric.Int64Counter
	lateResults                    metric.Int64Counter
	handlerDuration, budgetLeft    metric.Float64Histogram
	byRequest, byCommandAndOutcome *labelSets
	byCommand                      *labelSets
}

var _ webhook.LateObserver = (*WebhookObserver)(nil)

// NewWebhookObserver returns a WebhookObserver that records to the global TracerProvider and MeterProvider, or
// to those opts name. It fails only if the MeterProvider refuses to create an instrument.
func NewWebhookObserver(opts ...Option) (*WebhookObserver, error) {
	tracer, instr := instruments(opts)
	o := &WebhookObserver{
		tracer:              tracer,
		byRequest:           newLabelSets(keyCommand, keyWebhookOutcome, keyRefusal, keyToken),
		byCommandAndOutcome: newLabelSets(keyCommand, keyWebhookOutcome),
		byCommand:           newLabelSets(keyCommand),
	}
	o.requests = instr.counter("liveconfig.webhook.requests", "{request}", "Webhook requests, by command, outcome, refusal reason and the token that signed them (current or previous).")
	o.late = instr.counter("liveconfig.webhook.late", "{request}", "Webhook answers written after the 2 s Tencent waits, by command.")
	o.filterErrors = instr.counter("liveconfig.webhook.filter.errors", "{error}",
		"Webhooks handled without the duplicate filter's answer because it failed, by command.")
	o.lateResults = instr.counter("liveconfig.webhook.handler.late", "{request}",
		"HandlerFuncs of \"before\" events that returned after webhook.Config.LateAnswer had answered for them, by command and the outcome they would have answered.")
	o.handlerDuration = instr.seconds("liveconfig.webhook.handler.duration", "Time in the HandlerFunc, by command and outcome.")
	o.budgetLeft = instr.seconds("liveconfig.webhook.budget.left",
		"What was left of the 2 s Tencent waits when the answer was written (0 if late), by command.")
	if err := instr.err(); err != nil {
		return nil, err
	}
	return o, nil
}

// The options of a webhook request's span: a child of the local span in the request's context, or a new root.
var (
	childSpan = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer)}
	rootSpan  = []trace.SpanStartOption{trace.WithSpanKind(trace.SpanKindServer), trace.WithNewRoot()}
)

// RequestStart starts the request's span: a child of a local span in ctx, else a new root.
func (o *WebhookObserver) RequestStart(ctx context.Context) context.Context {
	opts := childSpan
	if trace.SpanContextFromContext(ctx).IsRemote() {
		opts = rootSpan
	}
	ctx, _ = o.tracer.Start(ctx, "liveconfig webhook", opts...)
	return ctx
}

// RequestEnd ends the request's span and records the request.
func (o *WebhookObserver) RequestEnd(ctx context.Context, report webhook.RequestReport) {
	command, outcome := string(report.Command), string(report.Outcome)
	left := max(report.BudgetLeft, 0)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		if command != "" {
			span.SetName("liveconfig webhook " + command)
			span.SetAttributes(keyCommand.String(command))
		}
		span.SetAttributes(keyWebhookOutcome.String(outcome), semconv.HTTPResponseStatusCode(report.Status),
			keyErrorCode.Int(report.Code), keyBudgetLeft.Float64(report.BudgetLeft.Seconds()))
		if report.Token != "" {
			span.SetAttributes(keyToken.String(string(report.Token)))
		}
		switch report.Outcome {
		case webhook.OutcomeRefused:
			span.SetAttributes(keyRefusal.String(report.RefusalName))
		case webhook.OutcomeError:
			span.SetAttributes(semconv.ErrorTypeKey.String(outcome))
			span.SetStatus(codes.Error, "the HandlerFunc failed")
		}
	}
	trace.SpanFromContext(ctx).End()
	if o.requests.Enabled(ctx) {
		o.requests.Add(ctx, 1, o.byRequest.option(labels{command, outcome, report.RefusalName, string(report.Token)}))
	}
	if report.FilterErr != nil && o.filterErrors.Enabled(ctx) {
		o.filterErrors.Add(ctx, 1, o.byCommand.option(labels{command}))
	}
	ranHandler := report.Outcome != webhook.OutcomeRefused && report.Outcome != webhook.OutcomeDuplicate
	if ranHandler && o.handlerDuration.Enabled(ctx) {
		o.handlerDuration.Record(ctx, report.HandlerLatency.Seconds(), o.byCommandAndOutcome.option(labels{command, outcome}))
	}
	if o.budgetLeft.Enabled(ctx) {
		o.budgetLeft.Record(ctx, left.Seconds(), o.byCommand.option(labels{command}))
	}
	if report.BudgetLeft < 0 && o.late.Enabled(ctx) {
		o.late.Add(ctx, 1, o.byCommand.option(labels{command}))
	}
}

// HandlerReturnedLate counts a HandlerFunc that returned after its "before" event was answered by
// webhook.Config.LateAnswer, by command and the outcome it would have answered.
func (o *WebhookObserver) HandlerReturnedLate(ctx context.Context, report webhook.LateReport) {
	if o.lateResults.Enabled(ctx) {
		o.lateResults.Add(ctx, 1, o.byCommandAndOutcome.option(labels{string(report.Command), string(report.Outcome)}))
	}
}
