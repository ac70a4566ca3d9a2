package liveconfigredis_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig/internal/syncbuf"
	"github.com/go-tuilive/liveconfig/liveconfigredis"
	"github.com/go-tuilive/liveconfig/liveconfigredis/redistest"
	"github.com/go-tuilive/liveconfig/webhook"
)

// hangSlack is what a call to a hung Redis may take beyond its timeout here: scheduling on a busy machine,
// under the race detector. The stall it guards against is go-redis's ReadTimeout, seconds.
const hangSlack = 250 * time.Millisecond

// backoff is the outage backoff of the tests that wait for Redis to be asked again.
const backoff = 50 * time.Millisecond

// TestAHungRedisCostsNoMoreThanTheTimeout: with redis-server stopped by SIGSTOP (connections accepted, nothing
// answered) and clients on go-redis's default options, every webhook of two replicas is answered 200 OK within
// the filter's timeout plus a slack, and so is every limiter wait; after SIGCONT, duplicates are filtered again.
func TestAHungRedisCostsNoMoreThanTheTimeout(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	var logs syncbuf.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	var handled sync.Map
	var replicas []http.Handler
	for range 2 {
		cfg := webhook.Config{SDKAppID: app, Token: token, Logger: logger,
			Duplicates: liveconfigredis.NewFilter(srv.DefaultClient(t), liveconfigredis.FilterOptions{OutageBackoff: backoff})}
		h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
			n, _ := handled.LoadOrStore(ev.(*webhook.AfterMemberStateChanged).RoomID, new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
			return nil
		})
		require.NoError(t, err)
		replicas = append(replicas, h)
	}
	limiter := liveconfigredis.NewLimiter(srv.DefaultClient(t), app, liveconfigredis.LimiterOptions{OutageBackoff: backoff, Logger: logger})
	now := time.Now().Unix()
	// deliver sends events first..first+count-1 to both replicas from 8 goroutines, and returns the slowest
	// answer; every answer must be 200 OK.
	deliver := func(first, count int) time.Duration {
		var slowest atomic.Int64
		var wg sync.WaitGroup
		next := atomic.Int64{}
		next.Store(int64(first))
		for range 8 {
			wg.Go(func() {
				for n := int(next.Add(1) - 1); n < first+count; n = int(next.Add(1) - 1) {
					query, body := delivery(n, now)
					for _, h := range replicas {
						start := time.Now()
						code, status := send(h, query, body)
						took := time.Since(start)
						for old := slowest.Load(); took > time.Duration(old) && !slowest.CompareAndSwap(old, int64(took)); old = slowest.Load() {
						}
						assert.Equal(t, 200, code)
						assert.Equal(t, "OK", status)
					}
				}
			})
		}
		wg.Wait()
		return time.Duration(slowest.Load())
	}
	deliver(0, 50) // the pools have their connections
	require.NoError(t, limiter.Wait(context.Background()))

	srv.Stop(t)
	slowest := deliver(1000, 400)
	assert.Less(t, slowest, liveconfigredis.DefaultFilterTimeout+hangSlack, "no webhook waits past the timeout on a hung Redis")
	t.Logf("hung Redis: slowest of 800 webhook answers %v", slowest)
	var slowestWait time.Duration
	for range 50 {
		start := time.Now()
		require.NoError(t, limiter.Wait(context.Background()))
		slowestWait = max(slowestWait, time.Since(start))
	}
	assert.Less(t, slowestWait, liveconfigredis.DefaultLimiterTimeout+hangSlack, "no limiter wait past the timeout")
	t.Logf("hung Redis: slowest of 50 limiter waits %v", slowestWait)
	for n := 1000; n < 1400; n++ {
		count, ok := handled.Load(fmt.Sprintf("event-%d", n))
		require.True(t, ok, "event %d was handled", n)
		require.GreaterOrEqual(t, count.(*atomic.Int32).Load(), int32(1))
	}
	assert.Equal(t, len(replicas), strings.Count(logs.String(), "duplicate filter failed"), "one line a replica for the outage, not one per webhook:\n%s", logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "rate limit is this process's own"))

	srv.Continue(t)
	filtered := func() bool { // a fresh event, delivered twice: is the second answered as a duplicate?
		n := 5000 + int(time.Now().UnixNano()%1_000_000)
		query, body := delivery(n, now)
		send(replicas[0], query, body)
		send(replicas[1], query, body)
		count, _ := handled.Load(fmt.Sprintf("event-%d", n))
		return count != nil && count.(*atomic.Int32).Load() == 1
	}
	require.Eventually(t, filtered, 10*time.Second, 5*time.Millisecond, "filtered again once Redis answers")
	assert.True(t, filtered(), "and from then on")
	assert.Contains(t, logs.String(), "duplicate filter answers again")
	assert.NotContains(t, logs.String(), token)
}
