//go:build unix

package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAPreviousTokenFileNobodyWritesEndsWithCtrlC: -previous-token-file naming a FIFO that nobody writes
// would block the receiver's start in open(2); Ctrl-C (the run's ctx) ends the wait, and the error names the
// file.
func TestAPreviousTokenFileNobodyWritesEndsWithCtrlC(t *testing.T) {
	fifo := filepath.Join(t.TempDir(), "previous-token")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	ctx, interrupt := context.WithCancelCause(context.Background())
	done := make(chan error, 1)
	env := map[string]string{"LIVECONFIG_SDKAPPID": "1400000001", "WEBHOOK_TOKEN": "receiver-new-token"}
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-previous-token-file", fifo}, func(k string) string { return env[k] }, io.Discard)
	}()
	select {
	case err := <-done:
		t.Fatalf("run returned before the interrupt: %v", err)
	case <-time.After(50 * time.Millisecond):
	}
	interrupt(errors.New("interrupt signal received"))
	select {
	case err := <-done:
		require.Error(t, err)
		assert.Contains(t, err.Error(), "-previous-token-file "+fifo+": not read: interrupt signal received")
	case <-time.After(10 * time.Second):
		t.Fatal("run did not end at the interrupt")
	}
	// The read left behind ends once a writer comes and goes, as it would when the process exits.
	w, err := os.OpenFile(fifo, os.O_WRONLY, 0)
	require.NoError(t, err)
	require.NoError(t, w.Close())
}

func TestAPreviousTokenFileIsBounded(t *testing.T) {
	env := map[string]string{"LIVECONFIG_SDKAPPID": "1400000001", "WEBHOOK_TOKEN": "receiver-new-token"}
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-previous-token-file", "/dev/zero"}, func(k string) string { return env[k] }, io.Discard)
	require.Error(t, err)
	assert.Equal(t, "-previous-token-file /dev/zero: is larger than 64 KiB, so not a token", err.Error())
}
