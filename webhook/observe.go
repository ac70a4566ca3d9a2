package webhook

import (
	"context"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// AnswerBudget is how long Tencent waits for a webhook's answer.
const AnswerBudget = 2 * time.Second

// Observer is told about each request a handler serves, for metrics, tracing or logs, with no dependency on
// any of their libraries. Set it as Config.Observer; nil means none. Its methods run on the request's
// goroutine, so they must return quickly, and they must be safe for concurrent use. Nothing they are given
// holds the token or a signature.
type Observer interface {
	// RequestStart is called as a request arrives. The ctx it returns is the request's from then on (the
	// HandlerFunc's ctx derives from it), so a span can hang on it. Tencent sends no trace context, and the
	// handler reads none.
	RequestStart(ctx context.Context) context.Context
	// RequestEnd is called once the answer is written, with the ctx RequestStart returned.
	RequestEnd(ctx context.Context, report RequestReport)
}

// Outcome is how a handler answered a request.
type Outcome string

// The outcomes of a request.
const (
	OutcomeOK       Outcome = "ok"       // the HandlerFunc returned nil
	OutcomeRejected Outcome = "rejected" // the HandlerFunc returned Reject(...)
	OutcomeError    Outcome = "error"    // the HandlerFunc returned another error, or panicked
	OutcomeRefused  Outcome = "refused"  // refused before the HandlerFunc: RequestReport.Refusal says why
	// OutcomeDuplicate: Config.Duplicates had seen the webhook; answered OK without the HandlerFunc.
	OutcomeDuplicate Outcome = "duplicate"
	// OutcomeLate: the HandlerFunc of a "before" event had not returned by HandlerTimeout; answered with
	// Config.LateAnswer's decision (Code says which: 0 allowed). A LateObserver hears of its result later.
	OutcomeLate Outcome = "late"
)

// RequestReport describes one request a handler served.
type RequestReport struct {
	// Command is the request's command word, or "" for a refused request: the word of a refused request is
	// the sender's, not Tencent's, and as a metric label would let anyone add labels.
	Command liveconfig.Command
	Outcome Outcome
	Refusal error // for OutcomeRefused, the reason (ErrUnsigned, ErrStale, ...): match it with errors.Is
	// RefusalName names Refusal for a metric label or a log field: "unsigned", "stale", "bad_signature",
	// "foreign_app", "body_too_large", "not_json", "malformed" or "method_not_allowed"; "" when not refused.
	RefusalName string
	Status      int // the HTTP status answered
	Code        int // the ErrorCode answered

	// Token is the token the request's Sign was made with: TokenCurrent, TokenPrevious (one of
	// Config.PreviousTokens: during a rotation, watch it fall to none), or "" when unsigned or refused.
	Token TokenMatch

	// FilterErr is Config.Duplicates' error, when it failed and the webhook was handled without its answer.
	FilterErr error

	HandlerLatency time.Duration // time in the HandlerFunc; 0 when refused or a duplicate
	BudgetLeft     time.Duration // what was left of AnswerBudget when the answer was written; negative if late
}
