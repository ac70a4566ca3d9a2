package liveconfigtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

func TestChangesAreLoggedInOrder(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	c := srv.Client()
	ctx := context.Background()
	cfg := liveconfig.CallbackConfig{URL: "https://a.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}

	_, err := c.CreateCallback(ctx, cfg)
	require.NoError(t, err)
	_, err = c.CreateCallback(ctx, cfg)
	require.ErrorIs(t, err, liveconfig.ErrCallbackExists)
	_, err = c.GetCallback(ctx)
	require.NoError(t, err)
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Apply: true, Code: 100002})
	_, err = c.DeleteCallback(ctx)
	require.Error(t, err)
	_, err = c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "t", Enabled: true})
	require.NoError(t, err)

	changes := srv.Changes()
	require.Len(t, changes, 3, "refusals and reads change nothing; an applied fault does")
	ops := []liveconfig.Op{changes[0].Op, changes[1].Op, changes[2].Op}
	assert.Equal(t, []liveconfig.Op{liveconfig.OpSetCallback, liveconfig.OpDeleteCallback, liveconfig.OpSetCallbackToken}, ops)
	for i, ch := range changes {
		assert.EqualValues(t, i+1, ch.Seq)
	}
	assert.JSONEq(t, `{"Url":"https://a.example/cb","CallbackCommandList":["Live.CallbackAfterCreateRoom"]}`, string(changes[0].Body))
	srv.Reset()
	assert.Empty(t, srv.Changes())
}

func TestFaultChanceAppliesToAShare(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithRateLimit(0))
	cfg := srv.Config()
	cfg.RateLimit = -1
	c, err := srv.NewClient(cfg)
	require.NoError(t, err)
	srv.InjectFault("", liveconfigtest.Fault{Code: 70009, Times: liveconfigtest.Always, Chance: 0.25})
	failed := 0
	const calls = 400
	for range calls {
		if _, err := c.DeleteCallback(context.Background()); err != nil {
			failed++
		}
	}
	// 70009 is not retried, so each call fails with the fault's chance: 100 expected, and 40..160 holds
	// with a probability far beyond any test's lifetime.
	assert.Greater(t, failed, 40)
	assert.Less(t, failed, 160)
	assert.Panics(t, func() { srv.InjectFault("", liveconfigtest.Fault{Chance: 1.5}) })
}

func TestRequestLogLimit(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithRequestLogLimit(3))
	c := srv.Client()
	for range 5 {
		_, err := c.DeleteCallback(context.Background())
		require.NoError(t, err)
	}
	assert.Len(t, srv.AllRequests(), 3)
	assert.Len(t, srv.Changes(), 5, "the change log is not cut")
}

func TestServerPrintsWithoutItsKey(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey("a-key-that-must-not-be-printed"))
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		printed := fmt.Sprintf(format, srv)
		assert.False(t, strings.Contains(printed, srv.SecretKey()), "%s prints the key", format)
		assert.Contains(t, printed, srv.URL(), format)
	}
}

// TestRefusedRequestsKeepNoBody: anyone can send the fake a refused request of any size; only the bodies of
// requests it accepted are kept, and WithRequestLogLimit bounds how many are.
func TestRefusedRequestsKeepNoBody(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithRequestLogLimit(3))
	big := `{"Pad":"` + strings.Repeat("x", 512<<10) + `"}`
	for _, path := range []string{"/v4/live_config/get_callback", "/elsewhere"} {
		resp, err := http.Post(srv.URL()+path+"?sdkappid=1&identifier=x&usersig=forged&random=1&contenttype=json",
			"application/json", strings.NewReader(big))
		require.NoError(t, err)
		resp.Body.Close()
	}
	c := srv.Client()
	_, err := c.DeleteCallback(context.Background())
	require.NoError(t, err)
	reqs := srv.AllRequests()
	require.Len(t, reqs, 3)
	assert.Nil(t, reqs[0].Body, "a refused request's body is not kept")
	assert.Nil(t, reqs[1].Body, "nor an unknown path's")
	assert.JSONEq(t, `{}`, string(reqs[2].Body))

	for range 5 {
		_, err := c.DeleteCallback(context.Background())
		require.NoError(t, err)
	}
	assert.Len(t, srv.AllRequests(), 3, "the log keeps the last 3")
	http.DefaultClient.CloseIdleConnections()
}

func TestInjectFaultRefusesContradictions(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	for name, f := range map[string]liveconfigtest.Fault{
		"Drop and Raw":       {Drop: true, Raw: liveconfigtest.HTML502()},
		"Code and Raw":       {Code: 100001, Raw: liveconfigtest.HTML502()},
		"Code and Drop":      {Code: 100001, Drop: true},
		"Info without Code":  {Info: "why"},
		"Apply with nothing": {Apply: true},
	} {
		assert.Panics(t, func() { srv.InjectFault("", f) }, name)
	}
	for name, f := range map[string]liveconfigtest.Fault{
		"Apply then Drop": {Apply: true, Drop: true},
		"Apply then Raw":  {Apply: true, Raw: liveconfigtest.HTML502()},
		"Code and Info":   {Code: 70003, Info: "why"},
		"Delay alone":     {Delay: time.Millisecond},
	} {
		assert.NotPanics(t, func() { srv.InjectFault("", f) }, name)
	}
}

// closeCounter is a transport that counts the calls to close its idle connections.
type closeCounter struct {
	*http.Transport
	closed atomic.Int32
}

func (c *closeCounter) CloseIdleConnections() {
	c.closed.Add(1)
	c.Transport.CloseIdleConnections()
}

func TestCloseClosesTheClientsItBuilt(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.NewServer()
	tr := &closeCounter{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	cfg := srv.Config()
	cfg.HTTPClient = &http.Client{Transport: tr}
	c, err := srv.NewClient(cfg)
	require.NoError(t, err)
	_, err = c.DeleteCallback(context.Background())
	require.NoError(t, err)
	_, err = srv.Client().DeleteCallback(context.Background())
	require.NoError(t, err)
	require.Zero(t, tr.closed.Load())

	srv.Close()
	assert.EqualValues(t, 1, tr.closed.Load(), "the server closed the idle connections of the client it built")
	_, err = srv.NewClient(liveconfig.Config{})
	assert.ErrorIs(t, err, liveconfig.ErrInvalidConfig, "NewClient checks the Config as liveconfig.NewClient does")
}

// TestAppsAreServedApartOnOneListener: each app has its own key, administrator, state, faults and rate limit;
// a request is routed by its sdkappid and verified with that app's key.
func TestAppsAreServedApartOnOneListener(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithApps(
		liveconfigtest.AppSpec{SDKAppID: 1400000002, Identifier: "ops", RateLimit: 2},
		liveconfigtest.AppSpec{SDKAppID: 1400000003, SecretKey: "third-key"},
	))
	ctx := context.Background()
	require.Len(t, srv.Apps(), 3)
	first, second, third := srv.Apps()[0], srv.App(1400000002), srv.App(1400000003)
	require.Same(t, srv.App(liveconfigtest.DefaultSDKAppID), first)
	assert.Nil(t, srv.App(42))
	assert.Equal(t, "ops", second.Identifier())
	assert.Equal(t, "third-key", third.SecretKey())
	assert.NotEqual(t, first.SecretKey(), second.SecretKey(), "each app has a key of its own")

	cfg := liveconfig.CallbackConfig{URL: "https://two.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	_, err := second.Client().CreateCallback(ctx, cfg)
	require.NoError(t, err)
	got, ok := second.Callback()
	assert.True(t, ok)
	assert.Equal(t, cfg, got)
	_, ok = srv.Callback()
	assert.False(t, ok, "the first app's state is its own")
	_, err = third.Client().GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound)

	// Another app's key, or another app's administrator, is refused.
	wrongKey := third.Config()
	wrongKey.SecretKey = second.SecretKey()
	c, err := third.NewClient(wrongKey)
	require.NoError(t, err)
	_, err = c.GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrAuth)
	wrongAdmin := second.Config()
	wrongAdmin.Identifier = liveconfigtest.DefaultIdentifier
	c, err = second.NewClient(wrongAdmin)
	require.NoError(t, err)
	_, err = c.GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrAuth)
	unknown := first.Config()
	unknown.SDKAppID = 42
	c, err = first.NewClient(unknown)
	require.NoError(t, err)
	_, err = c.GetCallback(ctx)
	var apiErr *liveconfig.APIError
	require.ErrorAs(t, err, &apiErr)
	assert.Equal(t, 70020, apiErr.Code)

	// A fault of one app is not another's.
	third.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 100002})
	_, err = srv.Client().DeleteCallback(ctx)
	require.NoError(t, err)
	_, err = third.Client().DeleteCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrInvalidParameter)

	// The second app allows 2 requests a second, with a burst of 2; the others are not slowed by it.
	limited := second.Config()
	limited.Retry.MaxAttempts = 1
	limited.RateLimit = -1
	c, err = second.NewClient(limited)
	require.NoError(t, err)
	var refused int
	for range 4 {
		if _, err := c.GetCallback(ctx); errors.Is(err, liveconfig.ErrRateLimited) {
			refused++
		}
	}
	assert.GreaterOrEqual(t, refused, 1, "the second app's own limit")
	for range 4 {
		_, err := third.Client().DeleteCallback(ctx)
		require.NoError(t, err, "the third app has the default limit")
	}

	// Requests are logged once, for the server, and each app sees its own.
	assert.Len(t, srv.AllRequests(), len(first.Requests())+len(second.Requests())+len(third.Requests())+1, "plus the one for app 42")
	assert.Len(t, third.RequestsTo(liveconfig.OpDeleteCallback), 5)
	assert.Len(t, third.Changes(), 4, "the faulted delete changed nothing")
	assert.Len(t, second.Changes(), 1)

	_, err = srv.AddApp(liveconfigtest.AppSpec{SDKAppID: 1400000002})
	assert.Error(t, err, "an SDKAppID is served once")
	_, err = srv.AddApp(liveconfigtest.AppSpec{})
	assert.Error(t, err)
	added, err := srv.AddApp(liveconfigtest.AppSpec{SDKAppID: 1400000009})
	require.NoError(t, err)
	_, err = added.Client().DeleteCallback(ctx)
	assert.NoError(t, err, "an app added while serving is served")
	assert.NotContains(t, fmt.Sprintf("%v %+v %#v", added, added, added), added.SecretKey())

	srv.Reset()
	_, ok = second.Callback()
	assert.False(t, ok, "Reset forgets every app's state")
	assert.Empty(t, srv.AllRequests())
	assert.Panics(t, func() {
		liveconfigtest.NewServer(liveconfigtest.WithApps(liveconfigtest.AppSpec{SDKAppID: 9}, liveconfigtest.AppSpec{SDKAppID: 9}))
	}, "one SDKAppID twice")
}

func TestSequentialApps(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithSDKAppID(1500000000), liveconfigtest.WithApps(liveconfigtest.SequentialApps(1500000001, 999)...))
	apps := srv.Apps()
	require.Len(t, apps, 1000)
	for i, app := range apps {
		assert.Equal(t, uint64(1500000000+i), app.SDKAppID())
	}
}

// TestAFleetFromTheFirstSDKAppID: WithApps(SequentialApps(DefaultSDKAppID, n)...) serves n apps, the first of
// them the server's first app, with the options given for it; another SDKAppID given twice still panics.
func TestAFleetFromTheFirstSDKAppID(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey("first-app-key"),
		liveconfigtest.WithApps(liveconfigtest.SequentialApps(liveconfigtest.DefaultSDKAppID, 30)...))
	apps := srv.Apps()
	require.Len(t, apps, 30)
	assert.Equal(t, uint64(liveconfigtest.DefaultSDKAppID), srv.SDKAppID())
	assert.Equal(t, "first-app-key", srv.SecretKey(), "the option stands where the spec says nothing")
	assert.Equal(t, uint64(liveconfigtest.DefaultSDKAppID+29), apps[29].SDKAppID())
	_, err := srv.Client().GetCallback(context.Background())
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound, "the first app is served")

	keyed := liveconfigtest.New(t, liveconfigtest.WithApps(liveconfigtest.AppSpec{SDKAppID: liveconfigtest.DefaultSDKAppID, SecretKey: "from-spec"}))
	assert.Equal(t, "from-spec", keyed.SecretKey())
	assert.Len(t, keyed.Apps(), 1)
	assert.Panics(t, func() {
		liveconfigtest.NewServer(liveconfigtest.WithApps(liveconfigtest.SequentialApps(7, 2)[0], liveconfigtest.AppSpec{SDKAppID: 7}))
	})
}

func TestClearFaultsForDropsOneQueue(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	cfg := srv.Config()
	cfg.Retry = liveconfig.RetryPolicy{MaxAttempts: 1}
	c, err := srv.NewClient(cfg)
	require.NoError(t, err)
	ctx := context.Background()
	always := func(code int) liveconfigtest.Fault {
		return liveconfigtest.Fault{Code: code, Times: liveconfigtest.Always}
	}
	srv.InjectFault(liveconfig.OpGetCallback, always(70403))
	srv.InjectFault(liveconfig.OpGetCallbackToken, always(70402))
	srv.InjectFault("", always(60020))

	srv.ClearFaultsFor(liveconfig.OpGetCallback)
	_, err = c.GetCallback(ctx)
	assert.True(t, hasCode(err, 60020), "get_callback's own fault is gone; the one for any endpoint stays: %v", err)
	_, err = c.GetCallbackToken(ctx)
	assert.True(t, hasCode(err, 70402), "another endpoint's fault stays: %v", err)

	srv.ClearFaultsFor("")
	_, err = c.GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound, "no fault left for get_callback: the app's own answer")
	_, err = c.GetCallbackToken(ctx)
	assert.True(t, hasCode(err, 70402), "a named endpoint's fault outlives clearing the any-endpoint queue: %v", err)

	assert.Panics(t, func() { srv.ClearFaultsFor("get_callbacks") })
}

func hasCode(err error, code int) bool {
	var apiErr *liveconfig.APIError
	return errors.As(err, &apiErr) && apiErr.Code == code
}
