package liveconfigtest

import (
	"cmp"
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

	"github.com/go-tuilive/liveconfig"
)

// Defaults of a Server's first app.
const (
	DefaultSDKAppID   = 1400000001
	DefaultIdentifier = "administrator"
	DefaultRateLimit  = 200.0 // requests per second per app, as the real service allows
)

// primaryApp names the Server's first App where it is embedded, so that the field stays unexported while
// App's methods are the Server's.
type primaryApp = App

// Server is a fake of the v4/live_config API listening on 127.0.0.1. It serves one app, or several (WithApps,
// AddApp) on the one listener, telling them apart by the sdkappid of each request as the real service does.
// Every method of App is a method of Server too, for the Server's first app, so a test of one app reads
// srv.Callback(), srv.InjectFault(...), srv.Client(); AllRequests, AllRequestsTo and Reset cover every app. It
// is safe for concurrent use. Close it when done, or create it with New, which closes it when the test ends.
type Server struct {
	*primaryApp

	http     *httptest.Server
	now      func() time.Time
	webhooks *http.Client // delivers webhooks; its own pool, closed with the server
	inFlight atomic.Int64 // requests being handled
	seq      atomic.Uint64

	mu       sync.Mutex
	apps     map[uint64]*App
	order    []*App               // apps in the order they were added
	clients  []*liveconfig.Client // built by Client and NewClient; their idle connections close with the server
	requests []Request
	maxLog   int    // how many requests are kept; 0 keeps all
	recorded uint64 // requests recorded so far, kept or not: the last Seq
}

// Option configures a Server.
type Option func(*options)

type options struct {
	first    AppSpec
	more     []AppSpec
	now      func() time.Time
	listener net.Listener
	maxLog   int
	wrap     func(http.Handler) http.Handler
}

// WithSDKAppID sets the first app's SDKAppID. Default DefaultSDKAppID.
func WithSDKAppID(id uint64) Option { return func(o *options) { o.first.SDKAppID = id } }

// WithIdentifier sets the administrator account the first app accepts. Default DefaultIdentifier.
func WithIdentifier(identifier string) Option {
	return func(o *options) { o.first.Identifier = identifier }
}

// WithSecretKey sets the first app's key, which UserSigs must be signed with. Default: 32 random bytes in
// hex, new for each server.
func WithSecretKey(key string) Option { return func(o *options) { o.first.SecretKey = key } }

// WithRateLimit sets the requests per second the first app allows before it answers 60007. Default
// DefaultRateLimit; zero or negative turns the limit off.
func WithRateLimit(perSecond float64) Option {
	return func(o *options) {
		o.first.RateLimit = perSecond
		if perSecond == 0 {
			o.first.RateLimit = -1
		}
	}
}

// WithApps adds apps beside the first, each with its own credentials, state, rate limit and faults
// (SequentialApps makes many). An app given with the first app's SDKAppID (DefaultSDKAppID, unless
// WithSDKAppID says otherwise) is the first app, its spec's fields set over the first app's options, so
// WithApps(SequentialApps(DefaultSDKAppID, 30)...) serves 30 apps. NewServer panics when two apps have one
// SDKAppID otherwise, or one has none.
func WithApps(specs ...AppSpec) Option {
	return func(o *options) { o.more = append(o.more, specs...) }
}

// WithClock sets the clock UserSigs are checked against and webhooks are stamped with. Default time.Now.
func WithClock(now func() time.Time) Option { return func(o *options) { o.now = now } }

// WithListener serves on l instead of a new listener on 127.0.0.1:0. The server closes l on Close.
func WithListener(l net.Listener) Option { return func(o *options) { o.listener = l } }

// WithHandlerWrap serves the server's handler wrapped by wrap: for serving more beside the fake API on its
// listener, as liveconfig-fake serves its control API under /_fake/.
func WithHandlerWrap(wrap func(api http.Handler) http.Handler) Option {
	return func(o *options) { o.wrap = wrap }
}

// WithRequestLogLimit keeps only the last n requests for AllRequests, so that a long run does not grow without
// bound. Default 0: every request is kept.
func WithRequestLogLimit(n int) Option { return func(o *options) { o.maxLog = max(n, 0) } }

// NewServer starts a fake whose apps are empty: no callback configuration and no token. Like
// httptest.NewServer it panics if it cannot listen, and it panics for apps that WithApps describes wrongly.
func NewServer(opts ...Option) *Server {
	o := options{first: AppSpec{SDKAppID: DefaultSDKAppID}, now: time.Now}
	for _, opt := range opts {
		opt(&o)
	}
	s := &Server{
		now:      o.now,
		maxLog:   o.maxLog,
		apps:     map[uint64]*App{},
		webhooks: &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: deliveryTimeout},
	}
	for _, spec := range firstApp(o.first, o.more) {
		if _, err := s.AddApp(spec); err != nil {
			panic(err.Error())
		}
	}
	s.primaryApp = s.order[0]
	var h http.Handler = http.HandlerFunc(s.serveHTTP)
	if o.wrap != nil {
		h = o.wrap(h)
	}
	s.http = httptest.NewUnstartedServer(h)
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

// firstApp returns the specs of the apps to serve, first the first one: first, or the first of more with its
// SDKAppID, set over it.
func firstApp(first AppSpec, more []AppSpec) []AppSpec {
	for i, spec := range more {
		if spec.SDKAppID != first.SDKAppID {
			continue
		}
		first.Identifier = cmp.Or(spec.Identifier, first.Identifier)
		first.SecretKey = cmp.Or(spec.SecretKey, first.SecretKey)
		first.RateLimit = cmp.Or(spec.RateLimit, first.RateLimit)
		return append([]AppSpec{first}, slices.Delete(slices.Clone(more), i, i+1)...)
	}
	return append([]AppSpec{first}, more...)
}

// New starts a fake like NewServer and closes it when t's test ends.
func New(t testing.TB, opts ...Option) *Server {
	t.Helper()
	s := NewServer(opts...)
	t.Cleanup(s.Close)
	return s
}

// AddApp starts serving one more app, empty, and returns it. It returns an error when spec has no SDKAppID or
// the server serves that SDKAppID already.
func (s *Server) AddApp(spec AppSpec) (*App, error) {
	if spec.SDKAppID == 0 {
		return nil, fmt.Errorf("liveconfigtest: an app needs an SDKAppID")
	}
	app := newApp(s, spec)
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, taken := s.apps[spec.SDKAppID]; taken {
		return nil, fmt.Errorf("liveconfigtest: the server serves app %d already", spec.SDKAppID)
	}
	s.apps[spec.SDKAppID] = app
	s.order = append(s.order, app)
	return app, nil
}

// App returns the app with this SDKAppID, or nil when the server does not serve it.
func (s *Server) App(sdkAppID uint64) *App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.apps[sdkAppID]
}

// Apps returns every app the server serves, the first one first, then in the order they were added.
func (s *Server) Apps() []*App {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.order)
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

// String names the server by its URL and first app. Printed field by field, a Server would show its key and
// read its state without the lock while requests change it.
func (s *Server) String() string {
	return fmt.Sprintf("liveconfigtest.Server{URL:%q SDKAppID:%d}", s.URL(), s.sdkAppID)
}

// GoString is String, for %#v.
func (s *Server) GoString() string { return s.String() }

// Request is one request the server received.
type Request struct {
	Seq         uint64          // 1 for the server's first request, then one more for each (Reset included): a cursor for reading only newer ones
	SDKAppID    uint64          // the sdkappid query parameter; 0 when it is missing or not a number
	Op          liveconfig.Op   // the endpoint, for example liveconfig.OpSetCallback; the path for an unknown one
	Time        time.Time       // when it arrived, by the server's clock
	Random      uint32          // the random query parameter
	UserSigHash string          // the first 16 hex digits of the SHA-256 of the usersig: tells signatures apart without revealing them
	Body        json.RawMessage // the body as received; nil when the server refused the request before its endpoint (query, UserSig, rate limit, unknown path)
	Code        int             // the ErrorCode answered; -1 when a fault answered raw or dropped the connection
}

// Decode unmarshals the request's body into v.
func (r Request) Decode(v any) error { return json.Unmarshal(r.Body, v) }

// AllRequests returns the requests received so far, for every app and for none (an unknown SDKAppID), oldest
// first. Requests, like the Server's other methods of an App, gives its first app's.
func (s *Server) AllRequests() []Request {
	return s.requestsWhere(func(Request) bool { return true })
}

// AllRequestsTo returns the requests received so far for endpoint op, of every app, oldest first.
// RequestsTo gives its first app's.
func (s *Server) AllRequestsTo(op liveconfig.Op) []Request {
	return s.requestsWhere(func(r Request) bool { return r.Op == op })
}

func (s *Server) requestsWhere(keep func(Request) bool) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func (s *Server) record(rec Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.maxLog > 0 && len(s.requests) >= s.maxLog {
		s.requests = slices.Delete(s.requests, 0, len(s.requests)-s.maxLog+1)
	}
	s.recorded++
	rec.Seq = s.recorded
	s.requests = append(s.requests, rec)
}

// InFlight returns the number of requests the server is handling now, for every app. A request is recorded
// in Requests only when its answer is done, so InFlight is how a test sees one that a Fault.Delay holds.
func (s *Server) InFlight() int { return int(s.inFlight.Load()) }

// Reset forgets, for every app, the callback configuration, the token, the changes and the faults queued,
// and forgets the requests received.
func (s *Server) Reset() {
	for _, app := range s.Apps() {
		app.Reset()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

func (s *Server) nextRequestID() string {
	return fmt.Sprintf("Id-%s-O-Seq-%d", randomHex(16), s.seq.Add(1))
}

func randomHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
