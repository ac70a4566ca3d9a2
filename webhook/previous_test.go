package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig/webhook"
)

const (
	oldToken   = "webhook-token-old-91c2"
	olderToken = "webhook-token-older-7e0a"
)

// rotatingConfig accepts testToken and, beside it, the two tokens before it.
func rotatingConfig() webhook.Config {
	cfg := testConfig()
	cfg.PreviousTokens = []string{oldToken, olderToken}
	return cfg
}

func TestPreviousTokensAreAcceptedAndReportedAsPrevious(t *testing.T) {
	t.Parallel()
	rec := &reportRecorder{}
	cfg := rotatingConfig()
	cfg.Observer = rec
	var seen []webhook.TokenMatch
	h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
		seen = append(seen, ev.(*webhook.AfterCreateRoom).Request.Token)
		return nil
	})
	require.NoError(t, err)
	for _, token := range []string{testToken, oldToken, olderToken, "guessed-webhook-token"} {
		d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
		d.token = token
		serve(t, h, d.request())
	}
	assert.Equal(t, []webhook.TokenMatch{webhook.TokenCurrent, webhook.TokenPrevious, webhook.TokenPrevious}, seen, "the HandlerFunc is told")
	require.Len(t, rec.reports, 4)
	for i, want := range []webhook.TokenMatch{webhook.TokenCurrent, webhook.TokenPrevious, webhook.TokenPrevious} {
		assert.Equal(t, webhook.OutcomeOK, rec.reports[i].Outcome)
		assert.Equal(t, want, rec.reports[i].Token, "report %d", i)
	}
	forged := rec.reports[3]
	assert.Equal(t, webhook.OutcomeRefused, forged.Outcome, "a Sign of a token in neither list")
	assert.ErrorIs(t, forged.Refusal, webhook.ErrBadSignature)
	assert.Empty(t, forged.Token)
}

func TestWithoutPreviousTokensAnOldTokenIsRefused(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(testConfig())
	require.NoError(t, err)
	d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	d.token = oldToken
	_, err = v.Parse(d.request())
	assert.ErrorIs(t, err, webhook.ErrBadSignature)
}

func TestPreviousTokensAreChecked(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, field, reason string
		edit                func(*webhook.Config)
	}{
		{"an empty entry", "Config.PreviousTokens[1]", "is empty", func(c *webhook.Config) { c.PreviousTokens = []string{oldToken, ""} }},
		{"a duplicate", "Config.PreviousTokens[1]", "repeats", func(c *webhook.Config) { c.PreviousTokens = []string{oldToken, oldToken} }},
		{"the Token itself", "Config.PreviousTokens[0]", "is the Token itself", func(c *webhook.Config) { c.PreviousTokens = []string{testToken} }},
		{"a token Tencent never signs with", "Config.PreviousTokens[0]", "Tencent never signs", func(c *webhook.Config) { c.PreviousTokens = []string{"two words"} }},
		{"too many", "Config.PreviousTokens", "at most 4", func(c *webhook.Config) { c.PreviousTokens = []string{"a1", "a2", "a3", "a4", "a5"} }},
		{"without a Token", "Config.PreviousTokens", "need a Token", func(c *webhook.Config) { c.Token, c.AllowUnsigned = "", true; c.PreviousTokens = []string{oldToken} }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			cfg := testConfig()
			tt.edit(&cfg)
			_, err := webhook.NewVerifier(cfg)
			var cfgErr *webhook.ConfigError
			require.ErrorAs(t, err, &cfgErr)
			assert.ErrorIs(t, err, webhook.ErrInvalidConfig)
			assert.Equal(t, tt.field, cfgErr.Field)
			assert.Contains(t, cfgErr.Reason, tt.reason)
			assert.False(t, strings.Contains(err.Error(), oldToken) || strings.Contains(err.Error(), testToken), "the error names no token")
		})
	}
	_, err := webhook.NewVerifier(rotatingConfig())
	assert.NoError(t, err, "four at most is two here")
}

func TestPreviousTokensPrintAsACount(t *testing.T) {
	t.Parallel()
	cfg := rotatingConfig()
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "webhook", cfg)
	encoded, err := json.Marshal(cfg)
	require.NoError(t, err)
	for what, printed := range map[string]string{"%v": fmt.Sprintf("%v", cfg), "%#v": fmt.Sprintf("%#v", cfg), "slog": logs.String(), "JSON": string(encoded)} {
		// Not assert.NotContains: its failure message would quote the token.
		assert.False(t, strings.Contains(printed, oldToken) || strings.Contains(printed, olderToken), "%s prints a previous token", what)
	}
	assert.Contains(t, fmt.Sprint(cfg), "PreviousTokens:2")
	assert.Contains(t, string(encoded), `"PreviousTokens":["[redacted]","[redacted]"]`)
	assert.Contains(t, logs.String(), `"previous_tokens":2`)
}
