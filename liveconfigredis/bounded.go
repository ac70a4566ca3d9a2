package liveconfigredis

import (
	"context"
	"fmt"
	"time"
)

// bounded runs do, one call to Redis, and returns its error, or a timeout error once timeout has passed,
// whichever comes first, whatever the client's options. go-redis applies a ctx deadline to dialing and to
// waiting for a pooled connection, but to the socket's reads and writes only with
// Options.ContextTimeoutEnabled; without it a Redis that accepts and never answers (SIGSTOP, a partition, a
// stuck primary) holds the call for the client's ReadTimeout, 5 s by default, past Tencent's 2 s wait for a
// webhook's answer. So do runs on a goroutine of its own and is left behind when it overruns; it ends when
// the client gives up (at once with ContextTimeoutEnabled, else at ReadTimeout), holding one pooled
// connection until then. The outage backoff (see outage) lets at most one such call start per
// OutageBackoff while Redis hangs.
func bounded(parent context.Context, timeout time.Duration, do func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(parent, timeout)
	defer cancel() // after the answer is taken: a call that answered is never reported as one that did not
	done := make(chan error, 1)
	go func() { done <- do(ctx) }()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		select {
		case err := <-done: // answered as the time ran out
			return err
		default:
		}
		if err := parent.Err(); err != nil {
			return err // the caller's ctx ended first
		}
		return fmt.Errorf("no answer from Redis within %v: %w", timeout, context.DeadlineExceeded)
	}
}
