package liveconfigtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

const (
	oldWebhookToken = "rotation-old-token-5d2e"
	newWebhookToken = "rotation-new-token-a81f"
)

// testClock is a clock a test moves by hand, safe for concurrent use.
type testClock struct{ unixNano atomic.Int64 }

func newTestClock() *testClock {
	c := &testClock{}
	c.unixNano.Store(time.Unix(1739966441, 0).UnixNano())
	return c
}

func (c *testClock) now() time.Time                { return time.Unix(0, c.unixNano.Load()) }
func (c *testClock) advance(d time.Duration)       { c.unixNano.Add(int64(d)) }
func (c *testClock) option() liveconfigtest.Option { return liveconfigtest.WithClock(c.now) }

func TestDeliverSignsWithTheOldTokenDuringTheLag(t *testing.T) {
	t.Parallel()
	clock := newTestClock()
	srv := liveconfigtest.New(t, clock.option())
	rcv := newReceiver(t)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: rcv.URL, Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	srv.SetToken(&liveconfig.CallbackToken{Token: oldWebhookToken, Enabled: true})
	srv.SetTokenLag(time.Minute)
	signedWith := func() string {
		t.Helper()
		_, err := srv.Deliver(context.Background(), liveconfig.CommandAfterCreateRoom, `{}`)
		require.NoError(t, err)
		rcv.mu.Lock()
		defer rcv.mu.Unlock()
		switch sign, at := rcv.query.Get("Sign"), clock.now().Unix(); sign {
		case webhook.Sign(oldWebhookToken, at):
			return "old"
		case webhook.Sign(newWebhookToken, at):
			return "new"
		case "":
			return "unsigned"
		}
		return "neither"
	}
	assert.Equal(t, "old", signedWith(), "a lag set after the change leaves it alone")

	_, err := srv.Client().SetCallbackToken(context.Background(), liveconfig.CallbackToken{Token: newWebhookToken, Enabled: true})
	require.NoError(t, err)
	assert.Equal(t, "old", signedWith(), "just after the change")
	clock.advance(59 * time.Second)
	assert.Equal(t, "old", signedWith(), "within the lag")
	clock.advance(time.Second)
	assert.Equal(t, "new", signedWith(), "once the lag has passed")
	tok, _ := srv.Token()
	assert.Equal(t, newWebhookToken, tok.Token, "the configuration changed at once; only the signing lags")

	_, err = srv.Client().DeleteCallbackToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, "new", signedWith(), "a deleted token signs on for the lag")
	clock.advance(time.Minute)
	assert.Equal(t, "unsigned", signedWith())
}

// rotationRun is what a rehearsal saw: every delivery's answer, and the token each receiver says signed it,
// in the order each goroutine delivered.
type rotationRun struct {
	refused int
	matched [][]webhook.TokenMatch // by goroutine
}

// A rehearsal delivers from rehearsalGoroutines goroutines, rehearsalPhase webhooks each in each of its four
// phases: before the change, during it, a minute later (within the lag), and after the lag.
const rehearsalGoroutines, rehearsalPhase = 4, 30

// rehearseRotation delivers a steady stream of signed webhooks (gift checks among them) from four goroutines
// to two receivers behind one callback URL, configured with receiverCfg, while SetCallbackToken switches the
// app's token from old to new and the fake goes on signing with the old one for the lag; then it lets the lag
// pass and goes on. Nothing sleeps: the clock moves by hand.
func rehearseRotation(t *testing.T, receiverCfg webhook.Config) rotationRun {
	t.Helper()
	clock := newTestClock()
	srv := liveconfigtest.New(t, clock.option())
	srv.SetTokenLag(2 * time.Minute)
	receiverCfg.SDKAppID, receiverCfg.Now = srv.SDKAppID(), clock.now

	var mu sync.Mutex
	var tokenOf = map[string]webhook.TokenMatch{} // by the event's room, which names the delivery
	handle := func(_ context.Context, ev webhook.Event) error {
		var room string
		var req webhook.RequestInfo
		switch e := ev.(type) {
		case *webhook.BeforeSendGift:
			room, req = e.RoomID, e.Request
		case *webhook.AfterMemberStateChanged:
			room, req = e.RoomID, e.Request
		default:
			return errors.New("unexpected event")
		}
		mu.Lock()
		defer mu.Unlock()
		tokenOf[room] = req.Token
		return nil
	}
	var receivers [2]http.Handler
	for i := range receivers {
		h, err := webhook.NewHandler(receiverCfg, handle)
		require.NoError(t, err)
		receivers[i] = h
	}
	var next atomic.Int64
	balancer := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		receivers[next.Add(1)%2].ServeHTTP(w, r)
	}))
	t.Cleanup(balancer.Close)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: balancer.URL + "/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandBeforeSendGift, liveconfig.CommandAfterMemberStateChanged}})
	srv.SetToken(&liveconfig.CallbackToken{Token: oldWebhookToken, Enabled: true})

	run := rotationRun{matched: make([][]webhook.TokenMatch, rehearsalGoroutines)}
	var refused atomic.Int64
	var rooms [rehearsalGoroutines][]string
	deliver := func(g, n int) {
		for i := range n {
			room := fmt.Sprintf("room-%d-%d", g, len(rooms[g]))
			rooms[g] = append(rooms[g], room)
			cmd, body := liveconfig.CommandAfterMemberStateChanged, map[string]any{"RoomId": room, "EventType": "Online", "MemberList": []any{}}
			if i%3 == 0 {
				cmd, body = liveconfig.CommandBeforeSendGift, map[string]any{"RoomId": room, "Sender_Account": "fan", "GiftWater": map[string]any{"Coins": 1}}
			}
			ans, err := srv.Deliver(context.Background(), cmd, body)
			if err != nil || ans.ErrorCode != 0 {
				refused.Add(1)
			}
		}
	}
	phase := func(n int, between func()) {
		var wg sync.WaitGroup
		for g := range rehearsalGoroutines {
			wg.Add(1)
			go func() { defer wg.Done(); deliver(g, n) }()
		}
		if between != nil {
			between()
		}
		wg.Wait()
	}
	phase(rehearsalPhase, nil)     // the old token, before the change
	phase(rehearsalPhase, func() { // the change, in the middle of the stream
		_, err := srv.Client().SetCallbackToken(context.Background(), liveconfig.CallbackToken{Token: newWebhookToken, Enabled: true})
		require.NoError(t, err)
	})
	clock.advance(time.Minute)
	phase(rehearsalPhase, nil) // still within the lag
	clock.advance(time.Minute)
	phase(rehearsalPhase, nil) // the new token

	run.refused = int(refused.Load())
	mu.Lock()
	defer mu.Unlock()
	for g := range rehearsalGoroutines {
		for _, room := range rooms[g] {
			if match, ok := tokenOf[room]; ok {
				run.matched[g] = append(run.matched[g], match)
			}
		}
	}
	return run
}

// TestRotationRehearsalRefusesNothing: receivers that accept the new token and the old one beside it take every
// webhook of a rotation, and what they report goes from the previous token to the current one, once.
func TestRotationRehearsalRefusesNothing(t *testing.T) {
	t.Parallel()
	run := rehearseRotation(t, webhook.Config{Token: newWebhookToken, PreviousTokens: []string{oldWebhookToken}})
	assert.Zero(t, run.refused, "no webhook refused")
	// Signed with the old token before the change, during it and through the lag; with the new one after.
	want := append(slices.Repeat([]webhook.TokenMatch{webhook.TokenPrevious}, 3*rehearsalPhase),
		slices.Repeat([]webhook.TokenMatch{webhook.TokenCurrent}, rehearsalPhase)...)
	for g, matched := range run.matched {
		assert.Equal(t, want, matched, "goroutine %d: every webhook handled, reported previous, then current", g)
	}
}

// TestRotationRehearsalCanFail: the same rotation against receivers that have only the new token refuses
// the webhooks still signed with the old one (gift checks among them, which blocks the gifts).
func TestRotationRehearsalCanFail(t *testing.T) {
	t.Parallel()
	run := rehearseRotation(t, webhook.Config{Token: newWebhookToken})
	assert.Equal(t, rehearsalGoroutines*3*rehearsalPhase, run.refused, "every webhook signed with the old token is refused")
	for g, matched := range run.matched {
		assert.Equal(t, slices.Repeat([]webhook.TokenMatch{webhook.TokenCurrent}, rehearsalPhase), matched, "goroutine %d: only the new token's", g)
	}
}
