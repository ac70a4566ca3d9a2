package main

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig/webhook"
)

// sendReceiver is a receiver of app 1400000001 with token "send-test-token" on loopback, counting requests.
func sendReceiver(t *testing.T) (string, *atomic.Int32) {
	t.Helper()
	var hits atomic.Int32
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: 1400000001, Token: "send-test-token"}, func(context.Context, webhook.Event) error {
		return nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/tencent/webhook", &hits
}

func TestWebhookSendPrintsTheAnswer(t *testing.T) {
	t.Parallel()
	url, _ := sendReceiver(t)
	token := secretFile(t, "send-test-token")
	r := cli(t, nil, "webhook", "send", "--url", url, "--command", "Live.CallbackAfterCreateRoom", "--token-file", token, "--sdkappid", "1400000001")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `^HTTP 200 in [0-9.]+[µm]?s: OK\n$`, r.stdout)

	r = cli(t, nil, "webhook", "send", "--url", url, "--command", "Live.CallbackAfterCreateRoom", "--token-file", token, "--sdkappid", "1400000001", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, 200.0, out["http_status"])
	assert.Equal(t, "OK", out["action_status"])
	assert.Equal(t, 0.0, out["error_code"])
	assert.Contains(t, out, "latency_ms")

	body := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(body, []byte(`{"RoomId":"r1","EventType":"Online","MemberList":[]}`), 0o600))
	r = cli(t, nil, "webhook", "send", "--url", url, "--command", "Live.CallbackAfterMemberStateChanged", "--body-file", body,
		"--token-file", token, "--sdkappid", "1400000001")
	assert.Equal(t, 0, r.code, r.stderr)

	r = cli(t, nil, "webhook", "send", "--url", url, "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "1400000001", "-o", "json")
	assert.Equal(t, exitFailure, r.code, "refused: not a valid answer")
	assert.Contains(t, r.stderr, "HTTP 401")
	assert.NotContains(t, r.stderr, "Sign=")
}

func TestWebhookSendRefusesBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	url, hits := sendReceiver(t)
	token := secretFile(t, "send-test-token")
	notObject := filepath.Join(t.TempDir(), "body.json")
	require.NoError(t, os.WriteFile(notObject, []byte(`[1]`), 0o600))
	huge := filepath.Join(t.TempDir(), "huge.json")
	require.NoError(t, os.WriteFile(huge, []byte(`{"P":"`+strings.Repeat("x", webhook.DefaultMaxBodyBytes)+`"}`), 0o600))
	r := cli(t, nil, "webhook", "send", "--url", url, "--command", "Live.CallbackAfterCreateRoom", "--body-file", huge, "--unsigned", "--sdkappid", "1400000001")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "is over 1048576 bytes", "the file's size is named")
	for name, args := range map[string][]string{
		"no url":           {"--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "1400000001"},
		"no sdkappid":      {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--unsigned"},
		"both signings":    {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--token-file", token, "--sdkappid", "1400000001"},
		"neither signing":  {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--sdkappid", "1400000001"},
		"a bad sdkappid":   {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "-1"},
		"a bad word":       {"--url", url, "--command", "Live Callback", "--unsigned", "--sdkappid", "1400000001"},
		"no sample":        {"--url", url, "--command", "Live.CallbackAfterSomethingNew", "--unsigned", "--sdkappid", "1400000001"},
		"a body not JSON":  {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--body-file", notObject, "--unsigned", "--sdkappid", "1400000001"},
		"no body file":     {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--body-file", "/nonexistent", "--unsigned", "--sdkappid", "1400000001"},
		"not an http URL":  {"--url", "ftp://example.com/x", "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "1400000001"},
		"a zero --timeout": {"--url", url, "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "1400000001", "--timeout", "0s"},
	} {
		r := cli(t, nil, append([]string{"webhook", "send", "-o", "json"}, args...)...)
		assert.Equal(t, exitUsage, r.code, "%s: %s", name, r.stderr)
		assert.Contains(t, r.stderr, `"error"`, name)
	}
	assert.Zero(t, hits.Load(), "nothing was sent")
}

func TestWebhookSendGivesUpAtItsTimeout(t *testing.T) {
	t.Parallel()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { <-release }))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	r := cli(t, nil, "webhook", "send", "--url", srv.URL, "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "1400000001",
		"--timeout", "100ms")
	assert.Equal(t, exitFailure, r.code)
	assert.Contains(t, r.stderr, "no answer within --timeout 100ms")
}

func TestWebhookSamples(t *testing.T) {
	t.Parallel()
	r := cli(t, nil, "webhook", "samples")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), len(webhook.SampleCommands()))
	r = cli(t, nil, "webhook", "samples", "--command", "Live.CallbackBeforeSendGift", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, "Live.CallbackBeforeSendGift", out["command"])
	assert.Contains(t, out["body"], "GiftWater", "the body as JSON")
	r = cli(t, nil, "webhook", "samples", "--command", "Live.CallbackBeforeCallBackNotBlock")
	assert.Equal(t, exitUsage, r.code)
}
