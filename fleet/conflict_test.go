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

// observers passes each event to every one of its Observers, in order.
type observers []otherWriter

func (os observers) CallStart(ctx context.Context, _ liveconfig.CallInfo) context.Context { return ctx }
func (os observers) AttemptStart(ctx context.Context, _ liveconfig.AttemptInfo) context.Context {
	return ctx
}
func (os observers) AttemptEnd(ctx context.Context, a liveconfig.AttemptInfo) {
	for _, o := range os {
		o.AttemptEnd(ctx, a)
	}
}
func (os observers) CallEnd(context.Context, liveconfig.CallInfo) {}
func (os observers) UserSigSigned(context.Context)                {}

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

// TestOfTwoRacingAppliesTheLoserIsTold: two applies of files that differ in the callback URL, at once over 30
// apps, meeting app by app after their reads and again after their updates, so that both updates land before
// either read-back: for every app, exactly one run is told of a conflict, and the other's URL is the one that
// stuck. (A write undone after its own read-back cannot be seen by that run: the read-back tells what was there
// once the write was made.)
func TestOfTwoRacingAppliesTheLoserIsTold(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 30)
	for _, app := range fx.srv.Apps() {
		// Both update (a create could meet the other's and read again, which would put its write later).
		app.SetCallback(&liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{roomCreated}})
	}
	file := func(url string) *fleet.File {
		return fx.file(t, "  callback:\n    url: "+url+"\n    commands: [Live.CallbackAfterCreateRoom]\n", func(int) string { return "" })
	}
	urls := []string{"https://a.example/cb", "https://b.example/cb"}
	// The two runs meet app by app however their starts are spread (signing, the race detector): after each
	// one's first read, and after each one's update has been answered, so both updates are in before either
	// run reads back.
	type meetings struct{ read, written *sync.WaitGroup }
	met := map[string]meetings{}
	for _, app := range fx.file(t, "", func(int) string { return "" }).Apps {
		m := meetings{read: &sync.WaitGroup{}, written: &sync.WaitGroup{}}
		m.read.Add(2)
		m.written.Add(2)
		met[app.Name] = m
	}
	reports := make([]*fleet.Report, 2)
	var wg sync.WaitGroup
	for i, url := range urls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			opts := fx.options()
			opts.Parallel = 30
			opts.Configure = func(app *fleet.App, cfg *liveconfig.Config) {
				m := met[app.Name]
				cfg.Observer = observers{
					otherWriter{op: liveconfig.OpGetCallback, once: &sync.Once{}, write: func() { m.read.Done(); m.read.Wait() }},
					otherWriter{op: liveconfig.OpUpdateCallback, once: &sync.Once{}, write: func() { m.written.Done(); m.written.Wait() }},
				}
			}
			var err error
			reports[i], err = fleet.Apply(context.Background(), file(url), opts)
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	for i, app := range fx.srv.Apps() {
		got, ok := app.Callback()
		require.True(t, ok)
		a, b := reports[0].Apps[i], reports[1].Apps[i]
		require.NotEqual(t, a.Callback.Conflict, b.Callback.Conflict, "%s: exactly one run is told (a: %v, b: %v)", a.Name, a.Err, b.Err)
		winner, loser := a, b
		if a.Callback.Conflict {
			winner, loser = b, a
		}
		assert.NoError(t, winner.Err)
		assert.Equal(t, winner.Callback.To.URL, got.URL, "%s: the URL of the run not told is the one that stuck", a.Name)
		assert.ErrorIs(t, loser.Err, fleet.ErrConflict)
		assert.Equal(t, got.URL, loser.Callback.Now.URL)
	}
}
