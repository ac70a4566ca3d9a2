package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

type requestKey struct{}

// reportRecorder keeps every report, and marks the ctx it hands back.
type reportRecorder struct {
	mu      sync.Mutex
	reports []webhook.RequestReport
}

func (r *reportRecorder) RequestStart(ctx context.Context) context.Context {
	return context.WithValue(ctx, requestKey{}, "observed")
}

func (r *reportRecorder) RequestEnd(ctx context.Context, report webhook.RequestReport) {
	if ctx.Value(requestKey{}) != "observed" {
		panic("RequestEnd did not get RequestStart's ctx")
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.reports = append(r.reports, report)
}

func TestObserverSeesEveryOutcome(t *testing.T) {
	t.Parallel()
	rec := &reportRecorder{}
	cfg := testConfig()
	cfg.Observer = rec
	h, err := webhook.NewHandler(cfg, func(ctx context.Context, ev webhook.Event) error {
		if ctx.Value(requestKey{}) != "observed" {
			return errors.New("the HandlerFunc's ctx does not derive from RequestStart's")
		}
		switch ev := ev.(type) {
		case *webhook.BeforeSendGift:
			return webhook.Reject(102150, "no")
		case *webhook.AfterDestroyRoom:
			panic("boom")
		case *webhook.AfterCreateRoom:
			time.Sleep(2 * time.Millisecond) // a handler that takes a moment
			_ = ev
		}
		return nil
	})
	require.NoError(t, err)

	serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())
	serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"Coins":1}}`).request())
	serve(t, h, newDelivery("Live.CallbackAfterDestroyRoom", `{}`).request())
	refusals := map[string]func(d *delivery){
		"bad signature": func(d *delivery) { d.token = "guessed" },
		"stale":         func(d *delivery) { d.requestTime = testNow.Unix() - 3600 },
		"unsigned":      func(d *delivery) { d.token = "" },
		"wrong app":     func(d *delivery) { d.query = map[string][]string{"SdkAppid": {"1"}} },
		"not JSON":      func(d *delivery) { d.body = "Live.CallbackAttackerLabel" },
		"too large":     func(d *delivery) { d.body = `{"P":"` + strings.Repeat("x", 2<<20) + `"}` },
	}
	for _, name := range []string{"bad signature", "stale", "unsigned", "wrong app", "not JSON", "too large"} {
		d := newDelivery("Live.CallbackAttackerLabel", roomCreated)
		refusals[name](d)
		serve(t, h, d.request())
	}

	require.Len(t, rec.reports, 9)
	ok, rejected, failed := rec.reports[0], rec.reports[1], rec.reports[2]
	assert.Equal(t, webhook.RequestReport{Command: liveconfig.CommandAfterCreateRoom, Outcome: webhook.OutcomeOK, Status: 200, Token: webhook.TokenCurrent,
		HandlerLatency: ok.HandlerLatency, BudgetLeft: ok.BudgetLeft}, ok)
	assert.GreaterOrEqual(t, ok.HandlerLatency, 2*time.Millisecond)
	assert.True(t, ok.BudgetLeft > 0 && ok.BudgetLeft < webhook.AnswerBudget-ok.HandlerLatency+time.Millisecond, "budget left: %v", ok.BudgetLeft)
	assert.Equal(t, webhook.OutcomeRejected, rejected.Outcome)
	assert.Equal(t, 102150, rejected.Code)
	assert.Equal(t, webhook.OutcomeError, failed.Outcome, "a panic is an error")
	assert.Equal(t, 1, failed.Code)

	wantReasons := []error{webhook.ErrBadSignature, webhook.ErrStale, webhook.ErrUnsigned, webhook.ErrForeignApp,
		webhook.ErrNotJSON, webhook.ErrBodyTooLarge}
	wantNames := []string{"bad_signature", "stale", "unsigned", "foreign_app", "not_json", "body_too_large"}
	for i, report := range rec.reports[3:] {
		assert.Equal(t, webhook.OutcomeRefused, report.Outcome)
		assert.ErrorIs(t, report.Refusal, wantReasons[i])
		assert.Equal(t, wantNames[i], report.RefusalName)
		assert.Empty(t, report.Command, "a refused request's word is the sender's, never a label")
		assert.Zero(t, report.HandlerLatency)
		printed := fmt.Sprintf("%+v", report)
		assert.False(t, strings.Contains(printed, testToken), "a report holds the token")
		assert.NotContains(t, printed, "Sign=")
	}
}
