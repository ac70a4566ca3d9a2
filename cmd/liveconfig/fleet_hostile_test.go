package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// The tests of this file play a contributor who changes the fleet file in a pull request, against a CI job
// whose environment holds the app's key and another secret of the CI's own.
const (
	hostileKeyVar   = "FLEET_KEY"
	otherSecretVar  = "CI_DEPLOY_TOKEN"
	otherSecret     = "ci-deploy-token-5be1c07a9f"
	hostileIdentity = "administrator"
)

// seenRequest is what a recorder saw of one request.
type seenRequest struct {
	path, query, body string
}

// recorder is a server on loopback that keeps every request it is sent, whole, and forwards it to target
// (when set), so that a test sees exactly what left the tool.
type recorder struct {
	*httptest.Server
	mu   sync.Mutex
	seen []seenRequest
}

func newRecorder(t *testing.T, target string) *recorder {
	t.Helper()
	rec := &recorder{}
	var proxy *httputil.ReverseProxy
	if target != "" {
		u, err := url.Parse(target)
		require.NoError(t, err)
		proxy = httputil.NewSingleHostReverseProxy(u)
	}
	rec.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		rec.mu.Lock()
		rec.seen = append(rec.seen, seenRequest{r.URL.Path, r.URL.RawQuery, string(body)})
		rec.mu.Unlock()
		if proxy == nil {
			w.WriteHeader(http.StatusTeapot)
			return
		}
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		proxy.ServeHTTP(w, r)
	}))
	t.Cleanup(rec.Close)
	return rec
}

func (rec *recorder) requests() []seenRequest {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]seenRequest(nil), rec.seen...)
}

// hostileFile writes a fleet file of one app at endpoint, with lines added to the app, and returns its path.
func hostileFile(t *testing.T, sdkAppID uint64, endpoint, lines string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "fleet.yaml")
	content := fmt.Sprintf("apps:\n  - name: prod\n    sdkappid: %d\n    identifier: %s\n    endpoint: %s\n%s", sdkAppID, hostileIdentity, endpoint, lines)
	require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
	return path
}

// TestAnUnlistedEndpointReceivesNothing: plan and apply of a file whose endpoint is a server of the
// contributor's exit 2, naming the app, the line and the flag, and the server is never even connected to;
// an http:// endpoint on loopback is no exception.
func TestAnUnlistedEndpointReceivesNothing(t *testing.T) {
	t.Parallel()
	attacker := blackhole.Listen(t)
	evil := attacker.URL
	path := hostileFile(t, liveconfigtest.DefaultSDKAppID, evil, "    secret_key_env: "+hostileKeyVar+"\n    token: {token_env: "+otherSecretVar+"}\n")
	env := map[string]string{hostileKeyVar: cliKey, otherSecretVar: otherSecret}
	for _, args := range [][]string{
		{"plan", "-f", path},
		{"plan", "-f", path, "-o", "json"},
		{"apply", "-f", path},
		{"apply", "-f", path, "--allow-endpoint", "https://" + strings.TrimPrefix(evil, "http://")}, // the scheme must match too
		{"apply", "-f", path, "--allow-endpoint", "http://localhost:" + portOf(evil)},
	} {
		r := cli(t, env, args...)
		assert.Equal(t, exitUsage, r.code, "%v\n%s", args, r.stderr)
		assert.Contains(t, r.stderr, path+":5: app prod: endpoint", args)
		assert.Contains(t, r.stderr, "--allow-endpoint", args)
		assert.NotContains(t, r.stdout+r.stderr, otherSecret)
	}
	assert.Zero(t, attacker.Connections(), "nothing reaches the contributor's server, not even a connection")

	r := cli(t, nil, "plan", "-f", path, "--allow-endpoint", "ftp://x")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `invalid value "ftp://x" for flag -allow-endpoint`)
}

func portOf(endpoint string) string {
	u, _ := url.Parse(endpoint)
	return u.Port()
}

// TestAllowedEndpointGetsShortLivedUserSigs: with --allow-endpoint naming it, a server outside Tencent is
// used, and every UserSig it is sent expires after 5 minutes, or after --timeout when that is longer.
func TestAllowedEndpointGetsShortLivedUserSigs(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(cliKey))
	for _, tc := range []struct {
		args  []string
		valid time.Duration
	}{
		{[]string{"plan"}, 5 * time.Minute},
		{[]string{"apply"}, 5 * time.Minute},
		{[]string{"plan", "--timeout", "30m"}, 30 * time.Minute},
	} {
		rec := newRecorder(t, srv.URL())
		path := hostileFile(t, srv.SDKAppID(), rec.URL, "    secret_key_env: "+hostileKeyVar+"\n    callback: {url: https://live.example.com/cb, commands: [Live.CallbackAfterCreateRoom]}\n")
		start := time.Now()
		r := cli(t, map[string]string{hostileKeyVar: cliKey}, append(tc.args, "-f", path, "--allow-endpoint", rec.URL)...)
		require.Equal(t, exitOK, r.code, r.stderr)
		seen := rec.requests()
		require.NotEmpty(t, seen)
		for _, req := range seen {
			q, err := url.ParseQuery(req.query)
			require.NoError(t, err)
			sig := q.Get("usersig")
			require.NoError(t, tencentyun.VerifyUserSig(srv.SDKAppID(), cliKey, hostileIdentity, sig, start.Add(tc.valid-10*time.Second)), "%v: valid until %v", tc.args, tc.valid)
			assert.Error(t, tencentyun.VerifyUserSig(srv.SDKAppID(), cliKey, hostileIdentity, sig, time.Now().Add(tc.valid+2*time.Second)), "%v: expired after %v", tc.args, tc.valid)
		}
	}
}

// TestAHostileFileReachesNoSecretOutward: a file may name any variable or file as a key or token; whatever
// it names is never printed, never put in an error, and sent nowhere: a key only signs, and a token goes out
// only with apply, as the token, to an allowed endpoint.
func TestAHostileFileReachesNoSecretOutward(t *testing.T) {
	t.Parallel()
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	type hostile struct {
		name, lines string
		verbs       []string
		code        int    // the exit code
		says        string // on stderr or stdout
		tokenSent   bool   // apply sends otherSecret as the token
		linuxOnly   bool
	}
	cases := []hostile{
		{name: "key from another secret", lines: "    secret_key_env: " + otherSecretVar + "\n", verbs: []string{"plan", "apply"},
			code: exitAuth, says: "70009"},
		{name: "token from another secret", lines: "    secret_key_env: " + hostileKeyVar + "\n    token: {token_env: " + otherSecretVar + "}\n",
			verbs: []string{"plan"}, code: exitOK, says: "token:    create (enabled: true)"},
		{name: "token from another secret, applied", lines: "    secret_key_env: " + hostileKeyVar + "\n    token: {token_env: " + otherSecretVar + "}\n",
			verbs: []string{"apply"}, code: exitOK, says: "(done)", tokenSent: true},
		{name: "key from the environment of the process", lines: "    secret_key_file: /proc/self/environ\n", verbs: []string{"plan", "apply"},
			code: exitUsage, says: "invalid Config.SecretKey: must not hold white space, control or format characters", linuxOnly: true},
		{name: "token from the environment of the process", lines: "    secret_key_env: " + hostileKeyVar + "\n    token: {token_file: /proc/self/environ}\n",
			verbs: []string{"plan", "apply"}, code: exitUsage, says: "the token in the file /proc/self/environ: liveconfig: invalid Token", linuxOnly: true},
		{name: "key from a FIFO nobody writes", lines: "    secret_key_file: " + fifo + "\n", verbs: []string{"plan", "apply"},
			code: exitUsage, says: "is not a regular file (it is a FIFO)"},
		{name: "token from a device", lines: "    secret_key_env: " + hostileKeyVar + "\n    token: {token_file: /dev/zero}\n", verbs: []string{"plan", "apply"},
			code: exitUsage, says: "is not a regular file (it is a device)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if tc.linuxOnly && runtime.GOOS != "linux" {
				t.Skip("/proc/self/environ is Linux's")
			}
			for _, verb := range tc.verbs {
				srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(cliKey))
				rec := newRecorder(t, srv.URL())
				path := hostileFile(t, srv.SDKAppID(), rec.URL, tc.lines)
				env := map[string]string{hostileKeyVar: cliKey, otherSecretVar: otherSecret}
				done := make(chan result, 1)
				go func() { done <- cli(t, env, verb, "-f", path, "--allow-endpoint", rec.URL) }()
				var r result
				select {
				case r = <-done:
				case <-time.After(20 * time.Second):
					t.Fatalf("%s did not return", verb)
				}
				assert.Equal(t, tc.code, r.code, "%s\n%s%s", verb, r.stdout, r.stderr)
				assert.Contains(t, r.stdout+r.stderr, tc.says, verb)
				assert.NotContains(t, r.stdout+r.stderr, otherSecret, "%s prints no secret", verb)
				assert.NotContains(t, r.stdout+r.stderr, cliKey[:12], "%s prints no key", verb)

				tokenSent := false
				for _, req := range rec.requests() {
					assert.NotContains(t, req.query, otherSecret, "%s %s: never in a query", verb, req.path)
					assert.NotContains(t, req.query+req.body, cliKey[:12], "%s %s: the key is never sent", verb, req.path)
					if strings.HasSuffix(req.path, "/set_callback_token") && strings.Contains(req.body, `"Token":"`+otherSecret+`"`) {
						tokenSent = true
						continue
					}
					assert.NotContains(t, req.body, otherSecret, "%s %s: in no body but the token's", verb, req.path)
				}
				assert.Equal(t, tc.tokenSent, tokenSent, "%s: the token goes out with apply only, as the token", verb)
			}
		})
	}
}
