package liveconfigotel_test

import (
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// modulesOf lists the modules other than this one whose packages pkg compiles (tests excluded).
func modulesOf(t *testing.T, pkg string) []string {
	t.Helper()
	out, err := exec.Command("go", "list", "-deps", "-f", "{{if not .Standard}}{{.Module.Path}}{{end}}", pkg).Output()
	require.NoError(t, err, "go list %s", pkg)
	var mods []string
	for _, m := range strings.Fields(string(out)) {
		if m != "github.com/go-tuilive/liveconfig" && !slices.Contains(mods, m) {
			mods = append(mods, m)
		}
	}
	slices.Sort(mods)
	return mods
}

func TestOnlyThisPackageCompilesOpenTelemetry(t *testing.T) {
	t.Parallel()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command to list dependencies with")
	}
	core := []string{"github.com/go-resty/resty/v2", "github.com/tencentyun/tls-sig-api-v2-golang", "golang.org/x/net", "golang.org/x/time"}
	for _, pkg := range []string{"..", "../webhook", "../liveconfigtest", "../cmd/liveconfig-fake"} {
		assert.Equal(t, core, modulesOf(t, pkg), "%s compiles only the core dependencies", pkg)
	}
	withYAML := append(slices.Clone(core), "go.yaml.in/yaml/v3")
	slices.Sort(withYAML)
	for _, pkg := range []string{"../fleet", "../cmd/liveconfig"} {
		assert.Equal(t, withYAML, modulesOf(t, pkg), "%s compiles the core dependencies and the YAML decoder", pkg)
	}
	otel := modulesOf(t, ".")
	assert.Contains(t, otel, "go.opentelemetry.io/otel")
	for _, m := range otel {
		assert.False(t, strings.HasPrefix(m, "go.opentelemetry.io/otel/sdk"), "liveconfigotel needs the API only, not the SDK: %s", m)
	}
}
