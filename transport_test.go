package liveconfig_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-resty/resty/v2"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// captureOutput runs f with os.Stdout, os.Stderr and the standard logger writing to files of their own, and
// returns everything written to them. A resty client created inside f writes its log there too: resty's
// default logger holds the os.Stderr of the moment it is made.
func captureOutput(t *testing.T, f func()) string {
	t.Helper()
	out, err := os.CreateTemp(t.TempDir(), "output")
	require.NoError(t, err)
	defer out.Close()
	stdout, stderr, logOut := os.Stdout, os.Stderr, log.Writer()
	os.Stdout, os.Stderr = out, out
	log.SetOutput(out)
	defer func() {
		os.Stdout, os.Stderr = stdout, stderr
		log.SetOutput(logOut)
	}()
	f()
	written, err := os.ReadFile(out.Name())
	require.NoError(t, err)
	return string(written)
}

// transportCase is one way a call can end, and the error type it must end with (nil for success).
type transportCase struct {
	name string
	run  func(ctx context.Context, srv *liveconfigtest.Server, c *liveconfig.Client) error
	want any // nil, **liveconfig.APIError, **liveconfig.ResponseError or **liveconfig.TransportError
}

// withFault runs GetCallback with f injected for every request.
func withFault(f liveconfigtest.Fault) func(context.Context, *liveconfigtest.Server, *liveconfig.Client) error {
	return func(ctx context.Context, srv *liveconfigtest.Server, c *liveconfig.Client) error {
		f.Times = liveconfigtest.Always
		srv.ClearFaults()
		srv.InjectFault("", f)
		defer srv.ClearFaults()
		_, err := c.GetCallback(ctx)
		return err
	}
}

func transportCases(usersig func() string) []transportCase {
	var apiErr *liveconfig.APIError
	var respErr *liveconfig.ResponseError
	var tErr *liveconfig.TransportError
	ignore := func(_ *liveconfig.Result, err error) error { return err }
	return []transportCase{
		{"create", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			return ignore(c.CreateCallback(ctx, roomEvents))
		}, nil},
		{"get", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			_, err := c.GetCallback(ctx)
			return err
		}, nil},
		{"update", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			return ignore(c.UpdateCallback(ctx, roomEvents))
		}, nil},
		{"ensure", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			return ignore(c.EnsureCallback(ctx, roomEvents))
		}, nil},
		{"delete", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			return ignore(c.DeleteCallback(ctx))
		}, nil},
		{"set token", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			return ignore(c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "webhook-token", Enabled: true}))
		}, nil},
		{"get token", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			_, err := c.GetCallbackToken(ctx)
			return err
		}, nil},
		{"delete token", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			return ignore(c.DeleteCallbackToken(ctx))
		}, nil},
		{"not found", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			_, err := c.GetCallback(ctx)
			return err
		}, &apiErr},
		{"retryable code", withFault(liveconfigtest.Fault{Code: 100001}), &apiErr},
		{"code echoing the UserSig", func(ctx context.Context, srv *liveconfigtest.Server, c *liveconfig.Client) error {
			return withFault(liveconfigtest.Fault{Code: 70003, Info: "bad sig " + usersig()})(ctx, srv, c)
		}, &apiErr},
		{"applied, then a code", func(ctx context.Context, srv *liveconfigtest.Server, c *liveconfig.Client) error {
			srv.InjectFault(liveconfig.OpSetCallback, liveconfigtest.Fault{Apply: true, Code: 100002})
			return ignore(c.CreateCallback(ctx, roomEvents))
		}, &apiErr},
		{"attempt timeout", withFault(liveconfigtest.Fault{Delay: time.Minute}), &tErr},
		{"dropped connection", withFault(liveconfigtest.Fault{Drop: true}), &tErr},
		{"HTML 502 echoing the URL", func(ctx context.Context, srv *liveconfigtest.Server, c *liveconfig.Client) error {
			return withFault(liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Status: 502,
				Body: []byte("<html>/v4/live_config/x?usersig=" + usersig() + "</html>")}})(ctx, srv, c)
		}, &respErr},
		{"not JSON", withFault(liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: []byte("not json")}}), &respErr},
		{"oversized body", withFault(liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{
			Body: []byte(`{"Pad":"` + strings.Repeat("x", 2<<20) + `"}`)}}), &respErr},
		{"cancelled", func(ctx context.Context, _ *liveconfigtest.Server, c *liveconfig.Client) error {
			cancelled, cancel := context.WithCancel(ctx)
			cancel()
			_, err := c.GetCallback(cancelled)
			return err
		}, &tErr},
	}
}

// TestRestyPrintsNothingAndItsErrorsBecomeOurs runs every endpoint, every fault kind, a redirect and a refused
// connection through the Client, once as NewClient builds it and once with resty's debug mode forced on,
// whose dump would print each request URL and so the UserSig. Nothing may reach stdout, stderr or the standard
// logger; every error must be one of this package's types, never resty's, and hold no credential.
//
// Not parallel: it swaps os.Stdout and os.Stderr.
func TestRestyPrintsNothingAndItsErrorsBecomeOurs(t *testing.T) {
	for _, debug := range []bool{false, true} {
		t.Run(fmt.Sprintf("debug forced %t", debug), func(t *testing.T) {
			srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(recognisableKey), liveconfigtest.WithRateLimit(0))
			var c *liveconfig.Client
			var refused, redirected *liveconfig.Client
			newClient := func(cfg liveconfig.Config) *liveconfig.Client {
				cfg.RateLimit = -1
				cfg.Retry.MaxAttempts = 2
				client, err := srv.NewClient(cfg)
				require.NoError(t, err)
				liveconfig.SetAttemptTimeout(client, 100*time.Millisecond)
				rc := liveconfig.RESTClient(client)
				require.False(t, rc.Debug, "NewClient leaves resty's debug mode off")
				require.True(t, rc.DisableWarn, "NewClient turns resty's warnings off")
				rc.SetDebug(debug)
				return client
			}
			redirector := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, srv.URL()+r.URL.RequestURI(), http.StatusFound)
			}))
			t.Cleanup(redirector.Close)

			ctx := testCtx(t)
			errs := map[string]error{}
			printed := captureOutput(t, func() {
				c = newClient(srv.Config())
				cfg := srv.Config()
				cfg.Endpoint = closedEndpoint(t)
				refused = newClient(cfg)
				cfg.Endpoint = redirector.URL
				redirected = newClient(cfg)
				for _, tc := range transportCases(func() string { return liveconfig.CurrentUserSig(c) }) {
					errs[tc.name] = tc.run(ctx, srv, c)
				}
				_, errs["connection refused"] = refused.GetCallback(ctx)
				_, errs["redirect"] = redirected.DeleteCallback(ctx)
			})
			assert.Empty(t, printed, "nothing is printed")

			usersig := liveconfig.CurrentUserSig(c)
			for _, tc := range transportCases(func() string { return usersig }) {
				assertOurError(t, tc.name, errs[tc.name], tc.want, usersig)
			}
			var tErr *liveconfig.TransportError
			var respErr *liveconfig.ResponseError
			assertOurError(t, "connection refused", errs["connection refused"], &tErr, liveconfig.CurrentUserSig(refused))
			assertOurError(t, "redirect", errs["redirect"], &respErr, liveconfig.CurrentUserSig(redirected))
			require.ErrorAs(t, errs["redirect"], &respErr)
			assert.Equal(t, http.StatusFound, respErr.StatusCode, "the redirect is not followed")
		})
	}
}

// assertOurError checks that err is nil when want is, and otherwise an error of want's type that matches no
// resty error type and prints no credential. A transport error of a request that was sent keeps its cause,
// Go's *url.Error, rebuilt without the URL's query.
func assertOurError(t *testing.T, name string, err error, want any, usersig string) {
	t.Helper()
	if want == nil {
		assert.NoError(t, err, name)
		return
	}
	require.Error(t, err, name)
	assert.ErrorAs(t, err, want, name)
	var restyErr *resty.ResponseError
	assert.False(t, errors.As(err, &restyErr), "%s: a resty error reached the caller", name)
	assert.NotErrorIs(t, err, resty.ErrResponseBodyTooLarge, name)
	var tErr *liveconfig.TransportError
	if errors.As(err, &tErr) && tErr.Attempts > 0 {
		var urlErr *url.Error
		if assert.ErrorAs(t, err, &urlErr, "%s: the cause is kept, not withheld", name) {
			assert.NotContains(t, urlErr.URL, "?", "%s: the URL in the error keeps no query", name)
		}
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		assertNoSecret(t, name+" "+format, fmt.Sprintf(format, err), usersig)
	}
}

func TestCloseIdleConnectionsClosesThePool(t *testing.T) {
	t.Parallel()
	for _, own := range []bool{false, true} {
		t.Run(map[bool]string{false: "default transport", true: "caller's transport"}[own], func(t *testing.T) {
			t.Parallel()
			var opened, closed atomic.Int32
			allClosed := make(chan struct{}, 1)
			h := http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
				w.Write([]byte(`{"ActionStatus":"OK","ErrorCode":0,"ErrorInfo":"","RequestId":"Id-1"}`))
			})
			srv := httptest.NewUnstartedServer(h)
			srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
				switch state {
				case http.StateNew:
					opened.Add(1)
				case http.StateClosed:
					if closed.Add(1) == opened.Load() {
						allClosed <- struct{}{}
					}
				}
			}
			srv.Start()
			t.Cleanup(srv.Close)
			cfg := liveconfig.Config{Endpoint: srv.URL, SDKAppID: 1, Identifier: "admin", SecretKey: "k"}
			if own {
				tr := http.DefaultTransport.(*http.Transport).Clone()
				cfg.HTTPClient = &http.Client{Transport: tr}
			}
			c, err := liveconfig.NewClient(cfg)
			require.NoError(t, err)
			_, err = c.DeleteCallback(testCtx(t))
			require.NoError(t, err)
			require.EqualValues(t, 1, opened.Load())
			require.Zero(t, closed.Load(), "the connection stays open for reuse")

			c.CloseIdleConnections()
			select {
			case <-allClosed:
			case <-time.After(5 * time.Second):
				t.Fatal("the idle connection was not closed")
			}
		})
	}
}
