package main

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// requireDriversEnv turns a missing curl or python3 from a skip into a failure (CI installs both).
const requireDriversEnv = "LIVECONFIG_REQUIRE_DRIVERS"

// lookOrSkip finds a program a driver needs, or skips t.
func lookOrSkip(t *testing.T, name string) {
	t.Helper()
	if _, err := exec.LookPath(name); err != nil {
		if os.Getenv(requireDriversEnv) == "1" {
			t.Fatalf("%s is not installed and %s=1", name, requireDriversEnv)
		}
		t.Skipf("%s is not installed", name)
	}
}

// programs builds the fake, the liveconfig command and the example receiver (a module of its own) into a
// directory of t's, for the drivers to start.
func programs(t *testing.T) []string {
	t.Helper()
	dir := t.TempDir()
	build := func(name, moduleDir, pkg string) string {
		path := filepath.Join(dir, name)
		cmd := exec.Command("go", "build", "-o", path, pkg)
		cmd.Dir = moduleDir
		out, err := cmd.CombinedOutput()
		require.NoError(t, err, "building %s: %s", name, out)
		return path
	}
	return []string{
		"FAKE=" + build("liveconfig-fake", ".", "."),
		"CLI=" + build("liveconfig", ".", "../liveconfig"),
		"RECEIVER=" + build("webhook-receiver", "../../examples/webhook-receiver", "."),
	}
}

// TestDriversInOtherLanguages runs testdata/control.sh (bash and curl) and testdata/control.py (Python's
// standard library) against the real programs: the fake's control API as a test outside Go uses it.
func TestDriversInOtherLanguages(t *testing.T) {
	if testing.Short() {
		t.Skip("builds three programs")
	}
	env := append(os.Environ(), programs(t)...)
	for _, driver := range []struct{ name, interpreter, script string }{
		{"bash and curl", "bash", "testdata/control.sh"},
		{"python", "python3", "testdata/control.py"},
	} {
		t.Run(driver.name, func(t *testing.T) {
			lookOrSkip(t, driver.interpreter)
			if driver.interpreter == "bash" {
				lookOrSkip(t, "curl")
			}
			ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, driver.interpreter, driver.script)
			cmd.Env = env
			out, err := cmd.CombinedOutput()
			require.NoError(t, err, "%s", out)
			assert.Equal(t, "ok", strings.TrimSpace(string(out)))
		})
	}
}
