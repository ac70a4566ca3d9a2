package liveconfigtest_test

import (
	"context"
	"errors"
	"fmt"
	"net/http/httptest"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

func ExampleNewServer() {
	srv := liveconfigtest.NewServer() // in a test: liveconfigtest.New(t), closed when the test ends
	defer srv.Close()
	client := srv.Client() // a *liveconfig.Client for the fake's app; closed with the server

	ctx := context.Background()
	_, err := client.GetCallback(ctx)
	fmt.Println(errors.Is(err, liveconfig.ErrCallbackNotFound))
	res, err := client.EnsureCallback(ctx, liveconfig.CallbackConfig{URL: "https://live.example.com/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	if err != nil {
		panic(err)
	}
	stored, _ := srv.Callback()
	fmt.Println(res.Changed, stored.URL, len(srv.AllRequests()))
	// Output:
	// true
	// true https://live.example.com/tencent/webhook 3
}

// A fault with Apply carries the change out and then answers with an error, as a server that timed out after
// committing would: the client retries, meets "already exists", reads the configuration back, finds it is its
// own, and succeeds. Changes shows the one change the server applied.
func ExampleServer_InjectFault() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	srv.InjectFault(liveconfig.OpSetCallback, liveconfigtest.Fault{Apply: true, Code: 100001})

	cfg := liveconfig.CallbackConfig{URL: "https://live.example.com/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	res, err := srv.Client().CreateCallback(context.Background(), cfg)
	fmt.Println(res != nil && res.Changed, err)
	for _, r := range srv.AllRequests() {
		fmt.Println(r.Op, r.Code)
	}
	for _, ch := range srv.Changes() {
		fmt.Println("change", ch.Seq, ch.Op)
	}
	// Output:
	// true <nil>
	// set_callback 100001
	// set_callback 100300
	// get_callback 0
	// change 1 set_callback
}

// Deliver sends a webhook to the configured callback URL as Tencent would, signed with the enabled token; here
// to a receiver built with the webhook package.
func ExampleServer_Deliver() {
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: srv.SDKAppID(), Token: "webhook-token"},
		func(_ context.Context, ev webhook.Event) error {
			if created, ok := ev.(*webhook.AfterCreateRoom); ok {
				fmt.Println("received room", created.RoomInfo.RoomID, "signed:", created.Request.Signed)
			}
			return nil
		})
	if err != nil {
		panic(err)
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()
	srv.SetCallback(&liveconfig.CallbackConfig{URL: receiver.URL + "/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	srv.SetToken(&liveconfig.CallbackToken{Token: "webhook-token", Enabled: true})

	ans, err := srv.Deliver(context.Background(), liveconfig.CommandAfterCreateRoom, `{"RoomInfo":{"RoomId":"r1"}}`)
	if err != nil {
		panic(err)
	}
	fmt.Println("answer:", ans.ActionStatus, ans.ErrorCode)
	// Output:
	// received room r1 signed: true
	// answer: OK 0
}

// One server, many apps: each has its own key, state, rate limit and faults, and a request reaches the app
// its sdkappid names.
func ExampleWithApps() {
	srv := liveconfigtest.NewServer(liveconfigtest.WithApps(liveconfigtest.SequentialApps(1400000002, 2)...))
	defer srv.Close()
	ctx := context.Background()
	srv.App(1400000003).InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 70403})
	for _, app := range srv.Apps() {
		_, err := app.Client().GetCallback(ctx)
		fmt.Println(app.SDKAppID(), err != nil && errors.Is(err, liveconfig.ErrCallbackNotFound), len(app.Requests()))
	}
	fmt.Println(len(srv.AllRequests()))
	// Output:
	// 1400000001 true 1
	// 1400000002 true 1
	// 1400000003 false 1
	// 3
}
