package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// HandlerFunc handles one verified webhook. Its ctx ends at Config.HandlerTimeout (1.8 s by default), before
// Tencent stops waiting. Return nil to answer OK; Reject(code, info) to refuse a "before" event; any other
// error answers ErrorCode 1 with a generic ErrorInfo (the error itself is logged, never sent).
type HandlerFunc func(ctx context.Context, ev Event) error

// rejection is the error Reject returns.
type rejection struct {
	code int
	info string
}

func (r *rejection) Error() string {
	return fmt.Sprintf("webhook: rejected with %d %s", r.code, r.info)
}

// Reject returns the answer for a "before" event that must be refused: the handler answers HTTP 200 with
// ActionStatus FAIL and this code and info.
//
// For Live.CallbackBeforeSendGift any non-zero code blocks the gift, and codes 102100 to 102200 (with info)
// reach the sending client. For Group.CallbackBeforeSendMsg, code 1 refuses the message and 2 drops it
// silently. For "after" events Tencent ignores the answer. A code of 0 would mean "allow", so Reject answers
// it as 1.
func Reject(code int, info string) error {
	if code == 0 {
		code = 1
	}
	return &rejection{code: code, info: info}
}

// answer is the JSON a receiver sends back.
type answer struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
}

var jsonContentType = []string{"application/json"}

var answerOK = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` + "\n")

// NewHandler returns an http.Handler that verifies each webhook (see Verifier.Parse), hands it to fn as a
// typed Event, and answers as Tencent expects. Refused requests never reach fn: they get the refusal's status
// and a JSON FAIL body with a short reason, and the connection is closed after it, so that nothing more is
// read from a refused sender. A panic in fn is answered as an error and logged. Mount it on any router,
// without a method in the pattern (mux.Handle("/tencent/webhook", h), not "POST /tencent/webhook"), so that a
// wrong method gets this handler's JSON 405 rather than the router's plain-text one; it serves every path it
// is given.
//
// It returns a *ConfigError (errors.Is(err, ErrInvalidConfig)) for a nil fn or a Config NewVerifier refuses.
func NewHandler(cfg Config, fn HandlerFunc) (http.Handler, error) {
	if fn == nil {
		return nil, configError("HandlerFunc", "is required")
	}
	if cfg.HandlerTimeout < 0 {
		return nil, configError("Config.HandlerTimeout", "must not be negative")
	}
	v, err := NewVerifier(cfg)
	if err != nil {
		return nil, err
	}
	timeout := cfg.HandlerTimeout
	if timeout == 0 {
		timeout = DefaultHandlerTimeout
	}
	mem, _ := cfg.Duplicates.(*MemoryFilter)
	return &handler{v: v, fn: fn, timeout: timeout, log: cfg.Logger, obs: cfg.Observer,
		dups: cfg.Duplicates, window: v.cfg.duplicateWindow(), lateAnswer: cfg.LateAnswer, mem: mem}, nil
}

// handler holds what only the handler uses, HandlerTimeout, Logger, Observer and Duplicates (with its window),
// beside the Verifier.
type handler struct {
	v       *Verifier
	fn      HandlerFunc
	timeout time.Duration
	log     *slog.Logger
	obs     Observer
	dups    DuplicateFilter
	window  time.Duration

	lateAnswer LateAnswerFunc
	filter     filterHealth
	mem        *MemoryFilter // Duplicates, when it is a MemoryFilter: asked without a key string
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	arrived := time.Now()
	if h.obs != nil {
		r = r.WithContext(h.obs.RequestStart(r.Context()))
	}
	report := h.serve(w, r, arrived)
	if h.obs != nil {
		report.BudgetLeft = AnswerBudget - time.Since(arrived)
		h.obs.RequestEnd(r.Context(), report)
	}
}

// serve verifies and answers r, which arrived when said, and reports how. The HandlerFunc's deadline runs from
// the arrival, as Tencent's wait does.
func (h *handler) serve(w http.ResponseWriter, r *http.Request, arrived time.Time) RequestReport {
	var d webhookDigest
	var digest *webhookDigest // for the duplicate filter only
	if h.dups != nil {
		d.mem, digest = h.mem, &d
	}
	ev, err := h.v.parse(r, digest)
	if err != nil {
		var refusal *RequestError
		if !errors.As(err, &refusal) {
			refusal = refuse(ErrMalformed, "%v", err)
		}
		h.logf(r.Context(), slog.LevelWarn, "webhook refused", slog.String("reason", refusal.Error()), slog.String("remote", r.RemoteAddr))
		// Closing the connection keeps net/http from reading the rest of an unread body before it answers:
		// a forger could otherwise hold the connection by sending that body a byte at a time.
		w.Header().Set("Connection", "close")
		writeAnswer(w, refusal.Status, answer{ActionStatus: "FAIL", ErrorCode: refusal.Status, ErrorInfo: refusal.Err.Error()})
		return RequestReport{Outcome: OutcomeRefused, Refusal: refusal.Err, RefusalName: refusals[refusal.Err].name,
			Status: refusal.Status, Code: refusal.Status}
	}
	report := RequestReport{Command: ev.Command(), Token: ev.base().Request.Token, Status: http.StatusOK}
	var remembered bool // the duplicate filter recorded this webhook
	// "Before" events are not filtered: their answer is a decision Tencent acts on, and answering a repeat OK
	// would allow what the first answer refused; the HandlerFunc decides each one.
	if h.dups != nil && !before(ev.Command()) {
		var seen bool
		if seen, remembered = h.duplicate(r.Context(), arrived, ev.Command(), digest, &report); seen {
			w.Header()["Content-Type"] = jsonContentType
			w.Write(answerOK)
			report.Outcome = OutcomeDuplicate
			return report
		}
	}
	ctx := newHandlerContext(r.Context(), arrived.Add(h.timeout))
	var called time.Time // the report's HandlerLatency, read only by the Observer
	if h.obs != nil {
		called = time.Now()
	}
	late := false
	if before(ev.Command()) {
		late, err = h.callInTime(r.Context(), ctx, ev)
	} else {
		err = h.call(ctx, ev)
		ctx.release()
	}
	if h.obs != nil {
		report.HandlerLatency = time.Since(called)
	}
	switch {
	case late:
		h.answerLate(r.Context(), w, ev.Command(), err, &report)
	case err == nil:
		w.Header()["Content-Type"] = jsonContentType
		w.Write(answerOK)
		report.Outcome = OutcomeOK
	default:
		h.answerFailure(r.Context(), w, ev.Command(), err, &report)
		if report.Outcome == OutcomeError && remembered {
			h.forget(r.Context(), ev.Command(), digest)
		}
	}
	return report
}

// answerLate answers a "before" event whose HandlerFunc was late with decision, Config.LateAnswer's.
func (h *handler) answerLate(ctx context.Context, w http.ResponseWriter, cmd liveconfig.Command, decision error, report *RequestReport) {
	report.Outcome = OutcomeLate
	h.logf(ctx, slog.LevelWarn, "webhook HandlerFunc did not return in time; answered Config.LateAnswer's decision",
		slog.String("command", string(cmd)), slog.Duration("timeout", h.timeout))
	if decision == nil {
		w.Header()["Content-Type"] = jsonContentType
		w.Write(answerOK)
		return
	}
	_, report.Code = failureOutcome(decision)
	writeFailure(w, decision)
}

// forget drops the webhook of digest from the duplicate filter, if it can, after the HandlerFunc failed: a
// webhook delivered again (Tencent's retry after a timeout, an operator's replay) is then handled again rather
// than answered as a duplicate of one that was never handled.
func (h *handler) forget(ctx context.Context, cmd liveconfig.Command, digest *webhookDigest) {
	if h.mem != nil {
		h.mem.forget(digest.hash)
		return
	}
	forgetter, ok := h.dups.(DuplicateForgetter)
	if !ok {
		return
	}
	if err := forgetter.Forget(ctx, duplicateKey(h.v.cfg.SDKAppID, cmd, &digest.sha)); err != nil {
		h.logf(ctx, slog.LevelWarn, "webhook duplicate filter could not forget a failed webhook", slog.String("command", string(cmd)),
			slog.String("error", err.Error()))
	}
}

// duplicate asks the duplicate filter whether the webhook of cmd with digest was handled before, and reports
// whether it recorded it now. If the filter fails, it logs that, notes it in the report, and answers no: the
// event is handled. The log has one line when the filter starts failing and one when it answers again
// (filterHealth), not one per webhook. A MemoryFilter is asked without a key string (see webhookDigest).
func (h *handler) duplicate(ctx context.Context, now time.Time, cmd liveconfig.Command, digest *webhookDigest, report *RequestReport) (seen, recorded bool) {
	if h.mem != nil {
		seen := h.mem.seen(digest.hash, now.UnixNano(), h.window)
		return seen, !seen
	}
	seen, err := h.dups.Seen(ctx, duplicateKey(h.v.cfg.SDKAppID, cmd, &digest.sha), h.window)
	if err != nil {
		report.FilterErr = err
		h.filter.failed(ctx, h, err)
		return false, false
	}
	h.filter.answered(ctx, h)
	return seen, !seen
}

// answerFailure answers a HandlerFunc's error: a rejection as the HandlerFunc asked, anything else as an
// internal error, logged.
func (h *handler) answerFailure(ctx context.Context, w http.ResponseWriter, cmd liveconfig.Command, err error, report *RequestReport) {
	report.Outcome, report.Code = failureOutcome(err)
	if report.Outcome == OutcomeError {
		h.logf(ctx, slog.LevelError, "webhook handler failed", slog.String("command", string(cmd)), slog.String("error", err.Error()))
	}
	writeFailure(w, err)
}

// writeFailure answers err: a rejection with its code and info, anything else as ErrorCode 1 with a generic
// info, so that an error's text never leaves the process.
func writeFailure(w http.ResponseWriter, err error) {
	var rej *rejection
	if errors.As(err, &rej) {
		writeAnswer(w, http.StatusOK, answer{ActionStatus: "FAIL", ErrorCode: rej.code, ErrorInfo: rej.info})
		return
	}
	writeAnswer(w, http.StatusOK, answer{ActionStatus: "FAIL", ErrorCode: 1, ErrorInfo: "internal error"})
}

// failureOutcome is the outcome and ErrorCode a HandlerFunc's error answers: a rejection's code, else 1.
func failureOutcome(err error) (Outcome, int) {
	var rej *rejection
	if errors.As(err, &rej) {
		return OutcomeRejected, rej.code
	}
	return OutcomeError, 1
}

// call runs fn, turning a panic into an error so that Tencent still gets an answer.
func (h *handler) call(ctx context.Context, ev Event) (err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return h.fn(ctx, ev)
}

func (h *handler) logf(ctx context.Context, level slog.Level, msg string, attrs ...slog.Attr) {
	if h.log != nil {
		h.log.LogAttrs(ctx, level, msg, attrs...)
	}
}

func writeAnswer(w http.ResponseWriter, status int, a answer) {
	body, _ := json.Marshal(a)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	w.Write(append(body, '\n'))
}
