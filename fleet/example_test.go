package fleet_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/go-tuilive/liveconfig/fleet"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// Plan, then Apply, then Plan again, over two apps that the fake serves on one listener: the second plan finds
// nothing to change.
func Example() {
	srv := liveconfigtest.NewServer(liveconfigtest.WithApps(liveconfigtest.AppSpec{SDKAppID: 1400000002}))
	defer srv.Close()
	env := map[string]string{ // in production: the variables of the deploy job
		"PROD_KEY":      srv.App(1400000001).SecretKey(),
		"STAGING_KEY":   srv.App(1400000002).SecretKey(),
		"WEBHOOK_TOKEN": "a-webhook-token",
	}
	file, err := fleet.Decode(strings.NewReader(`
defaults:
  endpoint: `+srv.URL()+` # in production: region: singapore
  identifier: administrator
  callback:
    url: https://live.example.com/tencent/webhook
    commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]
apps:
  - name: prod
    sdkappid: 1400000001
    secret_key_env: PROD_KEY
    token: {token_env: WEBHOOK_TOKEN}
  - name: staging
    sdkappid: 1400000002
    secret_key_env: STAGING_KEY
    callback: {url: https://staging.example.com/tencent/webhook}
`), "")
	if err != nil {
		panic(err)
	}
	opts := fleet.Options{
		Getenv:         func(name string) string { return env[name] },
		AllowEndpoints: []string{srv.URL()}, // a fleet file may name only Tencent's hosts unless the caller allows more
	}
	ctx := context.Background()

	plan, _ := fleet.Plan(ctx, file, opts)
	for _, app := range plan.Apps {
		fmt.Printf("%s: callback %s, token %s\n", app.Name, app.Callback.Action, app.Token.Action)
	}
	applied, _ := fleet.Apply(ctx, file, opts)
	for _, app := range applied.Apps {
		fmt.Printf("%s: %d changes, error %v\n", app.Name, len(app.RequestIDs), app.Err)
	}
	again, _ := fleet.Plan(ctx, file, opts)
	fmt.Printf("%+v\n", again.Summary())
	// Output:
	// prod: callback create, token create
	// staging: callback create, token unmanaged
	// prod: 2 changes, error <nil>
	// staging: 1 changes, error <nil>
	// {Apps:2 Changed:0 Unchanged:2 Failed:0 NotStarted:0}
}
