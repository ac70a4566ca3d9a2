package fleet_test

import (
	"context"
	"fmt"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

var (
	roomCreated   = liveconfig.CommandAfterCreateRoom
	roomDestroyed = liveconfig.CommandAfterDestroyRoom
)

// fixture is a fake serving n apps and the environment holding their keys and tokens.
type fixture struct {
	srv *liveconfigtest.Server
	env map[string]string
}

func newFixture(t testing.TB, n int, opts ...liveconfigtest.Option) *fixture {
	t.Helper()
	opts = append([]liveconfigtest.Option{liveconfigtest.WithSDKAppID(1400000000), liveconfigtest.WithRateLimit(0),
		liveconfigtest.WithApps(liveconfigtest.SequentialApps(1400000001, n-1)...)}, opts...)
	fx := &fixture{srv: liveconfigtest.New(t, opts...), env: map[string]string{}}
	for i, app := range fx.srv.Apps() {
		fx.env[fmt.Sprintf("KEY_%d", i)] = app.SecretKey()
		fx.env[fmt.Sprintf("TOKEN_%d", i)] = fmt.Sprintf("token-of-app-%d", i)
	}
	return fx
}

func (fx *fixture) getenv(name string) string { return fx.env[name] }

// file writes a fleet file for every app of the fake: defaults, then for app i the lines body(i) returns.
func (fx *fixture) file(t testing.TB, defaults string, body func(i int) string) *fleet.File {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "defaults:\n  endpoint: %s\n  identifier: administrator\n%s", fx.srv.URL(), defaults)
	b.WriteString("apps:\n")
	for i, app := range fx.srv.Apps() {
		fmt.Fprintf(&b, "  - name: app-%d\n    sdkappid: %d\n    secret_key_env: KEY_%d\n%s", i, app.SDKAppID(), i, body(i))
	}
	f, err := fleet.Decode(strings.NewReader(b.String()), "")
	require.NoError(t, err, b.String())
	return f
}

func (fx *fixture) options() fleet.Options {
	return fleet.Options{Getenv: fx.getenv, Configure: fastRetries, AllowEndpoints: []string{fx.srv.URL()}}
}

// fastRetries gives each app's client the fake's millisecond retry waits.
func fastRetries(_ *fleet.App, cfg *liveconfig.Config) {
	cfg.Retry = liveconfig.RetryPolicy{BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
		RateLimitBaseDelay: time.Millisecond, RateLimitMaxDelay: 5 * time.Millisecond}
}

// writes counts the changes the fake applied, for every app.
func (fx *fixture) writes() int {
	n := 0
	for _, app := range fx.srv.Apps() {
		for _, r := range app.Requests() {
			if r.Op.Mutates() {
				n++
			}
		}
	}
	return n
}

// defaultCallback is wantCallback under defaults.
const defaultCallback = "  callback:\n    url: https://live.example.com/cb\n    commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]\n"

const wantCallback = "    callback:\n      url: https://live.example.com/cb\n      commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]\n"

// fiveCases sets up the fake so that apps 0..4 meet each action once: none, create, update, delete,
// unmanaged, for the callback and for the token alike.
func fiveCases(t *testing.T) (*fixture, *fleet.File) {
	fx := newFixture(t, 5)
	apps := fx.srv.Apps()
	want := liveconfig.CallbackConfig{URL: "https://live.example.com/cb", Commands: []liveconfig.Command{roomCreated, roomDestroyed}}
	apps[0].SetCallback(&want)
	apps[0].SetToken(&liveconfig.CallbackToken{Token: "token-of-app-0", Enabled: true})
	apps[2].SetCallback(&liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{roomCreated, liveconfig.CommandBeforeSendGift}})
	apps[2].SetToken(&liveconfig.CallbackToken{Token: "token-of-app-2", Enabled: false})
	apps[3].SetCallback(&want)
	apps[3].SetToken(&liveconfig.CallbackToken{Token: "kept", Enabled: true})
	apps[4].SetCallback(&want)
	apps[4].SetToken(&liveconfig.CallbackToken{Token: "kept", Enabled: false})
	f := fx.file(t, "", func(i int) string {
		switch i {
		case 3:
			return "    callback: absent\n    token: absent\n"
		case 4:
			return ""
		}
		return wantCallback + fmt.Sprintf("    token: {token_env: TOKEN_%d}\n", i)
	})
	return fx, f
}

func TestPlanSaysWhatApplyWouldDoAndSendsNoChange(t *testing.T) {
	t.Parallel()
	fx, f := fiveCases(t)
	var progressed []string
	opts := fx.options()
	opts.Progress = func(r fleet.AppReport) { progressed = append(progressed, r.Name) }
	report, err := fleet.Plan(context.Background(), f, opts)
	require.NoError(t, err)
	assert.Zero(t, fx.writes(), "plan sends no write")
	assert.ElementsMatch(t, []string{"app-0", "app-1", "app-2", "app-3", "app-4"}, progressed, "progress once per app")
	for _, app := range fx.srv.Apps() {
		assert.Len(t, app.Requests(), 2, "two reads per app")
	}
	require.Len(t, report.Apps, 5)
	for _, r := range report.Apps {
		assert.NoError(t, r.Err, r.Name)
		assert.Empty(t, r.RequestIDs)
	}
	want := &liveconfig.CallbackConfig{URL: "https://live.example.com/cb", Commands: []liveconfig.Command{roomCreated, roomDestroyed}}
	old := &liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{roomCreated, liveconfig.CommandBeforeSendGift}}
	yes, no := true, false

	none, create, update, del, unmanaged := report.Apps[0], report.Apps[1], report.Apps[2], report.Apps[3], report.Apps[4]
	assert.Equal(t, fleet.CallbackChange{Action: fleet.ActionNone, From: want, To: want}, none.Callback)
	assert.Equal(t, fleet.TokenChange{Action: fleet.ActionNone, EnabledFrom: &yes, EnabledTo: &yes}, none.Token)
	assert.False(t, none.Pending())

	assert.Equal(t, fleet.CallbackChange{Action: fleet.ActionCreate, To: want}, create.Callback)
	assert.Equal(t, fleet.TokenChange{Action: fleet.ActionCreate, EnabledTo: &yes, ValueChanged: true}, create.Token)

	assert.Equal(t, fleet.CallbackChange{Action: fleet.ActionUpdate, From: old, To: want,
		Added: []liveconfig.Command{roomDestroyed}, Removed: []liveconfig.Command{liveconfig.CommandBeforeSendGift}}, update.Callback)
	assert.Equal(t, fleet.TokenChange{Action: fleet.ActionUpdate, EnabledFrom: &no, EnabledTo: &yes, ValueChanged: false}, update.Token,
		"only enabled changes: the value is the same")

	assert.Equal(t, fleet.CallbackChange{Action: fleet.ActionDelete, From: want}, del.Callback)
	assert.Equal(t, fleet.TokenChange{Action: fleet.ActionDelete, EnabledFrom: &yes}, del.Token)

	assert.Equal(t, fleet.CallbackChange{Action: fleet.ActionUnmanaged, From: want, To: want}, unmanaged.Callback, "read and reported")
	assert.Equal(t, fleet.TokenChange{Action: fleet.ActionUnmanaged, EnabledFrom: &no, EnabledTo: &no}, unmanaged.Token)

	assert.Equal(t, fleet.Summary{Apps: 5, Changed: 3, Unchanged: 2}, report.Summary())
	assert.False(t, report.Interrupted)
	assert.False(t, report.Applied)
}

func TestApplyMakesEveryAppMatchInOrderAndOnce(t *testing.T) {
	t.Parallel()
	fx, f := fiveCases(t)
	apps := fx.srv.Apps()
	report, err := fleet.Apply(context.Background(), f, fx.options())
	require.NoError(t, err)
	assert.True(t, report.Applied)
	assert.Equal(t, fleet.Summary{Apps: 5, Changed: 3, Unchanged: 2}, report.Summary())
	for _, r := range report.Apps {
		require.NoError(t, r.Err, r.Name)
	}
	want := liveconfig.CallbackConfig{URL: "https://live.example.com/cb", Commands: []liveconfig.Command{roomCreated, roomDestroyed}}
	for i := range 3 {
		got, ok := apps[i].Callback()
		assert.True(t, ok)
		assert.True(t, got.Equal(want), "app %d", i)
		tok, ok := apps[i].Token()
		assert.True(t, ok)
		assert.Equal(t, liveconfig.CallbackToken{Token: fmt.Sprintf("token-of-app-%d", i), Enabled: true}, tok)
	}
	_, ok := apps[3].Callback()
	assert.False(t, ok)
	_, ok = apps[3].Token()
	assert.False(t, ok)
	tok, _ := apps[4].Token()
	assert.Equal(t, "kept", tok.Token, "unmanaged: never changed")

	ops := func(i int) []liveconfig.Op {
		var out []liveconfig.Op
		for _, ch := range apps[i].Changes() {
			out = append(out, ch.Op)
		}
		return out
	}
	assert.Empty(t, ops(0))
	assert.Equal(t, []liveconfig.Op{liveconfig.OpSetCallbackToken, liveconfig.OpSetCallback}, ops(1), "a new token before the callback")
	assert.Equal(t, []liveconfig.Op{liveconfig.OpSetCallbackToken, liveconfig.OpUpdateCallback}, ops(2), "a changed token before the callback")
	assert.Equal(t, []liveconfig.Op{liveconfig.OpDeleteCallback, liveconfig.OpDeleteCallbackToken}, ops(3), "on removal, the callback first")
	assert.Empty(t, ops(4))

	assert.Len(t, report.Apps[1].RequestIDs, 2, "a request id for each change")
	assert.True(t, report.Apps[1].Callback.Applied)
	assert.True(t, report.Apps[1].Token.Applied)
	assert.False(t, report.Apps[0].Callback.Applied, "nothing to apply")
	assert.Nil(t, report.Apps[0].RequestIDs)

	writes := fx.writes()
	again, err := fleet.Apply(context.Background(), f, fx.options())
	require.NoError(t, err)
	assert.Equal(t, writes, fx.writes(), "a second apply sends no write")
	assert.Equal(t, fleet.Summary{Apps: 5, Unchanged: 5}, again.Summary())
}

func TestOneAppsFailureDoesNotStopTheOthers(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 4)
	apps := fx.srv.Apps()
	apps[1].InjectFault(liveconfig.OpSetCallback, liveconfigtest.Fault{Code: 70009}) // refused, not retried
	apps[2].InjectFault(liveconfig.OpSetCallbackToken, liveconfigtest.Fault{Code: 100002})
	delete(fx.env, "TOKEN_3")
	f := fx.file(t, defaultCallback, func(i int) string { return fmt.Sprintf("    token: {token_env: TOKEN_%d}\n", i) })

	report, err := fleet.Apply(context.Background(), f, fx.options())
	require.NoError(t, err)
	assert.Equal(t, fleet.Summary{Apps: 4, Changed: 1, Failed: 3}, report.Summary())
	assert.NoError(t, report.Apps[0].Err)

	partial := report.Apps[1]
	assert.ErrorIs(t, partial.Err, liveconfig.ErrAuth)
	assert.True(t, partial.Token.Applied, "the token went first and was set")
	assert.False(t, partial.Callback.Applied)
	assert.Len(t, partial.RequestIDs, 1)
	_, ok := apps[1].Token()
	assert.True(t, ok, "what the report says was applied, was")

	first := report.Apps[2]
	assert.ErrorIs(t, first.Err, liveconfig.ErrInvalidParameter)
	assert.False(t, first.Token.Applied)
	assert.False(t, first.Callback.Applied, "the callback is not set once the token failed")
	assert.Empty(t, apps[2].Changes())

	missing := report.Apps[3]
	assert.ErrorIs(t, missing.Err, fleet.ErrSecretUnavailable)
	assert.EqualError(t, missing.Err, "fleet: app-3: token: environment variable TOKEN_3 is not set")
	assert.Empty(t, apps[3].Requests(), "nothing is sent for an app whose secret is missing")
	assert.Equal(t, fleet.ActionUnknown, missing.Callback.Action)

	fx.env["TOKEN_3"] = strings.Repeat("t", liveconfig.MaxTokenLength+1)
	tooLong, err := fleet.Plan(context.Background(), f, fx.options())
	require.NoError(t, err)
	assert.ErrorIs(t, tooLong.Apps[3].Err, liveconfig.ErrInvalidParameter, "a token the API would refuse is refused by plan")
	assert.EqualError(t, tooLong.Apps[3].Err, "fleet: app-3: the token in the environment variable TOKEN_3: liveconfig: invalid Token: must be 1 to 128 characters, not 129")
	assert.Empty(t, apps[3].Requests())

	fx.env["TOKEN_3"] = "token-of-app-3"
	fixed, err := fleet.Apply(context.Background(), f, fx.options())
	require.NoError(t, err)
	assert.Equal(t, fleet.Summary{Apps: 4, Changed: 3, Unchanged: 1}, fixed.Summary(), "a second apply fixes the rest")
}

// TestStoppingStartsNoNewAppAndFinishesTheCallInFlight: once ctx ends, apps not started are reported so,
// and an app in flight makes no further call after the one it is making, which is not cancelled.
func TestStoppingStartsNoNewAppAndFinishesTheCallInFlight(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 6)
	apps := fx.srv.Apps()
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	apps[0].InjectFault(liveconfig.OpSetCallbackToken, liveconfigtest.Fault{Delay: 50 * time.Millisecond})
	opts := fx.options()
	opts.Parallel = 1
	opts.Configure = func(app *fleet.App, cfg *liveconfig.Config) {
		fastRetries(app, cfg)
		// Stop the run as app 0's token write starts: the write is under way, its app's next call is not.
		cfg.Observer = stopAt{op: liveconfig.OpSetCallbackToken, stop: stop}
	}
	var seen atomic.Int32
	opts.Progress = func(fleet.AppReport) { seen.Add(1) }
	f := fx.file(t, defaultCallback, func(i int) string { return fmt.Sprintf("    token: {token_env: TOKEN_%d}\n", i) })
	report, err := fleet.Apply(ctx, f, opts)
	require.NoError(t, err)
	assert.True(t, report.Interrupted)
	assert.Equal(t, fleet.Summary{Apps: 6, Changed: 1, NotStarted: 5}, report.Summary(), "the app stopped after its token was set is changed")
	changedOnTheServer := 0
	for _, app := range apps {
		if len(app.Changes()) > 0 {
			changedOnTheServer++
		}
	}
	assert.Equal(t, changedOnTheServer, report.Summary().Changed, "the summary counts what the fake recorded")
	assert.Equal(t, int32(1), seen.Load(), "progress for the app that ran")

	first := report.Apps[0]
	assert.ErrorIs(t, first.Err, fleet.ErrStopped)
	assert.True(t, first.Token.Applied, "the call in flight finished")
	assert.False(t, first.Callback.Applied, "and no call came after it")
	_, ok := apps[0].Token()
	assert.True(t, ok)
	_, ok = apps[0].Callback()
	assert.False(t, ok)
	for i, r := range report.Apps[1:] {
		assert.ErrorIs(t, r.Err, fleet.ErrNotStarted)
		assert.Empty(t, apps[i+1].Requests(), "nothing sent for %s", r.Name)
	}
}

// countingListener counts the connections a server accepts.
type countingListener struct {
	net.Listener
	accepted atomic.Int32
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.accepted.Add(1)
	}
	return c, err
}

// TestAppsShareOneConnectionPool: 200 apps, 8 at a time, reach the one host over a handful of connections,
// not 200. It is not exactly 8: a request that finds no idle connection dials a new one while the one just
// used is still on its way back to the pool.
func TestAppsShareOneConnectionPool(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	counting := &countingListener{Listener: l}
	fx := newFixture(t, 200, liveconfigtest.WithListener(counting))
	f := fx.file(t, defaultCallback, func(int) string { return "" })
	report, err := fleet.Apply(context.Background(), f, fx.options())
	require.NoError(t, err)
	assert.Equal(t, fleet.Summary{Apps: 200, Changed: 200}, report.Summary())
	assert.LessOrEqual(t, int(counting.accepted.Load()), 3*fleet.DefaultParallel, "one pool for every app, not one each")
}

// TestNothingIsLostWhenCallsFail: with a tenth of all calls failing at random, in every way a call can fail,
// each app is either reported changed and is as the file says, or reported failed; what a report says was
// applied, was; and a second apply fixes the rest.
func TestNothingIsLostWhenCallsFail(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 120)
	for _, app := range fx.srv.Apps() {
		app.InjectFault("", liveconfigtest.Fault{Times: liveconfigtest.Always, Chance: 0.04, Code: 100001})
		app.InjectFault("", liveconfigtest.Fault{Times: liveconfigtest.Always, Chance: 0.03, Code: 100001, Apply: true})
		app.InjectFault("", liveconfigtest.Fault{Times: liveconfigtest.Always, Chance: 0.03, Drop: true, Apply: true})
	}
	f := fx.file(t, defaultCallback, func(i int) string { return fmt.Sprintf("    token: {token_env: TOKEN_%d}\n", i) })
	opts := fx.options()
	opts.Configure = func(app *fleet.App, cfg *liveconfig.Config) {
		fastRetries(app, cfg)
		cfg.Retry.MaxAttempts = 1 // every failure reaches the report
	}
	want := liveconfig.CallbackConfig{URL: "https://live.example.com/cb", Commands: []liveconfig.Command{roomCreated, roomDestroyed}}
	matches := func(i int) (callback, token bool) {
		app := fx.srv.Apps()[i]
		cb, ok := app.Callback()
		tok, tokOK := app.Token()
		return ok && cb.Equal(want), tokOK && tok == liveconfig.CallbackToken{Token: fmt.Sprintf("token-of-app-%d", i), Enabled: true}
	}

	report, err := fleet.Apply(context.Background(), f, opts)
	require.NoError(t, err)
	s := report.Summary()
	assert.Equal(t, s.Apps, s.Changed+s.Failed, "every app changed or failed: %+v", s)
	assert.Positive(t, s.Failed, "a tenth of the calls failed")
	for i, r := range report.Apps {
		cb, tok := matches(i)
		if r.Err == nil {
			assert.True(t, cb && tok, "%s is reported changed and is as the file says", r.Name)
		}
		if r.Callback.Applied {
			assert.True(t, cb, "%s: the callback reported applied is there", r.Name)
		}
		if r.Token.Applied {
			assert.True(t, tok, "%s: the token reported applied is there", r.Name)
		}
	}

	for _, app := range fx.srv.Apps() {
		app.ClearFaults()
	}
	fixed, err := fleet.Apply(context.Background(), f, opts)
	require.NoError(t, err)
	assert.Zero(t, fixed.Summary().Failed)
	for i := range report.Apps {
		cb, tok := matches(i)
		assert.True(t, cb && tok, "app-%d after the second apply", i)
	}
	writes := fx.writes()
	_, err = fleet.Apply(context.Background(), f, opts)
	require.NoError(t, err)
	assert.Equal(t, writes, fx.writes(), "and a third sends nothing")
}

func TestReportsHoldNoSecret(t *testing.T) {
	t.Parallel()
	fx, f := fiveCases(t)
	fx.srv.Apps()[1].InjectFault(liveconfig.OpSetCallbackToken, liveconfigtest.Fault{Code: 100002})
	for _, run := range []func(context.Context, *fleet.File, fleet.Options) (*fleet.Report, error){fleet.Plan, fleet.Apply} {
		report, err := run(context.Background(), f, fx.options())
		require.NoError(t, err)
		printed := fmt.Sprintf("%v %+v %#v", report, report, report)
		for _, r := range report.Apps {
			if r.Err != nil {
				printed += r.Err.Error()
			}
		}
		for name, secret := range fx.env {
			assert.NotContains(t, printed, secret, name)
		}
	}
}

func TestBadOptionsAreRefused(t *testing.T) {
	t.Parallel()
	fx, f := fiveCases(t)
	for _, opts := range []fleet.Options{{Parallel: -1}, {Parallel: fleet.MaxParallel + 1}, {AppTimeout: -1}} {
		_, err := fleet.Plan(context.Background(), f, opts)
		assert.Error(t, err)
	}
	assert.Empty(t, fx.srv.AllRequests())
	_, err := fleet.Plan(context.Background(), nil, fleet.Options{})
	assert.EqualError(t, err, "fleet: nil *File: pass what Load or Decode returned")
	_, err = fleet.Apply(context.Background(), nil, fleet.Options{})
	assert.Error(t, err)
}

// TestApplyMeetsAnotherWriter: a create that meets a configuration created since it was read, or an update
// that meets none, goes on as EnsureCallback does, rather than failing the app.
func TestApplyMeetsAnotherWriter(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 2)
	apps := fx.srv.Apps()
	apps[0].InjectFault(liveconfig.OpSetCallback, liveconfigtest.Fault{Code: 100300})
	apps[1].SetCallback(&liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{roomCreated}})
	apps[1].InjectFault(liveconfig.OpUpdateCallback, liveconfigtest.Fault{Code: 100301})
	f := fx.file(t, defaultCallback, func(int) string { return "" })
	report, err := fleet.Apply(context.Background(), f, fx.options())
	require.NoError(t, err)
	for i, r := range report.Apps {
		require.NoError(t, r.Err, r.Name)
		assert.True(t, r.Callback.Applied)
		got, ok := apps[i].Callback()
		assert.True(t, ok)
		assert.Equal(t, "https://live.example.com/cb", got.URL)
	}
	assert.Len(t, apps[0].RequestsTo(liveconfig.OpSetCallback), 2, "refused, then sent again after a new read")
	assert.Len(t, apps[1].RequestsTo(liveconfig.OpUpdateCallback), 2)
}

// stopAt is an Observer that calls stop when an attempt of op starts.
type stopAt struct {
	op   liveconfig.Op
	stop func()
}

func (o stopAt) CallStart(ctx context.Context, _ liveconfig.CallInfo) context.Context { return ctx }
func (o stopAt) AttemptStart(ctx context.Context, a liveconfig.AttemptInfo) context.Context {
	if a.Op == o.op {
		o.stop()
	}
	return ctx
}
func (o stopAt) AttemptEnd(context.Context, liveconfig.AttemptInfo) {}
func (o stopAt) CallEnd(context.Context, liveconfig.CallInfo)       {}
func (o stopAt) UserSigSigned(context.Context)                      {}
