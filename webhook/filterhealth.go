package webhook

import (
	"context"
	"log/slog"
	"sync/atomic"
)

// filterHealth turns the duplicate filter's failures into one log line when it starts failing and one when it
// answers again, with the count of webhooks handled without it meanwhile, rather than a line per webhook: at
// a thousand webhooks a second, an outage of the filter's store would otherwise write a thousand lines a
// second.
type filterHealth struct {
	failing    atomic.Bool
	unfiltered atomic.Int64 // webhooks handled without the filter's answer in the outage going on
}

// failed records a webhook handled without the filter's answer, and logs the start of an outage.
func (fh *filterHealth) failed(ctx context.Context, h *handler, err error) {
	fh.unfiltered.Add(1)
	if fh.failing.CompareAndSwap(false, true) {
		h.logf(ctx, slog.LevelWarn, "webhook duplicate filter failed; handling events without it until it answers again",
			slog.String("error", err.Error()))
	}
}

// answered logs the end of an outage, if one was going on.
func (fh *filterHealth) answered(ctx context.Context, h *handler) {
	if fh.failing.Load() && fh.failing.CompareAndSwap(true, false) {
		h.logf(ctx, slog.LevelInfo, "webhook duplicate filter answers again",
			slog.Int64("handled_without_it", fh.unfiltered.Swap(0)))
	}
}
