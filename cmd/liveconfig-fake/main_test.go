package main

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
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
