package liveconfig_test

import (
	"context"
	"crypto/tls"
	"encoding/json"
	"io"
	"log"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// bodyFields decodes a request body into its top-level fields.
func bodyFields(t *testing.T, r liveconfigtest.Request) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, r.Decode(&m))
	return m
}

func TestCallbackLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	ctx := testCtx(t)

	res, err := c.CreateCallback(ctx, roomEvents)
	require.NoError(t, err)
	assert.True(t, res.Changed)
	assert.Regexp(t, `^Id-[0-9a-f]{32}-O-Seq-\d+$`, res.RequestID)
	stored, ok := srv.Callback()
	require.True(t, ok)
	assert.Equal(t, roomEvents, stored)
	assert.Equal(t, map[string]any{
		"Url":                 roomEvents.URL,
		"CallbackCommandList": []any{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom", "Live.CallbackAfterMemberStateChanged"},
	}, bodyFields(t, srv.AllRequestsTo(liveconfig.OpSetCallback)[0]))

	got, err := c.GetCallback(ctx)
	require.NoError(t, err)
	assert.Equal(t, &roomEvents, got)

	updated := liveconfig.CallbackConfig{URL: "http://10.0.0.7:8080/cb", Commands: []liveconfig.Command{liveconfig.CommandBeforeSendGift}}
	_, err = c.UpdateCallback(ctx, updated)
	require.NoError(t, err)
	stored, _ = srv.Callback()
	assert.Equal(t, updated, stored)
	assert.Equal(t, map[string]any{"Url": updated.URL, "CallbackCommandList": []any{"Live.CallbackBeforeSendGift"}},
		bodyFields(t, srv.AllRequestsTo(liveconfig.OpUpdateCallback)[0]))

	res, err = c.DeleteCallback(ctx)
	require.NoError(t, err)
	assert.True(t, res.Changed)
	_, ok = srv.Callback()
	assert.False(t, ok)

	_, err = c.GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound)
	_, err = c.UpdateCallback(ctx, updated)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound)

	for _, op := range []liveconfig.Op{liveconfig.OpGetCallback, liveconfig.OpDeleteCallback} {
		assert.JSONEq(t, `{}`, string(srv.AllRequestsTo(op)[0].Body), "%s sends {} as its body", op)
	}
}

func TestTokenLifecycle(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	ctx := testCtx(t)

	_, err := c.GetCallbackToken(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrTokenNotFound)

	_, err = c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "s3cret-token", Enabled: true})
	require.NoError(t, err)
	assert.Equal(t, map[string]any{"Token": "s3cret-token", "IsTokenEnable": true},
		bodyFields(t, srv.AllRequestsTo(liveconfig.OpSetCallbackToken)[0]))
	tok, err := c.GetCallbackToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, &liveconfig.CallbackToken{Token: "s3cret-token", Enabled: true}, tok)

	_, err = c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "s3cret-token", Enabled: false})
	require.NoError(t, err)
	stored, _ := srv.Token()
	assert.False(t, stored.Enabled)

	_, err = c.DeleteCallbackToken(ctx)
	require.NoError(t, err)
	_, ok := srv.Token()
	assert.False(t, ok)
	assert.JSONEq(t, `{}`, string(srv.AllRequestsTo(liveconfig.OpDeleteCallbackToken)[0].Body))
	assert.JSONEq(t, `{}`, string(srv.AllRequestsTo(liveconfig.OpGetCallbackToken)[0].Body))
}

func TestDuplicateCommandsAreSentOnce(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	cfg := liveconfig.CallbackConfig{URL: "https://example.com/cb", Commands: []liveconfig.Command{
		liveconfig.CommandAfterCreateRoom, "Live.CallbackAfterSomethingNew", liveconfig.CommandAfterCreateRoom,
	}}
	_, err := c.CreateCallback(testCtx(t), cfg)
	require.NoError(t, err)
	assert.Equal(t, []any{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterSomethingNew"},
		bodyFields(t, srv.AllRequestsTo(liveconfig.OpSetCallback)[0])["CallbackCommandList"],
		"a well-formed unknown word is sent; the duplicate is not")
}

// TestRequestShape checks with a bare server what the fake's strictness also enforces: POST to the endpoint's
// path, exactly the five query parameters, a JSON content type, and a JSON body.
func TestRequestShape(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var body []byte
	bare := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r.Clone(r.Context())
		body = make([]byte, r.ContentLength)
		r.Body.Read(body)
		w.Write([]byte(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"Id-1"}`))
	}))
	t.Cleanup(bare.Close)
	c, err := liveconfig.NewClient(liveconfig.Config{Endpoint: bare.URL + "/", SDKAppID: 3000000001, Identifier: "admin", SecretKey: "k"})
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)

	_, err = c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, http.MethodPost, got.Method)
	assert.Equal(t, "/v4/live_config/delete_callback", got.URL.Path)
	q := got.URL.Query()
	assert.Len(t, q, 5)
	assert.Equal(t, "3000000001", q.Get("sdkappid"), "SDKAppIDs above 2^31 are sent whole")
	assert.Equal(t, "admin", q.Get("identifier"))
	assert.Equal(t, "json", q.Get("contenttype"))
	assert.NotEmpty(t, q.Get("usersig"))
	assert.Regexp(t, `^\d{1,10}$`, q.Get("random"))
	assert.Equal(t, "application/json", got.Header.Get("Content-Type"))
	assert.Equal(t, "liveconfig-go/"+liveconfig.Version, got.Header.Get("User-Agent"))
	assert.JSONEq(t, `{}`, string(body))
}

// TestCallerCookieJarKeepsRequestsApart runs concurrent calls through a caller's http.Client whose cookie jar
// writes into every request's header: each request must have a header of its own (run it with -race).
func TestCallerCookieJarKeepsRequestsApart(t *testing.T) {
	t.Parallel()
	var withCookie, withAgent atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if c, err := r.Cookie("session"); err == nil && c.Value == "s1" && len(r.Cookies()) == 1 {
			withCookie.Add(1)
		}
		if r.Header.Values("User-Agent")[0] == "liveconfig-go/"+liveconfig.Version && len(r.Header.Values("Content-Type")) == 1 {
			withAgent.Add(1)
		}
		w.Write([]byte(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"Id-1"}`))
	}))
	t.Cleanup(srv.Close)
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	u, err := url.Parse(srv.URL)
	require.NoError(t, err)
	jar.SetCookies(u, []*http.Cookie{{Name: "session", Value: "s1"}})
	c, err := liveconfig.NewClient(liveconfig.Config{Endpoint: srv.URL, SDKAppID: 1, Identifier: "admin", SecretKey: "k",
		RateLimit: -1, HTTPClient: &http.Client{Jar: jar}})
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)

	const calls = 40
	var wg sync.WaitGroup
	for range calls {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.DeleteCallback(testCtx(t))
			assert.NoError(t, err)
		}()
	}
	wg.Wait()
	assert.EqualValues(t, calls, withCookie.Load(), "every request carries the jar's cookie exactly once")
	assert.EqualValues(t, calls, withAgent.Load(), "every request carries one User-Agent and one Content-Type")
	http.DefaultTransport.(*http.Transport).CloseIdleConnections()
}

func TestEveryAttemptHasAFreshRandomAndTheCachedUserSig(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	signed := liveconfig.CountUserSigSigning(c)
	srv.InjectFault(liveconfig.OpGetCallbackToken, liveconfigtest.Fault{Code: 100001, Times: 2})
	srv.SetToken(&liveconfig.CallbackToken{Token: "t", Enabled: true})

	for range 3 {
		_, err := c.GetCallbackToken(testCtx(t))
		require.NoError(t, err)
	}
	reqs := srv.AllRequests()
	require.Len(t, reqs, 5, "two failed attempts, then three successes")
	randoms := map[uint32]bool{}
	for _, r := range reqs {
		randoms[r.Random] = true
		assert.Equal(t, reqs[0].UserSigHash, r.UserSigHash)
	}
	assert.Len(t, randoms, 5)
	assert.EqualValues(t, 1, signed.Load(), "one UserSig serves every call")
}

func TestUserSigIsRenewedBeforeExpiry(t *testing.T) {
	t.Parallel()
	_, c := setup(t, func(cfg *liveconfig.Config) { cfg.UserSigTTL = time.Hour })
	var now atomic.Pointer[time.Time]
	start := time.Now()
	now.Store(&start)
	liveconfig.SetUserSigClock(c, func() time.Time { return *now.Load() })
	signed := liveconfig.CountUserSigSigning(c)
	ctx := testCtx(t)

	call := func() {
		_, err := c.DeleteCallback(ctx)
		require.NoError(t, err)
	}
	call()
	later := start.Add(49 * time.Minute) // inside the hour, before the 10-minute safety margin
	now.Store(&later)
	call()
	assert.EqualValues(t, 1, signed.Load())

	later = start.Add(51 * time.Minute) // within the margin of expiry
	now.Store(&later)
	call()
	call()
	assert.EqualValues(t, 2, signed.Load())
}

func TestConcurrentCallsShareOneClient(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, func(cfg *liveconfig.Config) { cfg.RateLimit = -1 }, liveconfigtest.WithRateLimit(0))
	signed := liveconfig.CountUserSigSigning(c)
	srv.SetCallback(&roomEvents)
	ctx := testCtx(t)

	const goroutines, calls = 16, 25
	var wg sync.WaitGroup
	errs := make(chan error, goroutines*calls)
	for range goroutines {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range calls {
				got, err := c.GetCallback(ctx)
				if err == nil && !got.Equal(roomEvents) {
					t.Errorf("got %v", got)
				}
				errs <- err
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	assert.EqualValues(t, 1, signed.Load(), "concurrent first calls sign once")
	assert.Len(t, srv.AllRequests(), goroutines*calls)
}

// TestCallerHTTPClientIsUsedAndNotMutated gives the Client a caller's http.Client with and without a Transport
// of its own: the caller's Transport carries the request, and the caller's client is left as it was.
func TestCallerHTTPClientIsUsedAndNotMutated(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	tr := &countingTransport{next: http.DefaultTransport.(*http.Transport).Clone()}
	t.Cleanup(tr.next.(*http.Transport).CloseIdleConnections)
	t.Cleanup(http.DefaultTransport.(*http.Transport).CloseIdleConnections)
	for _, hc := range []*http.Client{{}, {Transport: tr, Timeout: time.Hour}} {
		before := *hc
		cfg := srv.Config()
		cfg.HTTPClient = hc
		c, err := liveconfig.NewClient(cfg)
		require.NoError(t, err)
		_, err = c.DeleteCallback(testCtx(t))
		require.NoError(t, err)
		assert.True(t, before.Transport == hc.Transport, "the caller's Transport is left as it was")
		assert.Nil(t, hc.CheckRedirect, "the caller's redirect policy is left alone")
		assert.Nil(t, hc.Jar)
		assert.Equal(t, before.Timeout, hc.Timeout)
	}
	assert.Equal(t, 1, tr.attempts, "the request went through the caller's Transport")
}

func TestRedirectsAreNotFollowed(t *testing.T) {
	t.Parallel()
	var followed atomic.Int32
	target := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { followed.Add(1) }))
	t.Cleanup(target.Close)
	redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+r.URL.RequestURI(), http.StatusTemporaryRedirect)
	}))
	t.Cleanup(redirector.Close)
	c, err := liveconfig.NewClient(liveconfig.Config{Endpoint: redirector.URL, SDKAppID: 1, Identifier: "admin", SecretKey: "k"})
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)

	_, err = c.DeleteCallback(testCtx(t))
	var respErr *liveconfig.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, http.StatusTemporaryRedirect, respErr.StatusCode)
	assert.Zero(t, followed.Load())
}

func TestEnvelopeIsDecodedWhateverTheContentType(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{
		ContentType: "text/plain",
		Body:        []byte(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"Id-x","Response":{"Url":"https://a.example/cb","CallbackCommandList":["Live.CallbackAfterCreateRoom"]}}`),
	}})
	got, err := c.GetCallback(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, "https://a.example/cb", got.URL)
}

func TestGetCallbackWithNullCommandListGivesEmptySlice(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	body, _ := json.Marshal(map[string]any{"ActionStatus": "OK", "ErrorCode": 0, "RequestId": "Id-y",
		"Response": map[string]any{"Url": "https://a.example/cb", "CallbackCommandList": nil}})
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: body}})
	got, err := c.GetCallback(testCtx(t))
	require.NoError(t, err)
	assert.NotNil(t, got.Commands)
	assert.Empty(t, got.Commands)
}

func TestTLSIsVerified(t *testing.T) {
	t.Parallel()
	tlsServer := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Write([]byte(`{"ActionStatus":"OK","ErrorCode":0,"RequestId":"Id-tls"}`))
	}))
	tlsServer.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake is the point
	t.Cleanup(tlsServer.Close)
	cfg := liveconfig.Config{Endpoint: tlsServer.URL, SDKAppID: 1, Identifier: "admin", SecretKey: "k", Retry: liveconfig.RetryPolicy{MaxAttempts: 1}}

	c, err := liveconfig.NewClient(cfg)
	require.NoError(t, err)
	_, err = c.DeleteCallback(testCtx(t))
	assert.ErrorContains(t, err, "certificate", "a certificate nobody vouches for is refused")
	c.CloseIdleConnections()

	cfg.HTTPClient = tlsServer.Client() // trusts the test server's certificate
	c, err = liveconfig.NewClient(cfg)
	require.NoError(t, err)
	res, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err)
	assert.Equal(t, "Id-tls", res.RequestID)
	c.CloseIdleConnections()

	// NewTransport, shared by the clients of many apps, verifies as the default does.
	shared := liveconfig.NewTransport()
	assert.Equal(t, uint16(tls.VersionTLS12), shared.TLSClientConfig.MinVersion)
	assert.False(t, shared.TLSClientConfig.InsecureSkipVerify)
	cfg.HTTPClient = &http.Client{Transport: shared}
	c, err = liveconfig.NewClient(cfg)
	require.NoError(t, err)
	_, err = c.DeleteCallback(testCtx(t))
	assert.ErrorContains(t, err, "certificate")
	shared.CloseIdleConnections()
}

func TestMisusePanicsWithAMessage(t *testing.T) {
	t.Parallel()
	_, c := setup(t, nil)
	var nilClient *liveconfig.Client
	var zero liveconfig.Client
	var nilCtx context.Context // a nil Context is the misuse under test
	assert.PanicsWithValue(t, "liveconfig: nil Context; pass context.Background() or context.TODO() if there is no other",
		func() { c.GetCallback(nilCtx) })
	assert.PanicsWithValue(t, "liveconfig: method called on a nil *Client; create one with NewClient",
		func() { nilClient.DeleteCallback(testCtx(t)) })
	assert.PanicsWithValue(t, "liveconfig: method called on a zero Client; create one with NewClient",
		func() { zero.GetCallbackToken(testCtx(t)) })
}

// TestOKAnswerWithoutResponseIsAnError: a read that answers OK but carries no Response has not said what the
// configuration is, and must not pass for an empty one.
func TestOKAnswerWithoutResponseIsAnError(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	for _, body := range []string{
		`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"Id-r"}`,
		`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"Id-r","Response":null}`,
	} {
		srv.InjectFault("", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: []byte(body)}, Times: 2})
		_, err := c.GetCallback(testCtx(t))
		var respErr *liveconfig.ResponseError
		require.ErrorAs(t, err, &respErr, body)
		assert.Equal(t, "Id-r", respErr.RequestID)
		_, err = c.GetCallbackToken(testCtx(t))
		require.ErrorAs(t, err, &respErr, body)
	}
	res, err := c.DeleteCallback(testCtx(t))
	require.NoError(t, err, "an endpoint that returns no Response needs none")
	assert.True(t, res.Changed)
}
