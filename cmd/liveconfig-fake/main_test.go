package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestServesTheFakeUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-sdkappid", "3000000001", "-key", "shared-test-key"}, w, io.Discard)
		w.Close()
	}()
	lines := bufio.NewScanner(out)
	require.True(t, lines.Scan())
	baseURL := lines.Text()
	require.True(t, lines.Scan())
	assert.Equal(t, "sdkappid=3000000001 identifier=administrator key=shared-test-key", lines.Text())
	require.True(t, lines.Scan())
	assert.Contains(t, lines.Text(), "keeping the last 1000 requests", "the request log is bounded by default")
	go io.Copy(io.Discard, out)

	client, err := liveconfig.NewClient(liveconfig.Config{Endpoint: baseURL, SDKAppID: 3000000001,
		Identifier: "administrator", SecretKey: "shared-test-key"})
	require.NoError(t, err)
	_, err = client.GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound, "a signed call reaches the fake and is verified")
	client.CloseIdleConnections()

	cancel()
	require.NoError(t, <-done)
}

func TestRefusesBadArguments(t *testing.T) {
	assert.Error(t, run(context.Background(), []string{"-sdkappid", "x"}, io.Discard, io.Discard))
	assert.Error(t, run(context.Background(), []string{"extra"}, io.Discard, io.Discard))
}

// TestHelpExitsZero runs main itself in a child process, since only main decides the exit code.
func TestHelpExitsZero(t *testing.T) {
	if os.Getenv("LIVECONFIG_FAKE_MAIN") == "1" {
		os.Args = []string{"liveconfig-fake", "-h"}
		main()
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run", "^TestHelpExitsZero$")
	cmd.Env = append(os.Environ(), "LIVECONFIG_FAKE_MAIN=1")
	out, err := cmd.CombinedOutput()
	require.NoError(t, err, "-h exits 0: %s", out)
	assert.Contains(t, string(out), "-request-log")
}

// serve runs the fake with args until the test ends and returns the lines it printed before serving.
func serve(t *testing.T, args ...string) []string {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", "127.0.0.1:0"}, args...), w, io.Discard)
		w.Close()
	}()
	t.Cleanup(func() {
		cancel()
		require.NoError(t, <-done)
	})
	var lines []string
	scanner := bufio.NewScanner(out)
	for scanner.Scan() {
		lines = append(lines, scanner.Text())
		if strings.HasPrefix(scanner.Text(), "serving") {
			break
		}
	}
	go io.Copy(io.Discard, out)
	return lines
}

// appLine matches what the fake prints for each app.
var appLine = regexp.MustCompile(`^sdkappid=(\d+) identifier=(\S+) key=(\S+)$`)

// callEach signs a call for every app the fake printed and checks that it is verified with that app's key.
func callEach(t *testing.T, lines []string) []liveconfig.Config {
	t.Helper()
	var cfgs []liveconfig.Config
	for _, line := range lines[1 : len(lines)-1] {
		m := appLine.FindStringSubmatch(line)
		require.NotNil(t, m, line)
		id, err := strconv.ParseUint(m[1], 10, 64)
		require.NoError(t, err)
		cfg := liveconfig.Config{Endpoint: lines[0], SDKAppID: id, Identifier: m[2], SecretKey: m[3]}
		client, err := liveconfig.NewClient(cfg)
		require.NoError(t, err)
		_, err = client.GetCallback(context.Background())
		assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound, "app %d is served and verified with its own key", id)
		client.CloseIdleConnections()
		cfgs = append(cfgs, cfg)
	}
	return cfgs
}

func TestServesManyApps(t *testing.T) {
	lines := serve(t, "-sdkappid", "3000000001", "-apps", "3")
	require.Len(t, lines, 5, "the URL, three apps, the serving line")
	assert.Contains(t, lines[4], "for 3 apps")
	cfgs := callEach(t, lines)
	assert.Equal(t, []uint64{3000000001, 3000000002, 3000000003}, []uint64{cfgs[0].SDKAppID, cfgs[1].SDKAppID, cfgs[2].SDKAppID})
	assert.NotEqual(t, cfgs[0].SecretKey, cfgs[1].SecretKey, "without -key each app has its own")
}

func TestServesTheAppsOfAFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "apps.json")
	require.NoError(t, os.WriteFile(path, []byte(`[
		{"sdkappid": 4000000001, "identifier": "ops", "key": "key-one"},
		{"sdkappid": 4000000002, "rate_limit": 0}
	]`), 0o600))
	lines := serve(t, "-apps-file", path)
	require.Len(t, lines, 4)
	assert.Equal(t, "sdkappid=4000000001 identifier=ops key=key-one", lines[1])
	assert.Regexp(t, `^sdkappid=4000000002 identifier=administrator key=[0-9a-f]{64}$`, lines[2])
	callEach(t, lines)
}

func TestRefusesBadApps(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	for name, args := range map[string][]string{
		"no apps":          {"-apps", "0"},
		"too many apps":    {"-apps", "100001"},
		"past the largest": {"-sdkappid", "18446744073709551615", "-apps", "2"},
		"file and flags":   {"-apps-file", write("ok.json", `[{"sdkappid": 1}]`), "-key", "k"},
		"missing file":     {"-apps-file", filepath.Join(dir, "missing.json")},
		"empty list":       {"-apps-file", write("empty.json", `[]`)},
		"unknown field":    {"-apps-file", write("unknown.json", `[{"sdkappid": 1, "secret": "x"}]`)},
		"no sdkappid":      {"-apps-file", write("noid.json", `[{"key": "x"}]`)},
		"twice":            {"-apps-file", write("twice.json", `[{"sdkappid": 7}, {"sdkappid": 7}]`)},
	} {
		assert.Error(t, run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, args...), io.Discard, io.Discard), name)
	}
	// The limits the library itself refuses, each said as what it is.
	for args, want := range map[string]string{
		"-rate-limit NaN":  "-rate-limit must be a finite number of requests a second, 0 for none, not NaN",
		"-rate-limit -5":   "-rate-limit must be a finite number of requests a second, 0 for none, not -5",
		"-rate-limit +Inf": "-rate-limit must be a finite number",
		"-sdkappid 0":      "-sdkappid must not be 0",
		"-apps-file " + write("negative.json", `[{"sdkappid": 7, "rate_limit": -1}]`): "app 1: rate_limit must be a finite number",
	} {
		err := run(context.Background(), append([]string{"-addr", "127.0.0.1:0"}, strings.Fields(args)...), io.Discard, io.Discard)
		assert.ErrorContains(t, err, want, args)
	}
}
