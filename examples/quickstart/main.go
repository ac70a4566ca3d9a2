// Command quickstart walks through the whole liveconfig flow, printing each step: ensure a callback
// configuration, read it back, update it, enable a callback token, have a signed webhook delivered to a local
// receiver, then delete the token and the configuration.
//
//	go run ./examples/quickstart
//
// With no LIVECONFIG_* environment it runs against liveconfigtest's embedded fake: no credentials, no network.
// With LIVECONFIG_SDKAPPID, LIVECONFIG_IDENTIFIER, LIVECONFIG_SECRET_KEY and LIVECONFIG_REGION (or
// LIVECONFIG_ENDPOINT) set, it runs the configuration steps against that app instead, with
// LIVECONFIG_CALLBACK_URL as the callback URL (default https://example.com/liveconfig-quickstart); it skips the
// delivery, which only the fake can make. Because it replaces and then deletes the configuration and the token,
// it first reads both and refuses to touch an app that has either, unless LIVECONFIG_QUICKSTART_OVERWRITE=1.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	if err := run(ctx, os.Stdout, os.Getenv); err != nil {
		fmt.Fprintln(os.Stderr, "quickstart:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, out io.Writer, getenv func(string) string) error {
	start := time.Now()
	var err error
	if getenv("LIVECONFIG_SDKAPPID") != "" {
		err = runReal(ctx, out, getenv)
	} else {
		err = runFake(ctx, out)
	}
	if err == nil {
		fmt.Fprintf(out, "done in %v\n", time.Since(start).Round(time.Millisecond))
	}
	return err
}

// runFake runs every step against the embedded fake and a local receiver.
func runFake(ctx context.Context, out io.Writer) error {
	fmt.Fprintln(out, "Running against the embedded fake of the live_config API (set LIVECONFIG_SDKAPPID and friends for the real one).")
	srv := liveconfigtest.NewServer()
	defer srv.Close()

	token := randomToken()
	received := make(chan *webhook.AfterCreateRoom, 1)
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: srv.SDKAppID(), Token: token}, func(_ context.Context, ev webhook.Event) error {
		if room, ok := ev.(*webhook.AfterCreateRoom); ok {
			received <- room
		}
		return nil
	})
	if err != nil {
		return err
	}
	receiver := httptest.NewServer(h)
	defer receiver.Close()

	client, err := liveconfig.NewClient(srv.Config())
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	deliver := func(ctx context.Context) error {
		ans, err := srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom,
			`{"Operator_Account":"admin","EventTime":1703589922780,"RoomInfo":{"RoomId":"quickstart-room","Owner_Account":"host1","RoomType":"Live"}}`)
		if err != nil {
			return err
		}
		select {
		case room := <-received:
			fmt.Fprintf(out, "   the receiver verified the signature and decoded room %s of %s; it answered %s\n",
				room.RoomInfo.RoomID, room.RoomInfo.OwnerAccount, ans.ActionStatus)
		default:
			return errors.New("the receiver answered but never saw the event")
		}
		return nil
	}
	return steps(ctx, out, client, receiver.URL+"/tencent/webhook", token, deliver)
}

// runReal runs the configuration steps against the app the environment names.
func runReal(ctx context.Context, out io.Writer, getenv func(string) string) error {
	appID, err := strconv.ParseUint(getenv("LIVECONFIG_SDKAPPID"), 10, 64)
	if err != nil {
		return fmt.Errorf("LIVECONFIG_SDKAPPID: %w", err)
	}
	cfg := liveconfig.Config{SDKAppID: appID, Identifier: getenv("LIVECONFIG_IDENTIFIER"),
		SecretKey: getenv("LIVECONFIG_SECRET_KEY"), Endpoint: getenv("LIVECONFIG_ENDPOINT")}
	if name := getenv("LIVECONFIG_REGION"); name != "" {
		if cfg.Region, err = liveconfig.ParseRegion(name); err != nil {
			return err
		}
	}
	client, err := liveconfig.NewClient(cfg)
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	callbackURL := getenv("LIVECONFIG_CALLBACK_URL")
	if callbackURL == "" {
		callbackURL = "https://example.com/liveconfig-quickstart"
	}
	fmt.Fprintf(out, "Running against the REAL service for app %d (%s). This changes the app's callback configuration and token,\n", appID, client)
	fmt.Fprintf(out, "and deletes both at the end. Callback URL: %s\n", callbackURL)

	if getenv("LIVECONFIG_QUICKSTART_OVERWRITE") != "1" {
		if err := refuseExistingState(ctx, client); err != nil {
			return err
		}
	}
	return steps(ctx, out, client, callbackURL, randomToken(), nil)
}

// refuseExistingState reads the app's callback configuration and token, and returns an error when either
// exists: the walkthrough overwrites both and ends by deleting both, which on an app in use would stop its
// webhooks and throw away its token. It changes nothing.
func refuseExistingState(ctx context.Context, client *liveconfig.Client) error {
	var existing []string
	current, err := client.GetCallback(ctx)
	switch {
	case err == nil:
		existing = append(existing, "a callback configuration for "+current.URL)
	case !errors.Is(err, liveconfig.ErrCallbackNotFound):
		return err
	}
	_, err = client.GetCallbackToken(ctx)
	switch {
	case err == nil:
		existing = append(existing, "a callback token")
	case !errors.Is(err, liveconfig.ErrTokenNotFound):
		return err
	}
	if len(existing) > 0 {
		return fmt.Errorf("the app already has %s; not touching it, since the walkthrough replaces and then deletes both "+
			"(set LIVECONFIG_QUICKSTART_OVERWRITE=1 to allow that)", strings.Join(existing, " and "))
	}
	return nil
}

// steps is the flow both modes share. deliver, when not nil, has a signed webhook delivered.
func steps(ctx context.Context, out io.Writer, client *liveconfig.Client, callbackURL, token string, deliver func(context.Context) error) error {
	cfg := liveconfig.CallbackConfig{URL: callbackURL, Commands: []liveconfig.Command{
		liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom,
	}}
	res, err := client.EnsureCallback(ctx, cfg)
	if err != nil {
		return fmt.Errorf("ensure: %w", err)
	}
	fmt.Fprintf(out, "1. EnsureCallback: changed=%t (request %s)\n", res.Changed, res.RequestID)

	got, err := client.GetCallback(ctx)
	if err != nil {
		return fmt.Errorf("get: %w", err)
	}
	fmt.Fprintf(out, "2. GetCallback: %s %v\n", got.URL, got.Commands)

	cfg.Commands = append(cfg.Commands, liveconfig.CommandAfterMemberStateChanged, liveconfig.CommandBeforeSendGift)
	if _, err := client.UpdateCallback(ctx, cfg); err != nil {
		return fmt.Errorf("update: %w", err)
	}
	fmt.Fprintf(out, "3. UpdateCallback: now %d command words\n", len(cfg.Commands))

	res, err = client.EnsureCallback(ctx, cfg)
	if err != nil {
		return fmt.Errorf("ensure again: %w", err)
	}
	fmt.Fprintf(out, "4. EnsureCallback again: changed=%t, nothing was sent but a read\n", res.Changed)

	if _, err := client.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: token, Enabled: true}); err != nil {
		return fmt.Errorf("set token: %w", err)
	}
	fmt.Fprintln(out, "5. SetCallbackToken: enabled; webhooks are now signed (the token is not printed)")

	if deliver != nil {
		fmt.Fprintln(out, "6. The fake delivers a signed Live.CallbackAfterCreateRoom to the local receiver:")
		if err := deliver(ctx); err != nil {
			return fmt.Errorf("deliver: %w", err)
		}
	} else {
		fmt.Fprintln(out, "6. (webhook delivery skipped: only the fake can send one on demand)")
	}

	if _, err := client.DeleteCallbackToken(ctx); err != nil {
		return fmt.Errorf("delete token: %w", err)
	}
	fmt.Fprintln(out, "7. DeleteCallbackToken: done")
	if _, err := client.DeleteCallback(ctx); err != nil {
		return fmt.Errorf("delete: %w", err)
	}
	_, err = client.GetCallback(ctx)
	if !errors.Is(err, liveconfig.ErrCallbackNotFound) {
		return fmt.Errorf("after delete, GetCallback said %v", err)
	}
	fmt.Fprintln(out, "8. DeleteCallback: done; GetCallback now reports ErrCallbackNotFound")
	return nil
}

func randomToken() string {
	b := make([]byte, 24)
	rand.Read(b)
	return hex.EncodeToString(b)
}
