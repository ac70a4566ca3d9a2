package liveconfig

import (
	"context"
	"errors"
	"fmt"

	"golang.org/x/time/rate"
)

// Limiter is a client-side rate limiter: Wait blocks until one request may be sent, or returns an error when
// ctx ends first. *rate.Limiter from golang.org/x/time/rate satisfies it.
type Limiter interface {
	Wait(ctx context.Context) error
}

// newTokenBucket returns a limiter of perSecond requests a second with a burst of one, so that requests are
// spread evenly and a burst never exceeds the server's per-second allowance.
func newTokenBucket(perSecond float64) Limiter {
	return rate.NewLimiter(rate.Limit(perSecond), 1)
}

// limiterRefusal is an attempt the limiter did not let out; the call's loop tells it from an answer.
type limiterRefusal struct{ err error }

func (e *limiterRefusal) Error() string { return e.err.Error() }
func (e *limiterRefusal) Unwrap() error { return e.err }

// limiterError turns a limiter's refusal into an error that keeps ctx's cause. *rate.Limiter refuses early,
// with an error of its own, when the wait would outlast ctx's deadline.
func limiterError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return &limiterRefusal{fmt.Errorf("waiting for the rate limiter: %w", ctxErr)}
	}
	if _, ok := ctx.Deadline(); ok && !errors.Is(err, context.DeadlineExceeded) {
		return &limiterRefusal{fmt.Errorf("waiting for the rate limiter: %w (%v)", context.DeadlineExceeded, err)}
	}
	return &limiterRefusal{fmt.Errorf("waiting for the rate limiter: %w", err)}
}
