package liveconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

const recognisableKey = "SECRET-KEY-3f9a1c77d2e84b5aa0c1"

// assertNoSecret fails when text holds the key or the UserSig in any form it could be printed in. It reports
// where, never what.
func assertNoSecret(t *testing.T, what, text, usersig string) {
	t.Helper()
	require.NotEmpty(t, usersig, "the test needs the UserSig to look for it")
	decoded, err := url.PathUnescape(text) // escapes in either case, %2A and %2a
	if err != nil {
		decoded = text
	}
	for _, secret := range []string{recognisableKey, usersig, url.QueryEscape(usersig), usersig[:24], usersig[len(usersig)-24:]} {
		if bytes.Contains([]byte(text), []byte(secret)) || bytes.Contains([]byte(decoded), []byte(secret)) {
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
		cfg.Retry.MaxAttempts = 2
	}, liveconfigtest.WithSecretKey(recognisableKey))
	liveconfig.SetAttemptTimeout(c, 30*time.Millisecond)
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
		"server echoes the UserSig escaped in lower case": {Code: 70003, Info: "sig=" + lowerCaseEscapes(url.QueryEscape(usersig)),
			Times: liveconfigtest.Always},
		"server echoes the UserSig with every byte escaped": {Code: 70003, Info: "sig=" + escapeEveryByte(usersig),
			Times: liveconfigtest.Always},
		"server echoes the UserSig cut short": {Code: 70003, Info: "sig " + usersig[:len(usersig)-5], Times: liveconfigtest.Always},
		"server echoes the UserSig's end":     {Code: 70003, Info: "sig ..." + usersig[len(usersig)-30:], Times: liveconfigtest.Always},
		"RequestId holds the UserSig": {Times: liveconfigtest.Always, Raw: &liveconfigtest.RawAnswer{
			Body: []byte(`{"ActionStatus":"FAIL","ErrorCode":70003,"ErrorInfo":"x","RequestId":"Id-` + usersig + `"}`)}},
		"RequestId of a contradictory answer holds the UserSig": {Times: liveconfigtest.Always, Raw: &liveconfigtest.RawAnswer{
			Body: []byte(`{"ActionStatus":"FAIL","ErrorCode":0,"RequestId":"Id-` + usersig[10:50] + `"}`)}},
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

	srv.ClearFaults()
	srv.InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{
		Body: []byte(`{"ActionStatus":"OK","ErrorCode":0,"RequestId":"` + lowerCaseEscapes(url.QueryEscape(usersig)) + `"}`)}})
	res, err := c.DeleteCallback(ctx)
	require.NoError(t, err)
	assertNoSecret(t, "Result.RequestID", res.RequestID, usersig)

	cancelled, cancel := context.WithCancel(ctx)
	cancel()
	_, err = c.GetCallback(cancelled)
	require.Error(t, err)
	assertNoSecret(t, "cancelled", err.Error(), usersig)

	refusedAddr := blackhole.Refusing(t)
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
	token := liveconfig.CallbackToken{Token: recognisableKey, Enabled: true}
	for _, value := range []any{cfg, &cfg, token, &token, struct{ Cfg liveconfig.Config }{cfg}, []any{token}} {
		encoded, err := json.Marshal(value)
		require.NoError(t, err)
		assertNoSecret(t, fmt.Sprintf("JSON of a %T", value), string(encoded), usersig)
	}
	encoded, _ := json.Marshal(token)
	assert.JSONEq(t, `{"Token":"[redacted]","Enabled":true}`, string(encoded))
	logger.Info("values", "config", cfg, "client", c, "token", liveconfig.CallbackToken{Token: recognisableKey})
	assert.Contains(t, logs.String(), `"op":"get_callback"`, "attempts are logged at debug level")
	assert.Contains(t, logs.String(), `"request_id":"Id-`)
	assertNoSecret(t, "logs", logs.String(), usersig)
}

// lowerCaseEscapes writes the hex digits of s's percent escapes in lower case, as some servers do.
func lowerCaseEscapes(s string) string {
	b := []byte(s)
	for i := 0; i+2 < len(b); i++ {
		if b[i] == '%' {
			b[i+1], b[i+2] = bytes.ToLower(b[i+1 : i+2])[0], bytes.ToLower(b[i+2 : i+3])[0]
		}
	}
	return string(b)
}

// escapeEveryByte writes every byte of s as a lower-case percent escape, so that no run of s is left as it was.
func escapeEveryByte(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&b, "%%%02x", s[i])
	}
	return b.String()
}

// TestARedactedValueIsNoSecret: the mark a key or token prints as, fed back (a Config or CallbackToken that
// went through JSON), is refused before anything is sent; so is a key or token with white space, control or
// format characters, named by position, never by value.
func TestARedactedValueIsNoSecret(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	data, err := json.Marshal(liveconfig.CallbackToken{Token: "a-real-token", Enabled: true})
	require.NoError(t, err)
	var back liveconfig.CallbackToken
	require.NoError(t, json.Unmarshal(data, &back))
	_, err = c.SetCallbackToken(testCtx(t), back)
	require.ErrorIs(t, err, liveconfig.ErrInvalidParameter)
	assert.Contains(t, err.Error(), "is the mark [redacted]")
	for token, where := range map[string]string{"tok\nen": "character 4 is a line feed", " token": "character 1 is a space", "to\u200bken": "character 3 is a zero-width space"} {
		_, err = c.SetCallbackToken(testCtx(t), liveconfig.CallbackToken{Token: token, Enabled: true})
		assert.ErrorContains(t, err, where, "%q", token)
	}
	assert.Empty(t, srv.AllRequests(), "nothing was sent")

	cfg := srv.Config()
	for key, want := range map[string]string{"[redacted]": "is the mark [redacted]", srv.SecretKey() + "\n": "is a line feed", "\uFEFF" + srv.SecretKey(): "is a byte order mark"} {
		cfg.SecretKey = key
		_, err := liveconfig.NewClient(cfg)
		require.ErrorIs(t, err, liveconfig.ErrInvalidConfig, "%q", key)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), srv.SecretKey())
	}
}
