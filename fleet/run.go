package fleet

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// Defaults of Options.
const (
	DefaultParallel   = 8
	DefaultAppTimeout = time.Minute
	MaxParallel       = 1024
)

// UserSigTTL is how long the UserSigs that Plan and Apply sign are valid, unless an app's AppTimeout is
// longer (then that). A run is minutes, so a UserSig that leaks by any road is worth minutes, not the
// hour of liveconfig.DefaultUserSigTTL.
const UserSigTTL = 5 * time.Minute

// Options say how Plan and Apply run. The zero value is ready to use.
type Options struct {
	// Parallel is how many apps are in flight at once: 0 means DefaultParallel (8), at most MaxParallel.
	// Each app's calls are made one after another.
	Parallel int
	// HTTPClient carries the requests of every app, so that all apps share its one connection pool per
	// host. Nil means a client on liveconfig.NewTransport with Parallel idle connections per host, whose idle
	// connections are closed when the run ends.
	HTTPClient *http.Client
	// Getenv looks up the environment variables that secret_key_env and token_env name. Through it a
	// variable that is set but empty reads as not set; LookupEnv tells the two apart.
	Getenv func(string) string
	// LookupEnv, when set, is used in place of Getenv, and a variable that is set but empty is then reported
	// as "is empty", one not set as "is not set". Both nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Configure, when set, is called with each app's liveconfig.Config before its Client is built, to set
	// what the file does not say: Logger, Observer, Retry, Timeout, a shared Limiter.
	Configure func(app *App, cfg *liveconfig.Config)
	// Progress, when set, is called once for each app as it is done, one call at a time, in the order the
	// apps finish; not for apps that were not started. A slow Progress slows the run.
	Progress func(AppReport)
	// AppTimeout bounds the calls of one app, all of them together. 0 means DefaultAppTimeout (1 minute).
	// It is the bound on how long an app in flight may go on once ctx has ended.
	AppTimeout time.Duration
	// AllowEndpoints are the endpoints an app's endpoint: may name besides the Tencent API hosts (https://
	// and a region's Host or BackupHost, on port 443): a fake, a proxy, a test server. Each is
	// scheme://host[:port][/path]; an endpoint is allowed when its scheme, host and port are the same (a
	// missing port is the scheme's default) and its path is the entry's or below it. A fleet file is data
	// that whoever can change it controls; where credentials go is for the caller to decide, so this list
	// never comes from the file. Nil allows the Tencent hosts only.
	AllowEndpoints []string
}

// Validate returns the error Plan and Apply would return for o, or nil.
func (o Options) Validate() error {
	_, err := o.allowances()
	switch {
	case err != nil:
		return err
	case o.Parallel < 0 || o.Parallel > MaxParallel:
		return fmt.Errorf("fleet: Options.Parallel must be from 1 to %d, not %d", MaxParallel, o.Parallel)
	case o.AppTimeout < 0:
		return fmt.Errorf("fleet: Options.AppTimeout must not be negative, not %v", o.AppTimeout)
	}
	return nil
}

func (o Options) allowances() ([]allowance, error) {
	out := make([]allowance, 0, len(o.AllowEndpoints))
	for i, s := range o.AllowEndpoints {
		a, err := parseAllowance(s)
		if err != nil {
			return nil, fmt.Errorf("fleet: Options.AllowEndpoints[%d]: %w", i, err)
		}
		out = append(out, a)
	}
	return out, nil
}

// userSigTTL is the validity of the UserSigs of an app: UserSigTTL, or AppTimeout when that is longer,
// within liveconfig's bounds.
func (o Options) userSigTTL() time.Duration {
	return min(max(UserSigTTL, o.AppTimeout), liveconfig.MaxUserSigTTL)
}

// Plan reads the callback configuration and token of every app of f, both at once, and reports what Apply
// would do. It sends no change. The error is for a nil f, bad Options, or an app whose endpoint is not allowed
// (ErrEndpointNotAllowed, see Options.AllowEndpoints), and then nothing was read or sent for any app; each
// app's own failure is in its AppReport. Each app's UserSig is valid for UserSigTTL (5 minutes) unless
// Configure sets another.
//
// When ctx ends, no further app is started (their Err is ErrNotStarted), and an app in flight stops after the
// call it is making, which is not cancelled but bounded by AppTimeout. Report.Interrupted then says so.
func Plan(ctx context.Context, f *File, opts Options) (*Report, error) {
	return run(ctx, f, opts, false)
}

// Apply makes every app of f match it, and reports what it did. For each app it reads both parts, as Plan
// does, then sends the changes, one after another: a token that is new or changed before the callback configuration (so that
// the first webhook is signed), and on removal the callback configuration before the token. A create that
// meets a configuration someone else created meanwhile, or an update that meets none, reads the part again
// and sends what it now takes (the report then says update, or create). After each change it reads the part
// back: if it is not what was written, another writer changed it in between (the API has no compare-and-set),
// and the part is a Conflict with what is there Now, the app's Err matches ErrConflict, and nothing is
// retried. One app's failure never stops another. An app whose parts already match sends
// nothing, so a second Apply sends no change. Its error, its UserSigs and the end of ctx are as for Plan; an
// app stopped in flight has ErrStopped, and its parts say what was applied.
func Apply(ctx context.Context, f *File, opts Options) (*Report, error) {
	return run(ctx, f, opts, true)
}

// runner is one run of Plan or Apply.
type runner struct {
	opts  Options
	http  *http.Client
	apply bool
}

func run(ctx context.Context, f *File, opts Options, apply bool) (*Report, error) {
	if f == nil {
		return nil, errors.New("fleet: nil *File: pass what Load or Decode returned")
	}
	if err := opts.Validate(); err != nil {
		return nil, err
	}
	allowed, _ := opts.allowances()
	if err := checkEndpoints(f, allowed); err != nil { // before any secret is read
		return nil, err
	}
	if opts.Parallel == 0 {
		opts.Parallel = DefaultParallel
	}
	if opts.AppTimeout == 0 {
		opts.AppTimeout = DefaultAppTimeout
	}
	r := &runner{opts: opts, http: opts.HTTPClient, apply: apply}
	if r.http == nil {
		t := liveconfig.NewTransport()
		t.MaxIdleConnsPerHost = max(t.MaxIdleConnsPerHost, opts.Parallel)
		t.MaxIdleConns = max(t.MaxIdleConns, opts.Parallel)
		r.http = &http.Client{Transport: t}
		defer r.http.CloseIdleConnections()
	}

	report := &Report{Apps: make([]AppReport, len(f.Apps)), Applied: apply}
	jobs := make(chan int)
	done := make(chan int)
	go func() {
		defer close(jobs)
		for i := range f.Apps {
			if ctx.Err() != nil {
				return
			}
			select {
			case jobs <- i:
			case <-ctx.Done():
				return
			}
		}
	}()
	var workers sync.WaitGroup
	for range min(opts.Parallel, len(f.Apps)) {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for i := range jobs {
				report.Apps[i] = r.app(ctx, &f.Apps[i])
				done <- i
			}
		}()
	}
	go func() {
		workers.Wait()
		close(done)
	}()
	finished := make([]bool, len(f.Apps))
	for i := range done {
		finished[i] = true
		if opts.Progress != nil && !errors.Is(report.Apps[i].Err, ErrNotStarted) {
			opts.Progress(report.Apps[i])
		}
	}
	for i := range f.Apps {
		if !finished[i] {
			report.Apps[i] = notStarted(&f.Apps[i])
		}
		if errors.Is(report.Apps[i].Err, ErrNotStarted) || errors.Is(report.Apps[i].Err, ErrStopped) {
			report.Interrupted = true
		}
	}
	return report, nil
}

// newReport is the report of an app before anything is known of it.
func newReport(app *App) AppReport {
	return AppReport{Name: app.Name, SDKAppID: app.SDKAppID,
		Callback: CallbackChange{Action: ActionUnknown}, Token: TokenChange{Action: ActionUnknown}}
}

func notStarted(app *App) AppReport {
	rep := newReport(app)
	rep.Err = ErrNotStarted
	return rep
}

// app plans, and with Apply carries out, one app. stop is the run's ctx: once it ends, no further call is
// made; the call in flight goes on, bounded by AppTimeout.
func (r *runner) app(stop context.Context, app *App) AppReport {
	rep := newReport(app)
	key, err := r.secret(app.SecretKey)
	if err != nil {
		rep.Err = forApp(err, app.Name, "secret key")
		return rep
	}
	var tokenValue string
	if app.Token.Want == Present {
		if tokenValue, err = r.secret(app.Token.Value); err != nil {
			rep.Err = forApp(err, app.Name, "token")
			return rep
		}
		if err := (liveconfig.CallbackToken{Token: tokenValue}).Validate(); err != nil {
			rep.Err = fmt.Errorf("fleet: %s: the token in the %s: %w", app.Name, app.Token.Value, err) // never the value
			return rep
		}
	}
	cfg := app.config(key)
	cfg.HTTPClient = r.http
	cfg.UserSigTTL = r.opts.userSigTTL()
	if r.opts.Configure != nil {
		r.opts.Configure(app, &cfg)
	}
	client, err := liveconfig.NewClient(cfg)
	if err != nil {
		rep.Err = err
		return rep
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(stop), r.opts.AppTimeout)
	defer cancel()
	calls := 0
	// call makes one call unless the run was stopped; it reports whether the app may go on.
	call := func(do func(context.Context) error) bool {
		if stop.Err() != nil {
			rep.Err = ErrStopped
			if calls == 0 {
				rep.Err = ErrNotStarted
			}
			return false
		}
		calls++
		rep.Err = do(ctx)
		return rep.Err == nil
	}

	var found *liveconfig.CallbackConfig
	var token *liveconfig.CallbackToken
	// The two reads go out together: neither needs the other, and the app is done sooner.
	if !call(func(ctx context.Context) error {
		var callbackErr, tokenErr error
		var read sync.WaitGroup
		read.Add(1)
		go func() {
			defer read.Done()
			found, callbackErr = client.GetCallback(ctx)
			callbackErr = ignore(callbackErr, liveconfig.ErrCallbackNotFound)
		}()
		token, tokenErr = client.GetCallbackToken(ctx)
		read.Wait()
		return cmp.Or(callbackErr, ignore(tokenErr, liveconfig.ErrTokenNotFound))
	}) {
		return rep
	}
	rep.Callback = planCallback(app.Callback, found)
	rep.Token = planToken(app.Token, tokenValue, token)
	if !r.apply {
		return rep
	}

	wantToken := liveconfig.CallbackToken{Token: tokenValue, Enabled: app.Token.Enabled}
	setToken := func(ctx context.Context) error {
		res, err := writeToken(ctx, client, rep.Token.Action, wantToken)
		if rep.Token.Applied = record(&rep, res, err); err != nil {
			return err
		}
		return readBackToken(ctx, client, app.Name, &rep.Token, wantToken)
	}
	setCallback := func(ctx context.Context) error {
		res, err := writeCallback(ctx, client, &rep.Callback, app.Callback)
		if rep.Callback.Applied = record(&rep, res, err); err != nil || !rep.Callback.Action.Changes() {
			return err
		}
		return readBackCallback(ctx, client, app.Name, &rep.Callback)
	}
	var steps []func(context.Context) error
	tokenFirst := rep.Token.Action == ActionCreate || rep.Token.Action == ActionUpdate // the first webhook is signed
	if tokenFirst {
		steps = append(steps, setToken)
	}
	if rep.Callback.Action.Changes() {
		steps = append(steps, setCallback)
	}
	if rep.Token.Action == ActionDelete { // on removal, the callback first
		steps = append(steps, setToken)
	}
	for _, step := range steps {
		if !call(step) {
			return rep
		}
	}
	return rep
}

// secret reads s through LookupEnv, else Getenv, else the process's environment.
func (r *runner) secret(s Secret) (string, error) {
	if r.opts.LookupEnv == nil && r.opts.Getenv != nil {
		return s.Read(r.opts.Getenv)
	}
	return s.Lookup(r.opts.LookupEnv)
}

// record notes the request id of a change that was made, and reports whether one was.
func record(rep *AppReport, res *liveconfig.Result, err error) bool {
	if err != nil || res == nil {
		return false
	}
	if res.RequestID != "" {
		rep.RequestIDs = append(rep.RequestIDs, res.RequestID)
	}
	return true
}

// writeCallback sends the change ch.Action stands for; a nil Result and error mean there was nothing to send.
// A create that meets a configuration someone else created since it was read, or an update that meets none
// since, reads the part again and sends what it now takes, once, and ch then says what was sent: an update
// (with what it changed), a create, or none.
func writeCallback(ctx context.Context, c *liveconfig.Client, ch *CallbackChange, spec CallbackSpec) (*liveconfig.Result, error) {
	send := func() (*liveconfig.Result, error) {
		switch ch.Action {
		case ActionCreate:
			return c.CreateCallback(ctx, spec.Config)
		case ActionUpdate:
			return c.UpdateCallback(ctx, spec.Config)
		case ActionDelete:
			return c.DeleteCallback(ctx)
		}
		return nil, nil
	}
	res, err := send()
	if !errors.Is(err, liveconfig.ErrCallbackExists) && !errors.Is(err, liveconfig.ErrCallbackNotFound) || ch.Action == ActionDelete {
		return res, err
	}
	found, readErr := c.GetCallback(ctx)
	if readErr = ignore(readErr, liveconfig.ErrCallbackNotFound); readErr != nil {
		return nil, readErr
	}
	*ch = planCallback(spec, found)
	return send()
}

// readBackCallback reads the configuration back after ch's change was made, and reports a conflict when it
// is not what was written.
func readBackCallback(ctx context.Context, c *liveconfig.Client, app string, ch *CallbackChange) error {
	found, err := c.GetCallback(ctx)
	if err = ignore(err, liveconfig.ErrCallbackNotFound); err != nil {
		return fmt.Errorf("fleet: %s: reading the callback configuration back: %w", app, err)
	}
	if found == nil && ch.To == nil || found != nil && ch.To != nil && found.Equal(*ch.To) {
		return nil
	}
	ch.Conflict, ch.Now = true, found
	return fmt.Errorf("fleet: %s: callback: %w", app, ErrConflict)
}

// readBackToken reads the token back after ch's change was made, and reports a conflict when it is not what
// was written (want, or none after a delete).
func readBackToken(ctx context.Context, c *liveconfig.Client, app string, ch *TokenChange, want liveconfig.CallbackToken) error {
	found, err := c.GetCallbackToken(ctx)
	if err = ignore(err, liveconfig.ErrTokenNotFound); err != nil {
		return fmt.Errorf("fleet: %s: reading the token back: %w", app, err)
	}
	deleted := ch.Action == ActionDelete
	if deleted && found == nil || !deleted && found != nil && *found == want {
		return nil
	}
	ch.Conflict = true
	if found != nil {
		ch.EnabledNow = &found.Enabled
	}
	return fmt.Errorf("fleet: %s: token: %w", app, ErrConflict)
}

// writeToken sends the change action stands for; a nil Result and error mean there was nothing to send.
func writeToken(ctx context.Context, c *liveconfig.Client, action Action, t liveconfig.CallbackToken) (*liveconfig.Result, error) {
	switch action {
	case ActionCreate, ActionUpdate:
		return c.SetCallbackToken(ctx, t)
	case ActionDelete:
		return c.DeleteCallbackToken(ctx)
	}
	return nil, nil
}

// ignore returns nil for an error that matches expected: a part that does not exist is a finding, not a
// failure.
func ignore(err, expected error) error {
	if errors.Is(err, expected) {
		return nil
	}
	return err
}

// forApp names the app and the secret in a SecretError.
func forApp(err error, app, what string) error {
	var se *SecretError
	if errors.As(err, &se) {
		named := *se
		named.App, named.What = app, what
		return &named
	}
	return err
}
