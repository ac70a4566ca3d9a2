package webhook

import (
	"context"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// LateAnswerFunc decides the answer to a "before" event whose HandlerFunc has not returned by
// Config.HandlerTimeout: nil to allow it, Reject(code, info) to refuse it. See Config.LateAnswer.
type LateAnswerFunc func(cmd liveconfig.Command) error

// TencentLateAnswer is the default Config.LateAnswer: what Tencent itself does when a "before" webhook gets no
// answer in time. A gift check (Live.CallbackBeforeSendGift) is refused, as Tencent blocks the gift (answer
// nil instead if the app subscribed Live.CallbackBeforeCallBackNotBlock, which lets it through); a message
// check (Group.CallbackBeforeSendMsg) is allowed, as Tencent lets the message through. Any other "before"
// event, one this version does not know, is refused: a check that could not be made is not passed.
func TencentLateAnswer(cmd liveconfig.Command) error {
	if cmd == liveconfig.CommandBeforeSendMsg {
		return nil
	}
	return Reject(1, "the check did not finish in time")
}

// before reports whether cmd is a "before" event: a check whose answer Tencent acts on.
func before(cmd liveconfig.Command) bool {
	_, name, _ := strings.Cut(string(cmd), ".")
	return strings.HasPrefix(name, "CallbackBefore")
}

// LateReport describes a HandlerFunc that returned after the handler had answered its "before" event with
// Config.LateAnswer's decision (RequestReport.Outcome OutcomeLate).
type LateReport struct {
	Command liveconfig.Command
	// Outcome is what the HandlerFunc's result would have answered: OutcomeOK, OutcomeRejected or
	// OutcomeError. Code is that answer's ErrorCode.
	Outcome Outcome
	Code    int
	// HandlerLatency is the time the HandlerFunc took, all of it.
	HandlerLatency time.Duration
}

// LateObserver is an Observer that is also told when a HandlerFunc returns late (see Config.LateAnswer). The
// handler checks Config.Observer for it; liveconfigotel's webhook observer implements it.
type LateObserver interface {
	Observer
	// HandlerReturnedLate is called on the HandlerFunc's goroutine once it returns, with the request's ctx
	// as RequestStart returned it, no longer cancelled.
	HandlerReturnedLate(ctx context.Context, report LateReport)
}

// callInTime runs the HandlerFunc of a "before" event, and answers for it if it has not returned by the
// ctx's deadline: Tencent acts on the answer, and one that comes after its 2 s wait is one it never sees, so
// the decision is then made here, as configured, rather than by Tencent's timeout. It reports whether the
// HandlerFunc was late; the late HandlerFunc goes on on its own goroutine, and its result is logged and
// reported to a LateObserver. ctx is released once the HandlerFunc returns, not before.
//
// It waits on a pooled timer rather than on ctx.Done, which would arm the ctx's own deadline (a timer and a
// context of its own, about a microsecond and six allocations a request) for a HandlerFunc that never waits.
func (h *handler) callInTime(parent context.Context, ctx *handlerContext, ev Event) (late bool, err error) {
	done := make(chan error, 1)
	started := time.Now()
	go func() {
		done <- h.call(ctx, ev)
	}()
	deadline, _ := ctx.Deadline()
	timer := lateTimers.Get().(*time.Timer)
	timer.Reset(time.Until(deadline))
	defer func() {
		// A program whose go.mod says go 1.22 or older gets the old timers, whose channel may hold a value
		// sent before Stop: drain it, so that the next request to take this timer does not find it fired.
		if !timer.Stop() {
			select {
			case <-timer.C:
			default:
			}
		}
		lateTimers.Put(timer)
	}()
	select {
	case err := <-done:
		ctx.release()
		return false, err
	case <-timer.C:
	}
	select { // a HandlerFunc that returned at its deadline is in time
	case err := <-done:
		ctx.release()
		return false, err
	default:
	}
	go h.lateResult(context.WithoutCancel(parent), ctx, ev.Command(), started, done)
	return true, h.late(ev.Command())
}

// lateTimers are the stopped timers callInTime waits on.
var lateTimers = sync.Pool{New: func() any {
	t := time.NewTimer(time.Hour)
	t.Stop()
	return t
}}

// lateResult waits for a late HandlerFunc, then logs its result and tells a LateObserver.
func (h *handler) lateResult(ctx context.Context, hctx *handlerContext, cmd liveconfig.Command, started time.Time, done <-chan error) {
	err := <-done
	hctx.release()
	report := LateReport{Command: cmd, Outcome: OutcomeOK, HandlerLatency: time.Since(started)}
	if err != nil {
		report.Outcome, report.Code = failureOutcome(err)
	}
	attrs := []slog.Attr{slog.String("command", string(cmd)), slog.Duration("took", report.HandlerLatency),
		slog.String("result", string(report.Outcome)), slog.Int("code", report.Code)}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	h.logf(ctx, slog.LevelWarn, "webhook HandlerFunc returned after its answer was sent; Config.LateAnswer had decided", attrs...)
	if lo, ok := h.obs.(LateObserver); ok {
		lo.HandlerReturnedLate(ctx, report)
	}
}

// late is Config.LateAnswer's decision for cmd; a LateAnswer that panics refuses.
func (h *handler) late(cmd liveconfig.Command) (err error) {
	if h.lateAnswer == nil {
		return TencentLateAnswer(cmd)
	}
	defer func() {
		if p := recover(); p != nil {
			err = Reject(1, "the check did not finish in time")
		}
	}()
	return h.lateAnswer(cmd)
}
