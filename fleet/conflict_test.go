package fleet_test

import (
	"context"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
)

// otherWriter is an Observer that plays another writer: once, as the first attempt of op ends, it calls write,
// so that the change lands between this run's write (or read) and what follows it.
type otherWriter struct {
	op    liveconfig.Op
	write func()
	once  *sync.Once
}

func (o otherWriter) CallStart(ctx context.Context, _ liveconfig.CallInfo) context.Context {
	return ctx
}
func (o otherWriter) AttemptStart(ctx context.Context, _ liveconfig.AttemptInfo) context.Context {
	return ctx
}
func (o otherWriter) AttemptEnd(_ context.Context, a liveconfig.AttemptInfo) {
	if a.Op == o.op {
		o.once.Do(o.write)
	}
}
func (o otherWriter) CallEnd(context.Context, liveconfig.CallInfo) {}
func (o otherWriter) UserSigSigned(context.Context)                {}

// applyWithWriter applies f with another writer that acts after op on app 0.
func applyWithWriter(t *testing.T, fx *fixture, f *fleet.File, op liveconfig.Op, write func()) *fleet.Report {
	t.Helper()
	opts := fx.options()
	once := &sync.Once{}
	opts.Configure = func(app *fleet.App, cfg *liveconfig.Config) {
		if app.Name == "app-0" {
			cfg.Observer = otherWriter{op: op, write: write, once: once}
		}
	}
	report, err := fleet.Apply(context.Background(), f, opts)
	require.NoError(t, err)
	return report
}

// TestAWriteThatDidNotStickIsAConflict: another writer changes a part between this run's write and its
// read-back: the part is a conflict, with what is there now, the app fails with ErrConflict, and nothing is
// sent again.
func TestAWriteThatDidNotStickIsAConflict(t *testing.T) {
	t.Parallel()
	theirs := liveconfig.CallbackConfig{URL: "https://theirs.example/cb", Commands: []liveconfig.Command{roomDestroyed}}

	t.Run("callback", func(t *testing.T) {
		t.Parallel()
		fx := newFixture(t, 1)
		app := fx.srv.Apps()[0]
		f := fx.file(t, defaultCallback, func(int) string { return "" })
		report := applyWithWriter(t, fx, f, liveconfig.OpSetCallback, func() { app.SetCallback(&theirs) })
		r := report.Apps[0]
		require.ErrorIs(t, r.Err, fleet.ErrConflict)
		assert.True(t, r.Callback.Applied, "the write was accepted")
		assert.True(t, r.Callback.Conflict)
		require.NotNil(t, r.Callback.Now)
		assert.Equal(t, theirs.URL, r.Callback.Now.URL, "what is there now")
		assert.Len(t, app.RequestsTo(liveconfig.OpSetCallback), 1, "nothing retried")
		got, _ := app.Callback()
		assert.Equal(t, theirs.URL, got.URL, "the other writer's stays")
		assert.Equal(t, fleet.Summary{Apps: 1, Failed: 1}, report.Summary())
	})
	t.Run("token", func(t *testing.T) {
		t.Parallel()
		fx := newFixture(t, 1)
		app := fx.srv.Apps()[0]
		f := fx.file(t, "", func(int) string { return "    token: {token_env: TOKEN_0}\n" })
		report := applyWithWriter(t, fx, f, liveconfig.OpSetCallbackToken, func() {
			app.SetToken(&liveconfig.CallbackToken{Token: "their-token", Enabled: false})
		})
		r := report.Apps[0]
		require.ErrorIs(t, r.Err, fleet.ErrConflict)
		assert.True(t, r.Token.Applied)
		assert.True(t, r.Token.Conflict)
		require.NotNil(t, r.Token.EnabledNow)
		assert.False(t, *r.Token.EnabledNow)
		assert.NotContains(t, r.Err.Error(), "their-token")
		assert.Len(t, app.RequestsTo(liveconfig.OpSetCallbackToken), 1)
	})
	t.Run("delete", func(t *testing.T) {
		t.Parallel()
		fx := newFixture(t, 1)
		app := fx.srv.Apps()[0]
		app.SetCallback(&theirs)
		f := fx.file(t, "", func(int) string { return "    callback: absent\n" })
		report := applyWithWriter(t, fx, f, liveconfig.OpDeleteCallback, func() { app.SetCallback(&theirs) })
		r := report.Apps[0]
		require.ErrorIs(t, r.Err, fleet.ErrConflict)
		assert.True(t, r.Callback.Conflict)
		assert.Equal(t, theirs.URL, r.Callback.Now.URL)
	})
	t.Run("a write that sticks", func(t *testing.T) {
		t.Parallel()
		fx := newFixture(t, 1)
		f := fx.file(t, defaultCallback, func(int) string { return "    token: {token_env: TOKEN_0}\n" })
		report, err := fleet.Apply(context.Background(), f, fx.options())
		require.NoError(t, err)
		r := report.Apps[0]
		require.NoError(t, r.Err)
		assert.False(t, r.Callback.Conflict || r.Token.Conflict)
		app := fx.srv.Apps()[0]
		assert.Len(t, app.RequestsTo(liveconfig.OpGetCallback), 2, "read, then read back")
		assert.Len(t, app.RequestsTo(liveconfig.OpGetCallbackToken), 2)
	})
}

// TestACreateThatMeetsAConfigurationReportsTheUpdate: a configuration created by someone else after the read
// turns the create into an update, and the report says update, with what it changed.
func TestACreateThatMeetsAConfigurationReportsTheUpdate(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 1)
	app := fx.srv.Apps()[0]
	old := liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{roomCreated, liveconfig.CommandBeforeSendGift}}
	f := fx.file(t, defaultCallback, func(int) string { return "" })
	report := applyWithWriter(t, fx, f, liveconfig.OpGetCallback, func() { app.SetCallback(&old) })
	r := report.Apps[0]
	require.NoError(t, r.Err)
	assert.Equal(t, fleet.ActionUpdate, r.Callback.Action, "what was sent")
	assert.Equal(t, old.URL, r.Callback.From.URL)
	assert.Equal(t, []liveconfig.Command{roomDestroyed}, r.Callback.Added)
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandBeforeSendGift}, r.Callback.Removed)
	assert.True(t, r.Callback.Applied)
	assert.Len(t, app.RequestsTo(liveconfig.OpUpdateCallback), 1)
	got, _ := app.Callback()
	assert.Equal(t, "https://live.example.com/cb", got.URL)
}
