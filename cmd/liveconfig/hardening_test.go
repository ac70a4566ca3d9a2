package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// oneJSONObject checks that s is exactly one JSON object and nothing else, and returns it.
func oneJSONObject(t *testing.T, what, s string) map[string]any {
	t.Helper()
	dec := json.NewDecoder(strings.NewReader(s))
	var m map[string]any
	require.NoError(t, dec.Decode(&m), "%s: not a JSON object: %q", what, s)
	var extra json.RawMessage
	require.Error(t, dec.Decode(&extra), "%s: more than one JSON value: %q", what, s)
	return m
}

// TestJSONOnEveryPath runs outcomes that once printed text despite -o json: every one must be exactly one JSON
// object, whatever the position of the flag, with a one-line info.
func TestJSONOnEveryPath(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: "https://a.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	tests := []struct {
		name string
		args []string
		code int
	}{
		{"flag before the subcommand", []string{"-o", "json", "callback", "get"}, 0},
		{"name=value form", []string{"callback", "get", "--output=json"}, 0},
		{"single-dash long form", []string{"-output", "json", "version"}, 0},
		{"--timeout 0", []string{"callback", "get", "-o", "json", "--timeout", "0"}, 2},
		{"flag on a group", []string{"callback", "-o", "json"}, 2},
		{"unknown command", []string{"-o", "json", "frob"}, 2},
		{"unknown subcommand", []string{"callback", "frob", "-o", "json"}, 2},
		{"nothing but the flag", []string{"-o", "json"}, 2},
		{"flag-parse error", []string{"callback", "get", "--verbose", "-o", "json"}, 2},
		{"unexpected argument", []string{"callback", "get", "now", "-o=json"}, 2},
		{"help", []string{"callback", "get", "--help", "-o", "json"}, 0},
		{"group help", []string{"-o", "json", "token", "help"}, 0},
		{"missing variable", []string{"token", "get", "-o", "json", "--sdkappid", "x"}, 2},
	}
	for _, tt := range tests {
		r := cli(t, env, tt.args...)
		assert.Equal(t, tt.code, r.code, "%s: %s", tt.name, r.stderr)
		out := oneJSONObject(t, tt.name, r.stdout+r.stderr)
		if tt.code == 0 {
			assert.Empty(t, r.stderr, tt.name)
			continue
		}
		assert.Empty(t, r.stdout, tt.name)
		info := out["error"].(map[string]any)["info"].(string)
		assert.NotContains(t, info, "\n", tt.name)
		assert.False(t, strings.HasPrefix(info, "liveconfig: "), "%s: info %q follows the prefix rule", tt.name, info)
	}

	r := cli(t, env, "callback", "get", "-o", "yaml")
	assert.Equal(t, 2, r.code)
	assert.Equal(t, "liveconfig: -o must be text or json, not \"yaml\"\n", r.stderr, "a format that cannot be honoured is text")
}

// TestServerTextIsPrintedSafely: what the server says reaches the terminal only as text that cannot forge lines
// or send escape sequences, and an OK answer without its Response is a failure, not an empty result.
func TestServerTextIsPrintedSafely(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{Body: []byte(
		`{"ActionStatus":"OK","ErrorCode":0,"RequestId":"Id-1","Response":{"Url":"https://a.example/cb\n  Live.CallbackFake",` +
			`"CallbackCommandList":["Live.CallbackAfterCreateRoom\u001b[31m"]}}`)}})
	r := cli(t, env, "callback", "get")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, strings.Split(strings.TrimSpace(r.stdout), "\n"), 3, "url, commands and one command: %q", r.stdout)
	assert.NotContains(t, r.stdout, "\x1b", "no escape sequence reaches the terminal")
	assert.Contains(t, r.stdout, `url: "https://a.example/cb\n  Live.CallbackFake"`)

	for _, args := range [][]string{{"token", "get"}, {"token", "get", "-o", "json"}, {"callback", "get"}} {
		srv.InjectFault("", liveconfigtest.Fault{Raw: &liveconfigtest.RawAnswer{
			Body: []byte(`{"ActionStatus":"OK","ErrorCode":0,"RequestId":"Id-2"}`)}})
		r = cli(t, env, args...)
		assert.Equal(t, 1, r.code, "%v: %s", args, r.stdout)
		assert.Empty(t, r.stdout, args)
		assert.Contains(t, r.stderr, "no Response", args)
	}

	srv.InjectFault("", liveconfigtest.Fault{Code: 100002, Info: "bad \x1b]0;pwned\x07 \u202eparam"})
	r = cli(t, env, "callback", "get")
	assert.Equal(t, 1, r.code)
	assert.NotContains(t, r.stderr, "\x1b", "no escape sequence from the server's ErrorInfo reaches the terminal")
	assert.NotContains(t, r.stderr, "\u202e")
	assert.Contains(t, r.stderr, `100002 bad \x1b]0;pwned\a \u202eparam (request Id-`)

	srv.SetToken(&liveconfig.CallbackToken{Token: "tok\x1b]0;pwned\x07en", Enabled: true})
	r = cli(t, env, "token", "get", "--show-token")
	require.Equal(t, 0, r.code, r.stderr)
	assert.NotContains(t, r.stdout, "\x1b")
	assert.Contains(t, r.stdout, `token: "tok\x1b]0;pwned\aen"`)
}

// TestErrorsInCLITerms: the tool's errors name its own flags and variables, not the library's Config.
func TestErrorsInCLITerms(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	r := cli(t, env, "callback", "get", "--timeout", "1ns")
	assert.Equal(t, 1, r.code)
	assert.Contains(t, r.stderr, "--timeout 1ns ran out")
	assert.Contains(t, r.stderr, "not sent")
	assert.NotContains(t, r.stderr, "rate limiter", "nothing was rate limited")

	for _, code := range []int{70016, 70020} {
		srv.InjectFault("", liveconfigtest.Fault{Code: code})
		r = cli(t, env, "callback", "get")
		assert.Equal(t, 3, r.code)
		assert.Contains(t, r.stderr, "another region than the one --endpoint (or LIVECONFIG_ENDPOINT) points at")
		assert.NotContains(t, r.stderr, "Config.")
	}
}

func TestSecretAndTokenFiles(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}

	r := cli(t, env, "token", "set", "--token-file", write("huge", strings.Repeat("t", 100_000)))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, filepath.Join(dir, "huge"))
	assert.Contains(t, r.stderr, "larger than 64 KiB")

	r = cli(t, env, "token", "set", "--token-file", write("spaced", " tok \r\n"))
	require.Equal(t, 0, r.code, r.stderr)
	tok, _ := srv.Token()
	assert.Equal(t, "tok", tok.Token, "white space around the token is not part of it")

	missing := filepath.Join(dir, "missing")
	r = cli(t, env, "token", "set", "--token-file", missing)
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, missing, "the error names the file")

	r = cli(t, env, "token", "set", "--token-file", write("control", "to\x1bken"))
	assert.Equal(t, 2, r.code)
	assert.Contains(t, r.stderr, "control or format characters")

	keyEnv := map[string]string{}
	for k, v := range env {
		keyEnv[k] = v
	}
	delete(keyEnv, "LIVECONFIG_SECRET_KEY")
	keyEnv["LIVECONFIG_SECRET_KEY_FILE"] = write("key", "\t"+cliKey+" \r\n")
	r = cli(t, keyEnv, "token", "delete")
	assert.Equal(t, 0, r.code, "white space around the key is dropped: %s", r.stderr)
}

func TestHelpListsWhatEachCommandTakes(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version", "--help"}, {"commands", "--help"}} {
		r := cli(t, nil, args...)
		assert.Equal(t, 0, r.code)
		assert.NotContains(t, r.stdout, "-sdkappid", args)
		assert.NotContains(t, r.stdout, "-timeout", args)
		assert.Contains(t, r.stdout, "-o, --output text|json", args)
	}
	r := cli(t, nil, "callback", "get", "--help")
	assert.Equal(t, 1, strings.Count(r.stdout, "-output"), "-o and --output are one flag: %s", r.stdout)
	assert.NotContains(t, r.stdout, "  -o string")
	assert.Contains(t, r.stdout, "-timeout")

	for _, args := range [][]string{{"callback", "get", "help"}, {"callback", "help"}, {"token", "set", "help"}} {
		r = cli(t, nil, args...)
		assert.Equal(t, 0, r.code, "%v: %s", args, r.stderr)
		assert.Contains(t, r.stdout, "Usage: liveconfig", args)
	}
}

func TestDryRunListsEachWordOnce(t *testing.T) {
	t.Parallel()
	_, env := fakeEnv(t)
	r := cli(t, env, "callback", "ensure", "--dry-run", "--url", "https://a.example/cb",
		"--command", "Live.CallbackAfterCreateRoom,Live.CallbackAfterCreateRoom", "--command", "Live.CallbackAfterCreateRoom")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, "would create: https://a.example/cb [Live.CallbackAfterCreateRoom]\n", r.stdout)
}

func TestInterruptExits130(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute, Times: liveconfigtest.Always})
	for _, format := range []string{"text", "json"} {
		cmd := exec.Command(binary, "callback", "get", "-o", format)
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stdout, stderr bytes.Buffer
		cmd.Stdout, cmd.Stderr = &stdout, &stderr
		require.NoError(t, cmd.Start())
		require.Eventually(t, func() bool { return srv.InFlight() > 0 }, 5*time.Second, 5*time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		err := cmd.Wait()
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr)
		assert.Equal(t, 130, exitErr.ExitCode(), format)
		assert.Empty(t, stdout.String())
		if format == "json" {
			info := oneJSONObject(t, "interrupted", stderr.String())["error"].(map[string]any)["info"]
			assert.Contains(t, info, "interrupted")
		} else {
			assert.Contains(t, stderr.String(), "liveconfig: interrupted")
		}
		require.Eventually(t, func() bool { return srv.InFlight() == 0 }, 5*time.Second, 5*time.Millisecond)
	}
}

// TestAnInterruptedChangeSaysItsOutcomeIsUnknown: Ctrl-C while a change is in flight says that whether the
// server applied it is unknown, and how to find out; a read says nothing of the kind.
func TestAnInterruptedChangeSaysItsOutcomeIsUnknown(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	srv.InjectFault("", liveconfigtest.Fault{Delay: time.Minute, Times: liveconfigtest.Always})
	for args, want := range map[string]string{
		"token set --token-file " + writeKey(t): "the change was sent, and whether the server applied it is unknown: read it back (liveconfig token get)",
		"callback delete":                       "whether the server applied it is unknown: read it back (liveconfig callback get)",
		"callback get":                          "",
	} {
		cmd := exec.Command(binary, strings.Fields(args)...)
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		require.Eventually(t, func() bool { return srv.InFlight() > 0 }, 5*time.Second, time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		cmd.Wait()
		assert.Equal(t, exitInterrupted, cmd.ProcessState.ExitCode(), args)
		if want == "" {
			assert.NotContains(t, stderr.String(), "unknown", args)
		} else {
			assert.Contains(t, stderr.String(), want, args)
		}
		require.Eventually(t, func() bool { return srv.InFlight() == 0 }, 5*time.Second, time.Millisecond)
	}
}

// TestAKeyFileThatNeverEndsHoldsNothing: a key or token file that is a FIFO nobody writes ends the command at
// --timeout, naming the file, and at the first Ctrl-C; so does a fleet file that never ends.
func TestAKeyFileThatNeverEndsHoldsNothing(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	fifo := filepath.Join(t.TempDir(), "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	delete(env, "LIVECONFIG_SECRET_KEY")
	for _, args := range [][]string{
		{"callback", "get", "--secret-key-file", fifo, "--timeout", "200ms"},
		{"token", "set", "--token-file", fifo, "--timeout", "200ms", "--secret-key-file", writeKey(t)},
	} {
		start := time.Now()
		r := cli(t, env, args...)
		assert.Less(t, time.Since(start), 20*time.Second, "%v", args)
		assert.NotEqual(t, exitOK, r.code, "%v", args)
		assert.Contains(t, r.stderr, "--timeout 200ms ran out", "%v", args)
		assert.Contains(t, r.stderr, fifo+": not read to its end", "%v", args)
	}
	envFile := map[string]string{"LIVECONFIG_SECRET_KEY_FILE": fifo}
	for k, v := range env {
		envFile[k] = v
	}
	r := cli(t, envFile, "callback", "get", "--timeout", "200ms")
	assert.Contains(t, r.stderr, "LIVECONFIG_SECRET_KEY_FILE "+fifo+": not read to its end")

	for _, args := range [][]string{
		{"callback", "get", "--secret-key-file", fifo},
		{"plan", "-f", fifo},
	} {
		cmd := exec.Command(binary, args...)
		for k, v := range env {
			cmd.Env = append(cmd.Env, k+"="+v)
		}
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		// Opening a FIFO to write without waiting succeeds once a reader has it open: the tool is then waiting
		// for data that never comes (the writer stays open, writing nothing, until the tool is gone).
		var writer *os.File
		require.Eventually(t, func() bool {
			w, err := os.OpenFile(fifo, os.O_WRONLY|syscall.O_NONBLOCK, 0)
			writer = w
			return err == nil
		}, 10*time.Second, time.Millisecond)
		require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case <-done:
		case <-time.After(20 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: the first Ctrl-C did not end it", args)
		}
		writer.Close()
		assert.Equal(t, exitInterrupted, cmd.ProcessState.ExitCode(), "%v: %s", args, stderr.String())
		assert.Contains(t, stderr.String(), "not read to its end", "%v", args)
	}
	assert.Empty(t, srv.AllRequests(), "nothing was sent")
}

// writeKey writes cliKey to a file and returns its path.
func writeKey(t *testing.T) string { return secretFile(t, cliKey) }

// TestBothKeyVariablesAreAUsageError: LIVECONFIG_SECRET_KEY and LIVECONFIG_SECRET_KEY_FILE at once cannot both
// be meant; --secret-key-file wins over both.
func TestBothKeyVariablesAreAUsageError(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	env["LIVECONFIG_SECRET_KEY_FILE"] = writeKey(t)
	r := cli(t, env, "callback", "get")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "both LIVECONFIG_SECRET_KEY and LIVECONFIG_SECRET_KEY_FILE are set")
	assert.Empty(t, srv.AllRequests())
	r = cli(t, env, "callback", "get", "--secret-key-file", writeKey(t))
	assert.NotContains(t, r.stderr, "both LIVECONFIG_SECRET_KEY")
	assert.Equal(t, exitConflict, r.code, "read with the flag's key: no configuration yet (%s)", r.stderr)
}

// TestSecretsAreTrimmedOneWayEverywhere: a key in a variable with a line break, a key file that starts with a
// byte order mark, and a --token with spaces around it are taken as a key file is: trimmed.
func TestSecretsAreTrimmedOneWayEverywhere(t *testing.T) {
	t.Parallel()
	srv, env := fakeEnv(t)
	env["LIVECONFIG_SECRET_KEY"] = cliKey + "\n"
	r := cli(t, env, "token", "set", "--token", "  padded-token  ")
	require.Equal(t, exitOK, r.code, r.stderr)
	tok, ok := srv.Token()
	require.True(t, ok)
	assert.Equal(t, "padded-token", tok.Token, "the flag's value is trimmed as a file's")

	delete(env, "LIVECONFIG_SECRET_KEY")
	bom := filepath.Join(t.TempDir(), "bom.key")
	require.NoError(t, os.WriteFile(bom, []byte("\uFEFF"+cliKey+"\r\n"), 0o600))
	r = cli(t, env, "token", "get", "--secret-key-file", bom)
	assert.Equal(t, exitOK, r.code, "a byte order mark is not part of the key: %s", r.stderr)

	r = cli(t, env, "token", "set", "--token", "in side", "--secret-key-file", bom)
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "character 3 is a space")
	assert.NotContains(t, r.stderr, "in side")
}

// TestMistypedCommandLinesSayWhatToTypeInstead: each says what the user did and what to type instead.
func TestMistypedCommandLinesSayWhatToTypeInstead(t *testing.T) {
	t.Parallel()
	_, env := fakeEnv(t)
	r := cli(t, env, "help", "callback", "create")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "--url", "help for the command named, not the top level")
	assert.Contains(t, r.stdout, "callback create")
	r = cli(t, env, "help", "token")
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "token set")
	assert.NotContains(t, r.stdout, "callback create")

	r = cli(t, env, "--url", "https://a.example/cb", "callback", "create", "--command", "Live.CallbackAfterCreateRoom")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "flags go after the command: liveconfig callback create --url https://a.example/cb --command Live.CallbackAfterCreateRoom")

	r = cli(t, env, "--token", "s3cret-t0ken", "token", "set")
	assert.Contains(t, r.stderr, "flags go after the command: liveconfig token set --token [redacted]")
	assert.NotContains(t, r.stderr, "s3cret-t0ken", "a command line repeated in a message keeps no token")
	r = cli(t, env, "--token=s3cret-t0ken", "nonsense")
	assert.NotContains(t, r.stderr, "s3cret-t0ken")

	r = cli(t, env, "token", "set", "--token", "t0ken", "--enabled", "false")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `unexpected argument "false": a true/false flag takes its value with '=': --enabled=false`)

	fx := newFleet(t, 1, nil)
	r = fx.run(t, "plan", "-f", fx.path, "--timeout", "1ns")
	assert.Contains(t, r.stdout, "--timeout 1ns (each app's) ran out: ")
}
