package liveconfig_test

import (
	"context"
	"errors"
	"fmt"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// The examples run against liveconfigtest's fake; with real credentials, build the Client with NewClient and
// a Config naming your Region, SDKAppID, Identifier and SecretKey.

var exampleConfig = liveconfig.CallbackConfig{
	URL:      "https://live.example.com/tencent/webhook",
	Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom},
}

func ExampleNewClient() {
	client, err := liveconfig.NewClient(liveconfig.Config{
		Region:     liveconfig.RegionSingapore,
		SDKAppID:   1400000001,
		Identifier: "administrator",
		SecretKey:  "the-key-from-the-console",
	})
	fmt.Println(client, err)

	_, err = liveconfig.NewClient(liveconfig.Config{Region: "mars", SDKAppID: 1400000001, Identifier: "administrator", SecretKey: "k"})
	fmt.Println(errors.Is(err, liveconfig.ErrInvalidConfig))
	// Output:
	// liveconfig.Client{SDKAppID:1400000001 Identifier:"administrator" Endpoint:"https://adminapisgp.im.qcloud.com"} <nil>
	// true
}

func ExampleClient_CreateCallback() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	res, err := client.CreateCallback(ctx, exampleConfig)
	fmt.Println(res.Changed, err)

	_, err = client.CreateCallback(ctx, exampleConfig)
	fmt.Println(errors.Is(err, liveconfig.ErrCallbackExists))
	// Output:
	// true <nil>
	// true
}

func ExampleClient_UpdateCallback() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	_, err := client.UpdateCallback(ctx, exampleConfig)
	fmt.Println(errors.Is(err, liveconfig.ErrCallbackNotFound))

	srv.SetCallback(&exampleConfig)
	_, err = client.UpdateCallback(ctx, liveconfig.CallbackConfig{
		URL:      "https://live.example.com/v2/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandBeforeSendGift},
	})
	stored, _ := srv.Callback()
	fmt.Println(err, stored.URL, stored.Commands)
	// Output:
	// true
	// <nil> https://live.example.com/v2/webhook [Live.CallbackBeforeSendGift]
}

func ExampleClient_GetCallback() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	srv.SetCallback(&exampleConfig)

	cfg, err := srv.Client().GetCallback(context.Background())
	fmt.Println(cfg.URL, cfg.Commands, err)
	// Output:
	// https://live.example.com/tencent/webhook [Live.CallbackAfterCreateRoom Live.CallbackAfterDestroyRoom] <nil>
}

func ExampleClient_DeleteCallback() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	srv.SetCallback(&exampleConfig)

	_, err := srv.Client().DeleteCallback(context.Background())
	_, stillThere := srv.Callback()
	fmt.Println(err, stillThere)
	// Output:
	// <nil> false
}

func ExampleClient_EnsureCallback() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	for range 2 {
		res, err := client.EnsureCallback(ctx, exampleConfig)
		fmt.Println("changed:", res.Changed, err)
	}
	fmt.Println("writes:", len(srv.AllRequestsTo(liveconfig.OpSetCallback))+len(srv.AllRequestsTo(liveconfig.OpUpdateCallback)))
	// Output:
	// changed: true <nil>
	// changed: false <nil>
	// writes: 1
}

func ExampleClient_SetCallbackToken() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()

	_, err := srv.Client().SetCallbackToken(context.Background(), liveconfig.CallbackToken{Token: "a-long-random-secret", Enabled: true})
	stored, _ := srv.Token()
	fmt.Println(err, stored.Enabled, stored) // a CallbackToken prints without its token
	// Output:
	// <nil> true liveconfig.CallbackToken{Token:[redacted] Enabled:true}
}

func ExampleClient_GetCallbackToken() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	client := srv.Client()
	ctx := context.Background()

	_, err := client.GetCallbackToken(ctx)
	fmt.Println(errors.Is(err, liveconfig.ErrTokenNotFound))

	srv.SetToken(&liveconfig.CallbackToken{Token: "a-long-random-secret", Enabled: true})
	tok, err := client.GetCallbackToken(ctx)
	fmt.Println(tok.Enabled, len(tok.Token), err)
	// Output:
	// true
	// true 20 <nil>
}

func ExampleClient_DeleteCallbackToken() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	srv.SetToken(&liveconfig.CallbackToken{Token: "a-long-random-secret", Enabled: true})

	_, err := srv.Client().DeleteCallbackToken(context.Background())
	_, stillThere := srv.Token()
	fmt.Println(err, stillThere)
	// Output:
	// <nil> false
}

func ExampleAPIError() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 70020, Info: "sdkappid not found"})

	_, err := srv.Client().GetCallback(context.Background())
	var apiErr *liveconfig.APIError
	if errors.As(err, &apiErr) {
		fmt.Println(apiErr.Op, apiErr.Code, errors.Is(err, liveconfig.ErrAuth))
	}
	// Output:
	// get_callback 70020 true
}

func ExampleParseRegion() {
	r, err := liveconfig.ParseRegion("sgp")
	fmt.Println(r, r.Host(), r.BackupHost(), err)
	// Output:
	// singapore adminapisgp.im.qcloud.com adminapisgp.my-imcloud.com <nil>
}
