package liveconfigredis

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBoundedReportsEveryAnswer: a call that answered is never reported as one that did not, however close
// its answer comes to the end of its ctx.
func TestBoundedReportsEveryAnswer(t *testing.T) {
	t.Parallel()
	answer := errors.New("redis: nil")
	for range 20_000 {
		err := bounded(context.Background(), time.Second, func(context.Context) error { return answer })
		require.Equal(t, answer, err)
	}
}

func TestBoundedLeavesAHungCallBehind(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	defer close(release)
	err := bounded(context.Background(), 5*time.Millisecond, func(context.Context) error { <-release; return nil })
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.EqualError(t, err, "no answer from Redis within 5ms: context deadline exceeded")

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err = bounded(ctx, time.Hour, func(context.Context) error { <-release; return nil })
	assert.ErrorIs(t, err, context.Canceled, "the caller's ctx, not a timeout of Redis")
}
