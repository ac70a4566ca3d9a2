package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/blackhole"
	"github.com/go-tuilive/liveconfig/internal/syncbuf"
	"github.com/go-tuilive/liveconfig/liveconfigredis/redistest"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestReceiverLogsEventsAndRefusesBigGifts(t *testing.T) {
	srv := liveconfigtest.New(t)
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	mux, err := newMux(webhook.Config{SDKAppID: srv.SDKAppID(), Token: "receiver-token"}, 5000, logger)
	require.NoError(t, err)
	receiver := httptest.NewServer(mux)
	t.Cleanup(receiver.Close)

	srv.SetCallback(&liveconfig.CallbackConfig{URL: receiver.URL + "/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom, liveconfig.CommandBeforeSendGift}})
	srv.SetToken(&liveconfig.CallbackToken{Token: "receiver-token", Enabled: true})
	ctx := context.Background()

	ans, err := srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, `{"RoomInfo":{"RoomId":"r1","Owner_Account":144115216631667826}}`)
	require.NoError(t, err)
	assert.Zero(t, ans.ErrorCode)
	assert.Contains(t, logs.String(), `msg="room created" room=r1 owner=144115216631667826`)

	ans, err = srv.Deliver(ctx, liveconfig.CommandBeforeSendGift, `{"RoomId":"r1","GiftWater":{"From_Account":"fan","GiftId":"car","Count":2,"Coins":3000}}`)
	require.NoError(t, err)
	assert.Equal(t, 102150, ans.ErrorCode)

	ans, err = srv.Deliver(ctx, liveconfig.CommandBeforeSendGift, `{"RoomId":"r1","GiftWater":{"From_Account":"fan","GiftId":"rose","Count":1,"Coins":10}}`)
	require.NoError(t, err)
	assert.Zero(t, ans.ErrorCode)
}

func TestGiftLimitHoldsAgainstOverflowAndNegatives(t *testing.T) {
	srv := liveconfigtest.New(t)
	mux, err := newMux(webhook.Config{SDKAppID: srv.SDKAppID(), Token: "receiver-token"}, 5000, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	receiver := httptest.NewServer(mux)
	t.Cleanup(receiver.Close)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: receiver.URL + "/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandBeforeSendGift}})
	srv.SetToken(&liveconfig.CallbackToken{Token: "receiver-token", Enabled: true})

	for _, gift := range []string{
		`{"Count":2,"Coins":4611686018427387904}`, // the product wraps to 0
		`{"Count":-1,"Coins":10}`,
		`{"Count":1,"Coins":-10}`,
		`{"Count":-2,"Coins":-3000}`, // the product is positive
		`{"Count":6,"Coins":1000}`,
	} {
		ans, err := srv.Deliver(context.Background(), liveconfig.CommandBeforeSendGift, `{"RoomId":"r1","GiftWater":`+gift+`}`)
		require.NoError(t, err)
		assert.Equal(t, 102150, ans.ErrorCode, "refused: %s", gift)
	}
	ans, err := srv.Deliver(context.Background(), liveconfig.CommandBeforeSendGift, `{"RoomId":"r1","GiftWater":{"Count":5,"Coins":1000}}`)
	require.NoError(t, err)
	assert.Zero(t, ans.ErrorCode, "a gift worth exactly the limit passes")
}

// TestWrongMethodGetsTheHandlersJSON405 goes through the receiver's real http.ServeMux, mounted as the README
// says: a GET must get the handler's own JSON answer, not the router's plain-text 405.
func TestWrongMethodGetsTheHandlersJSON405(t *testing.T) {
	mux, err := newMux(webhook.Config{SDKAppID: 1400000001, Token: "receiver-token"}, 5000, slog.New(slog.DiscardHandler))
	require.NoError(t, err)
	receiver := httptest.NewServer(mux)
	t.Cleanup(receiver.Close)
	resp, err := http.Get(receiver.URL + "/tencent/webhook")
	require.NoError(t, err)
	defer resp.Body.Close()
	assert.Equal(t, http.StatusMethodNotAllowed, resp.StatusCode)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	var body struct{ ActionStatus string }
	require.NoError(t, json.NewDecoder(resp.Body).Decode(&body))
	assert.Equal(t, "FAIL", body.ActionStatus)
	http.DefaultClient.CloseIdleConnections()
}

func TestServerBoundsEveryPhase(t *testing.T) {
	srv := newServer(http.NotFoundHandler())
	assert.Positive(t, srv.ReadHeaderTimeout)
	assert.Positive(t, srv.ReadTimeout)
	assert.Positive(t, srv.WriteTimeout)
	assert.Positive(t, srv.IdleTimeout)
}

func TestRunListensBeforeItSaysSo(t *testing.T) {
	taken, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	defer taken.Close()
	env := map[string]string{"LIVECONFIG_SDKAPPID": "1400000001", "WEBHOOK_TOKEN": "t"}
	var logs bytes.Buffer
	err = run(context.Background(), []string{"-addr", taken.Addr().String()}, func(k string) string { return env[k] }, &logs)
	assert.Error(t, err, "a taken port is an error")
	assert.NotContains(t, logs.String(), "receiving webhooks")
}

func TestRunWithoutATokenNeedsAllowUnsigned(t *testing.T) {
	env := map[string]string{"LIVECONFIG_SDKAPPID": "1400000001"}
	getenv := func(k string) string { return env[k] }
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0"}, getenv, io.Discard)
	assert.ErrorContains(t, err, "-allow-unsigned")

	ctx, cancel := context.WithCancel(context.Background())
	var logs syncbuf.Buffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-allow-unsigned"}, getenv, &logs) }()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "receiving webhooks") }, 5*time.Second, 5*time.Millisecond)
	assert.Contains(t, logs.String(), "signed=false")
	cancel()
	require.NoError(t, <-done)
}

// startRun runs the receiver with env and args, on a free loopback port, until stop; it returns once the
// receiver says it receives, with its webhook URL, its logs and stop, which ends it and returns run's error.
func startRun(t *testing.T, env map[string]string, args ...string) (string, *syncbuf.Buffer, func() error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	addr := l.Addr().String()
	l.Close()
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncbuf.Buffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, append([]string{"-addr", addr}, args...), func(k string) string { return env[k] }, logs)
	}()
	require.Eventually(t, func() bool { return strings.Contains(logs.String(), "receiving webhooks") }, 5*time.Second, 5*time.Millisecond)
	return "http://" + addr + "/tencent/webhook", logs, func() error { cancel(); return <-done }
}

// TestRunWithRedisFiltersAcrossReplicasAndSharesTheLimit runs two receivers on one Redis: a webhook delivered to
// both is handled once, and the callback check at start went through the shared rate limit.
func TestRunWithRedisFiltersAcrossReplicasAndSharesTheLimit(t *testing.T) {
	redisSrv := redistest.Start(t)
	api := liveconfigtest.New(t)
	api.SetCallback(&liveconfig.CallbackConfig{URL: "https://live.example.com/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterMemberStateChanged}})
	env := map[string]string{"LIVECONFIG_SDKAPPID": strconv.FormatUint(api.SDKAppID(), 10), "WEBHOOK_TOKEN": "receiver-token",
		"LIVECONFIG_IDENTIFIER": api.Identifier(), "LIVECONFIG_SECRET_KEY": api.SecretKey(), "LIVECONFIG_ENDPOINT": api.URL()}
	var replicas []string
	var logs [2]*syncbuf.Buffer
	var stops [2]func() error
	for i := range logs {
		var url string
		url, logs[i], stops[i] = startRun(t, env, "-redis", redisSrv.Addr)
		replicas = append(replicas, url)
		assert.Contains(t, logs[i].String(), `msg="callback configuration" url=https://live.example.com/tencent/webhook commands=1`)
	}
	keys, err := redisSrv.Client(t).Keys(context.Background(), "rate:liveconfig:ratelimit:*").Result()
	require.NoError(t, err)
	assert.Len(t, keys, 1, "the check at start waited on the shared limit")

	api.SetToken(&liveconfig.CallbackToken{Token: "receiver-token", Enabled: true})
	body := `{"RoomId":"r1","EventType":"Online","EventCause":"Enter","MemberList":[{"Member_Account":"fan"}]}`
	for _, url := range replicas { // Tencent's retry landing on the other replica
		api.SetCallback(&liveconfig.CallbackConfig{URL: url, Commands: []liveconfig.Command{liveconfig.CommandAfterMemberStateChanged}})
		ans, err := api.Deliver(context.Background(), liveconfig.CommandAfterMemberStateChanged, body)
		require.NoError(t, err)
		assert.Zero(t, ans.ErrorCode)
	}
	handled := strings.Count(logs[0].String(), `msg="members changed"`) + strings.Count(logs[1].String(), `msg="members changed"`)
	assert.Equal(t, 1, handled, "handled by one replica only")
	for _, stop := range stops {
		require.NoError(t, stop())
	}
}

// TestRunNamesARefusedRedis: with -redis at an address that refuses connections, webhooks are still handled,
// and the log says once that the filter failed, naming the refused connection, not a deadline.
func TestRunNamesARefusedRedis(t *testing.T) {
	api := liveconfigtest.New(t)
	env := map[string]string{"LIVECONFIG_SDKAPPID": strconv.FormatUint(api.SDKAppID(), 10), "WEBHOOK_TOKEN": "receiver-token"}
	url, logs, stop := startRun(t, env, "-redis", blackhole.Refusing(t))
	api.SetCallback(&liveconfig.CallbackConfig{URL: url,
		Commands: []liveconfig.Command{liveconfig.CommandAfterMemberStateChanged}})
	api.SetToken(&liveconfig.CallbackToken{Token: "receiver-token", Enabled: true})
	for i := range 20 {
		ans, err := api.Deliver(context.Background(), liveconfig.CommandAfterMemberStateChanged,
			`{"RoomId":"r`+strconv.Itoa(i)+`","EventType":"Online","MemberList":[{"Member_Account":"fan"}]}`)
		require.NoError(t, err)
		assert.Zero(t, ans.ErrorCode, "handled without the filter")
	}
	require.NoError(t, stop())
	out := logs.String()
	assert.Equal(t, 20, strings.Count(out, `msg="members changed"`))
	assert.Equal(t, 1, strings.Count(out, "duplicate filter failed"), "one line for the outage:\n%s", out)
	assert.Contains(t, out, "connect: connection refused")
	assert.NotContains(t, out, "deadline exceeded")
	assert.NotContains(t, out, "pool.go")
}

// TestRunAcceptsThePreviousTokenDuringARotation: started with the new token and -previous-token-file naming the
// old one, the receiver takes a rotation through the API while Tencent (the fake, with a lag) still signs with
// the old token, and then with the new one.
func TestRunAcceptsThePreviousTokenDuringARotation(t *testing.T) {
	api := liveconfigtest.New(t)
	api.SetToken(&liveconfig.CallbackToken{Token: "receiver-old-token", Enabled: true})
	api.SetTokenLag(time.Hour)
	oldFile := filepath.Join(t.TempDir(), "old-token")
	require.NoError(t, os.WriteFile(oldFile, []byte("receiver-old-token\n"), 0o600))
	env := map[string]string{"LIVECONFIG_SDKAPPID": strconv.FormatUint(api.SDKAppID(), 10), "WEBHOOK_TOKEN": "receiver-new-token"}
	url, logs, stop := startRun(t, env, "-previous-token-file", oldFile)
	assert.Contains(t, logs.String(), "previous_tokens=1")
	api.SetCallback(&liveconfig.CallbackConfig{URL: url,
		Commands: []liveconfig.Command{liveconfig.CommandAfterMemberStateChanged}})
	deliver := func(room string) {
		t.Helper()
		ans, err := api.Deliver(context.Background(), liveconfig.CommandAfterMemberStateChanged,
			`{"RoomId":"`+room+`","EventType":"Online","MemberList":[{"Member_Account":"fan"}]}`)
		require.NoError(t, err)
		assert.Zero(t, ans.ErrorCode)
	}
	deliver("before")
	_, err := api.Client().SetCallbackToken(context.Background(), liveconfig.CallbackToken{Token: "receiver-new-token", Enabled: true})
	require.NoError(t, err)
	deliver("during the lag")
	api.SetToken(&liveconfig.CallbackToken{Token: "receiver-new-token", Enabled: true}) // the lag over
	deliver("after")
	require.NoError(t, stop())
	assert.Equal(t, 3, strings.Count(logs.String(), `msg="members changed"`), logs.String())
	assert.NotContains(t, logs.String(), "webhook refused")
	assert.NotContains(t, logs.String(), "receiver-old-token")
}
