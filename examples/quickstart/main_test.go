package main

import (
	"bytes"
	"context"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func noEnv(string) string { return "" }

func TestQuickstartOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, noEnv))
	for _, want := range []string{"embedded fake", "1. EnsureCallback: changed=true", "4. EnsureCallback again: changed=false",
		"decoded room quickstart-room of host1; it answered OK", "8. DeleteCallback: done", "done in"} {
		assert.Contains(t, out.String(), want)
	}
}

// TestQuickstartAgainstAService runs the "real service" path against a fake standing in for Tencent.
func TestQuickstartAgainstAService(t *testing.T) {
	srv, env := serviceEnv(t)
	getenv := func(k string) string { return env[k] }

	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, getenv))
	assert.Contains(t, out.String(), "REAL service")
	assert.Contains(t, out.String(), "delivery skipped")
	assert.NotContains(t, out.String(), "quickstart-key")
	_, exists := srv.Callback()
	assert.False(t, exists)

	production := liveconfig.CallbackConfig{URL: "https://prod.example.com/hook", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	srv.SetCallback(&production)
	before := len(srv.AllRequests())
	err := run(context.Background(), &out, getenv)
	assert.ErrorContains(t, err, "not touching it")
	stored, _ := srv.Callback()
	assert.Equal(t, production, stored, "an existing configuration is left alone")
	assert.Len(t, srv.AllRequests(), before+2, "only the two reads were sent")
}

// TestQuickstartLeavesAnExistingTokenAlone: an app with a token but no callback configuration is in use too;
// the walkthrough would overwrite the token and then delete it.
func TestQuickstartLeavesAnExistingTokenAlone(t *testing.T) {
	srv, env := serviceEnv(t)
	getenv := func(k string) string { return env[k] }
	production := liveconfig.CallbackToken{Token: "production-token", Enabled: true}
	srv.SetToken(&production)

	var out bytes.Buffer
	err := run(context.Background(), &out, getenv)
	assert.ErrorContains(t, err, "already has a callback token")
	stored, _ := srv.Token()
	assert.Equal(t, production, stored, "the token is left alone")
	assert.Len(t, srv.AllRequests(), 2, "only the two reads were sent")
	assert.Empty(t, srv.Changes())

	env["LIVECONFIG_QUICKSTART_OVERWRITE"] = "1"
	require.NoError(t, run(context.Background(), &out, getenv), "the overwrite variable lets it run")
	_, exists := srv.Token()
	assert.False(t, exists)
}

// serviceEnv starts a fake standing in for Tencent and returns the environment that points the quickstart at it.
func serviceEnv(t *testing.T) (*liveconfigtest.Server, map[string]string) {
	srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey("quickstart-key"))
	return srv, map[string]string{
		"LIVECONFIG_SDKAPPID": strconv.FormatUint(srv.SDKAppID(), 10), "LIVECONFIG_IDENTIFIER": srv.Identifier(),
		"LIVECONFIG_SECRET_KEY": "quickstart-key", "LIVECONFIG_ENDPOINT": srv.URL(),
	}
}
