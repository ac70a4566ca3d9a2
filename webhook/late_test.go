package webhook_test

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/syncbuf"
	"github.com/go-tuilive/liveconfig/webhook"
)

// lateRecorder is a LateObserver that keeps what it hears.
type lateRecorder struct {
	reportRecorder
	late chan webhook.LateReport
}

func (r *lateRecorder) HandlerReturnedLate(ctx context.Context, report webhook.LateReport) {
	if ctx.Value(requestKey{}) != "observed" {
		panic("HandlerReturnedLate did not get RequestStart's ctx")
	}
	if ctx.Err() != nil {
		panic("HandlerReturnedLate got a cancelled ctx")
	}
	r.late <- report
}

// TestALateCheckIsAnsweredInTime: a gift check and a message check whose HandlerFunc ignores its ctx and
// has not returned by HandlerTimeout are answered at once with what Tencent does without an answer (the gift
// blocked, the message let through), while the HandlerFunc is still running; its result is logged and
// reported when it comes.
func TestALateCheckIsAnsweredInTime(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		command, body string
		result        error
		status        string
		code          int
		lateOutcome   webhook.Outcome
	}{
		{"Live.CallbackBeforeSendGift", `{"RoomId":"r1","GiftWater":{"Coins":5,"Count":1}}`, nil, "FAIL", 1, webhook.OutcomeOK},
		{"Group.CallbackBeforeSendMsg", `{"GroupId":"g1","From_Account":"u1"}`, webhook.Reject(1, "spam"), "OK", 0, webhook.OutcomeRejected},
	} {
		t.Run(tc.command, func(t *testing.T) {
			t.Parallel()
			var logs syncbuf.Buffer
			rec := &lateRecorder{late: make(chan webhook.LateReport, 1)}
			cfg := testConfig()
			cfg.HandlerTimeout = 20 * time.Millisecond
			cfg.Observer = rec
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, nil))
			release := make(chan struct{})
			returned := make(chan struct{})
			h, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error {
				defer close(returned)
				<-release // ignores its ctx, as a slow database call without one would
				return tc.result
			})
			require.NoError(t, err)

			answer := serve(t, h, newDelivery(tc.command, tc.body).request())
			select {
			case <-returned:
				t.Fatal("the answer waited for the HandlerFunc")
			default:
			}
			assert.Equal(t, tc.status, answer.body.ActionStatus)
			assert.Equal(t, tc.code, answer.body.ErrorCode)
			require.Len(t, rec.reports, 1)
			assert.Equal(t, webhook.OutcomeLate, rec.reports[0].Outcome)
			assert.Equal(t, tc.code, rec.reports[0].Code)
			assert.Contains(t, logs.String(), "did not return in time")

			close(release)
			late := <-rec.late
			assert.Equal(t, liveconfig.Command(tc.command), late.Command)
			assert.Equal(t, tc.lateOutcome, late.Outcome, "what the HandlerFunc would have answered")
			assert.GreaterOrEqual(t, late.HandlerLatency, cfg.HandlerTimeout)
			assert.Contains(t, logs.String(), "returned after its answer was sent")
			assert.NotContains(t, logs.String(), testToken)
		})
	}
}

func TestLateAnswerIsConfigurable(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.HandlerTimeout = 10 * time.Millisecond
	var asked []liveconfig.Command
	var mu sync.Mutex
	cfg.LateAnswer = func(cmd liveconfig.Command) error { // the app subscribed Live.CallbackBeforeCallBackNotBlock
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, cmd)
		if cmd == liveconfig.CommandBeforeSendMsg {
			panic("a LateAnswer that panics refuses")
		}
		return nil
	}
	release := make(chan struct{})
	returned := make(chan struct{}, 2)
	h, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error {
		defer func() { returned <- struct{}{} }()
		<-release
		return errors.New("too slow to matter")
	})
	require.NoError(t, err)
	assert.Equal(t, "OK", serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":1}}`).request()).body.ActionStatus)
	msg := serve(t, h, newDelivery("Group.CallbackBeforeSendMsg", `{"GroupId":"g"}`).request())
	assert.Equal(t, 1, msg.body.ErrorCode)
	close(release)
	<-returned
	<-returned
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandBeforeSendGift, liveconfig.CommandBeforeSendMsg}, asked)
}

// TestAnInTimeCheckIsAnsweredByItsHandlerFunc: the goroutine a "before" event runs on changes nothing for a
// HandlerFunc that returns in time, nor for one that watches its ctx and returns at the deadline.
func TestAnInTimeCheckIsAnsweredByItsHandlerFunc(t *testing.T) {
	t.Parallel()
	rec := &lateRecorder{late: make(chan webhook.LateReport, 1)}
	cfg := testConfig()
	cfg.Observer = rec
	h, err := webhook.NewHandler(cfg, func(ctx context.Context, ev webhook.Event) error {
		if ev.(*webhook.BeforeSendGift).GiftWater.Coins > 10 {
			return webhook.Reject(102150, "too generous")
		}
		return nil
	})
	require.NoError(t, err)
	assert.Equal(t, 102150, serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":50}}`).request()).body.ErrorCode)
	assert.Equal(t, "OK", serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":5}}`).request()).body.ActionStatus)

	cfg.HandlerTimeout = 10 * time.Millisecond
	watching, err := webhook.NewHandler(cfg, func(ctx context.Context, _ webhook.Event) error {
		<-ctx.Done()
		return webhook.Reject(102199, "ran out of time, said so")
	})
	require.NoError(t, err)
	answer := serve(t, watching, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":5}}`).request())
	if answer.body.ErrorCode != 1 { // a race at the deadline may go either way; both answer in time
		assert.Equal(t, 102199, answer.body.ErrorCode)
	}
	for _, r := range rec.reports[:2] {
		assert.NotEqual(t, webhook.OutcomeLate, r.Outcome)
	}
}

// TestALateAfterEventIsNotAnsweredEarly: an "after" event waits for its HandlerFunc, so that Tencent's
// retry on timeout, where it is set, delivers it again.
func TestALateAfterEventIsNotAnsweredEarly(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.HandlerTimeout = 10 * time.Millisecond
	returned := false
	h, err := webhook.NewHandler(cfg, func(ctx context.Context, _ webhook.Event) error {
		<-ctx.Done()
		time.Sleep(20 * time.Millisecond) // past the deadline, ignoring it
		returned = true
		return nil
	})
	require.NoError(t, err)
	answer := serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())
	assert.True(t, returned, "answered after the HandlerFunc returned")
	assert.Equal(t, "OK", answer.body.ActionStatus)
}

// TestAFiredTimerIsNotReusedFired: the pooled timer a late check fired is reset for the checks after it, which
// are answered by their HandlerFunc, not taken for late. (The drain after Stop guards a narrower case, a timer
// firing as its HandlerFunc returns under go 1.22's timers, which no test can time.)
func TestAFiredTimerIsNotReusedFired(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.HandlerTimeout = 20 * time.Millisecond
	rec := &lateRecorder{late: make(chan webhook.LateReport, 1)}
	cfg.Observer = rec
	slow := make(chan struct{})
	h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
		if ev.(*webhook.BeforeSendGift).GiftWater.Coins == 0 {
			<-slow
		}
		return nil
	})
	require.NoError(t, err)
	late := serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":0}}`).request())
	assert.Equal(t, 1, late.body.ErrorCode, "late: refused")
	time.Sleep(30 * time.Millisecond) // the late check's timer has fired and gone back to the pool
	for range 50 {
		assert.Equal(t, "OK", serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":1}}`).request()).body.ActionStatus)
	}
	close(slow)
	<-rec.late
	for _, r := range rec.reports[1:] {
		assert.Equal(t, webhook.OutcomeOK, r.Outcome)
	}
}
