package liveconfigtest

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/time/rate"

	"github.com/go-tuilive/liveconfig"
)

// Defaults of a Server's app.
const (
	DefaultSDKAppID   = 1400000001
	DefaultIdentifier = "administrator"
	DefaultRateLimit  = 200.0 // requests per second per app, as the real service allows
)

// Server is a fake of the v4/live_config API for one app, listening on 127.0.0.1. It is safe for
// concurrent use. Close it when done, or create it with New, which closes it when the test ends.
type Server struct {
	http       *httptest.Server
	sdkAppID   uint64
	identifier string
	secretKey  string
	now        func() time.Time
	limiter    *rate.Limiter        // nil when the server enforces no limit
	webhooks   *http.Client         // delivers webhooks; its own pool, closed with the server
	clients    []*liveconfig.Client // built by Client and NewClient; their idle connections close with the server
	inFlight   atomic.Int64         // requests being handled

	mu       sync.Mutex
	callback *liveconfig.CallbackConfig
	token    *liveconfig.CallbackToken
	requests []Request
	changes  []Change
	maxLog   int                        // how many requests are kept; 0 keeps all
	faults   map[liveconfig.Op][]*Fault // by endpoint; "" holds faults for any endpoint
	seq      uint64                     // numbers answers for their RequestId
}

// Option configures a Server.
type Option func(*options)

type options struct {
	sdkAppID   uint64
	identifier string
	secretKey  string
	rateLimit  float64
	now        func() time.Time
	listener   net.Listener
	maxLog     int
}

// WithSDKAppID sets the app's SDKAppID. Default DefaultSDKAppID.
func WithSDKAppID(id uint64) Option { return func(o *options) { o.sdkAppID = id } }

// WithIdentifier sets the administrator account the server accepts. Default DefaultIdentifier.
func WithIdentifier(identifier string) Option { return func(o *options) { o.identifier = identifier } }

// WithSecretKey sets the app's key, which UserSigs must be signed with. Default: 32 random bytes in hex,
// new for each server.
func WithSecretKey(key string) Option { return func(o *options) { o.secretKey = key } }

// WithRateLimit sets the requests per second the server allows before it answers 60007. Default
// DefaultRateLimit; zero or negative turns the limit off.
func WithRateLimit(perSecond float64) Option { return func(o *options) { o.rateLimit = perSecond } }

// WithClock sets the clock UserSigs are checked against and webhooks are stamped with. Default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithListener serves on l instead of a new listener on 127.0.0.1:0. The server closes l on Close.
func WithListener(l net.Listener) Option { return func(o *options) { o.listener = l } }

// WithRequestLogLimit keeps only the last n requests for Requests, so that a long run does not grow without
// bound. Default 0: every request is kept.
func WithRequestLogLimit(n int) Option { return func(o *options) { o.maxLog = max(n, 0) } }

// NewServer starts a fake with an empty app: no callback configuration and no token. Like httptest.NewServer
// it panics if it cannot listen.
func NewServer(opts ...Option) *Server {
	o := options{sdkAppID: DefaultSDKAppID, identifier: DefaultIdentifier, rateLimit: DefaultRateLimit, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	if o.secretKey == "" {
		o.secretKey = randomHex(32)
	}
	s := &Server{
		sdkAppID:   o.sdkAppID,
		identifier: o.identifier,
		secretKey:  o.secretKey,
		now:        o.now,
		faults:     map[liveconfig.Op][]*Fault{},
		maxLog:     o.maxLog,
		webhooks:   &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: deliveryTimeout},
	}
	if o.rateLimit > 0 {
		s.limiter = rate.NewLimiter(rate.Limit(o.rateLimit), max(1, int(o.rateLimit)))
	}
	s.http = httptest.NewUnstartedServer(http.HandlerFunc(s.serveHTTP))
	// Bound every phase of a connection, as a server open to other programs must: a client that sends its
	// request slowly, or goes quiet, cannot hold a connection. The write bound leaves room for Delay faults.
	s.http.Config.ReadHeaderTimeout = 10 * time.Second
	s.http.Config.ReadTimeout = 30 * time.Second
	s.http.Config.WriteTimeout = 5 * time.Minute
	s.http.Config.IdleTimeout = 2 * time.Minute
	if o.listener != nil {
		s.http.Listener.Close()
		s.http.Listener = o.listener
	}
	s.http.Start()
	return s
}

// New starts a fake like NewServer and closes it when t's test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// Close stops the server, waiting for requests in progress to finish, and closes its webhook connections and
// the idle connections of every client it built (Client, NewClient), as httptest.Server.Close does.
func (s *Server) Close() {
	s.http.Close()
	s.webhooks.CloseIdleConnections()
	s.mu.Lock()
	clients := s.clients
	s.clients = nil
	s.mu.Unlock()
	for _, c := range clients {
		c.CloseIdleConnections()
	}
}

// URL is the server's base URL, for liveconfig.Config.Endpoint, for example "http://127.0.0.1:41234".
func (s *Server) URL() string { return s.http.URL }

// SDKAppID is the app the server serves.
func (s *Server) SDKAppID() uint64 { return s.sdkAppID }

// Identifier is the administrator account the server accepts.
func (s *Server) Identifier() string { return s.identifier }

// SecretKey is the app's key. It is a test key: printing it is harmless.
func (s *Server) SecretKey() string { return s.secretKey }

// String names the server by its URL and app. Printed field by field, a Server would show its key and read
// its state without the lock while requests change it.
func (s *Server) String() string {
	return fmt.Sprintf("liveconfigtest.Server{URL:%q SDKAppID:%d}", s.URL(), s.sdkAppID)
}

// GoString is String, for %#v.
func (s *Server) GoString() string { return s.String() }

// Config returns a liveconfig.Config that points at the server, with retry waits shortened to milliseconds so
// that tests exercising retries stay fast. Change any field before calling liveconfig.NewClient.
func (s *Server) Config() liveconfig.Config {
	return liveconfig.Config{
		Endpoint:   s.URL(),
		SDKAppID:   s.sdkAppID,
		Identifier: s.identifier,
		SecretKey:  s.secretKey,
		Retry: liveconfig.RetryPolicy{
			BaseDelay: time.Millisecond, MaxDelay: 5 * time.Millisecond,
			RateLimitBaseDelay: time.Millisecond, RateLimitMaxDelay: 5 * time.Millisecond,
		},
	}
}

// Client returns a new liveconfig.Client built from Config. Close closes its idle connections.
func (s *Server) Client() *liveconfig.Client {
	c, err := s.NewClient(s.Config())
	if err != nil {
		panic("liveconfigtest: " + err.Error()) // Config is valid by construction
	}
	return c
}

// NewClient builds a liveconfig.Client from cfg, as liveconfig.NewClient does, for a test that changes some
// fields of Config first. Close closes its idle connections (those of cfg.HTTPClient too, which it shares).
func (s *Server) NewClient(cfg liveconfig.Config) (*liveconfig.Client, error) {
	c, err := liveconfig.NewClient(cfg)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.clients = append(s.clients, c)
	return c, nil
}

// Callback returns the stored callback configuration, and false when there is none.
func (s *Server) Callback() (liveconfig.CallbackConfig, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.callback == nil {
		return liveconfig.CallbackConfig{}, false
	}
	return cloneCallback(*s.callback), true
}

// Token returns the stored callback token configuration, and false when there is none.
func (s *Server) Token() (liveconfig.CallbackToken, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.token == nil {
		return liveconfig.CallbackToken{}, false
	}
	return *s.token, true
}

// SetCallback stores cfg as the callback configuration, as if set_callback had succeeded, without checking
// it. SetCallback(nil) removes it.
func (s *Server) SetCallback(cfg *liveconfig.CallbackConfig) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callback = nil
	if cfg != nil {
		c := cloneCallback(*cfg)
		s.callback = &c
	}
}

// SetToken stores t as the callback token configuration, without checking it. SetToken(nil) removes it.
func (s *Server) SetToken(t *liveconfig.CallbackToken) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.token = nil
	if t != nil {
		tok := *t
		s.token = &tok
	}
}

func cloneCallback(c liveconfig.CallbackConfig) liveconfig.CallbackConfig {
	c.Commands = slices.Clone(c.Commands)
	return c
}

// Request is one request the server received.
type Request struct {
	Op          liveconfig.Op   // the endpoint, for example liveconfig.OpSetCallback; the path for an unknown one
	Time        time.Time       // when it arrived, by the server's clock
	Random      uint32          // the random query parameter
	UserSigHash string          // the first 16 hex digits of the SHA-256 of the usersig: tells signatures apart without revealing them
	Body        json.RawMessage // the body as received; nil when the server refused the request before its endpoint (query, UserSig, rate limit, unknown path)
	Code        int             // the ErrorCode answered; -1 when a fault answered raw or dropped the connection
}

// Decode unmarshals the request's body into v.
func (r Request) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// RequestsTo returns the requests received so far for endpoint op, oldest first.
func (s *Server) RequestsTo(op liveconfig.Op) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Op == op {
			out = append(out, r)
		}
	}
	return out
}

// InFlight returns the number of requests the server is handling now. A request is recorded in Requests only
// when its answer is done, so InFlight is how a test sees one that a Fault.Delay holds.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// Change is one change the server applied to the app's state.
type Change struct {
	Seq  uint64          // 1 for the first change, then one more for each
	Op   liveconfig.Op   // the endpoint that made it
	Time time.Time       // by the server's clock
	Body json.RawMessage // the request body it applied
}

// Changes returns the changes applied so far, in the order the server applied them: every successful
// set_callback, update_callback, delete_callback, set_callback_token and delete_callback_token, including
// those applied by a Fault with Apply. A delete of nothing counts, as the real service reports it a success.
func (s *Server) Changes() []Change {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.changes)
}

// Reset forgets the callback configuration, the token, the requests received, the changes and the faults
// queued.
func (s *Server) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.callback, s.token, s.requests, s.changes = nil, nil, nil, nil
	s.faults = map[liveconfig.Op][]*Fault{}
}

func (s *Server) nextRequestID() string {
	s.mu.Lock()
	s.seq++
	n := s.seq
	s.mu.Unlock()
	return fmt.Sprintf("Id-%s-O-Seq-%d", randomHex(16), n)
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
