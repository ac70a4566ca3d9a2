package liveconfigotel_test

import (
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestThisPackageCompilesOnlyTheOpenTelemetryAPI: a service chooses its own SDK and exporters; this package
// needs only the API. (The root module compiles none of it: its own test checks its go.mod.)
func TestThisPackageCompilesOnlyTheOpenTelemetryAPI(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list dependencies with")
	}
	out, err := exec.Command("go", "list", "-deps", ".").Output()
	require.NoError(t, err)
	deps := strings.Fields(string(out))
	assert.Contains(t, deps, "go.opentelemetry.io/otel")
	for _, pkg := range deps {
		assert.False(t, strings.HasPrefix(pkg, "go.opentelemetry.io/otel/sdk"), "liveconfigotel needs the API only, not the SDK: %s", pkg)
	}
}
