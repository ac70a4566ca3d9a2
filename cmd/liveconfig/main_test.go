package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

var binary string

// TestMain builds the tool once; the tests run it as a subprocess, as scripts do.
func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "liveconfig-cli")
	if err != nil {
		panic(err)
	}
	binary = filepath.Join(dir, "liveconfig")
	if out, err := exec.Command("go", "build", "-o", binary, ".").CombinedOutput(); err != nil {
		fmt.Fprintf(os.Stderr, "building the tool: %v\n%s", err, out)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	if code == 0 {
		if err := goleak.Find(); err != nil {
			fmt.Fprintln(os.Stderr, err)
			code = 1
		}
	}
	os.Exit(code)
}

const cliKey = "CLI-SECRET-KEY-0b7e4d19a2c8f6"

// userSigShape matches a UserSig: zlib data (which starts "eJ" in base64) in Tencent's base64 variant.
var userSigShape = regexp.MustCompile(`eJ[A-Za-z0-9*_-]{40,}`)

type result struct {
	stdout, stderr string
	code           int
}

// cli runs the tool with only the given environment (and PATH).
func cli(t *testing.T, env map[string]string, args ...string) result {
	t.Helper()
	return cliWithInput(t, env, "", args...)
}

// cliWithInput is cli with input on the tool's standard input.
func cliWithInput(t *testing.T, env map[string]string, input string, args ...string) result {
	t.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Stdin = strings.NewReader(input)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")}
	for k, v := range env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var exitErr *exec.ExitError
	if err != nil && !errors.As(err, &exitErr) {
		t.Fatalf("running the tool: %v", err)
	}
	r := result{stdout: stdout.String(), stderr: stderr.String(), code: cmd.ProcessState.ExitCode()}
	assert.NotContains(t, r.stdout+r.stderr, cliKey, "the secret key is never printed")
	assert.NotContains(t, r.stdout+r.stderr, "usersig=", "no request URL is printed")
	assert.NotRegexp(t, userSigShape, r.stdout+r.stderr, "nothing shaped like a UserSig is printed")
	return r
}

func fakeEnv(t *testing.T, opts ...liveconfigtest.Option) (*liveconfigtest.Server, map[string]string) {
	srv := liveconfigtest.New(t, append([]liveconfigtest.Option{liveconfigtest.WithSecretKey(cliKey)}, opts...)...)
	return srv, map[string]string{
		"LIVECONFIG_SDKAPPID": strconv.FormatUint(srv.SDKAppID(), 10), "LIVECONFIG_IDENTIFIER": srv.Identifier(),
		"LIVECONFIG_SECRET_KEY": cliKey, "LIVECONFIG_ENDPOINT": srv.URL(),
	}
}

func decodeJSON(t *testing.T, s string) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal([]byte(s), &m), "stdout is one JSON object: %q", s)
	return m
}

func TestProvisioningFlow(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	url := "https://live.example.com/hook"

	r := cli(t, env, "callback", "ensure", "--url", url, "--command", "Live.CallbackAfterCreateRoom,Live.CallbackAfterDestroyRoom", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, true, out["changed"])
	assert.NotEmpty(t, out["request_id"])

	r = cli(t, env, "callback", "ensure", "--url", url, "--command", "Live.CallbackAfterDestroyRoom", "--command", "Live.CallbackAfterCreateRoom", "--output", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, false, decodeJSON(t, r.stdout)["changed"], "same set in another order: nothing to change")
	assert.Len(t, srv.AllRequestsTo(liveconfig.OpSetCallback), 1)
	assert.Empty(t, srv.AllRequestsTo(liveconfig.OpUpdateCallback))

	r = cli(t, env, "callback", "get", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, map[string]any{"url": url, "commands": []any{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"}}, decodeJSON(t, r.stdout))

	r = cli(t, env, "callback", "update", "--url", url, "--command", "Live.CallbackBeforeSendGift")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stdout, "saved the callback configuration (request Id-")
	stored, _ := srv.Callback()
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandBeforeSendGift}, stored.Commands)

	tokenFile := filepath.Join(t.TempDir(), "token")
	require.NoError(t, os.WriteFile(tokenFile, []byte("file-token-123\n"), 0o600))
	r = cli(t, env, "token", "set", "--token-file", tokenFile)
	require.Equal(t, 0, r.code, r.stderr)
	tok, _ := srv.Token()
	assert.Equal(t, liveconfig.CallbackToken{Token: "file-token-123", Enabled: true}, tok, "the trailing newline is dropped; enabled by default")

	r = cli(t, env, "token", "get", "-o", "json")
	assert.Equal(t, map[string]any{"enabled": true}, decodeJSON(t, r.stdout), "the token is hidden by default")
	assert.NotContains(t, cli(t, env, "token", "get").stdout, "file-token-123")
	r = cli(t, env, "token", "get", "--show-token", "-o", "json")
	assert.Equal(t, map[string]any{"enabled": true, "token": "file-token-123"}, decodeJSON(t, r.stdout))

	r = cli(t, env, "token", "set", "--token", "inline-token", "--enabled=false", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	tok, _ = srv.Token()
	assert.False(t, tok.Enabled)

	for _, args := range [][]string{{"token", "delete"}, {"callback", "delete"}} {
		r = cli(t, env, append(args, "-o", "json")...)
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, true, decodeJSON(t, r.stdout)["changed"])
	}
	_, hasToken := srv.Token()
	_, hasCallback := srv.Callback()
	assert.False(t, hasToken || hasCallback)
}

func TestEnsureDryRunChangesNothing(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	r := cli(t, env, "callback", "ensure", "--dry-run", "--url", "https://a.example/cb", "--command", "Live.CallbackAfterCreateRoom", "-o", "json")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, map[string]any{"request_id": "", "changed": true, "dry_run": true, "action": "create"}, decodeJSON(t, r.stdout))

	old := liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterDestroyRoom}}
	srv.SetCallback(&old)
	r = cli(t, env, "callback", "ensure", "--dry-run", "--url", "https://a.example/cb", "--command", "Live.CallbackAfterCreateRoom")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "would update: url https://old.example/cb -> https://a.example/cb; add [Live.CallbackAfterCreateRoom]; remove [Live.CallbackAfterDestroyRoom]\n", r.stdout)
	stored, _ := srv.Callback()
	assert.Equal(t, old, stored)
	assert.Empty(t, srv.AllRequestsTo(liveconfig.OpSetCallback))
	assert.Empty(t, srv.AllRequestsTo(liveconfig.OpUpdateCallback))
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	existing := liveconfig.CallbackConfig{URL: "https://a.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	srv.SetCallback(&existing)

	wrongKey := map[string]string{}
	for k, v := range env {
		wrongKey[k] = v
	}
	wrongKey["LIVECONFIG_SECRET_KEY"] = "not-the-key-of-this-app"

	closedEndpoint := "http://" + blackhole.Refusing(t)

	tests := []struct {
		name string
		env  map[string]string
		args []string
		code int
	}{
		{"create over an existing configuration", env, []string{"callback", "create", "--url", "https://b.example", "--command", "Live.CallbackAfterCreateRoom"}, 4},
		{"no token", env, []string{"token", "get"}, 4},
		{"wrong key", wrongKey, []string{"callback", "get"}, 3},
		{"nobody listening", env, []string{"callback", "get", "--endpoint", closedEndpoint, "--timeout", "2s"}, 1},
	}
	for _, tt := range tests {
		r := cli(t, tt.env, tt.args...)
		assert.Equal(t, tt.code, r.code, "%s: %s", tt.name, r.stderr)
		assert.Empty(t, r.stdout, tt.name)
		assert.NotEmpty(t, r.stderr, tt.name)
	}

	srv.InjectFault("", liveconfigtest.Fault{Code: 100001, Times: liveconfigtest.Always})
	r := cli(t, env, "callback", "get", "-o", "json")
	assert.Equal(t, 1, r.code)
	var errOut struct {
		Error struct {
			Code      int    `json:"code"`
			Info      string `json:"info"`
			RequestID string `json:"request_id"`
		} `json:"error"`
	}
	require.NoError(t, json.Unmarshal([]byte(r.stderr), &errOut), "stderr is a JSON error: %q", r.stderr)
	assert.Equal(t, 100001, errOut.Error.Code)
	assert.NotEmpty(t, errOut.Error.Info)
	assert.NotEmpty(t, errOut.Error.RequestID)
}

func TestInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	without := func(key string) map[string]string {
		m := map[string]string{}
		for k, v := range env {
			if k != key {
				m[k] = v
			}
		}
		return m
	}
	tests := map[string]struct {
		env  map[string]string
		args []string
	}{
		"unknown flag":           {env, []string{"callback", "get", "--verbose"}},
		"no url":                 {env, []string{"callback", "create", "--command", "Live.CallbackAfterCreateRoom"}},
		"no command":             {env, []string{"callback", "create", "--url", "https://a.example"}},
		"malformed command word": {env, []string{"callback", "ensure", "--url", "https://a.example", "--command", "live.afterCreate"}},
		"ftp url":                {env, []string{"callback", "update", "--url", "ftp://a.example", "--command", "Live.CallbackAfterCreateRoom"}},
		"token too long":         {env, []string{"token", "set", "--token", strings.Repeat("t", 129)}},
		"token and token file":   {env, []string{"token", "set", "--token", "a", "--token-file", "/etc/hostname"}},
		"missing token file":     {env, []string{"token", "set", "--token-file", "/does/not/exist"}},
		"bad output":             {env, []string{"callback", "get", "-o", "yaml"}},
		"extra argument":         {env, []string{"callback", "get", "now"}},
		"unknown command":        {env, []string{"callback", "frob"}},
		"no command at all":      {env, nil},
		"no sdkappid":            {without("LIVECONFIG_SDKAPPID"), []string{"callback", "get"}},
		"no identifier":          {without("LIVECONFIG_IDENTIFIER"), []string{"callback", "get"}},
		"no secret key":          {without("LIVECONFIG_SECRET_KEY"), []string{"callback", "get"}},
		"no region nor endpoint": {without("LIVECONFIG_ENDPOINT"), []string{"callback", "get"}},
		"unknown region":         {env, []string{"callback", "get", "--region", "mars"}},
	}
	for name, tt := range tests {
		r := cli(t, tt.env, tt.args...)
		assert.Equal(t, 2, r.code, "%s: %s", name, r.stderr)
		assert.NotEmpty(t, r.stderr, name)
	}
	assert.Empty(t, srv.AllRequests(), "invalid input sends nothing")
}

func TestCredentialsFromFilesAndFlags(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	keyFile := filepath.Join(t.TempDir(), "key")
	require.NoError(t, os.WriteFile(keyFile, []byte(cliKey+"\n"), 0o600))
	flagsOnly := map[string]string{}
	r := cli(t, flagsOnly, "token", "delete", "--sdkappid", env["LIVECONFIG_SDKAPPID"], "--identifier", srv.Identifier(),
		"--endpoint", srv.URL(), "--secret-key-file", keyFile)
	assert.Equal(t, 0, r.code, r.stderr)

	fromEnvFile := map[string]string{"LIVECONFIG_SDKAPPID": env["LIVECONFIG_SDKAPPID"], "LIVECONFIG_IDENTIFIER": srv.Identifier(),
		"LIVECONFIG_ENDPOINT": srv.URL(), "LIVECONFIG_SECRET_KEY_FILE": keyFile}
	r = cli(t, fromEnvFile, "token", "delete")
	assert.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, srv.AllRequests(), 2)
}

func TestHelpAtEveryLevel(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"--help"}, {"-h"}, {"help"}, {"callback", "--help"}, {"token", "-h"},
		{"callback", "create", "--help"}, {"callback", "ensure", "-h"}, {"token", "set", "--help"}, {"commands", "--help"}} {
		r := cli(t, nil, args...)
		assert.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stdout, "Usage: liveconfig", args)
	}
}

func TestCommandsAndVersion(t *testing.T) {
	t.Parallel()
	r := cli(t, nil, "commands")
	assert.Equal(t, 0, r.code)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), len(liveconfig.KnownCommands()))
	r = cli(t, nil, "version", "-o", "json")
	assert.Equal(t, map[string]any{"version": liveconfig.Version}, decodeJSON(t, r.stdout))
}

func TestTimeoutBoundsTheCommand(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute, Times: liveconfigtest.Always})
	r := cli(t, env, "callback", "get", "--timeout", "300ms")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "deadline exceeded")
}
