package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
)

// secretFile writes a key or token to a file of its own, with a newline, and returns its path.
func secretFile(t *testing.T, secret string) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "secret")
	require.NoError(t, os.WriteFile(path, []byte(secret+"\n"), 0o600))
	return path
}

func TestTokenRotateSetsTheNewTokenAndSaysWhatComesAround(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	srv.SetToken(&liveconfig.CallbackToken{Token: "rotate-old-token", Enabled: true})

	r := cli(t, env, "token", "rotate", "--token-file", secretFile(t, "rotate-new-token"))
	require.Equal(t, 0, r.code, r.stderr)
	tok, _ := srv.Token()
	assert.Equal(t, liveconfig.CallbackToken{Token: "rotate-new-token", Enabled: true}, tok)
	assert.Contains(t, r.stdout, "rotated the callback token (enabled: true)")
	for _, step := range []string{"before:", "PreviousTokens: [OLD]", "liveconfig.webhook.token", "MaxSkew", "drop PreviousTokens"} {
		assert.Contains(t, r.stdout, step)
	}
	assert.NotContains(t, r.stdout, "rotate-old-token", "no token is printed")
	assert.NotContains(t, r.stdout, "rotate-new-token")

	r = cli(t, env, "token", "rotate", "--token-file", secretFile(t, "rotate-newer-token"), "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, true, out["changed"])
	assert.Equal(t, true, out["enabled"])
	assert.Len(t, out["steps"], 4)
	assert.NotContains(t, r.stdout, "rotate-newer-token")
}

func TestTokenRotateRefusesWhatIsNoRotation(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)

	r := cli(t, env, "token", "rotate", "--token-file", secretFile(t, "rotate-new-token"))
	assert.Equal(t, exitConflict, r.code, "no token to rotate")
	assert.Contains(t, r.stderr, "liveconfig token set")
	assert.Empty(t, srv.AllRequestsTo(liveconfig.OpSetCallbackToken))

	srv.SetToken(&liveconfig.CallbackToken{Token: "rotate-same-token", Enabled: false})
	r = cli(t, env, "token", "rotate", "--token-file", secretFile(t, "rotate-same-token"), "-o", "json")
	assert.Equal(t, exitUsage, r.code, "the same token")
	assert.Contains(t, r.stderr, "nothing to rotate")
	assert.NotContains(t, r.stderr, "rotate-same-token")
	assert.Empty(t, srv.AllRequestsTo(liveconfig.OpSetCallbackToken), "nothing set")

	before := len(srv.AllRequests())
	r = cli(t, env, "token", "rotate", "--token-file", secretFile(t, "two words"))
	assert.Equal(t, exitUsage, r.code, "a token Tencent refuses")
	assert.Len(t, srv.AllRequests(), before, "refused before anything is sent")

	r = cli(t, env, "token", "rotate")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "--token-file is required")

	srv.SetToken(&liveconfig.CallbackToken{Token: "rotate-disabled-old", Enabled: false})
	r = cli(t, env, "token", "rotate", "--token-file", secretFile(t, "rotate-disabled-new"))
	require.Equal(t, 0, r.code, r.stderr)
	tok, _ := srv.Token()
	assert.Equal(t, liveconfig.CallbackToken{Token: "rotate-disabled-new", Enabled: false}, tok, "a disabled token stays disabled")
	assert.True(t, strings.Contains(r.stdout, "not enabled"))
}
