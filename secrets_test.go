package liveconfig_test

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

const recognisableKey = "SECRET-KEY-3f9a1c77d2e84b5aa0c1"

// assertNoSecret fails when text holds the key or the UserSig in any form it could be printed in. It reports
// where, never what.
func assertNoSecret(t *testing.T, what, text, usersig string) {
	t.Helper()
	require.NotEmpty(t, usersig, "the test needs the UserSig to look for it")
	for _, secret := range []string{recognisableKey, usersig, url.QueryEscape(usersig), usersig[:24]} {
		if bytes.Contains([]byte(text), []byte(secret)) {
			t.Errorf("%s holds a credential", what)
		}
	}
	assert.NotContains(t, text, "usersig=", what)
}

func TestSecretsNeverReachErrorsLogsOrPrintedValues(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv, c := setup(t, func(cfg *liveconfig.Config) {
		cfg.Logger = logger
		cfg.Timeout = 30 * time.Millisecond
		cfg.Retry.MaxAttempts = 2
	}, liveconfigtest.WithSecretKey(recognisableKey))
	ctx := testCtx(t)
	_, err := c.DeleteCallback(ctx) // signs the UserSig
	require.NoError(t, err)
	usersig := liveconfig.CurrentUserSig(c)

	faults := map[string]liveconfigtest.Fault{
		"API error":                 {Code: 70009, Times: liveconfigtest.Always},
		"server echoes the UserSig": {Code: 70003, Info: "bad usersig " + usersig, Times: liveconfigtest.Always},
		"server echoes the key":     {Code: 70003, Info: "key " + recognisableKey, Times: liveconfigtest.Always},
		"HTML 502 echoing the URL": {Times: liveconfigtest.Always, Raw: &liveconfigtest.RawAnswer{Status: 502,
			Body: []byte("<html>bad gateway for /v4/live_config/x?usersig=" + usersig + "</html>")}},
		"dropped connection": {Drop: true, Times: liveconfigtest.Always},
		"attempt timeout":    {Delay: time.Minute, Times: liveconfigtest.Always},
		"not JSON":           {Raw: &liveconfigtest.RawAnswer{Body: []byte(usersig)}, Times: liveconfigtest.Always},
	}
	for name, f := range faults {
		srv.ClearFaults()
		srv.InjectFault("", f)
		_, err := c.GetCallback(ctx)
		require.Error(t, err, name)
		for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
			assertNoSecret(t, name+" "+format, fmt.Sprintf(format, err), usersig)
		}
	}

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.GetCallback(cancelled)
	require.Error(t, err)
	assertNoSecret(t, "cancelled", err.Error(), usersig)

	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refusedAddr := l.Addr().String()
	l.Close()
	refused, err := liveconfig.NewClient(liveconfig.Config{Endpoint: "http://" + refusedAddr, SDKAppID: 1, Identifier: "a",
		SecretKey: recognisableKey, Retry: liveconfig.RetryPolicy{MaxAttempts: 1}})
	require.NoError(t, err)
	_, err = refused.GetCallback(ctx)
	require.Error(t, err)
	assertNoSecret(t, "connection refused", fmt.Sprintf("%+v", err), liveconfig.CurrentUserSig(refused))

	cfg := srv.Config()
	cfg.SecretKey = recognisableKey
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		assertNoSecret(t, "Config "+format, fmt.Sprintf(format, cfg), usersig)
		assertNoSecret(t, "*Config "+format, fmt.Sprintf(format, &cfg), usersig)
		assertNoSecret(t, "Client "+format, fmt.Sprintf(format, c), usersig)
		assertNoSecret(t, "dereferenced Client "+format, fmt.Sprintf(format, *c), usersig)
		assertNoSecret(t, "token "+format, fmt.Sprintf(format, liveconfig.CallbackToken{Token: recognisableKey}), usersig)
	}
	logger.Info("values", "config", cfg, "client", c, "token", liveconfig.CallbackToken{Token: recognisableKey})
	assert.Contains(t, logs.String(), `"op":"get_callback"`, "attempts are logged at debug level")
	assert.Contains(t, logs.String(), `"request_id":"Id-`)
	assertNoSecret(t, "logs", logs.String(), usersig)
}
