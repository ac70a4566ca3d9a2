package liveconfigtest

import (
	"encoding/json"
	"fmt"
	"slices"
	"sync"
	"time"

	"golang.org/x/time/rate"

	"github.com/go-tuilive/liveconfig"
)

// AppSpec describes one app a Server serves, for WithApps and Server.AddApp.
type AppSpec struct {
	// SDKAppID is the app's id. Required, and unique on one Server.
	SDKAppID uint64
	// Identifier is the administrator account the app accepts. Default DefaultIdentifier.
	Identifier string
	// SecretKey is the key UserSigs must be signed with. Default: 32 random bytes in hex, new for each app.
	SecretKey string
	// RateLimit is the requests per second the app allows before it answers 60007. 0 means
	// DefaultRateLimit; a negative value turns the limit off.
	RateLimit float64
}

// SequentialApps returns n specs with the SDKAppIDs first, first+1, ..., each with its own random key and the
// defaults otherwise: a fleet for WithApps.
func SequentialApps(first uint64, n int) []AppSpec {
	specs := make([]AppSpec, n)
	for i := range specs {
		specs[i] = AppSpec{SDKAppID: first + uint64(i)}
	}
	return specs
}

// App is one app of a Server: its credentials, its callback and token configuration, the changes made to
// them, its rate limit and its faults. Apps do not share any of these; they share the Server's listener,
// clock and request log. Get one from Server.App or Server.Apps; the Server's own methods of the same names
// are those of its first app. An App is safe for concurrent use.
type App struct {
	srv        *Server
	sdkAppID   uint64
	identifier string
	secretKey  string
	limiter    *rate.Limiter // nil when the app enforces no limit

	mu       sync.Mutex
	callback *liveconfig.CallbackConfig
	token    *liveconfig.CallbackToken
	changes  []Change
	// Deliver signs as before a token change for tokenLag after it (see SetTokenLag): with signedBefore
	// (nil: unsigned) until tokenChanged+tokenLag.
	tokenLag     time.Duration
	signedBefore *liveconfig.CallbackToken
	tokenChanged time.Time
	faults       map[liveconfig.Op][]*Fault // by endpoint; "" holds faults for any endpoint
}

func newApp(srv *Server, spec AppSpec) *App {
	a := &App{srv: srv, sdkAppID: spec.SDKAppID, identifier: spec.Identifier, secretKey: spec.SecretKey,
		faults: map[liveconfig.Op][]*Fault{}}
	if a.identifier == "" {
		a.identifier = DefaultIdentifier
	}
	if a.secretKey == "" {
		a.secretKey = randomHex(32)
	}
	limit := spec.RateLimit
	if limit == 0 {
		limit = DefaultRateLimit
	}
	if limit > 0 {
		a.limiter = rate.NewLimiter(rate.Limit(limit), max(1, int(limit)))
	}
	return a
}

// SDKAppID is the app's id.
func (a *App) SDKAppID() uint64 { return a.sdkAppID }

// Identifier is the administrator account the app accepts.
func (a *App) Identifier() string { return a.identifier }

// SecretKey is the app's key. It is a test key: printing it is harmless.
func (a *App) SecretKey() string { return a.secretKey }

// String names the app by its id and the Server's URL, without its key.
func (a *App) String() string {
	return fmt.Sprintf("liveconfigtest.App{URL:%q SDKAppID:%d}", a.srv.URL(), a.sdkAppID)
}

// GoString is String, for %#v.
func (a *App) GoString() string { return a.String() }

// Config returns a liveconfig.Config that points at the server for this app, with retry waits shortened to
// milliseconds so that tests exercising retries stay fast. Change any field before calling NewClient.
func (a *App) Config() liveconfig.Config {
	return liveconfig.Config{
		Endpoint:   a.srv.URL(),
		SDKAppID:   a.sdkAppID,
		Identifier: a.identifier,
		SecretKey:  a.secretKey,
		Retry: liveconfig.RetryPolicy{
			BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
			RateLimitBaseDelay: time.Millisecond, RateLimitMaxDelay: 5 * time.Millisecond,
		},
	}
}

// Client returns a new liveconfig.Client built from Config. Closing the Server closes its idle connections.
func (a *App) Client() *liveconfig.Client {
	c, err := a.NewClient(a.Config())
	if err != nil {
		panic("liveconfigtest: " + err.Error()) // Config is valid by construction
	}
	return c
}

// NewClient builds a liveconfig.Client from cfg, as liveconfig.NewClient does, for a test that changes some
// fields of Config first. Closing the Server closes its idle connections (those of cfg.HTTPClient too, which
// it shares).
func (a *App) NewClient(cfg liveconfig.Config) (*liveconfig.Client, error) {
	c, err := liveconfig.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	a.srv.mu.Lock()
	defer a.srv.mu.Unlock()
	a.srv.clients = append(a.srv.clients, c)
	return c, nil
}

// Callback returns the stored callback configuration, and false when there is none.
func (a *App) Callback() (liveconfig.CallbackConfig, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.callback == nil {
		return liveconfig.CallbackConfig{}, false
	}
	return cloneCallback(*a.callback), true
}

// Token returns the stored callback token configuration, and false when there is none.
func (a *App) Token() (liveconfig.CallbackToken, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.token == nil {
		return liveconfig.CallbackToken{}, false
	}
	return *a.token, true
}

// SetCallback stores cfg as the callback configuration, as if set_callback had succeeded, without checking
// it. SetCallback(nil) removes it.
func (a *App) SetCallback(cfg *liveconfig.CallbackConfig) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.callback = nil
	if cfg != nil {
		c := cloneCallback(*cfg)
		a.callback = &c
	}
}

// SetToken stores t as the callback token configuration, without checking it. SetToken(nil) removes it. It is
// in force at once, lag or not: SetTokenLag delays the changes made through the API, as Tencent's are.
func (a *App) SetToken(t *liveconfig.CallbackToken) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.token, a.signedBefore, a.tokenChanged = nil, nil, time.Time{}
	if t != nil {
		tok := *t
		a.token = &tok
	}
}

// SetTokenLag makes Deliver go on signing as it did before a change of the token through the API
// (set_callback_token, delete_callback_token) for lag after it, by the server's clock: with the old token, or
// unsigned if there was none or it was disabled. Tencent does the same while a new token spreads through its
// service, for a time it does not document. It serves to rehearse a rotation (webhook.Config.PreviousTokens)
// in a test. 0, the default, signs with the token in force at once. It applies to changes made after it is
// called.
func (a *App) SetTokenLag(lag time.Duration) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.tokenLag = max(lag, 0)
	a.signedBefore, a.tokenChanged = nil, time.Time{}
}

// setTokenLocked changes the token configuration as the API does, keeping what Deliver signed with until now
// for the lag.
func (a *App) setTokenLocked(tok *liveconfig.CallbackToken) {
	now := a.srv.now()
	a.signedBefore, a.tokenChanged = a.signingTokenLocked(now), now
	a.token = tok
}

// signingTokenLocked is the token Deliver signs with at now: the one in force, or during the lag after a
// change the one before it; nil when it sends unsigned.
func (a *App) signingTokenLocked(now time.Time) *liveconfig.CallbackToken {
	tok := a.token
	if a.tokenLag > 0 && now.Before(a.tokenChanged.Add(a.tokenLag)) {
		tok = a.signedBefore
	}
	if tok == nil || !tok.Enabled {
		return nil
	}
	return tok
}

func cloneCallback(c liveconfig.CallbackConfig) liveconfig.CallbackConfig {
	c.Commands = slices.Clone(c.Commands)
	return c
}

// Requests returns the requests received so far for this app (by their sdkappid), oldest first.
func (a *App) Requests() []Request {
	return a.srv.requestsWhere(func(r Request) bool { return r.SDKAppID == a.sdkAppID })
}

// RequestsTo returns the requests received so far for endpoint op of this app, oldest first.
func (a *App) RequestsTo(op liveconfig.Op) []Request {
	return a.srv.requestsWhere(func(r Request) bool { return r.SDKAppID == a.sdkAppID && r.Op == op })
}

// Change is one change the server applied to an app's state.
type Change struct {
	Seq  uint64          // 1 for the app's first change, then one more for each
	Op   liveconfig.Op   // the endpoint that made it
	Time time.Time       // by the server's clock
	Body json.RawMessage // the request body it applied
}

// Changes returns the changes applied to the app so far, in the order the server applied them: every
// successful set_callback, update_callback, delete_callback, set_callback_token and delete_callback_token,
// including those applied by a Fault with Apply. A delete of nothing counts, as the real service reports it a
// success.
func (a *App) Changes() []Change {
	a.mu.Lock()
	defer a.mu.Unlock()
	return slices.Clone(a.changes)
}

// Reset forgets the app's callback configuration, token, changes and queued faults.
func (a *App) Reset() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.callback, a.token, a.changes, a.signedBefore = nil, nil, nil, nil
	a.faults = map[liveconfig.Op][]*Fault{}
}
