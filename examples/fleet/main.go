// Command fleet manages the webhook configuration of 100 apps from one fleet file, on liveconfigtest's
// embedded fake (no credentials, no network), the way a deploy job does with liveconfig plan and apply:
//
//	go run ./examples/fleet
//
// It writes a fleet file for the fake's apps, plans (everything to create), applies while one app's
// credentials are refused (that app fails, the 99 others are done), applies again once the credentials are
// fixed (only that app changes), retires one app's webhooks in the file (callback: absent, token: absent), and
// plans a last time: nothing to change.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// apps is how many apps the fake serves.
const apps = 100

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "fleet:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer) error {
	start := time.Now()
	srv := liveconfigtest.NewServer(liveconfigtest.WithApps(liveconfigtest.SequentialApps(liveconfigtest.DefaultSDKAppID+1, apps-1)...))
	defer srv.Close()
	dir, err := os.MkdirTemp("", "liveconfig-fleet")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	// Secrets stay out of the file: each app's key in a variable of the job, the webhook token in a file.
	env := map[string]string{}
	for i, app := range srv.Apps() {
		env[fmt.Sprintf("APP_%d_KEY", i)] = app.SecretKey()
	}
	if err := os.WriteFile(filepath.Join(dir, "webhook-token"), []byte("a-shared-webhook-token\n"), 0o600); err != nil {
		return err
	}
	path := filepath.Join(dir, "fleet.yaml")
	if err := os.WriteFile(path, []byte(fleetFile(srv, "")), 0o600); err != nil {
		return err
	}
	fmt.Fprintf(out, "fleet file for %d apps on the embedded fake at %s:\n%s  ...\n\n", apps, srv.URL(), head(fleetFile(srv, ""), 15))

	// The fake is no Tencent host: a fleet file's endpoint: is used only when the caller allows it.
	opts := fleet.Options{Parallel: 16, Getenv: func(name string) string { return env[name] }, AllowEndpoints: []string{srv.URL()}}
	step := func(title string, apply bool) (*fleet.Report, error) {
		file, err := fleet.Load(path)
		if err != nil {
			return nil, err
		}
		do := fleet.Plan
		if apply {
			do = fleet.Apply
		}
		rep, err := do(ctx, file, opts)
		if err != nil {
			return nil, err
		}
		s, changed := rep.Summary(), "to change"
		if apply {
			changed = "changed"
		}
		fmt.Fprintf(out, "%s: %d apps, %d %s, %d unchanged, %d failed\n", title, s.Apps, s.Changed, changed, s.Unchanged, s.Failed)
		for _, app := range rep.Apps {
			if app.Err != nil {
				fmt.Fprintf(out, "  %s failed: %v\n", app.Name, app.Err)
			}
		}
		return rep, nil
	}

	rep, err := step("1. plan", false)
	if err != nil {
		return err
	}
	first := rep.Apps[0]
	fmt.Fprintf(out, "  %s would: callback %s, token %s\n", first.Name, first.Callback.Action, first.Token.Action)

	env["APP_7_KEY"] = "a-key-that-was-rotated" // app-7's key in the job is stale
	if _, err := step("2. apply", true); err != nil {
		return err
	}
	env["APP_7_KEY"] = srv.Apps()[7].SecretKey()
	if _, err := step("3. apply with app-7's key fixed", true); err != nil {
		return err
	}

	if err := os.WriteFile(path, []byte(fleetFile(srv, "app-42")), 0o600); err != nil {
		return err
	}
	rep, err = step("4. plan after retiring app-42's webhooks", false)
	if err != nil {
		return err
	}
	retired := rep.Apps[42]
	fmt.Fprintf(out, "  %s would: callback %s, token %s\n", retired.Name, retired.Callback.Action, retired.Token.Action)
	if _, err := step("5. apply", true); err != nil {
		return err
	}
	if _, ok := srv.Apps()[42].Callback(); ok {
		return fmt.Errorf("app-42 still has a callback configuration")
	}
	if _, err := step("6. plan", false); err != nil {
		return err
	}
	fmt.Fprintf(out, "done in %v, %d requests\n", time.Since(start).Round(time.Millisecond), len(srv.AllRequests()))
	return nil
}

// fleetFile is the fleet file for the fake's apps; the app named retired wants no webhooks.
func fleetFile(srv *liveconfigtest.Server, retired string) string {
	var b strings.Builder
	fmt.Fprintf(&b, `defaults:
  endpoint: %s   # for Tencent: region: singapore (or china, usa, ...)
  identifier: %s
  callback:
    url: https://live.example.com/tencent/webhook
    commands: [%s, %s]
  token:
    token_file: webhook-token   # relative to this file
apps:
`, srv.URL(), liveconfigtest.DefaultIdentifier, liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom)
	for i, app := range srv.Apps() {
		name := fmt.Sprintf("app-%d", i)
		fmt.Fprintf(&b, "  - name: %s\n    sdkappid: %d\n    secret_key_env: APP_%d_KEY\n", name, app.SDKAppID(), i)
		if name == retired {
			b.WriteString("    callback: absent\n    token: absent\n")
		}
	}
	return b.String()
}

// head returns the first n lines of s.
func head(s string, n int) string {
	lines := strings.SplitAfter(s, "\n")
	return strings.Join(lines[:min(n, len(lines))], "")
}
