package liveconfig_test

import (
	"context"
	"encoding/json"
	"io/fs"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// otherModules are the repository's modules beside this one: the integrations whose dependencies a user of the
// root package should not get, and the example that needs one. Each requires this module and replaces it with
// the directory above, so that it builds and tests against the code beside it.
var otherModules = []string{"examples/webhook-receiver", "liveconfigotel", "liveconfigredis"}

// coreRequirements is all the root module may require: what its packages compile, the YAML decoder of fleet,
// the test-only testify and goleak, and resty's x/net.
var coreRequirements = []string{"github.com/go-resty/resty/v2", "github.com/stretchr/testify", "github.com/tencentyun/tls-sig-api-v2-golang",
	"go.uber.org/goleak", "go.yaml.in/yaml/v3", "golang.org/x/net", "golang.org/x/time"}

// goCommand finds the go command, or skips t: the tests that list modules need it.
func goCommand(t *testing.T) string {
	t.Helper()
	path, err := exec.LookPath("go")
	if err != nil {
		t.Skip("no go command to run")
	}
	return path
}

func TestOtherModulesAreAllListed(t *testing.T) {
	t.Parallel()
	var found []string
	err := filepath.WalkDir(".", func(path string, d fs.DirEntry, err error) error {
		switch {
		case err != nil:
			return err
		case d.IsDir() && path != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata"):
			return filepath.SkipDir
		case d.Name() == "go.mod" && path != "go.mod":
			found = append(found, filepath.ToSlash(filepath.Dir(path)))
		}
		return nil
	})
	require.NoError(t, err)
	slices.Sort(found)
	assert.Equal(t, otherModules, found, "every go.mod below the root is in otherModules, so its tests run")
}

func TestTheRootModuleRequiresOnlyTheCore(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(goCommand(t), "mod", "edit", "-json").Output()
	require.NoError(t, err)
	var mod struct {
		Go      string
		Require []struct{ Path string }
	}
	require.NoError(t, json.Unmarshal(out, &mod))
	var required []string
	for _, r := range mod.Require {
		required = append(required, r.Path)
	}
	slices.Sort(required)
	assert.Equal(t, coreRequirements, required, "OpenTelemetry and Redis belong to their own modules")
	assert.Equal(t, "1.24.0", mod.Go, "the lowest go line the requirements allow (x/time v0.14.0's)")
}

// TestPackagesCompileOnlyWhatTheyNeed: the root package, webhook, liveconfigtest and the fake compile the core
// only; fleet and the CLI add the YAML decoder.
func TestPackagesCompileOnlyWhatTheyNeed(t *testing.T) {
	t.Parallel()
	goCmd := goCommand(t)
	modulesOf := func(pkg string) []string {
		out, err := exec.Command(goCmd, "list", "-deps", "-f", "{{if not .Standard}}{{.Module.Path}}{{end}}", pkg).Output()
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
	core := []string{"github.com/go-resty/resty/v2", "github.com/tencentyun/tls-sig-api-v2-golang", "golang.org/x/net", "golang.org/x/time"}
	for _, pkg := range []string{".", "./webhook", "./liveconfigtest", "./cmd/liveconfig-fake"} {
		assert.Equal(t, core, modulesOf(pkg), "%s compiles only the core dependencies", pkg)
	}
	withYAML := append(slices.Clone(core), "go.yaml.in/yaml/v3")
	slices.Sort(withYAML)
	for _, pkg := range []string{"./fleet", "./cmd/liveconfig"} {
		assert.Equal(t, withYAML, modulesOf(pkg), "%s compiles the core dependencies and the YAML decoder", pkg)
	}
}

// TestEveryOtherModule runs each other module's tests, as `go test ./...` there would (with -race and -short
// when this run has them): README's one test command, go test ./..., stops at a module's edge, and this is
// how it reaches the others.
func TestEveryOtherModule(t *testing.T) {
	t.Parallel()
	goCmd := goCommand(t)
	args := []string{"test"}
	if raceEnabled {
		args = append(args, "-race")
	}
	if testing.Short() {
		args = append(args, "-short")
	}
	ctx := context.Background()
	if deadline, ok := t.Deadline(); ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithDeadline(ctx, deadline.Add(-5*time.Second))
		defer cancel()
	}
	for _, dir := range otherModules {
		t.Run(dir, func(t *testing.T) {
			cmd := exec.CommandContext(ctx, goCmd, append(args, "./...")...)
			cmd.Dir = dir
			out, err := cmd.CombinedOutput()
			if err != nil {
				t.Errorf("%s in %s: %v\n%s", strings.Join(cmd.Args[1:], " "), dir, err, out)
			}
		})
	}
}

// TestInternalSitsBelowTheRoot: what internal/ holds is used by the root package, webhook and the others, and
// imports none of them, so that any of them can use it.
func TestInternalSitsBelowTheRoot(t *testing.T) {
	t.Parallel()
	out, err := exec.Command(goCommand(t), "list", "-deps", "-test", "-f", "{{.ImportPath}} {{join .Deps \" \"}}", "./internal/...").Output()
	require.NoError(t, err)
	const module = "github.com/go-tuilive/liveconfig"
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		fields := strings.Fields(line)
		if !strings.HasPrefix(fields[0], module+"/internal/") {
			continue
		}
		for _, dep := range fields[1:] {
			if dep == module || strings.HasPrefix(dep, module+"/") && !strings.HasPrefix(dep, module+"/internal/") {
				t.Errorf("%s imports %s, a package above internal/", fields[0], dep)
			}
		}
	}
}
