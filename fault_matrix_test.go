package liveconfig_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// countingTransport counts attempts and checks what happens to every response body: closed always, and read
// to the end unless it was too large to keep.
type countingTransport struct {
	next       http.RoundTripper
	onResponse func() // called after each response, e.g. to cancel the call's context

	mu        sync.Mutex
	attempts  int
	responses []*trackedBody
}

type trackedBody struct {
	io.ReadCloser
	drained, closed bool
}

func (b *trackedBody) Read(p []byte) (int, error) {
	n, err := b.ReadCloser.Read(p)
	if err == io.EOF {
		b.drained = true
	}
	return n, err
}

func (b *trackedBody) Close() error { b.closed = true; return b.ReadCloser.Close() }

func (t *countingTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	t.mu.Lock()
	t.attempts++
	t.mu.Unlock()
	resp, err := t.next.RoundTrip(r)
	if err != nil {
		return nil, err
	}
	body := &trackedBody{ReadCloser: resp.Body}
	resp.Body = body
	t.mu.Lock()
	t.responses = append(t.responses, body)
	t.mu.Unlock()
	if t.onResponse != nil {
		t.onResponse()
	}
	return resp, nil
}

// outcome is what a row expects of the call.
type outcome func(t *testing.T, res *liveconfig.Result, err error)

func succeeds(t *testing.T, res *liveconfig.Result, err error) {
	require.NoError(t, err)
	assert.True(t, res.Changed)
}

func apiError(code int, sentinel error) outcome {
	return func(t *testing.T, _ *liveconfig.Result, err error) {
		var apiErr *liveconfig.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, code, apiErr.Code)
		if sentinel != nil {
			assert.ErrorIs(t, err, sentinel)
		}
		for _, s := range sentinels {
			if s != sentinel {
				assert.NotErrorIs(t, err, s)
			}
		}
	}
}

func responseError(status int) outcome {
	return func(t *testing.T, _ *liveconfig.Result, err error) {
		var respErr *liveconfig.ResponseError
		require.ErrorAs(t, err, &respErr)
		assert.Equal(t, status, respErr.StatusCode)
	}
}

func transportError(cause error) outcome {
	return func(t *testing.T, _ *liveconfig.Result, err error) {
		var tErr *liveconfig.TransportError
		require.ErrorAs(t, err, &tErr)
		if cause != nil {
			assert.ErrorIs(t, err, cause)
		}
	}
}

func both(a, b outcome) outcome {
	return func(t *testing.T, res *liveconfig.Result, err error) { a(t, res, err); b(t, res, err) }
}

func html(status int) *liveconfigtest.RawAnswer {
	return &liveconfigtest.RawAnswer{Status: status, ContentType: "text/html",
		Body: []byte(fmt.Sprintf("<html><body><h1>%d %s</h1></body></html>", status, http.StatusText(status)))}
}

func raw(body string) *liveconfigtest.RawAnswer {
	return &liveconfigtest.RawAnswer{ContentType: "application/json", Body: []byte(body)}
}

type faultRow struct {
	name     string
	op       liveconfig.Op // the endpoint called: set_callback (CreateCallback) or delete_callback (DeleteCallback)
	fault    liveconfigtest.Fault
	edit     func(cfg *liveconfig.Config, cancel context.CancelFunc, tr *countingTransport)
	want     outcome
	attempts int
}

func faultRows() []faultRow {
	always := liveconfigtest.Always
	rows := []faultRow{
		{name: "connection refused", want: transportError(nil), attempts: 4},
		{name: "connection dropped before the answer", fault: liveconfigtest.Fault{Drop: true}, want: succeeds, attempts: 2},
		{name: "connection dropped for ever", fault: liveconfigtest.Fault{Drop: true, Times: always}, want: transportError(nil), attempts: 4},
		{name: "dropped after the server applied a create", op: liveconfig.OpSetCallback,
			fault: liveconfigtest.Fault{Apply: true, Drop: true}, want: succeeds, attempts: 3}, // create, create (100300), read back
		{name: "server hangs past the attempt timeout", fault: liveconfigtest.Fault{Delay: time.Minute, Times: always},
			want: transportError(context.DeadlineExceeded), attempts: 4},
		{name: "server slow within the attempt timeout", fault: liveconfigtest.Fault{Delay: 20 * time.Millisecond}, want: succeeds, attempts: 1},
		{name: "empty body", fault: liveconfigtest.Fault{Raw: raw(""), Times: always}, want: responseError(200), attempts: 1},
		{name: "truncated JSON", fault: liveconfigtest.Fault{Raw: raw(`{"ActionStatus":"OK","ErrorCo`), Times: always}, want: responseError(200), attempts: 1},
		{name: "10 MiB body", fault: liveconfigtest.Fault{Raw: raw(`{"Pad":"` + strings.Repeat("x", 10<<20) + `"}`), Times: always},
			want: responseError(200), attempts: 1},
		{name: "unknown ErrorCode", fault: liveconfigtest.Fault{Code: 123456, Times: always}, want: apiError(123456, nil), attempts: 1},
		{name: "FAIL with ErrorCode 0", fault: liveconfigtest.Fault{Raw: raw(`{"ActionStatus":"FAIL","ErrorCode":0,"RequestId":"Id-1"}`), Times: always},
			want: responseError(200), attempts: 1},
		{name: "OK with a non-zero ErrorCode", fault: liveconfigtest.Fault{Raw: raw(`{"ActionStatus":"OK","ErrorCode":100002,"RequestId":"Id-2"}`), Times: always},
			want: apiError(100002, liveconfig.ErrInvalidParameter), attempts: 1},
		{name: "70001 then OK", fault: liveconfigtest.Fault{Code: 70001}, want: succeeds, attempts: 2},
		{name: "70052 then OK", fault: liveconfigtest.Fault{Code: 70052}, want: succeeds, attempts: 2},
		{name: "ctx cancelled during backoff", fault: liveconfigtest.Fault{Code: 100001, Times: always},
			edit: func(cfg *liveconfig.Config, cancel context.CancelFunc, tr *countingTransport) {
				cfg.Retry.BaseDelay, cfg.Retry.MaxDelay = time.Hour, time.Hour
				tr.onResponse = func() { time.AfterFunc(10*time.Millisecond, cancel) } // by then the client waits to retry
			}, want: both(wraps(context.Canceled), apiError(100001, liveconfig.ErrInternal)), attempts: 1},
		{name: "ctx cancelled as the answer arrives", fault: liveconfigtest.Fault{Code: 100001, Times: always},
			edit: func(_ *liveconfig.Config, cancel context.CancelFunc, tr *countingTransport) { tr.onResponse = cancel },
			want: both(wraps(context.Canceled), apiError(100001, liveconfig.ErrInternal)), attempts: 1},
		{name: "ctx cancelled while waiting on the rate limiter",
			edit: func(cfg *liveconfig.Config, cancel context.CancelFunc, _ *countingTransport) {
				cfg.Limiter = cancellingLimiter{cancel}
			}, want: transportError(context.Canceled), attempts: 0},
	}
	for _, status := range []int{500, 502, 503, 429} {
		rows = append(rows,
			faultRow{name: fmt.Sprintf("HTTP %d with an HTML body, then OK", status), fault: liveconfigtest.Fault{Raw: html(status)}, want: succeeds, attempts: 2},
			faultRow{name: fmt.Sprintf("HTTP %d with an HTML body for ever", status), fault: liveconfigtest.Fault{Raw: html(status), Times: always},
				want: responseError(status), attempts: 4})
	}
	retryable := map[int]error{100001: liveconfig.ErrInternal, 70169: liveconfig.ErrInternal, 70202: liveconfig.ErrInternal,
		70500: liveconfig.ErrInternal, 60008: liveconfig.ErrInternal, 60007: liveconfig.ErrRateLimited, 60011: liveconfig.ErrRateLimited,
		60018: liveconfig.ErrRateLimited, 60019: liveconfig.ErrRateLimited}
	for code, sentinel := range retryable {
		rows = append(rows, faultRow{name: "retryable " + strconv.Itoa(code) + " for ever", fault: liveconfigtest.Fault{Code: code, Times: always},
			want: apiError(code, sentinel), attempts: 4})
	}
	definitive := map[int]error{100002: liveconfig.ErrInvalidParameter, 70402: liveconfig.ErrInvalidParameter,
		100300: liveconfig.ErrCallbackExists, 100301: liveconfig.ErrCallbackNotFound, 100302: liveconfig.ErrTokenNotFound,
		70050: liveconfig.ErrRateLimited, 60004: liveconfig.ErrAuth, 60005: liveconfig.ErrAuth, 60006: liveconfig.ErrAuth,
		60010: liveconfig.ErrAuth, 70002: liveconfig.ErrAuth, 70003: liveconfig.ErrAuth, 70005: liveconfig.ErrAuth,
		70009: liveconfig.ErrAuth, 70013: liveconfig.ErrAuth, 70014: liveconfig.ErrAuth, 70016: liveconfig.ErrAuth,
		70020: liveconfig.ErrAuth, 70051: liveconfig.ErrAuth, 70403: liveconfig.ErrAuth,
		60002: nil, 60003: nil, 60009: nil, 60012: nil, 60016: nil, 60017: nil, 60020: nil, 60021: nil}
	for code, sentinel := range definitive {
		rows = append(rows, faultRow{name: "definitive " + strconv.Itoa(code), fault: liveconfigtest.Fault{Code: code, Times: always},
			want: apiError(code, sentinel), attempts: 1})
	}
	return rows
}

// wraps expects an error that says why no retry came: ctx's error, beside the last answer.
func wraps(cause error) outcome {
	return func(t *testing.T, _ *liveconfig.Result, err error) { assert.ErrorIs(t, err, cause) }
}

// cancellingLimiter cancels the call's context while the call waits on it, as a caller's cancel would.
type cancellingLimiter struct{ cancel context.CancelFunc }

func (l cancellingLimiter) Wait(ctx context.Context) error {
	l.cancel()
	<-ctx.Done()
	return ctx.Err()
}

func TestFaultMatrix(t *testing.T) {
	t.Parallel()
	rows := faultRows()
	require.GreaterOrEqual(t, len(rows), 25)
	for _, row := range rows {
		t.Run(row.name, func(t *testing.T) {
			t.Parallel()
			srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(recognisableKey), liveconfigtest.WithRateLimit(0))
			var err error
			var logs bytes.Buffer
			tr := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
			cfg := srv.Config()
			cfg.HTTPClient = &http.Client{Transport: tr}
			cfg.RateLimit = -1
			cfg.Logger = slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
			rec := &recordingObserver{}
			cfg.Observer = rec
			if row.name == "connection refused" {
				cfg.Endpoint = closedEndpoint(t)
			}
			const deadline = 5 * time.Second
			ctx, cancel := context.WithTimeout(context.Background(), deadline)
			defer cancel()
			if row.edit != nil {
				row.edit(&cfg, cancel, tr)
			}
			c, err := srv.NewClient(cfg) // closes tr's idle connections with the server
			require.NoError(t, err)
			liveconfig.SetAttemptTimeout(c, 200*time.Millisecond)
			if row.fault != (liveconfigtest.Fault{}) || row.fault.Raw != nil {
				srv.InjectFault(row.op, row.fault)
			}

			start := time.Now()
			var res *liveconfig.Result
			if row.op == liveconfig.OpSetCallback {
				res, err = c.CreateCallback(ctx, roomEvents)
			} else {
				res, err = c.DeleteCallback(ctx)
			}
			assert.Less(t, time.Since(start), deadline, "the call returned within its deadline")
			row.want(t, res, err)

			tr.mu.Lock()
			defer tr.mu.Unlock()
			assert.Equal(t, row.attempts, tr.attempts, "attempts")
			for i, body := range tr.responses {
				assert.True(t, body.closed, "response %d closed", i)
				oversized := strings.HasPrefix(row.name, "10 MiB")
				assert.Equal(t, !oversized, body.drained, "response %d read to the end (unless oversized)", i)
			}
			if usersig := liveconfig.CurrentUserSig(c); usersig != "" || err != nil {
				if usersig == "" {
					usersig = "no UserSig was signed"
				}
				if err != nil {
					for _, format := range []string{"%v", "%+v", "%#v"} {
						assertNoSecret(t, "error "+format, fmt.Sprintf(format, err), usersig)
					}
				}
				assertNoSecret(t, "logs", logs.String(), usersig)
			}
			assertObserved(t, rec, err, row.attempts, liveconfig.CurrentUserSig(c))
		})
	}
}

// assertObserved checks what the Observer was told of a call that ended in err after sending attempts requests:
// each call's attempts add up, every attempt but the last says why it was retried, the last call's error is
// the caller's, and no credential is in any of it. A call may be more than one call to the API (a create that
// reads back). liveconfigotel's tests check the same through its spans and metrics.
func assertObserved(t *testing.T, rec *recordingObserver, err error, attempts int, usersig string) {
	t.Helper()
	rec.mu.Lock()
	defer rec.mu.Unlock()
	if !assert.NotEmpty(t, rec.calls, "calls observed") {
		return
	}
	sent := 0
	for _, call := range rec.calls {
		sent += call.Attempts
	}
	assert.Equal(t, attempts, sent, "CallInfo.Attempts adds up to the requests sent")
	// An attempt that the limiter's wait ended before it was sent is observed too.
	assert.Contains(t, []int{sent, sent + 1}, len(rec.tries), "an AttemptEnd for every request sent")
	retried := 0
	for _, try := range rec.tries {
		if try.Retry != "" {
			retried++
		}
		assert.NotContains(t, try.Endpoint, "?", "the endpoint has no query")
	}
	if len(rec.calls) == 1 && err == nil {
		assert.Equal(t, len(rec.tries)-1, retried, "every attempt but the last says why it was retried")
	} else if len(rec.calls) == 1 {
		// The last may say so too, if the ctx ended the call in the backoff before the retry it announced.
		assert.Contains(t, []int{len(rec.tries) - 1, len(rec.tries)}, retried, "every attempt but the last says why it was retried")
	}
	last := rec.calls[len(rec.calls)-1]
	if err == nil {
		assert.NoError(t, last.Err)
	} else if assert.Error(t, last.Err) {
		assert.Equal(t, err.Error(), last.Err.Error(), "the Observer is told the error the caller gets")
	}
	if usersig == "" {
		usersig = "no UserSig was signed"
	}
	assertNoSecret(t, "what the Observer was told", fmt.Sprintf("%+v %+v %v", rec.calls, rec.tries, rec.events), usersig)
}

func closedEndpoint(t *testing.T) string {
	addr := blackhole.Refusing(t)
	return "http://" + addr
}
