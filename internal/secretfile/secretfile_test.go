package secretfile

import (
	"os"
	"path/filepath"
	"strings"
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
