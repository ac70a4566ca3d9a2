package liveconfig_test

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

var sentinels = []error{liveconfig.ErrInternal, liveconfig.ErrInvalidParameter, liveconfig.ErrCallbackExists,
	liveconfig.ErrCallbackNotFound, liveconfig.ErrTokenNotFound, liveconfig.ErrRateLimited, liveconfig.ErrAuth}

func TestErrorCodesMapToSentinels(t *testing.T) {
	t.Parallel()
	table := map[error][]int{
		liveconfig.ErrInternal:         {100001, 60008, 70169, 70202, 70500},
		liveconfig.ErrInvalidParameter: {100002, 70402},
		liveconfig.ErrCallbackExists:   {100300},
		liveconfig.ErrCallbackNotFound: {100301},
		liveconfig.ErrTokenNotFound:    {100302},
		liveconfig.ErrRateLimited:      {60007, 60011, 60018, 60019, 70050},
		liveconfig.ErrAuth: {60004, 60005, 60006, 60010, 70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016,
			70020, 70051, 70052, 70403},
		nil: {60002, 60003, 60009, 60012, 60016, 60017, 60020, 60021, 99999},
	}
	for want, codes := range table {
		for _, code := range codes {
			t.Run(strings.TrimPrefix(errName(want), "liveconfig: ")+"/"+strconv.Itoa(code), func(t *testing.T) {
				t.Parallel()
				srv, c := setup(t, nil)
				srv.InjectFault("", liveconfigtest.Fault{Code: code, Info: "from the server", Times: liveconfigtest.Always})
				_, err := c.DeleteCallbackToken(testCtx(t))

				var apiErr *liveconfig.APIError
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, code, apiErr.Code)
				assert.Equal(t, liveconfig.OpDeleteCallbackToken, apiErr.Op)
				assert.Equal(t, "from the server", apiErr.Info)
				assert.NotEmpty(t, apiErr.RequestID)
				for _, s := range sentinels {
					assert.Equal(t, s == want, errors.Is(err, s), "errors.Is(%d, %v)", code, s)
				}
				assert.Equal(t, retryableCode(code), liveconfig.IsRetryable(err))
			})
		}
	}
}

func retryableCode(code int) bool {
	switch code {
	case 100001, 60008, 70169, 70202, 70500, 60007, 60011, 60018, 60019:
		return true
	}
	return false
}

func errName(err error) string {
	if err == nil {
		return "unmapped"
	}
	return err.Error()
}

func TestAPIErrorText(t *testing.T) {
	t.Parallel()
	err := &liveconfig.APIError{Op: "set_callback", Code: 100300, Info: "callback configuration already exists", RequestID: "Id-8c98"}
	assert.Equal(t, "liveconfig: set_callback: 100300 callback configuration already exists (request Id-8c98)", err.Error())

	hinted := &liveconfig.APIError{Op: "get_callback", Code: 70020, RequestID: "Id-1", Hint: "check --region"}
	assert.Equal(t, "liveconfig: get_callback: 70020 authentication or permission refused; check --region (request Id-1)", hinted.Error())
}

// TestWrongRegionHintNamesTheEndpoint checks that 70016 and 70020 get a hint in the terms of the Config the
// Client was built from: here an Endpoint, so not Config.Region, which was never set.
func TestWrongRegionHintNamesTheEndpoint(t *testing.T) {
	t.Parallel()
	for _, code := range []int{70016, 70020} {
		srv, c := setup(t, nil)
		srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: code})
		_, err := c.GetCallback(testCtx(t))
		var apiErr *liveconfig.APIError
		require.ErrorAs(t, err, &apiErr)
		assert.Equal(t, "the app may live in another region than the one Config.Endpoint points at", apiErr.Hint)
		assert.NotContains(t, err.Error(), "Config.Region")
	}
	srv, c := setup(t, nil)
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 70009})
	_, err := c.GetCallback(testCtx(t))
	var apiErr *liveconfig.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Empty(t, apiErr.Hint, "other codes get no region hint")
}

func TestRetries(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name     string
		fault    liveconfigtest.Fault
		wantErr  error // nil: the call succeeds
		attempts int
	}{
		{"internal error twice then OK", liveconfigtest.Fault{Code: 100001, Times: 2}, nil, 3},
		{"internal error for ever", liveconfigtest.Fault{Code: 100001, Times: liveconfigtest.Always}, liveconfig.ErrInternal, 4},
		{"server timeout code", liveconfigtest.Fault{Code: 70169, Times: 1}, nil, 2},
		{"frequency limit then OK", liveconfigtest.Fault{Code: 60007, Times: 3}, nil, 4},
		{"app frequency limit for ever", liveconfigtest.Fault{Code: 60011, Times: liveconfigtest.Always}, liveconfig.ErrRateLimited, 4},
		{"signature failure limit is not retried", liveconfigtest.Fault{Code: 70050, Times: liveconfigtest.Always}, liveconfig.ErrRateLimited, 1},
		{"invalid parameter is not retried", liveconfigtest.Fault{Code: 100002, Times: liveconfigtest.Always}, liveconfig.ErrInvalidParameter, 1},
		{"auth failure is not retried", liveconfigtest.Fault{Code: 70009, Times: liveconfigtest.Always}, liveconfig.ErrAuth, 1},
		{"dropped connection then OK", liveconfigtest.Fault{Drop: true}, nil, 2},
		{"HTML 502 then OK", liveconfigtest.Fault{Raw: liveconfigtest.HTML502()}, nil, 2},
		{"HTTP 429 then OK", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Status: 429, Body: []byte("slow down")}}, nil, 2},
		{"HTTP 400 is not retried", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Status: 400}, Times: liveconfigtest.Always}, &liveconfig.ResponseError{}, 1},
		{"non-JSON 200 is not retried", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: []byte("hello")}, Times: liveconfigtest.Always}, &liveconfig.ResponseError{}, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			srv.InjectFault(liveconfig.OpDeleteCallback, tt.fault)
			res, err := c.DeleteCallback(testCtx(t))
			switch want := tt.wantErr.(type) {
			case nil:
				require.NoError(t, err)
				assert.True(t, res.Changed)
			case *liveconfig.ResponseError:
				assert.ErrorAs(t, err, &want)
			default:
				assert.ErrorIs(t, err, want)
			}
			assert.Len(t, srv.AllRequestsTo(liveconfig.OpDeleteCallback), tt.attempts)
		})
	}
}

func TestMaxAttemptsOneTurnsRetriesOff(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(cfg *liveconfig.Config) { cfg.Retry.MaxAttempts = 1 })
	srv.InjectFault("", liveconfigtest.Fault{Code: 100001})
	_, err := c.DeleteCallback(testCtx(t))
	assert.ErrorIs(t, err, liveconfig.ErrInternal)
	assert.Len(t, srv.AllRequests(), 1)
}

func TestExpiredUserSigIsRenewedOnce(t *testing.T) {
	t.Parallel()
	for _, code := range []int{70001, 70052} {
		t.Run(strconv.Itoa(code)+" once", func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			signed := liveconfig.CountUserSigSigning(c)
			srv.InjectFault("", liveconfigtest.Fault{Code: code})
			_, err := c.DeleteCallback(testCtx(t))
			require.NoError(t, err)
			assert.Len(t, srv.AllRequests(), 2)
			assert.EqualValues(t, 2, signed.Load(), "the refused UserSig was replaced")
		})
		t.Run(strconv.Itoa(code)+" for ever", func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			srv.InjectFault("", liveconfigtest.Fault{Code: code, Times: liveconfigtest.Always})
			_, err := c.DeleteCallback(testCtx(t))
			assert.ErrorIs(t, err, liveconfig.ErrAuth)
			assert.Len(t, srv.AllRequests(), 2, "renewed and retried once, no more")
		})
	}
}

func TestDeadlineWhileServerHangs(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute, Times: liveconfigtest.Always})
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	_, err := c.GetCallback(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	var tErr *liveconfig.TransportError
	require.ErrorAs(t, err, &tErr)
	assert.Equal(t, liveconfig.OpGetCallback, tErr.Op)
	assert.LessOrEqual(t, len(srv.AllRequests()), 1, "no attempt after the deadline")
}

func TestPerAttemptTimeoutIsRetried(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	liveconfig.SetAttemptTimeout(c, 30*time.Millisecond)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute})
	_, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	assert.Len(t, srv.AllRequests(), 2, "the abandoned attempt is recorded when the server notices, then the retry")
}

// TestTimeoutsSayWhoseTheyWere tells the three ways a call runs out of time apart by their text: every attempt
// out of the attempt timeout, the caller's ctx ended mid-request, and a ctx already over before anything went
// out. All three still match context.DeadlineExceeded.
func TestTimeoutsSayWhoseTheyWere(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	liveconfig.SetAttemptTimeout(c, 20*time.Millisecond)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute, Times: liveconfigtest.Always})

	_, err := c.DeleteCallback(testCtx(t))
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "no answer within the attempt timeout of 20ms")
	assert.ErrorContains(t, err, "(4 attempts)")
	var tErr *liveconfig.TransportError
	require.ErrorAs(t, err, &tErr)
	assert.Equal(t, 4, tErr.Attempts)

	caller, cancel := context.WithTimeout(testCtx(t), 30*time.Millisecond)
	defer cancel()
	slow, err := srv.NewClient(srv.Config()) // its attempt timeout, 5 s, outlasts the caller's deadline
	require.NoError(t, err)
	_, err = slow.DeleteCallback(caller)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotContains(t, err.Error(), "attempt timeout", "the caller's own deadline is not the attempt timeout")
	require.ErrorAs(t, err, &tErr)
	assert.Equal(t, 1, tErr.Attempts)

	over, cancel := context.WithTimeout(testCtx(t), time.Nanosecond)
	defer cancel()
	<-over.Done()
	_, err = c.DeleteCallback(over)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorContains(t, err, "not sent")
	assert.NotContains(t, err.Error(), "rate limiter", "nothing was limited")
	require.ErrorAs(t, err, &tErr)
	assert.Zero(t, tErr.Attempts)
}

func TestContextEndsDuringBackoff(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(cfg *liveconfig.Config) {
		cfg.Retry.BaseDelay, cfg.Retry.MaxDelay = time.Hour, time.Hour
	})
	srv.InjectFault("", liveconfigtest.Fault{Code: 100001, Times: liveconfigtest.Always})
	ctx, cancel := context.WithTimeout(testCtx(t), 50*time.Millisecond)
	defer cancel()
	_, err := c.DeleteCallback(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.ErrorIs(t, err, liveconfig.ErrInternal, "the last answer is kept")
	assert.LessOrEqual(t, len(srv.AllRequests()), 2)
}

func TestContextEndsWhileWaitingForTheLimiter(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(cfg *liveconfig.Config) { cfg.RateLimit = 0.001 }) // one request, then one per 1000 s
	ctx := testCtx(t)
	_, err := c.DeleteCallback(ctx)
	require.NoError(t, err)

	short, cancel := context.WithTimeout(ctx, 20*time.Millisecond)
	defer cancel()
	_, err = c.DeleteCallback(short)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.Len(t, srv.AllRequests(), 1, "the second call never left")

	cancelled, cancelNow := context.WithCancel(ctx)
	cancelNow()
	_, err = c.DeleteCallback(cancelled)
	assert.ErrorIs(t, err, context.Canceled)
	assert.False(t, liveconfig.IsRetryable(err))
}

type countingLimiter struct{ waits int }

func (l *countingLimiter) Wait(context.Context) error { l.waits++; return nil }

func TestLimiterIsAskedForEveryAttempt(t *testing.T) {
	t.Parallel()
	limiter := &countingLimiter{}
	srv, c := setup(t, func(cfg *liveconfig.Config) { cfg.Limiter = limiter })
	srv.InjectFault("", liveconfigtest.Fault{Code: 100001, Times: 2})
	_, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, 3, limiter.waits)
}

func TestConnectionRefused(t *testing.T) {
	t.Parallel()
	addr := blackhole.Refusing(t)
	c, err := liveconfig.NewClient(liveconfig.Config{Endpoint: "http://" + addr, SDKAppID: 1, Identifier: "admin", SecretKey: "k",
		Retry: liveconfig.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}})
	require.NoError(t, err)
	_, err = c.CreateCallback(testCtx(t), roomEvents)
	var tErr *liveconfig.TransportError
	require.ErrorAs(t, err, &tErr)
	assert.True(t, liveconfig.IsRetryable(err))
	assert.Contains(t, err.Error(), "liveconfig: set_callback: ")
	assert.NotContains(t, err.Error(), "usersig")
}

func TestOversizedAnswerIsRefused(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	big := append([]byte(`{"ActionStatus":"OK","ErrorCode":0,"Pad":"`), make([]byte, 2<<20)...)
	srv.InjectFault("", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: big}, Times: liveconfigtest.Always})
	_, err := c.DeleteCallback(testCtx(t))
	var respErr *liveconfig.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Contains(t, respErr.Reason, "1 MiB")
	assert.Len(t, srv.AllRequests(), 1)
}

func TestInconsistentEnvelopes(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		body string
		want func(t *testing.T, err error)
	}{
		"FAIL with code 0": {`{"ActionStatus":"FAIL","ErrorCode":0,"RequestId":"Id-2"}`, func(t *testing.T, err error) {
			var respErr *liveconfig.ResponseError
			require.ErrorAs(t, err, &respErr)
			assert.Equal(t, "Id-2", respErr.RequestID)
		}},
		"OK with a code": {`{"ActionStatus":"OK","ErrorCode":100002,"RequestId":"Id-3"}`, func(t *testing.T, err error) {
			assert.ErrorIs(t, err, liveconfig.ErrInvalidParameter)
		}},
		"empty":     {``, func(t *testing.T, err error) { assert.ErrorContains(t, err, "empty") }},
		"truncated": {`{"ActionStatus":"OK","Error`, func(t *testing.T, err error) { assert.ErrorContains(t, err, "not a JSON envelope") }},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			srv.InjectFault("", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: []byte(tt.body)}, Times: liveconfigtest.Always})
			_, err := c.DeleteCallback(testCtx(t))
			require.Error(t, err)
			tt.want(t, err)
			assert.Len(t, srv.AllRequests(), 1, "not retried")
		})
	}
}

// TestTheServersAnswerOutlivesTheLimiter: when a retry cannot go out because the rate limiter's wait would
// outlast ctx, the call ends with the answer that asked for the retry (still matching its sentinel), counting
// the attempts sent, and says why no retry followed; a first attempt that cannot go out stays "not sent".
func TestTheServersAnswerOutlivesTheLimiter(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(cfg *liveconfig.Config) {
		cfg.RateLimit = 0.5 // one request, then the next in 2 s
		cfg.Retry = liveconfig.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: time.Millisecond}
	})
	srv.InjectFault("", liveconfigtest.Fault{Code: 100001})
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	_, err := c.DeleteCallback(ctx)
	require.Error(t, err)
	assert.NoError(t, ctx.Err(), "the limiter refused at once: its wait would outlast ctx")
	assert.ErrorIs(t, err, liveconfig.ErrInternal, "the server's answer: %v", err)
	var apiErr *liveconfig.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 100001, apiErr.Code)
	assert.Contains(t, err.Error(), "retry abandoned: waiting for the rate limiter")
	assert.Len(t, srv.AllRequests(), 1, "one request reached the server")

	_, err = c.DeleteCallback(ctx) // the limiter's budget is spent: nothing goes out
	var tErr *liveconfig.TransportError
	require.ErrorAs(t, err, &tErr)
	assert.Zero(t, tErr.Attempts)
	assert.Contains(t, err.Error(), "waiting for the rate limiter")
	assert.Len(t, srv.AllRequests(), 1)
}
