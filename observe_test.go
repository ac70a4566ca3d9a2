package liveconfig_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// recordingObserver writes down every call it gets, in order, and marks the contexts it hands back.
type recordingObserver struct {
	mu     sync.Mutex
	events []string
	calls  []liveconfig.CallInfo
	tries  []liveconfig.AttemptInfo
}

type stageKey struct{}

func (r *recordingObserver) add(event string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.events = append(r.events, event)
}

func (r *recordingObserver) CallStart(ctx context.Context, call liveconfig.CallInfo) context.Context {
	r.add("call " + string(call.Op))
	return context.WithValue(ctx, stageKey{}, "call")
}

func (r *recordingObserver) AttemptStart(ctx context.Context, a liveconfig.AttemptInfo) context.Context {
	r.add(fmt.Sprintf("attempt %d in %v", a.Attempt, ctx.Value(stageKey{})))
	return context.WithValue(ctx, stageKey{}, fmt.Sprintf("attempt %d", a.Attempt))
}

func (r *recordingObserver) AttemptEnd(ctx context.Context, a liveconfig.AttemptInfo) {
	r.add(fmt.Sprintf("end %v: code %d retry %q", ctx.Value(stageKey{}), a.Code, a.Retry))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.tries = append(r.tries, a)
}

func (r *recordingObserver) CallEnd(ctx context.Context, call liveconfig.CallInfo) {
	r.add(fmt.Sprintf("end %v: %d attempts, failed %t", ctx.Value(stageKey{}), call.Attempts, call.Err != nil))
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, call)
}

func (r *recordingObserver) UserSigSigned(context.Context) { r.add("signed") }

// stageTransport records which stage's context each request was sent with.
type stageTransport struct {
	mu     sync.Mutex
	stages []any
}

func (s *stageTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	s.mu.Lock()
	s.stages = append(s.stages, req.Context().Value(stageKey{}))
	s.mu.Unlock()
	return http.DefaultTransport.RoundTrip(req)
}

func TestObserverSeesEveryCallAndAttempt(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	tr := &stageTransport{}
	srv, c := setup(t, func(cfg *liveconfig.Config) {
		cfg.Observer = obs
		cfg.HTTPClient = &http.Client{Transport: tr}
	}, liveconfigtest.WithSecretKey(recognisableKey))
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 100001})
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 70001})
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 60007})

	res, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, []string{
		"call delete_callback",
		"signed",
		"attempt 1 in call",
		`end attempt 1: code 100001 retry "internal"`,
		"attempt 2 in call",
		`end attempt 2: code 70001 retry "usersig_renewal"`,
		"signed",
		"attempt 3 in call",
		`end attempt 3: code 60007 retry "rate_limited"`,
		"attempt 4 in call",
		`end attempt 4: code 0 retry ""`,
		"end call: 4 attempts, failed false",
	}, obs.events)
	assert.Equal(t, []any{"attempt 1", "attempt 2", "attempt 3", "attempt 4"}, tr.stages, "each request is sent with its attempt's ctx")
	last := obs.tries[3]
	assert.Equal(t, res.RequestID, last.RequestID)
	assert.Equal(t, http.StatusOK, last.Status)
	assert.Equal(t, srv.URL()+"/v4/live_config/delete_callback", last.Endpoint)
	assert.Positive(t, last.Latency)
	call := obs.calls[0]
	assert.Equal(t, srv.URL()+"/v4/live_config/delete_callback", call.Endpoint, "the endpoint without its query")
	assert.Equal(t, srv.SDKAppID(), call.SDKAppID)
	assert.GreaterOrEqual(t, call.Latency, last.Latency)
}

func TestObserverIsToldOfFailuresWithoutSecrets(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	srv, c := setup(t, func(cfg *liveconfig.Config) {
		cfg.Observer = obs
		cfg.Retry.MaxAttempts = 2
	}, liveconfigtest.WithSecretKey(recognisableKey))
	liveconfig.SetAttemptTimeout(c, 30*time.Millisecond)
	_, err := c.DeleteCallback(testCtx(t)) // signs the UserSig
	require.NoError(t, err)
	usersig := liveconfig.CurrentUserSig(c)
	srv.InjectFault("", liveconfigtest.Fault{Code: 70003, Info: "bad " + usersig})
	_, err = c.GetCallback(testCtx(t))
	require.Error(t, err)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute, Times: liveconfigtest.Always})
	_, err = c.GetCallback(testCtx(t))
	require.Error(t, err)

	require.Len(t, obs.calls, 3)
	assert.Equal(t, 2, obs.calls[2].Attempts)
	reasons := []liveconfig.RetryReason{}
	for _, a := range obs.tries {
		if a.Err != nil {
			assertNoSecret(t, "AttemptInfo.Err", fmt.Sprintf("%+v", a.Err), usersig)
			reasons = append(reasons, a.Retry)
		}
	}
	for _, call := range obs.calls {
		if call.Err != nil {
			assertNoSecret(t, "CallInfo.Err", fmt.Sprintf("%+v", call.Err), usersig)
		}
		assert.False(t, strings.Contains(call.Endpoint, "?"), "no query in the endpoint")
	}
	assert.Equal(t, []liveconfig.RetryReason{"", liveconfig.RetryTimeout, ""}, reasons, "70003 is final; the first timeout is retried, the last is not")
}

// slowLimiter lets each request through after a pause, as a busy shared limiter would.
type slowLimiter struct{ pause time.Duration }

func (l slowLimiter) Wait(ctx context.Context) error {
	select {
	case <-time.After(l.pause):
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

func TestObserverIsToldTheLimitersWait(t *testing.T) {
	t.Parallel()
	obs := &recordingObserver{}
	_, c := setup(t, func(cfg *liveconfig.Config) {
		cfg.Observer = obs
		cfg.Limiter = slowLimiter{pause: 5 * time.Millisecond}
	})
	_, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	require.Len(t, obs.tries, 1)
	assert.GreaterOrEqual(t, obs.tries[0].LimiterWait, 5*time.Millisecond)
}
