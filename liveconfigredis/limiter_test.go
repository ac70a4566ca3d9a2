package liveconfigredis_test

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/syncbuf"
	"github.com/go-tuilive/liveconfig/liveconfigredis"
	"github.com/go-tuilive/liveconfig/liveconfigredis/redistest"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

var roomEvents = &liveconfig.CallbackConfig{URL: "https://example.com/live/callback",
	Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}

// TestLimiterKeepsFourProcessesUnderTheAppsLimit makes 1,000 calls for one app from four clients, as four
// processes would, each with its own Redis client and Limiter: the fake, which enforces the documented 200 a
// second, answers no 60007, and the calls cannot take less than 1,000 / 200 s, less the 5 % the target allows.
func TestLimiterKeepsFourProcessesUnderTheAppsLimit(t *testing.T) {
	if testing.Short() {
		t.Skip("takes 5 s")
	}
	t.Parallel()
	redisSrv := redistest.Start(t)
	api := liveconfigtest.New(t, liveconfigtest.WithRequestLogLimit(2000))
	api.SetCallback(roomEvents)
	var clients []*liveconfig.Client
	for range 4 {
		cfg := api.Config()
		cfg.Limiter = liveconfigredis.NewLimiter(redisSrv.Client(t), api.SDKAppID(), liveconfigredis.LimiterOptions{})
		c, err := api.NewClient(cfg)
		require.NoError(t, err)
		clients = append(clients, c)
	}

	start := time.Now()
	var wg sync.WaitGroup
	for _, c := range clients {
		wg.Go(func() {
			for range 250 {
				_, err := c.GetCallback(context.Background())
				assert.NoError(t, err)
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)

	requests := api.Requests()
	require.Len(t, requests, 1000, "one request a call: nothing retried")
	for _, r := range requests {
		require.NotEqual(t, 60007, r.Code, "the fake refused a request over the limit")
	}
	assert.GreaterOrEqual(t, elapsed, 4750*time.Millisecond, "1,000 calls at 200 a second")
}

func TestLimiterFallsBackToItsProcessWhenRedisDies(t *testing.T) {
	t.Parallel()
	redisSrv := redistest.Start(t)
	var logs syncbuf.Buffer
	limiter := liveconfigredis.NewLimiter(redisSrv.Client(t), 1400000001, liveconfigredis.LimiterOptions{
		PerSecond: 1000, Logger: slog.New(slog.NewTextHandler(&logs, nil))})
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	require.NoError(t, limiter.Wait(ctx))

	redisSrv.Kill()
	start := time.Now()
	for range 20 {
		require.NoError(t, limiter.Wait(ctx), "calls go on without Redis")
	}
	assert.GreaterOrEqual(t, time.Since(start), 18*time.Millisecond, "at the process's own 1,000 a second")
	assert.Equal(t, 1, strings.Count(logs.String(), "level=WARN"), "the outage is logged once: %s", logs.String())

	cancel()
	assert.ErrorIs(t, limiter.Wait(ctx), context.Canceled)
}
