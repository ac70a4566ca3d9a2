package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig/webhook"
)

type valueKey struct{}

// TestHandlerContextBehavesAsAContextWithTimeout checks the handler's ctx, whose timer starts only when
// something waits on it, against what context.WithTimeout promises: values, the deadline, expiry with its
// cause, the request's cancellation, derived contexts, and cancellation once the HandlerFunc returns.
func TestHandlerContextBehavesAsAContextWithTimeout(t *testing.T) {
	t.Parallel()
	var kept []context.Context
	run := func(timeout time.Duration, parent context.Context, fn func(ctx context.Context) error) {
		t.Helper()
		cfg := testConfig()
		cfg.HandlerTimeout = timeout
		h, err := webhook.NewHandler(cfg, func(ctx context.Context, _ webhook.Event) error {
			kept = append(kept, ctx)
			return fn(ctx)
		})
		require.NoError(t, err)
		out := serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request().WithContext(parent))
		assert.Zero(t, out.body.ErrorCode, out.body.ErrorInfo)
	}
	withValue := context.WithValue(context.Background(), valueKey{}, "request value")

	// Never waited on: a deadline, the request's values, not done.
	run(time.Minute, withValue, func(ctx context.Context) error {
		deadline, ok := ctx.Deadline()
		assert.True(t, ok)
		assert.WithinDuration(t, time.Now().Add(time.Minute), deadline, time.Second)
		assert.Equal(t, "request value", ctx.Value(valueKey{}))
		return nil
	})
	// Waited on: ends at the deadline, with DeadlineExceeded as its error and cause.
	run(10*time.Millisecond, withValue, func(ctx context.Context) error {
		<-ctx.Done()
		assert.ErrorIs(t, ctx.Err(), context.DeadlineExceeded)
		assert.ErrorIs(t, context.Cause(ctx), context.DeadlineExceeded)
		assert.Equal(t, "request value", ctx.Value(valueKey{}))
		return nil
	})
	// The request's own deadline, if earlier, is the one reported.
	early, cancelEarly := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancelEarly()
	run(time.Minute, early, func(ctx context.Context) error {
		deadline, _ := ctx.Deadline()
		want, _ := early.Deadline()
		assert.Equal(t, want, deadline)
		return nil
	})
	// The request's cancellation reaches the ctx and what derives from it.
	parent, cancelParent := context.WithCancel(withValue)
	run(time.Minute, parent, func(ctx context.Context) error {
		derived, cancel := context.WithCancel(ctx)
		defer cancel()
		stopped := make(chan struct{})
		stop := context.AfterFunc(ctx, func() { close(stopped) })
		defer stop()
		cancelParent()
		<-derived.Done()
		<-stopped
		assert.ErrorIs(t, ctx.Err(), context.Canceled)
		return nil
	})

	require.Len(t, kept, 4)
	for i, ctx := range kept {
		select {
		case <-ctx.Done():
		default:
			t.Errorf("ctx %d is not done after its HandlerFunc returned", i)
		}
		assert.Error(t, ctx.Err(), "ctx %d", i)
	}
	assert.Equal(t, "request value", kept[0].Value(valueKey{}), "values outlive the call")
}
