package wait_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/go-tuilive/liveconfig/internal/wait"
)

func TestSleep(t *testing.T) {
	t.Parallel()
	start := time.Now()
	assert.NoError(t, wait.Sleep(context.Background(), 5*time.Millisecond))
	assert.GreaterOrEqual(t, time.Since(start), 5*time.Millisecond)

	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start = time.Now()
	assert.ErrorIs(t, wait.Sleep(ctx, time.Hour), context.Canceled, "ends with ctx")
	assert.Less(t, time.Since(start), time.Minute)
	assert.ErrorIs(t, wait.Sleep(ctx, 0), context.Canceled, "no wait, but ctx's error")
	assert.NoError(t, wait.Sleep(context.Background(), -time.Second))
}
