package liveconfig

import (
	"errors"
	"math"
	"math/rand/v2"
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

// backoff returns how long to wait before retry number retry (0 for the first retry) after err.
func (p RetryPolicy) backoff(retry int, err error) time.Duration {
	base, ceiling := p.BaseDelay, p.MaxDelay
	if errors.Is(err, ErrRateLimited) {
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
