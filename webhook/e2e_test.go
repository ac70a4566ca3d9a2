package webhook_test

import (
	"context"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

// TestEndToEnd configures webhooks through the client, enables a token, and has the fake deliver them to a
// receiver built with NewHandler.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	client := srv.Client()
	ctx := context.Background()

	var mu sync.Mutex
	var events []webhook.Event
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: srv.SDKAppID(), Token: "e2e-token"}, func(_ context.Context, ev webhook.Event) error {
		mu.Lock()
		events = append(events, ev)
		mu.Unlock()
		if gift, ok := ev.(*webhook.BeforeSendGift); ok && gift.GiftWater.Coins*int64(gift.GiftWater.Count) > 500 {
			return webhook.Reject(102150, "gift over the limit")
		}
		return nil
	})
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	t.Cleanup(receiver.Close)

	_, err = client.EnsureCallback(ctx, liveconfig.CallbackConfig{URL: receiver.URL + "/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom, liveconfig.CommandBeforeSendGift}})
	require.NoError(t, err)
	_, err = client.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "e2e-token", Enabled: true})
	require.NoError(t, err)

	ans, err := srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, sampleBody(t, liveconfig.CommandAfterCreateRoom))
	require.NoError(t, err)
	assert.Equal(t, "OK", ans.ActionStatus)
	require.Len(t, events, 1)
	created := events[0].(*webhook.AfterCreateRoom)
	assert.Equal(t, "tandy-test-rest", created.RoomInfo.RoomID)
	assert.True(t, created.Request.Signed)
	assert.Equal(t, srv.SDKAppID(), created.Request.SDKAppID)

	ans, err = srv.Deliver(ctx, liveconfig.CommandBeforeSendGift, `{"GiftWater":{"From_Account":"a","GiftId":"rocket","Count":1,"Coins":1000}}`)
	require.NoError(t, err)
	assert.Equal(t, 102150, ans.ErrorCode)
	assert.Equal(t, "gift over the limit", ans.ErrorInfo)

	_, err = client.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "rotated-token", Enabled: true})
	require.NoError(t, err)
	ans, err = srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, sampleBody(t, liveconfig.CommandAfterCreateRoom))
	assert.ErrorIs(t, err, liveconfigtest.ErrBadAnswer, "a receiver with the old token refuses")
	assert.Equal(t, 401, ans.HTTPStatus)
	assert.Len(t, events, 2)
}
