package liveconfigredis_test

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
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

const (
	app   = 1400000001
	token = "redis-test-webhook-token-8e2d"
)

// fleet is four webhook handlers, as four replicas would run them: each with its own Redis client and
// Filter, all counting the events their HandlerFunc gets in one table.
type fleet struct {
	handlers []http.Handler
	handled  sync.Map // event number -> *atomic.Int32
	logs     syncbuf.Buffer
}

func newFleet(t *testing.T, srv *redistest.Server) *fleet {
	f := &fleet{}
	logger := slog.New(slog.NewTextHandler(&f.logs, nil))
	for range 4 {
		cfg := webhook.Config{SDKAppID: app, Token: token, Logger: logger,
			Duplicates: liveconfigredis.NewFilter(srv.Client(t), liveconfigredis.FilterOptions{})}
		h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
			e := ev.(*webhook.AfterMemberStateChanged)
			n, _ := f.handled.LoadOrStore(e.RoomID, new(atomic.Int32))
			n.(*atomic.Int32).Add(1)
			return nil
		})
		require.NoError(t, err)
		f.handlers = append(f.handlers, h)
	}
	return f
}

// delivery is one signed webhook request for event n; signedAt is its RequestTime.
func delivery(n int, signedAt int64) (query string, body string) {
	query = fmt.Sprintf("SdkAppid=%d&CallbackCommand=Live.CallbackAfterMemberStateChanged&contenttype=json&RequestTime=%d&Sign=%s",
		app, signedAt, webhook.Sign(token, signedAt))
	body = fmt.Sprintf(`{"RoomId":"event-%d","EventType":"Online","MemberList":[{"Member_Account":"u%d"}],"EventTime":%d}`, n, n, n)
	return query, body
}

// send delivers one request to handler h and returns the answer's status and ActionStatus.
func send(h http.Handler, query, body string) (int, string) {
	r := httptest.NewRequest(http.MethodPost, "/webhook?"+query, strings.NewReader(body))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	status := "FAIL"
	if strings.Contains(w.Body.String(), `"ActionStatus":"OK"`) {
		status = "OK"
	}
	return w.Code, status
}

type job struct {
	handler     int
	query, body string
}

// run sends every job over 16 connections' worth of goroutines, and fails t for any answer but 200 OK.
func (f *fleet) run(t *testing.T, jobs []job, afterEach func(done int64)) {
	var done atomic.Int64
	var refused atomic.Int32
	ch := make(chan job)
	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() {
			for j := range ch {
				if code, status := send(f.handlers[j.handler], j.query, j.body); code != 200 || status != "OK" {
					refused.Add(1)
				}
				if afterEach != nil {
					afterEach(done.Add(1))
				}
			}
		})
	}
	for _, j := range jobs {
		ch <- j
	}
	close(ch)
	wg.Wait()
	assert.Zero(t, refused.Load(), "answers other than 200 OK")
}

// jobs returns events first..first+count-1, each delivered to two different handlers (Tencent's retry on
// another replica, signed anew) and, for every tenth, replayed byte for byte to a third.
func jobs(first, count int, now int64) []job {
	var out []job
	for n := first; n < first+count; n++ {
		q1, body := delivery(n, now)
		q2, _ := delivery(n, now-3) // the retry: a later signature of the same body
		out = append(out, job{n % 4, q1, body}, job{(n + 1) % 4, q2, body})
		if n%10 == 0 {
			out = append(out, job{(n + 2) % 4, q1, body})
		}
	}
	// Interleave, so that the two copies of an event are often in flight at once.
	for i := 0; i+3 < len(out); i += 4 {
		out[i+1], out[i+2] = out[i+2], out[i+1]
	}
	return out
}

func TestFilterLetsEachEventThroughOnceAcrossReplicas(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	f := newFleet(t, srv)
	const events = 10_000
	all := jobs(0, events, time.Now().Unix())
	require.Len(t, all, 2*events+events/10, "each event twice, and 1,000 replays")

	f.run(t, all, nil)

	for n := range events {
		count, ok := f.handled.Load(fmt.Sprintf("event-%d", n))
		require.True(t, ok, "event %d was never handled", n)
		require.Equal(t, int32(1), count.(*atomic.Int32).Load(), "event %d", n)
	}
	assert.NotContains(t, f.logs.String(), "duplicate filter failed")
	assert.NotContains(t, f.logs.String(), token)
}

func TestFilterFailsOpenWhenRedisDies(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	f := newFleet(t, srv)
	const events = 2_000
	all := jobs(0, events, time.Now().Unix())
	f.run(t, all, func(done int64) {
		if done == int64(len(all)/2) {
			srv.Kill() // mid-run
		}
	})

	for n := range events {
		count, ok := f.handled.Load(fmt.Sprintf("event-%d", n))
		require.True(t, ok, "event %d was never handled", n)
		require.GreaterOrEqual(t, count.(*atomic.Int32).Load(), int32(1), "event %d", n)
	}
	assert.Contains(t, f.logs.String(), "duplicate filter failed", "the outage is logged")
	assert.NotContains(t, f.logs.String(), token)
}

func TestFilterKeysExpire(t *testing.T) {
	t.Parallel()
	srv := redistest.Start(t)
	rdb := srv.Client(t)
	filter := liveconfigredis.NewFilter(rdb, liveconfigredis.FilterOptions{KeyPrefix: "test:"})
	ctx := context.Background()
	seen, err := filter.Seen(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.False(t, seen)
	seen, err = filter.Seen(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.True(t, seen)
	ttl, err := rdb.PTTL(ctx, "test:webhook:seen:k").Result()
	require.NoError(t, err)
	assert.InDelta(t, time.Minute.Seconds(), ttl.Seconds(), 5, "SET ... NX PX: the key carries the window")

	require.NoError(t, filter.Forget(ctx, "k"))
	seen, err = filter.Seen(ctx, "k", time.Minute)
	require.NoError(t, err)
	assert.False(t, seen, "forgotten: new again")
}

func TestNilClientPanicsWithAMessage(t *testing.T) {
	t.Parallel()
	assert.PanicsWithValue(t, "liveconfigredis: nil Redis client; pass a *redis.Client, *redis.ClusterClient or other redis.UniversalClient",
		func() { liveconfigredis.NewFilter(nil, liveconfigredis.FilterOptions{}) })
	assert.Panics(t, func() { liveconfigredis.NewLimiter(nil, 1, liveconfigredis.LimiterOptions{}) })
}
