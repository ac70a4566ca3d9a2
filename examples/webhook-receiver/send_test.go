package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig/webhook"
)

// liveconfigCLI builds the liveconfig command, from the code beside this module, into a directory of t's.
func liveconfigCLI(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "liveconfig")
	out, err := exec.Command("go", "build", "-o", path, "github.com/go-tuilive/liveconfig/cmd/liveconfig").CombinedOutput()
	require.NoError(t, err, "building the liveconfig command: %s", out)
	return path
}

// sendJSON runs `liveconfig webhook send ... -o json` with the command at cli, and returns its exit code and
// what it printed.
func sendJSON(t *testing.T, cli string, args ...string) (int, map[string]any, string) {
	t.Helper()
	cmd := exec.Command(cli, append([]string{"webhook", "send", "-o", "json"}, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatal(err)
	}
	var out map[string]any
	if stdout.Len() > 0 {
		require.NoError(t, json.Unmarshal(stdout.Bytes(), &out), stdout.String())
	}
	return cmd.ProcessState.ExitCode(), out, stderr.String()
}

// TestWebhookSendAgainstTheReceiver: `liveconfig webhook send` is answered OK by this receiver for every
// sample word, with its refusal for a gift over the limit, and refused for an unsigned or wrongly signed
// webhook.
func TestWebhookSendAgainstTheReceiver(t *testing.T) {
	var logs bytes.Buffer
	mux, err := newMux(webhook.Config{SDKAppID: 1400000001, Token: "receiver-token"}, 5000, slog.New(slog.NewTextHandler(&logs, nil)))
	require.NoError(t, err)
	receiver := httptest.NewServer(mux)
	t.Cleanup(receiver.Close)
	url := receiver.URL + "/tencent/webhook"
	cli := liveconfigCLI(t)
	dir := t.TempDir()
	tokenFile, wrongFile, giftFile := filepath.Join(dir, "token"), filepath.Join(dir, "wrong"), filepath.Join(dir, "gift.json")
	require.NoError(t, os.WriteFile(tokenFile, []byte("receiver-token\n"), 0o600))
	require.NoError(t, os.WriteFile(wrongFile, []byte("guessed-token\n"), 0o600))
	require.NoError(t, os.WriteFile(giftFile, []byte(`{"RoomId":"r1","GiftWater":{"From_Account":"fan","GiftId":"car","Count":2,"Coins":3000}}`), 0o600))

	for _, cmd := range webhook.SampleCommands() {
		code, out, stderr := sendJSON(t, cli, "--url", url, "--command", string(cmd), "--token-file", tokenFile, "--sdkappid", "1400000001")
		if !assert.Equal(t, 0, code, "%s: %s", cmd, stderr) {
			continue
		}
		assert.Equal(t, 200.0, out["http_status"], cmd)
		assert.Equal(t, "OK", out["action_status"], cmd) // the sample gift's 1,000 coins are under the limit
	}

	code, out, stderr := sendJSON(t, cli, "--url", url, "--command", "Live.CallbackBeforeSendGift", "--body-file", giftFile, "--token-file", tokenFile,
		"--sdkappid", "1400000001")
	require.Equal(t, 0, code, "a refusal is an answer: %s", stderr)
	assert.Equal(t, 102150.0, out["error_code"])
	assert.Equal(t, "FAIL", out["action_status"])

	code, _, stderr = sendJSON(t, cli, "--url", url, "--command", "Live.CallbackAfterCreateRoom", "--unsigned", "--sdkappid", "1400000001")
	assert.Equal(t, 1, code, "unsigned: refused")
	assert.Contains(t, stderr, "HTTP 401")

	code, _, stderr = sendJSON(t, cli, "--url", url, "--command", "Live.CallbackAfterCreateRoom", "--token-file", wrongFile, "--sdkappid", "1400000001")
	assert.Equal(t, 1, code, "a wrong token: refused")
	assert.Contains(t, stderr, "HTTP 401")
	assert.Equal(t, len(webhook.SampleCommands())+1, strings.Count(logs.String(), "level=INFO"), "every sample and the big gift reached the handler")
}
