package main

import (
	"bytes"
	"context"
	"log/slog"
	"net/http/httptest"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
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
