package fleet_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
)

// TestUnlistedEndpointIsRefusedBeforeAnySecretIsRead: a file that points one app, itself or through defaults,
// at a server that is not Tencent's refuses the whole run: no secret is looked up, and nothing is sent to the
// server or to any other app.
func TestUnlistedEndpointIsRefusedBeforeAnySecretIsRead(t *testing.T) {
	t.Parallel()
	attacker := blackhole.Listen(t)
	evil := attacker.URL
	fx := newFixture(t, 3)
	f, err := fleet.Decode(strings.NewReader(fmt.Sprintf(`defaults:
  endpoint: %s
  identifier: administrator
apps:
  - {name: honest, sdkappid: 1400000000, secret_key_env: KEY_0, region: singapore}
  - {name: inherits, sdkappid: 1400000001, secret_key_env: KEY_1}
  - name: own
    sdkappid: 1400000002
    secret_key_env: KEY_2
    endpoint: %s/v4-proxy
`, evil, evil)), "")
	require.NoError(t, err, "the file itself is well formed")
	var lookedUp atomic.Int32
	for _, run := range []func(context.Context, *fleet.File, fleet.Options) (*fleet.Report, error){fleet.Plan, fleet.Apply} {
		opts := fleet.Options{Getenv: func(name string) string { lookedUp.Add(1); return fx.env[name] },
			AllowEndpoints: []string{fx.srv.URL()}} // the fake is allowed; the attacker is not
		report, err := run(context.Background(), f, opts)
		assert.Nil(t, report)
		require.ErrorIs(t, err, fleet.ErrEndpointNotAllowed)
		require.ErrorIs(t, err, fleet.ErrInvalidFile)
		var fileErrs []*fleet.FileError
		for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
			var fe *fleet.FileError
			require.True(t, errors.As(e, &fe))
			fileErrs = append(fileErrs, fe)
		}
		require.Len(t, fileErrs, 2, "both apps at once: %v", err)
		assert.Equal(t, 2, fileErrs[0].Line, "the defaults' endpoint line")
		assert.Equal(t, "app inherits: endpoint", fileErrs[0].Where)
		assert.Equal(t, 10, fileErrs[1].Line)
		assert.Contains(t, fileErrs[1].Error(), "--allow-endpoint")
		assert.Contains(t, fileErrs[1].Error(), "Options.AllowEndpoints")
	}
	assert.Zero(t, lookedUp.Load(), "no secret is looked up")
	assert.Zero(t, attacker.Connections(), "nothing reaches the attacker")
	assert.Empty(t, fx.srv.AllRequests(), "nor any other app")

	_, err = fleet.Plan(context.Background(), f, fleet.Options{AllowEndpoints: []string{"ftp://" + evil}})
	assert.ErrorContains(t, err, "Options.AllowEndpoints[0]")
	assert.NotErrorIs(t, err, fleet.ErrEndpointNotAllowed, "a bad option is not a bad file")
}

// recorder forwards every request to target and keeps each request's usersig.
type recorder struct {
	*httptest.Server
	mu       sync.Mutex
	userSigs []string
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	u, err := url.Parse(target)
	require.NoError(t, err)
	proxy := httputil.NewSingleHostReverseProxy(u)
	rec := &recorder{}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec.mu.Lock()
		rec.userSigs = append(rec.userSigs, r.URL.Query().Get("usersig"))
		rec.mu.Unlock()
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

// TestUserSigsAreShortLived: the UserSigs Plan and Apply sign expire after UserSigTTL (5 minutes), or after
// AppTimeout when that is longer, as tls-sig itself verifies them.
func TestUserSigsAreShortLived(t *testing.T) {
	t.Parallel()
	fx := newFixture(t, 1)
	rec := newRecorder(t, fx.srv.URL())
	file := func() *fleet.File {
		f, err := fleet.Decode(strings.NewReader(fmt.Sprintf("apps:\n  - {name: a, sdkappid: %d, endpoint: %s, identifier: administrator, secret_key_env: KEY_0}\n",
			fx.srv.SDKAppID(), rec.URL)), "")
		require.NoError(t, err)
		return f
	}()
	for _, tc := range []struct {
		appTimeout, valid time.Duration
	}{{0, fleet.UserSigTTL}, {time.Minute, 5 * time.Minute}, {20 * time.Minute, 20 * time.Minute}} {
		rec.mu.Lock()
		rec.userSigs = nil
		rec.mu.Unlock()
		opts := fleet.Options{Getenv: fx.getenv, AppTimeout: tc.appTimeout, AllowEndpoints: []string{rec.URL}}
		start := time.Now()
		report, err := fleet.Plan(context.Background(), file, opts)
		require.NoError(t, err)
		require.NoError(t, report.Apps[0].Err)
		rec.mu.Lock()
		sigs := rec.userSigs
		rec.mu.Unlock()
		require.Len(t, sigs, 2)
		for _, sig := range sigs {
			verify := func(at time.Time) error {
				return tencentyun.VerifyUserSig(fx.srv.SDKAppID(), fx.env["KEY_0"], "administrator", sig, at)
			}
			require.NoError(t, verify(start.Add(tc.valid-10*time.Second)), "valid until just before %v", tc.valid)
			assert.Error(t, verify(time.Now().Add(tc.valid+2*time.Second)), "expired after %v", tc.valid)
		}
	}

	// The caller may choose otherwise, in Go, where it is trusted code.
	opts := fleet.Options{Getenv: fx.getenv, AllowEndpoints: []string{rec.URL},
		Configure: func(_ *fleet.App, cfg *liveconfig.Config) { cfg.UserSigTTL = time.Hour }}
	_, err := fleet.Plan(context.Background(), file, opts)
	require.NoError(t, err)
	rec.mu.Lock()
	last := rec.userSigs[len(rec.userSigs)-1]
	rec.mu.Unlock()
	assert.NoError(t, tencentyun.VerifyUserSig(fx.srv.SDKAppID(), fx.env["KEY_0"], "administrator", last, time.Now().Add(50*time.Minute)))
}
