package liveconfig

import (
	"context"
	"errors"
	"math"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says how often and after what wait a failed attempt is tried again. The zero value is the
// default policy. Only failures for which IsRetryable holds are retried: the codes of ErrInternal, the codes
// of ErrRateLimited other than 70050, HTTP 429 and 5xx, failed connections and attempts that timed out.
// Waits use exponential backoff with full jitter (a uniform random wait up to min(max, base×2^retry)) and end
// as soon as ctx is done. Each attempt is signed (from the cache) with a fresh random.
type RetryPolicy struct {
	// MaxAttempts is the number of attempts in all, the first included. 0 means 4; 1 turns retries off.
	// A UserSig refused as expired or revoked (70001, 70052) is renewed and retried once more on top.
	MaxAttempts int
	// BaseDelay and MaxDelay shape the backoff after most failures. 0 means 100 ms and 2 s. Any non-negative
	// duration is accepted, up to math.MaxInt64: the backoff saturates at its cap rather than overflow.
	BaseDelay, MaxDelay time.Duration
	// RateLimitBaseDelay and RateLimitMaxDelay shape it after a rate-limit code or HTTP 429, where the
	// server asks for a longer pause. 0 means 500 ms and 5 s.
	RateLimitBaseDelay, RateLimitMaxDelay time.Duration
}

func (p RetryPolicy) validate() error {
	if p.MaxAttempts < 0 || p.BaseDelay < 0 || p.MaxDelay < 0 || p.RateLimitBaseDelay < 0 || p.RateLimitMaxDelay < 0 {
		return &ConfigError{Field: "Retry", Reason: "attempts and delays must not be negative"}
	}
	return nil
}

// withDefaults returns p with every zero field set to its default.
func (p RetryPolicy) withDefaults() RetryPolicy {
	orDefault := func(d *time.Duration, def time.Duration) {
		if *d == 0 {
			*d = def
		}
	}
	if p.MaxAttempts == 0 {
		p.MaxAttempts = 4
	}
	orDefault(&p.BaseDelay, 100*time.Millisecond)
	orDefault(&p.MaxDelay, 2*time.Second)
	orDefault(&p.RateLimitBaseDelay, 500*time.Millisecond)
	orDefault(&p.RateLimitMaxDelay, 5*time.Second)
	return p
}

// backoff returns how long to wait before retry number retry (0 for the first retry), with the rate-limit
// delays when rateLimited.
func (p RetryPolicy) backoff(retry int, rateLimited bool) time.Duration {
	base, ceiling := p.BaseDelay, p.MaxDelay
	if rateLimited {
		base, ceiling = p.RateLimitBaseDelay, p.RateLimitMaxDelay
	}
	limit := ceiling // min(ceiling, base×2^retry), without overflow: a shift past ceiling saturates at it
	if retry >= 0 && retry < 63 && base <= ceiling>>retry {
		limit = base << retry
	}
	if limit <= 0 {
		return 0
	}
	if limit == math.MaxInt64 {
		return rand.N(limit) // limit+1 would overflow
	}
	return rand.N(limit + 1)
}

// RetryReason says why a failed attempt is followed by another.
type RetryReason string

// The reasons for a retry.
const (
	RetryInternal       RetryReason = "internal"        // a code of ErrInternal
	RetryRateLimited    RetryReason = "rate_limited"    // a code of ErrRateLimited, or HTTP 429
	RetryServerError    RetryReason = "server_error"    // HTTP 5xx
	RetryTimeout        RetryReason = "timeout"         // the attempt ran out of Config.Timeout
	RetryTransport      RetryReason = "transport"       // the connection failed or broke
	RetryUserSigRenewal RetryReason = "usersig_renewal" // 70001 or 70052: signed anew, sent again
)

// retryRule is one line of the retry decision: what follows an attempt that failed with an error it matches.
type retryRule struct {
	name  string
	match func(err error) bool
	// reason is why another attempt is sent, or "" when none is.
	reason RetryReason
	// renew: sign a new UserSig before that attempt. A call renews once, on top of RetryPolicy.MaxAttempts;
	// the same failure after a renewal ends the call.
	renew bool
	// rateLimited: wait with RetryPolicy's rate-limit delays, the server having asked for a pause.
	rateLimited bool
	// mayHaveApplied reports whether the failed attempt may still have changed state on the server, so that
	// a later "already exists" may be the call's own doing.
	mayHaveApplied func(err error) bool
}

// retryRules is the whole retry decision, in order: the first rule that matches decides. The last matches
// every error, so none falls through.
var retryRules = [...]retryRule{
	{name: "UserSig expired or revoked", match: hasCode(codeUserSigExpired, codeUserSigRevoked), reason: RetryUserSigRenewal, renew: true,
		mayHaveApplied: never},
	{name: "rate-limit code", match: func(err error) bool { return hasSentinel(ErrRateLimited)(err) && !hasCode(codeSigFailureLimit)(err) },
		reason: RetryRateLimited, rateLimited: true, mayHaveApplied: never},
	{name: "internal error code", match: hasSentinel(ErrInternal), reason: RetryInternal, mayHaveApplied: always},
	{name: "any other code", match: isA[*APIError], mayHaveApplied: never},
	{name: "HTTP 429", match: hasStatus(func(s int) bool { return s == http.StatusTooManyRequests }), reason: RetryRateLimited,
		rateLimited: true, mayHaveApplied: never},
	{name: "HTTP 5xx", match: hasStatus(func(s int) bool { return s >= 500 }), reason: RetryServerError, mayHaveApplied: always},
	{name: "any other answer", match: isA[*ResponseError], mayHaveApplied: never},
	{name: "cancelled", match: transportCause(context.Canceled), mayHaveApplied: wasSent},
	{name: "no answer in time", match: transportCause(context.DeadlineExceeded), reason: RetryTimeout, mayHaveApplied: wasSent},
	{name: "connection failed or broke", match: isA[*TransportError], reason: RetryTransport, mayHaveApplied: wasSent},
	{name: "anything else", match: func(error) bool { return true }, mayHaveApplied: never},
}

// retryDecision returns the rule that decides what follows an attempt that failed with err.
func retryDecision(err error) *retryRule {
	for i := range retryRules {
		if retryRules[i].match(err) {
			return &retryRules[i]
		}
	}
	panic("liveconfig: no retry rule matched") // the last rule matches every error
}

// retryable reports whether the rule retries the same request as it is: not a renewal, which changes it.
func (r *retryRule) retryable() bool { return r.reason != "" && !r.renew }

func hasCode(codes ...int) func(error) bool {
	return func(err error) bool {
		var apiErr *APIError
		if !errors.As(err, &apiErr) {
			return false
		}
		for _, c := range codes {
			if apiErr.Code == c {
				return true
			}
		}
		return false
	}
}

func hasSentinel(sentinel error) func(error) bool {
	return func(err error) bool {
		var apiErr *APIError
		return errors.As(err, &apiErr) && errors.Is(apiErr, sentinel)
	}
}

func hasStatus(ok func(int) bool) func(error) bool {
	return func(err error) bool {
		var respErr *ResponseError
		return errors.As(err, &respErr) && ok(respErr.StatusCode)
	}
}

func transportCause(cause error) func(error) bool {
	return func(err error) bool {
		var tErr *TransportError
		return errors.As(err, &tErr) && errors.Is(tErr.Err, cause)
	}
}

func isA[T error](err error) bool {
	var target T
	return errors.As(err, &target)
}

func always(error) bool { return true }
func never(error) bool  { return false }

// wasSent reports whether a transport failure may have reached the server: all but a connection never made.
func wasSent(err error) bool {
	var tErr *TransportError
	return errors.As(err, &tErr) && !tErr.neverSent()
}

// countAttempts adds the attempts sent before the last one to a transport error's count.
func countAttempts(err error, before int) error {
	if e, ok := err.(*TransportError); ok && before > 0 {
		return &TransportError{Op: e.Op, Attempts: before + e.Attempts, Err: e.Err}
	}
	return err
}
