package webhook_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/syncbuf"
	"github.com/go-tuilive/liveconfig/webhook"
)

func TestMemoryFilterRemembersForTheTTL(t *testing.T) {
	t.Parallel()
	now := time.Unix(1000, 0)
	f := webhook.NewMemoryFilter(0)
	webhook.SetMemoryFilterClock(f, func() time.Time { return now })
	ctx := context.Background()

	seen, err := f.Seen(ctx, "a", time.Minute)
	require.NoError(t, err)
	assert.False(t, seen, "first time")
	seen, _ = f.Seen(ctx, "a", time.Minute)
	assert.True(t, seen, "again within the TTL")
	seen, _ = f.Seen(ctx, "b", time.Minute)
	assert.False(t, seen, "another key")

	now = now.Add(time.Minute)
	seen, _ = f.Seen(ctx, "a", time.Minute)
	assert.False(t, seen, "expired at the TTL: remembered anew")
	now = now.Add(59 * time.Second)
	seen, _ = f.Seen(ctx, "a", time.Minute)
	assert.True(t, seen, "the new record holds for its own TTL")

	require.NoError(t, f.Forget(ctx, "a"))
	seen, _ = f.Seen(ctx, "a", time.Minute)
	assert.False(t, seen, "forgotten: new again")
	seen, _ = f.Seen(ctx, "a", time.Minute)
	assert.True(t, seen)
}

func TestMemoryFilterIsBoundedAndForgetsTheOldestFirst(t *testing.T) {
	t.Parallel()
	const limit = 1600
	f := webhook.NewMemoryFilter(limit)
	ctx := context.Background()
	for i := range 20 * limit {
		seen, _ := f.Seen(ctx, "key-"+strconv.Itoa(i), time.Hour)
		require.False(t, seen)
	}
	assert.LessOrEqual(t, f.Len(), limit)
	assert.GreaterOrEqual(t, f.Len(), limit*9/10, "it keeps close to the limit")
	oldest := 0
	for i := range 100 {
		if webhook.MemoryFilterRemembers(f, "key-"+strconv.Itoa(i)) {
			oldest++
		}
	}
	assert.Zero(t, oldest, "the oldest were forgotten")

	// In one bucket (a filter of four), which entry goes is exact: the one that expires first. (Which of
	// several buckets a key falls in depends on the seeds each filter draws, so a larger filter can only be
	// asked for proportions.)
	one := webhook.NewMemoryFilter(4)
	for i := range 10 {
		one.Seen(ctx, "key-"+strconv.Itoa(i), time.Hour)
	}
	for i := range 10 {
		assert.Equal(t, i >= 6, webhook.MemoryFilterRemembers(one, "key-"+strconv.Itoa(i)), "key-%d: the last four are kept", i)
	}
	one.Seen(ctx, "short", time.Minute) // replaces key-6, the first to expire
	one.Seen(ctx, "next", time.Hour)    // replaces short, which expires before key-7
	for key, kept := range map[string]bool{"key-6": false, "short": false, "key-7": true, "key-8": true, "key-9": true, "next": true} {
		assert.Equal(t, kept, webhook.MemoryFilterRemembers(one, key), key)
	}
}

func TestMemoryFilterLetsOneOfConcurrentCallsThrough(t *testing.T) {
	t.Parallel()
	f := webhook.NewMemoryFilter(0)
	var firsts [1000]atomic.Int32
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range firsts {
				if seen, _ := f.Seen(context.Background(), fmt.Sprint("k", k), time.Minute); !seen {
					firsts[k].Add(1)
				}
			}
		}()
	}
	wg.Wait()
	for k := range firsts {
		require.Equal(t, int32(1), firsts[k].Load(), "key %d", k)
	}
}

// failingFilter fails every call, as a filter whose store is down does.
type failingFilter struct{ calls atomic.Int32 }

func (f *failingFilter) Seen(context.Context, string, time.Duration) (bool, error) {
	f.calls.Add(1)
	return false, errors.New("store unreachable")
}

// keyRecorder remembers in memory and keeps the keys and TTLs it was asked about.
type keyRecorder struct {
	*webhook.MemoryFilter
	mu   sync.Mutex
	keys []string
	ttls []time.Duration
}

func (k *keyRecorder) Seen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	k.mu.Lock()
	k.keys, k.ttls = append(k.keys, key), append(k.ttls, ttl)
	k.mu.Unlock()
	return k.MemoryFilter.Seen(ctx, key, ttl)
}

func TestHandlerAnswersADuplicateWithoutHandlingIt(t *testing.T) {
	t.Parallel()
	filter := &keyRecorder{MemoryFilter: webhook.NewMemoryFilter(0)}
	rec := &reportRecorder{}
	cfg := testConfig()
	cfg.Duplicates, cfg.Observer = filter, rec
	var handled []string
	h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
		handled = append(handled, string(ev.Command()))
		return nil
	})
	require.NoError(t, err)

	first := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	assert.Equal(t, "OK", serve(t, h, first.request()).body.ActionStatus)
	retry := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	retry.requestTime = testNow.Unix() - 20 // Tencent's retry: signed anew, same body
	answer := serve(t, h, retry.request())
	assert.Equal(t, 200, answer.status)
	assert.Equal(t, "OK", answer.body.ActionStatus, "a duplicate is answered OK")
	serve(t, h, first.request()) // a replay of the first, byte for byte
	other := newDelivery("Live.CallbackAfterCreateRoom", `{"RoomInfo":{"RoomId":"r2"},"EventTime":1739966441000}`)
	serve(t, h, other.request())
	gift := newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":1}}`)
	serve(t, h, gift.request())
	serve(t, h, gift.request())

	assert.Equal(t, []string{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterCreateRoom", "Live.CallbackBeforeSendGift",
		"Live.CallbackBeforeSendGift"}, handled, "each event once; a \"before\" event is decided every time")
	var outcomes []webhook.Outcome
	for _, r := range rec.reports {
		outcomes = append(outcomes, r.Outcome)
	}
	assert.Equal(t, []webhook.Outcome{webhook.OutcomeOK, webhook.OutcomeDuplicate, webhook.OutcomeDuplicate, webhook.OutcomeOK,
		webhook.OutcomeOK, webhook.OutcomeOK}, outcomes)
	require.Len(t, filter.keys, 4, "the gift checks never reach the filter")
	assert.Equal(t, filter.keys[0], filter.keys[1], "the key is the command word and the body, not the query")
	assert.NotEqual(t, filter.keys[0], filter.keys[3])
	assert.Regexp(t, fmt.Sprintf(`^%d:Live\.CallbackAfterCreateRoom:[0-9a-f]{32}$`, cfg.SDKAppID), filter.keys[0], "the app, the command word, the body's hash")
	assert.Equal(t, 3*time.Minute, filter.ttls[0], "2 × MaxSkew + the margin")
}

func TestHandlerHandlesTheEventWhenTheFilterFails(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	filter := &failingFilter{}
	rec := &reportRecorder{}
	cfg := testConfig()
	cfg.Duplicates, cfg.Observer = filter, rec
	cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	cfg.DuplicateWindow = 10 * time.Minute
	calls := 0
	h, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error { calls++; return nil })
	require.NoError(t, err)

	d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	assert.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus)
	assert.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus)
	assert.Equal(t, 2, calls, "fail open: handled, twice if need be, never dropped")
	assert.Equal(t, int32(2), filter.calls.Load())
	assert.Contains(t, logs.String(), "duplicate filter failed")
	assert.Contains(t, logs.String(), "store unreachable")
	assert.NotContains(t, logs.String(), testToken)
	require.Len(t, rec.reports, 2)
	assert.Equal(t, webhook.OutcomeOK, rec.reports[0].Outcome)
	assert.EqualError(t, rec.reports[0].FilterErr, "store unreachable")
}

func TestNegativeDuplicateWindowIsRefused(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.DuplicateWindow = -time.Second
	_, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error { return nil })
	assert.ErrorIs(t, err, liveconfig.ErrInvalidConfig)
}

func TestAFailedWebhookIsHandledAgainWhenDeliveredAgain(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.Duplicates = webhook.NewMemoryFilter(0)
	answers := []error{errors.New("database down"), nil}
	calls := 0
	h, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error {
		calls++
		if calls == 3 {
			panic("never reached: the third delivery is a duplicate")
		}
		return answers[calls-1]
	})
	require.NoError(t, err)

	d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	assert.Equal(t, 1, serve(t, h, d.request()).body.ErrorCode, "the first attempt fails")
	assert.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus, "delivered again, handled again")
	assert.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus, "then a duplicate")
	assert.Equal(t, 2, calls)

	rejecting, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error { return webhook.Reject(7, "no") })
	require.NoError(t, err)
	other := newDelivery("Live.CallbackAfterDestroyRoom", `{"RoomId":"r9"}`)
	assert.Equal(t, 7, serve(t, rejecting, other.request()).body.ErrorCode)
	assert.Equal(t, "OK", serve(t, rejecting, other.request()).body.ActionStatus, "a rejection is an answer: remembered")
}

// TestAppsSharingAFilterDoNotFilterEachOther: handlers of two apps on one filter (one Redis for a fleet of
// apps, or one MemoryFilter) each handle the same body once.
func TestAppsSharingAFilterDoNotFilterEachOther(t *testing.T) {
	t.Parallel()
	shared := webhook.NewMemoryFilter(0)
	handled := map[uint64]int{}
	for _, app := range []uint64{testApp, testApp + 1} {
		cfg := testConfig()
		cfg.SDKAppID, cfg.Duplicates = app, shared
		h, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error { handled[app]++; return nil })
		require.NoError(t, err)
		d := newDelivery("Follow.CallbackAfterFollowAdd", `{"From_Account":"a","To_Account":"b","EventTime":1739966441000}`)
		d.query = url.Values{"SdkAppid": {strconv.FormatUint(app, 10)}}
		assert.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus)
		assert.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus)
	}
	assert.Equal(t, map[uint64]int{testApp: 1, testApp + 1: 1}, handled, "each app once: its own, not the other's duplicate")
}

// switchFilter fails while down is set, and remembers nothing otherwise.
type switchFilter struct{ down atomic.Bool }

func (f *switchFilter) Seen(context.Context, string, time.Duration) (bool, error) {
	if f.down.Load() {
		return false, errors.New("store unreachable")
	}
	return false, nil
}

// TestAFilterOutageIsLoggedOnceNotPerWebhook: 1,000 webhooks while the filter fails write one line when it
// starts failing and one when it answers again, with the count handled without it.
func TestAFilterOutageIsLoggedOnceNotPerWebhook(t *testing.T) {
	t.Parallel()
	var logs syncbuf.Buffer
	filter := &switchFilter{}
	cfg := testConfig()
	cfg.Duplicates, cfg.Logger = filter, slog.New(slog.NewTextHandler(&logs, nil))
	h, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error { return nil })
	require.NoError(t, err)
	deliver := func(n int) {
		for i := range n {
			d := newDelivery("Live.CallbackAfterCreateRoom", fmt.Sprintf(`{"RoomInfo":{"RoomId":"r%d"}}`, i))
			require.Equal(t, "OK", serve(t, h, d.request()).body.ActionStatus)
		}
	}
	deliver(10)
	filter.down.Store(true)
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() { defer wg.Done(); deliver(250) }()
	}
	wg.Wait()
	assert.Equal(t, 1, strings.Count(logs.String(), "duplicate filter failed"), logs.String())
	assert.Equal(t, 1, strings.Count(logs.String(), "store unreachable"))
	filter.down.Store(false)
	deliver(10)
	assert.Equal(t, 1, strings.Count(logs.String(), "duplicate filter answers again"))
	assert.Equal(t, 1, strings.Count(logs.String(), "handled_without_it=1000"))
	assert.Equal(t, 2, strings.Count(logs.String(), "\n"), "two lines in all:\n%s", logs.String())

	filter.down.Store(true)
	deliver(3)
	filter.down.Store(false)
	deliver(1)
	assert.Equal(t, 1, strings.Count(logs.String(), "handled_without_it=3"), "the next outage counts its own")
}
