package secretfile

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(path, []byte(content), 0o600))
		return path
	}
	got, err := Read(write("key", " \tthe-key\r\n"))
	require.NoError(t, err)
	assert.Equal(t, "the-key", got, "white space around it is not part of it")
	got, err = Read(write("limit", strings.Repeat("k", MaxBytes)))
	require.NoError(t, err)
	assert.Len(t, got, MaxBytes)

	for path, want := range map[string]string{
		filepath.Join(dir, "missing"):                 "cannot be opened: no such file or directory",
		write("empty", " \n"):                         "is empty",
		write("big", strings.Repeat("k", MaxBytes+1)): "is larger than 64 KiB",
		dir: "cannot be read",
	} {
		_, err := Read(path)
		require.Error(t, err, path)
		assert.Contains(t, err.Error(), want)
		assert.NotContains(t, err.Error(), path, "the caller names the file")
	}
}

func TestReadRegularRefusesWhatIsNotAFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(path, []byte("the-key\n"), 0o600))
	got, err := ReadRegular(path)
	require.NoError(t, err)
	assert.Equal(t, "the-key", got)

	fifo := filepath.Join(dir, "fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	for path, want := range map[string]string{
		fifo:                       "is not a regular file (it is a FIFO)", // opened without waiting for a writer
		os.DevNull:                 "is not a regular file (it is a device)",
		dir:                        "is not a regular file (it is a directory)",
		filepath.Join(dir, "none"): "cannot be opened: no such file or directory",
	} {
		_, err := ReadRegular(path)
		assert.ErrorContains(t, err, want, path)
	}
}
