package liveconfigotel

import (
	"context"
	"net/url"
	"strconv"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/metric"
	semconv "go.opentelemetry.io/otel/semconv/v1.43.0"
	"go.opentelemetry.io/otel/trace"

	"github.com/go-tuilive/liveconfig"
)

// ClientObserver records a liveconfig.Client's calls as spans and metrics (see the package documentation for
// their names). Set it as liveconfig.Config.Observer. One ClientObserver may serve any number of clients; it is
// safe for concurrent use.
type ClientObserver struct {
	tracer trace.Tracer

	calls, attempts, retries, signings         metric.Int64Counter
	callDuration, attemptDuration, limiterWait metric.Float64Histogram

	byOpOutcome, byOpReason, byOp *labelSets
	endpoints                     sync.Map // endpoint -> []attribute.KeyValue, the attempt span's URL attributes
}

var _ liveconfig.Observer = (*ClientObserver)(nil)

// NewClientObserver returns a ClientObserver that records to the global TracerProvider and MeterProvider, or
// to those opts name. It fails only if the MeterProvider refuses to create an instrument.
func NewClientObserver(opts ...Option) (*ClientObserver, error) {
	tracer, instr := instruments(opts)
	o := &ClientObserver{
		tracer:      tracer,
		byOpOutcome: newLabelSets(keyOp, keyOutcome),
		byOpReason:  newLabelSets(keyOp, keyRetryReason),
		byOp:        newLabelSets(keyOp),
	}
	o.calls = instr.counter("liveconfig.client.calls", "{call}", "Calls to the live_config API, by op and outcome.")
	o.attempts = instr.counter("liveconfig.client.attempts", "{attempt}", "Attempts of those calls, by op and outcome.")
	o.retries = instr.counter("liveconfig.client.retries", "{retry}", "Attempts followed by another, by op and why.")
	o.signings = instr.counter("liveconfig.client.usersig.signings", "{signing}",
		"UserSigs signed: the first, each renewal, and each one signed again after the server refused the cached one.")
	o.callDuration = instr.seconds("liveconfig.client.call.duration", "Duration of calls, retries and backoff included, by op and outcome.")
	o.attemptDuration = instr.seconds("liveconfig.client.attempt.duration", "Duration of attempts from sending to the answer, by op and outcome.")
	o.limiterWait = instr.seconds("liveconfig.client.limiter.wait", "Time attempts waited for the client-side rate limiter, by op.")
	if err := instr.err(); err != nil {
		return nil, err
	}
	return o, nil
}

// callSpanNames holds the name of each op's call span, so that starting one allocates no name.
var callSpanNames = func() map[liveconfig.Op]string {
	names := map[liveconfig.Op]string{}
	for _, op := range liveconfig.Ops() {
		names[op] = "liveconfig " + string(op)
	}
	return names
}()

// attemptSpanKind is the option every attempt span starts with, made once.
var attemptSpanKind = trace.WithSpanKind(trace.SpanKindClient)

// CallStart starts the call's span, a child of ctx's.
func (o *ClientObserver) CallStart(ctx context.Context, call liveconfig.CallInfo) context.Context {
	name, ok := callSpanNames[call.Op]
	if !ok {
		name = "liveconfig " + string(call.Op)
	}
	ctx, span := o.tracer.Start(ctx, name)
	if span.IsRecording() {
		span.SetAttributes(keyOp.String(string(call.Op)), keySDKAppID.Int64(int64(call.SDKAppID)))
	}
	return ctx
}

// AttemptStart starts the attempt's span, a child of the call's.
func (o *ClientObserver) AttemptStart(ctx context.Context, attempt liveconfig.AttemptInfo) context.Context {
	ctx, span := o.tracer.Start(ctx, "POST", attemptSpanKind)
	if span.IsRecording() {
		span.SetAttributes(keyAttempt.Int(attempt.Attempt), semconv.HTTPRequestMethodPost)
		span.SetAttributes(o.endpointAttributes(attempt.Endpoint)...)
	}
	return ctx
}

// AttemptEnd ends the attempt's span and records the attempt.
func (o *ClientObserver) AttemptEnd(ctx context.Context, attempt liveconfig.AttemptInfo) {
	class := errorClass(attempt.Err)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(keyLimiterWait.Float64(attempt.LimiterWait.Seconds()))
		if attempt.Status != 0 {
			span.SetAttributes(semconv.HTTPResponseStatusCode(attempt.Status))
		}
		if attempt.Code != 0 {
			span.SetAttributes(keyErrorCode.Int(attempt.Code))
		}
		if attempt.RequestID != "" {
			span.SetAttributes(keyRequestID.String(attempt.RequestID))
		}
		if attempt.Retry != "" {
			span.SetAttributes(keyRetryReason.String(string(attempt.Retry)))
		}
		setStatus(span, class, attempt.Err)
	}
	trace.SpanFromContext(ctx).End()
	op := string(attempt.Op)
	if o.attempts.Enabled(ctx) {
		o.attempts.Add(ctx, 1, o.byOpOutcome.option(labels{op, class}))
	}
	if o.attemptDuration.Enabled(ctx) {
		o.attemptDuration.Record(ctx, attempt.Latency.Seconds(), o.byOpOutcome.option(labels{op, class}))
	}
	if o.limiterWait.Enabled(ctx) {
		o.limiterWait.Record(ctx, attempt.LimiterWait.Seconds(), o.byOp.option(labels{op}))
	}
	if attempt.Retry != "" && o.retries.Enabled(ctx) {
		o.retries.Add(ctx, 1, o.byOpReason.option(labels{op, string(attempt.Retry)}))
	}
}

// CallEnd ends the call's span and records the call.
func (o *ClientObserver) CallEnd(ctx context.Context, call liveconfig.CallInfo) {
	class := errorClass(call.Err)
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		span.SetAttributes(keyAttempts.Int(call.Attempts), keyOutcome.String(class))
		setStatus(span, class, call.Err)
	}
	trace.SpanFromContext(ctx).End()
	set := o.byOpOutcome.option(labels{string(call.Op), class})
	if o.calls.Enabled(ctx) {
		o.calls.Add(ctx, 1, set)
	}
	if o.callDuration.Enabled(ctx) {
		o.callDuration.Record(ctx, call.Latency.Seconds(), set)
	}
}

// UserSigSigned counts a signing.
func (o *ClientObserver) UserSigSigned(ctx context.Context) {
	if o.signings.Enabled(ctx) {
		o.signings.Add(ctx, 1)
	}
}

// setStatus sets a span's status from err, whose text the client has already cleaned of credentials.
func setStatus(span trace.Span, class string, err error) {
	if err != nil {
		span.SetAttributes(semconv.ErrorTypeKey.String(class))
		span.SetStatus(codes.Error, err.Error())
	}
}

// endpointAttributes returns url.full, server.address and server.port of endpoint (a URL without query),
// worked out once per endpoint.
func (o *ClientObserver) endpointAttributes(endpoint string) []attribute.KeyValue {
	if kvs, ok := o.endpoints.Load(endpoint); ok {
		return kvs.([]attribute.KeyValue)
	}
	kvs := []attribute.KeyValue{semconv.URLFull(endpoint)}
	if u, err := url.Parse(endpoint); err == nil {
		kvs = append(kvs, semconv.ServerAddress(u.Hostname()))
		port, err := strconv.Atoi(u.Port())
		if err != nil && u.Scheme == "https" {
			port = 443
		} else if err != nil {
			port = 80
		}
		kvs = append(kvs, semconv.ServerPort(port))
	}
	kvs = kvs[:len(kvs):len(kvs)] // SetAttributes must not append into the shared slice
	o.endpoints.LoadOrStore(endpoint, kvs)
	return kvs
}
