package liveconfigotel

import (
	"context"
	"errors"
	"sync"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/go-tuilive/liveconfig"
)

// The attribute keys of this package; the others are OpenTelemetry's semantic conventions.
const (
	keyOp          = attribute.Key("liveconfig.op")
	keySDKAppID    = attribute.Key("liveconfig.sdkappid")
	keyOutcome     = attribute.Key("liveconfig.outcome")
	keyAttempt     = attribute.Key("liveconfig.attempt")
	keyAttempts    = attribute.Key("liveconfig.attempts")
	keyErrorCode   = attribute.Key("liveconfig.error_code")
	keyRequestID   = attribute.Key("liveconfig.request_id")
	keyRetryReason = attribute.Key("liveconfig.retry_reason")
	keyLimiterWait = attribute.Key("liveconfig.limiter_wait")

	keyCommand        = attribute.Key("liveconfig.webhook.command")
	keyWebhookOutcome = attribute.Key("liveconfig.webhook.outcome")
	keyRefusal        = attribute.Key("liveconfig.webhook.refusal")
	keyToken          = attribute.Key("liveconfig.webhook.token")
	keyBudgetLeft     = attribute.Key("liveconfig.webhook.budget_left")
)

// outcomeOK is the outcome of a call or attempt that succeeded.
const outcomeOK = "ok"

// errorClass names the kind of a call's error for liveconfig.outcome and error.type: a handful of values, so
// that a metric labelled with it stays small. The caller's own cancellation comes first, as it explains the
// rest.
func errorClass(err error) string {
	if err == nil {
		return outcomeOK // before the variables below, which errors.As makes escape
	}
	return failureClass(err)
}

func failureClass(err error) string {
	var (
		apiErr  *liveconfig.APIError
		respErr *liveconfig.ResponseError
		tErr    *liveconfig.TransportError
	)
	switch {
	case errors.Is(err, context.Canceled):
		return "canceled"
	case errors.Is(err, context.DeadlineExceeded):
		return "timeout"
	case errors.As(err, &apiErr):
		return "api_error"
	case errors.As(err, &respErr):
		return "response_error"
	case errors.As(err, &tErr):
		return "transport_error"
	}
	return "error"
}

// labelSets hands out the metric attribute set of each combination of label values, built on first use and
// kept, so that a measurement allocates none. The values come from small sets (ops, outcomes, retry reasons,
// command words of verified webhooks, refusal names), so the cache stays small.
type labelSets struct {
	keys []attribute.Key
	sets sync.Map // labels -> metric.MeasurementOption
}

// labels are the values of a labelSets' keys, in order; an empty value leaves its key out.
type labels [4]string

func newLabelSets(keys ...attribute.Key) *labelSets { return &labelSets{keys: keys} }

// option returns the measurement option for values.
func (s *labelSets) option(values labels) metric.MeasurementOption {
	if o, ok := s.sets.Load(values); ok {
		return o.(metric.MeasurementOption)
	}
	kvs := make([]attribute.KeyValue, 0, len(s.keys))
	for i, key := range s.keys {
		if values[i] != "" {
			kvs = append(kvs, key.String(values[i]))
		}
	}
	o, _ := s.sets.LoadOrStore(values, metric.WithAttributeSet(attribute.NewSet(kvs...)))
	return o.(metric.MeasurementOption)
}
