package main

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// fleetFixture is a fake serving n apps, a fleet file for them and the environment holding their secrets.
type fleetFixture struct {
	srv  *liveconfigtest.Server
	env  map[string]string
	path string
}

// newFleet starts the fake and writes a file in which every app wants the callback below and a token of its
// own; extra(i) adds lines to app i.
func newFleet(t *testing.T, n int, extra func(i int) string) *fleetFixture {
	t.Helper()
	srv := liveconfigtest.New(t, liveconfigtest.WithSecretKey(cliKey), liveconfigtest.WithApps(liveconfigtest.SequentialApps(liveconfigtest.DefaultSDKAppID+1, n-1)...))
	fx := &fleetFixture{srv: srv, env: map[string]string{}, path: filepath.Join(t.TempDir(), "fleet.yaml")}
	var b strings.Builder
	fmt.Fprintf(&b, `defaults:
  endpoint: %s
  identifier: administrator
  callback:
    url: https://live.example.com/tencent/webhook
    commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]
apps:
`, srv.URL())
	for i, app := range srv.Apps() {
		fx.env[fmt.Sprintf("KEY_%d", i)] = app.SecretKey()
		fx.env[fmt.Sprintf("TOKEN_%d", i)] = fmt.Sprintf("fleet-token-%d-7f3a9c", i)
		fmt.Fprintf(&b, "  - name: app-%d\n    sdkappid: %d\n    secret_key_env: KEY_%d\n    token: {token_env: TOKEN_%d}\n", i, app.SDKAppID(), i, i)
		if extra != nil {
			b.WriteString(extra(i))
		}
	}
	require.NoError(t, os.WriteFile(fx.path, []byte(b.String()), 0o600))
	return fx
}

// allow is the flag that lets the fleet file name the fake as its endpoint.
func (fx *fleetFixture) allow() []string { return []string{"--allow-endpoint", fx.srv.URL()} }

// run runs plan or apply (args[0]) with fx.allow(), and checks that no key or token of the fleet is printed.
func (fx *fleetFixture) run(t *testing.T, args ...string) result {
	t.Helper()
	args = slices.Concat(args[:1], fx.allow(), args[1:])
	r := cli(t, fx.env, args...)
	for name, secret := range fx.env {
		if secret != "" {
			assert.NotContains(t, r.stdout+r.stderr, secret, "%s is never printed", name)
		}
	}
	return r
}

func TestPlanApplyPlan(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 3, nil)
	r := fx.run(t, "plan", "-f", fx.path, "--exit-code")
	assert.Equal(t, exitPending, r.code, r.stderr)
	assert.Contains(t, r.stdout, "app-1 (1400000002)\n  callback: create https://live.example.com/tencent/webhook [Live.CallbackAfterCreateRoom Live.CallbackAfterDestroyRoom]\n  token:    create (enabled: true)\n")
	assert.Contains(t, r.stdout, "Plan: 3 apps: 3 to change, 0 unchanged, 0 failed.")
	assert.Empty(t, fx.srv.Apps()[1].Changes(), "plan sends no write")

	r = fx.run(t, "apply", "-f", fx.path, "-o", "json", "--parallel", "2")
	require.Equal(t, exitOK, r.code, r.stderr)
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, map[string]any{"apps": 3.0, "changed": 3.0, "unchanged": 0.0, "failed": 0.0, "not_started": 0.0, "interrupted": false}, out["summary"])
	apps := out["apps"].([]any)
	require.Len(t, apps, 3)
	first := apps[0].(map[string]any)
	assert.Equal(t, "app-0", first["name"])
	assert.Equal(t, 1400000001.0, first["sdkappid"])
	assert.Nil(t, first["error"])
	assert.Len(t, first["request_ids"], 2)
	assert.Equal(t, map[string]any{"action": "create", "from": nil, "to": map[string]any{"url": "https://live.example.com/tencent/webhook",
		"commands": []any{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterDestroyRoom"}}, "applied": true}, first["callback"])
	assert.Equal(t, map[string]any{"action": "create", "enabled_from": nil, "enabled_to": true, "value_changed": true, "applied": true}, first["token"])
	for i, app := range fx.srv.Apps() {
		tok, ok := app.Token()
		assert.True(t, ok)
		assert.Equal(t, fx.env[fmt.Sprintf("TOKEN_%d", i)], tok.Token)
	}

	r = fx.run(t, "plan", "-f", fx.path, "--exit-code", "-o", "json")
	assert.Equal(t, exitOK, r.code, "nothing pending: %s", r.stderr)
	assert.Equal(t, 3.0, decodeJSON(t, r.stdout)["summary"].(map[string]any)["unchanged"])
	changes := len(fx.srv.Apps()[0].Changes())
	r = fx.run(t, "apply", "-f", fx.path)
	assert.Equal(t, exitOK, r.code)
	assert.Contains(t, r.stdout, "Apply: 3 apps: 0 changed, 3 unchanged, 0 failed.")
	assert.Len(t, fx.srv.Apps()[0].Changes(), changes, "a second apply sends no write")

	r = fx.run(t, "plan", "-f", fx.path, "--app", "app-2", "-o", "json")
	assert.Len(t, decodeJSON(t, r.stdout)["apps"], 1, "--app selects")
}

func TestPlanJSONShowsUpdatesAndDeletes(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 2, func(i int) string {
		if i == 1 {
			return "    callback: absent\n"
		}
		return ""
	})
	apps := fx.srv.Apps()
	apps[0].SetCallback(&liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom, liveconfig.CommandBeforeSendGift}})
	apps[0].SetToken(&liveconfig.CallbackToken{Token: "an-old-token-value", Enabled: false})
	apps[1].SetCallback(&liveconfig.CallbackConfig{URL: "https://gone.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	apps[1].SetToken(&liveconfig.CallbackToken{Token: fx.env["TOKEN_1"], Enabled: true})
	fx.env["OLD"] = "an-old-token-value" // checked never to be printed, as the current token

	r := fx.run(t, "plan", "-f", fx.path, "-o", "json")
	require.Equal(t, exitOK, r.code, r.stderr)
	got := decodeJSON(t, r.stdout)["apps"].([]any)
	update, del := got[0].(map[string]any), got[1].(map[string]any)
	assert.Equal(t, "update", update["callback"].(map[string]any)["action"])
	assert.Equal(t, []any{"Live.CallbackAfterDestroyRoom"}, update["callback"].(map[string]any)["added"])
	assert.Equal(t, []any{"Live.CallbackBeforeSendGift"}, update["callback"].(map[string]any)["removed"])
	assert.Equal(t, map[string]any{"action": "update", "enabled_from": false, "enabled_to": true, "value_changed": true}, update["token"])
	assert.Equal(t, "delete", del["callback"].(map[string]any)["action"])
	assert.Nil(t, del["callback"].(map[string]any)["to"])
	assert.Equal(t, "none", del["token"].(map[string]any)["action"])
	assert.NotContains(t, update["callback"], "applied", "plan says nothing of applied")

	r = fx.run(t, "plan", "-f", fx.path)
	assert.Contains(t, r.stdout, "  callback: update: url https://old.example/cb -> https://live.example.com/tencent/webhook; add [Live.CallbackAfterDestroyRoom]; remove [Live.CallbackBeforeSendGift]\n")
	assert.Contains(t, r.stdout, "  token:    update: new value; enabled false -> true\n")
	assert.Contains(t, r.stdout, "  callback: delete https://gone.example/cb [Live.CallbackAfterCreateRoom]\n")

	apps[1].InjectFault(liveconfig.OpDeleteCallback, liveconfigtest.Fault{Code: 70403})
	r = fx.run(t, "apply", "-f", fx.path)
	assert.Equal(t, exitAuth, r.code)
	assert.Contains(t, r.stdout, "  token:    update: new value; enabled false -> true (done)\n")
	assert.Contains(t, r.stdout, "  callback: delete https://gone.example/cb [Live.CallbackAfterCreateRoom] (not done)\n")
	assert.Contains(t, r.stdout, "  error:    delete_callback: 70403 ")
	assert.Contains(t, r.stdout, "Apply: 2 apps: 1 changed, 0 unchanged, 1 failed.\n")
}

func TestFleetExitCodes(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 4, nil)
	apps := fx.srv.Apps()
	apps[1].InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 100002, Times: liveconfigtest.Always}) // 1
	fx.env["KEY_2"] = "not-the-key-of-app-2"                                                                        // 3
	r := fx.run(t, "apply", "-f", fx.path, "-o", "json")
	assert.Equal(t, exitAuth, r.code, "auth (3) is worse than a server failure (1)")
	out := decodeJSON(t, r.stdout)
	assert.Equal(t, map[string]any{"apps": 4.0, "changed": 2.0, "unchanged": 0.0, "failed": 2.0, "not_started": 0.0, "interrupted": false}, out["summary"])
	failed := out["apps"].([]any)[2].(map[string]any)["error"].(map[string]any)
	assert.Equal(t, 70009.0, failed["code"])
	assert.NotEmpty(t, failed["request_id"])
	assert.Contains(t, failed["info"], "get_callback: 70009")
	_, ok := apps[3].Callback()
	assert.True(t, ok, "one app's failure does not stop another")

	delete(fx.env, "KEY_3") // 2
	r = fx.run(t, "plan", "-f", fx.path)
	assert.Equal(t, exitUsage, r.code, "a missing secret (2) is worse than auth (3)")
	assert.Contains(t, r.stdout, "  error:    fleet: app-3: secret key: environment variable KEY_3 is not set\n")
	fx.env["KEY_3"] = ""
	r = fx.run(t, "plan", "-f", fx.path)
	assert.Contains(t, r.stdout, "  error:    fleet: app-3: secret key: environment variable KEY_3 is empty\n", "set, but empty")

	r = fx.run(t, "plan")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, "-f FILE is required")
	for _, args := range [][]string{{"--parallel", "0"}, {"--timeout", "0s"}, {"--app", "nope"}, {"--exit-code=maybe"}} {
		r = fx.run(t, append([]string{"plan", "-f", fx.path}, args...)...)
		assert.Equal(t, exitUsage, r.code, "%v", args)
	}
	r = fx.run(t, "apply", "-f", fx.path, "--exit-code")
	assert.Equal(t, exitUsage, r.code, "--exit-code is plan's")
}

func TestFleetExitCodeOrder(t *testing.T) {
	t.Parallel()
	usage := &fleet.SecretError{Reason: "is not set"}
	auth := &liveconfig.APIError{Code: 70009}
	failure := &liveconfig.APIError{Code: 100001}
	conflict := &liveconfig.APIError{Code: 100300}
	pending := fleet.AppReport{Callback: fleet.CallbackChange{Action: fleet.ActionCreate}, Token: fleet.TokenChange{Action: fleet.ActionNone}}
	report := func(errs ...error) *fleet.Report {
		rep := &fleet.Report{}
		for _, err := range errs {
			rep.Apps = append(rep.Apps, fleet.AppReport{Err: err})
		}
		return rep
	}
	assert.Equal(t, exitUsage, fleetExitCode(report(conflict, failure, usage, auth), false))
	assert.Equal(t, exitAuth, fleetExitCode(report(conflict, auth, failure), false))
	assert.Equal(t, exitFailure, fleetExitCode(report(failure, conflict, nil), false))
	assert.Equal(t, exitConflict, fleetExitCode(report(nil, conflict), true))
	assert.Equal(t, exitOK, fleetExitCode(report(nil), true))
	assert.Equal(t, exitPending, fleetExitCode(&fleet.Report{Apps: []fleet.AppReport{pending}}, true))
	assert.Equal(t, exitOK, fleetExitCode(&fleet.Report{Apps: []fleet.AppReport{pending}}, false))
	assert.Equal(t, exitInterrupted, fleetExitCode(&fleet.Report{Apps: []fleet.AppReport{{Err: auth}}, Interrupted: true}, true))
}

func TestFleetFileErrors(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "bad.yaml")
	require.NoError(t, os.WriteFile(path, []byte("apps:\n  - {name: 'a b', sdkappid: 1}\n  - {name: c, secret_key: s3cr3t-in-file}\n"), 0o600))
	r := cli(t, nil, "plan", "-f", path)
	assert.Equal(t, exitUsage, r.code)
	lines := strings.Split(strings.TrimSpace(r.stderr), "\n")
	require.GreaterOrEqual(t, len(lines), 2, r.stderr)
	assert.Equal(t, "liveconfig: "+path+`:2: apps[0].name: "a b" must be 1 to 64 letters, digits, '-' or '_'`, lines[0])
	assert.Contains(t, r.stderr, path+":3: apps[1].secret_key: the secret key must not be in the file")
	assert.NotContains(t, r.stderr, "s3cr3t-in-file")
	assert.Empty(t, r.stdout)

	r = cli(t, nil, "apply", "-f", path, "-o", "json")
	assert.Equal(t, exitUsage, r.code)
	info := oneJSONObject(t, "file errors", r.stderr)["error"].(map[string]any)["info"].(string)
	assert.Contains(t, info, ":2: apps[0].name")
	assert.Contains(t, info, ":3: apps[1].secret_key")
}

// TestApplyInterruptedReportsWhatWasDone: Ctrl-C during an apply lets the call in flight finish, starts no
// other app, prints the report and exits 130.
func TestApplyInterruptedReportsWhatWasDone(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 5, nil)
	apps := fx.srv.Apps()
	apps[0].InjectFault(liveconfig.OpSetCallbackToken, liveconfigtest.Fault{Delay: 300 * time.Millisecond})
	cmd := exec.Command(binary, slices.Concat([]string{"apply", "-f", fx.path, "--parallel", "1", "-o", "json"}, fx.allow())...)
	for k, v := range fx.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	require.NoError(t, cmd.Start())
	waitUntilWriteHeld(t, fx.srv, apps[0])
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	err := cmd.Wait()
	var exitErr *exec.ExitError
	require.ErrorAs(t, err, &exitErr)
	assert.Equal(t, exitInterrupted, exitErr.ExitCode(), stderr.String())
	out := decodeJSON(t, stdout.String())
	assert.Equal(t, map[string]any{"apps": 5.0, "changed": 1.0, "unchanged": 0.0, "failed": 0.0, "not_started": 4.0, "interrupted": true}, out["summary"],
		"the app whose token was set before the stop is counted as changed")
	first := out["apps"].([]any)[0].(map[string]any)
	assert.Equal(t, true, first["token"].(map[string]any)["applied"], "the call in flight finished")
	assert.Equal(t, false, first["callback"].(map[string]any)["applied"])
	_, ok := apps[0].Token()
	assert.True(t, ok)
	for _, app := range apps[1:] {
		assert.Empty(t, app.Requests(), "no other app was started")
	}
}

// TestProgressOnlyOnATerminal: the progress line goes to a terminal's stderr, and nowhere else.
func TestProgressOnlyOnATerminal(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 3, nil)
	pty, tty, err := openPTY()
	if errors.Is(err, errNoPTY) {
		t.Skip(err)
	}
	require.NoError(t, err)
	defer pty.Close()
	read := make(chan string, 1)
	go func() {
		var b bytes.Buffer
		buf := make([]byte, 4096)
		for {
			n, err := pty.Read(buf)
			b.Write(buf[:n])
			if err != nil || strings.Contains(b.String(), "3/3 apps done") {
				read <- b.String()
				return
			}
		}
	}()
	var stdout bytes.Buffer
	lookupEnv := func(k string) (string, bool) { v, ok := fx.env[k]; return v, ok }
	code := run(context.Background(), slices.Concat([]string{"plan", "-f", fx.path}, fx.allow()), &stdout, tty, lookupEnv)
	tty.Close()
	assert.Equal(t, exitOK, code)
	select {
	case progress := <-read:
		assert.Contains(t, progress, "\r\x1b[Kliveconfig plan: 1/3 apps done, 0 failed")
		assert.Contains(t, progress, "liveconfig plan: 3/3 apps done, 0 failed")
	case <-time.After(5 * time.Second):
		t.Fatal("no progress line on the terminal")
	}
	assert.NotContains(t, stdout.String(), "apps done", "the report alone on stdout")

	var stderr bytes.Buffer
	assert.Equal(t, exitOK, run(context.Background(), slices.Concat([]string{"plan", "-f", fx.path}, fx.allow()), &stdout, &stderr, lookupEnv))
	assert.Empty(t, stderr.String(), "no progress when stderr is not a terminal")
	null, err := os.OpenFile(os.DevNull, os.O_WRONLY, 0)
	require.NoError(t, err)
	defer null.Close()
	assert.False(t, isTerminal(null), "the null device is a character device, not a terminal")
	assert.Nil(t, newProgress(&terminal{format: "json", stderr: pty}, "plan", 3), "no progress with -o json")
	assert.NotNil(t, newProgress(&terminal{format: "text", stderr: pty}, "plan", 3))
}

// TestSecondInterruptEndsTheToolAtOnce: while apply waits for a call in flight after Ctrl-C, a second Ctrl-C
// ends it without waiting.
func TestSecondInterruptEndsTheToolAtOnce(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 2, nil)
	fx.srv.Apps()[0].InjectFault(liveconfig.OpSetCallbackToken, liveconfigtest.Fault{Delay: time.Minute})
	cmd := exec.Command(binary, slices.Concat([]string{"apply", "-f", fx.path, "--parallel", "1"}, fx.allow())...)
	for k, v := range fx.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	require.NoError(t, cmd.Start())
	waitUntilWriteHeld(t, fx.srv, fx.srv.Apps()[0])
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		t.Fatalf("the first Ctrl-C let the call in flight go on; the tool exited at once: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	require.NoError(t, cmd.Process.Signal(syscall.SIGINT))
	select {
	case err := <-exited:
		var exitErr *exec.ExitError
		require.ErrorAs(t, err, &exitErr)
		status := exitErr.Sys().(syscall.WaitStatus)
		assert.True(t, status.Signaled() && status.Signal() == syscall.SIGINT, "ended by the second SIGINT: %v", status)
	case <-time.After(5 * time.Second):
		t.Fatal("a second Ctrl-C did not end the tool")
	}
	require.Eventually(t, func() bool { return fx.srv.InFlight() == 0 }, 5*time.Second, time.Millisecond)
}

// waitUntilWriteHeld waits until app's two reads are answered and a request has then been in flight for 50 ms
// on end: the write a Delay fault holds, not the tail of a read.
func waitUntilWriteHeld(t *testing.T, srv *liveconfigtest.Server, app *liveconfigtest.App) {
	t.Helper()
	require.Eventually(t, func() bool {
		return len(app.RequestsTo(liveconfig.OpGetCallback)) == 1 && len(app.RequestsTo(liveconfig.OpGetCallbackToken)) == 1
	}, 5*time.Second, time.Millisecond)
	for held, polls := 0, 0; held < 10; polls++ {
		require.Less(t, polls, 1000, "no write was held in flight")
		if srv.InFlight() > 0 {
			held++
		} else {
			held = 0
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestAnEmptyAppNameSelectsNothing: --app "$APP" with APP unset or empty, or a list with an empty item, is a
// usage error before anything is read or sent, not a run over every app.
func TestAnEmptyAppNameSelectsNothing(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 3, nil)
	for _, value := range []string{"", " ", ",", "app-1,", "app-1,,app-2"} {
		for _, verb := range []string{"plan", "apply"} {
			r := fx.run(t, verb, "-f", fx.path, "--app", value)
			assert.Equal(t, exitUsage, r.code, "%s --app %q", verb, value)
			assert.Contains(t, r.stderr, "an app name is empty", "%s --app %q", verb, value)
		}
	}
	assert.Empty(t, fx.srv.AllRequests(), "nothing was sent")
	r := fx.run(t, "plan", "-f", fx.path, "--app", "app-1, app-2")
	require.Equal(t, exitOK, r.code, r.stderr)
	assert.Contains(t, r.stdout, "app-1 (")
	assert.Contains(t, r.stdout, "app-2 (", "names around commas are trimmed")
	assert.NotContains(t, r.stdout, "app-0 (")
}

// TestFleetFileFromStandardInput: -f - reads the fleet file from standard input; its errors name lines.
func TestFleetFileFromStandardInput(t *testing.T) {
	t.Parallel()
	fx := newFleet(t, 2, nil)
	content, err := os.ReadFile(fx.path)
	require.NoError(t, err)
	r := cliWithInput(t, fx.env, string(content), slices.Concat([]string{"plan", "-f", "-", "--exit-code"}, fx.allow())...)
	assert.Equal(t, exitPending, r.code, r.stderr)
	assert.Contains(t, r.stdout, "Plan: 2 apps: 2 to change, 0 unchanged, 0 failed.")

	r = cliWithInput(t, nil, "apps:\n  - {name: 'a b', sdkappid: 1}\n", "plan", "-f", "-")
	assert.Equal(t, exitUsage, r.code)
	assert.Contains(t, r.stderr, `fleet file:2: apps[0].name: "a b" must be`)
}

// TestAConflictIsReportedAndExits4: a part that apply found changed by another writer when it read it back
// says so in text and in JSON, and the app's exit code is the state-conflict one.
func TestAConflictIsReportedAndExits4(t *testing.T) {
	t.Parallel()
	want := &liveconfig.CallbackConfig{URL: "https://live.example.com/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	theirs := &liveconfig.CallbackConfig{URL: "https://theirs.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterDestroyRoom}}
	enabled, enabledTo := false, true
	rep := &fleet.Report{Applied: true, Apps: []fleet.AppReport{{
		Name: "prod", SDKAppID: 1400000001,
		Callback: fleet.CallbackChange{Action: fleet.ActionCreate, To: want, Applied: true, Conflict: true, Now: theirs},
		Token: fleet.TokenChange{Action: fleet.ActionCreate, EnabledTo: &enabledTo, ValueChanged: true, Applied: true,
			Conflict: true, EnabledNow: &enabled},
		Err: fmt.Errorf("fleet: prod: callback: %w", fleet.ErrConflict),
	}}}
	var text bytes.Buffer
	printFleetReport(&text, rep)
	assert.Contains(t, text.String(), "  callback: create https://live.example.com/cb [Live.CallbackAfterCreateRoom] (done)\n"+
		"  conflict: another writer changed it; now https://theirs.example/cb [Live.CallbackAfterDestroyRoom]\n")
	assert.Contains(t, text.String(), "  conflict: another writer changed the token; now a token that is not the one set (enabled: false)\n")
	var out bytes.Buffer
	writeJSON(&out, fleetReportJSON(rep))
	app := decodeJSON(t, out.String())["apps"].([]any)[0].(map[string]any)
	callback, token := app["callback"].(map[string]any), app["token"].(map[string]any)
	assert.Equal(t, true, callback["conflict"])
	assert.Equal(t, map[string]any{"url": theirs.URL, "commands": []any{"Live.CallbackAfterDestroyRoom"}}, callback["now"])
	assert.Equal(t, true, token["conflict"])
	assert.Equal(t, false, token["enabled_now"])
	assert.Equal(t, exitConflict, fleetExitCode(rep, false))

	rep.Apps[0].Callback.Now = nil
	out.Reset()
	writeJSON(&out, fleetReportJSON(rep))
	callback = decodeJSON(t, out.String())["apps"].([]any)[0].(map[string]any)["callback"].(map[string]any)
	now, ok := callback["now"]
	assert.True(t, ok, "now is there, null, when nothing is")
	assert.Nil(t, now)
}
