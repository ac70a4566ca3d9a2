package liveconfigtest_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

// receiver records what reaches it and answers with answer.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	query  url.Values
	body   string
	answer string
	status int
}

func newReceiver(t *testing.T) *receiver {
	r := &receiver{answer: `{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}`, status: http.StatusOK}
	r.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		body, _ := io.ReadAll(req.Body)
		r.mu.Lock()
		defer r.mu.Unlock()
		r.query, r.body = req.URL.Query(), string(body)
		w.WriteHeader(r.status)
		io.WriteString(w, r.answer)
	}))
	t.Cleanup(r.Close)
	return r
}

func TestDeliverSignsLikeTencent(t *testing.T) {
	t.Parallel()
	now := time.Unix(1669872112, 0)
	srv := liveconfigtest.New(t, liveconfigtest.WithClock(func() time.Time { return now }))
	rcv := newReceiver(t)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: rcv.URL + "/hook?tenant=a", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	srv.SetToken(&liveconfig.CallbackToken{Token: "xxxxyyyy", Enabled: true})

	ans, err := srv.Deliver(context.Background(), liveconfig.CommandAfterCreateRoom, map[string]any{"RoomInfo": map[string]any{"RoomId": "r1"}})
	require.NoError(t, err)
	assert.Equal(t, &liveconfigtest.Answer{HTTPStatus: 200, ActionStatus: "OK"}, ans)

	assert.Equal(t, strconv.FormatUint(srv.SDKAppID(), 10), rcv.query.Get("SdkAppid"))
	assert.Equal(t, "Live.CallbackAfterCreateRoom", rcv.query.Get("CallbackCommand"))
	assert.Equal(t, "json", rcv.query.Get("contenttype"))
	assert.Equal(t, "127.0.0.1", rcv.query.Get("ClientIP"))
	assert.Equal(t, "RESTAPI", rcv.query.Get("OptPlatform"))
	assert.Equal(t, "a", rcv.query.Get("tenant"), "the callback URL's own query is kept")
	assert.Equal(t, "1669872112", rcv.query.Get("RequestTime"))
	assert.Equal(t, "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061", rcv.query.Get("Sign"))
	assert.Equal(t, webhook.Sign("xxxxyyyy", 1669872112), rcv.query.Get("Sign"))
	assert.JSONEq(t, `{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{"RoomId":"r1"}}`, rcv.body)
}

func TestDeliverUnsignedWithoutAnEnabledToken(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	rcv := newReceiver(t)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: rcv.URL, Commands: []liveconfig.Command{liveconfig.CommandAfterDestroyRoom}})
	srv.SetToken(&liveconfig.CallbackToken{Token: "t", Enabled: false})
	_, err := srv.Deliver(context.Background(), liveconfig.CommandAfterDestroyRoom, `{"CallbackCommand":"Live.CallbackAfterDestroyRoom"}`)
	require.NoError(t, err)
	assert.False(t, rcv.query.Has("Sign"))
	assert.False(t, rcv.query.Has("RequestTime"))
}

func TestDeliverRefusals(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	rcv := newReceiver(t)
	ctx := context.Background()
	_, err := srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, "{}")
	assert.ErrorIs(t, err, liveconfigtest.ErrNoCallback)

	srv.SetCallback(&liveconfig.CallbackConfig{URL: rcv.URL, Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	_, err = srv.Deliver(ctx, liveconfig.CommandAfterDestroyRoom, "{}")
	assert.ErrorIs(t, err, liveconfigtest.ErrNotSubscribed)
	_, err = srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, `{"CallbackCommand":"Live.CallbackAfterDestroyRoom"}`)
	assert.ErrorContains(t, err, "is not")
	_, err = srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, `[1]`)
	assert.ErrorContains(t, err, "JSON object")

	rcv.mu.Lock()
	rcv.status = http.StatusInternalServerError
	rcv.mu.Unlock()
	ans, err := srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, "{}")
	assert.ErrorIs(t, err, liveconfigtest.ErrBadAnswer)
	assert.Equal(t, 500, ans.HTTPStatus)

	rcv.mu.Lock()
	rcv.status, rcv.answer = http.StatusOK, "OK"
	rcv.mu.Unlock()
	_, err = srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, "{}")
	assert.ErrorIs(t, err, liveconfigtest.ErrBadAnswer)

	rcv.mu.Lock()
	rcv.answer = `{"ActionStatus":"FAIL","ErrorInfo":"too many gifts","ErrorCode":102150}`
	rcv.mu.Unlock()
	ans, err = srv.Deliver(ctx, liveconfig.CommandAfterCreateRoom, "{}")
	require.NoError(t, err, "a refusal is a valid answer")
	assert.Equal(t, 102150, ans.ErrorCode)
	assert.Equal(t, "too many gifts", ans.ErrorInfo)
}

// TestClientSurface runs every client method against the fake and checks what the fake holds after each.
func TestClientSurface(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	c := srv.Client()
	ctx := context.Background()
	first := liveconfig.CallbackConfig{URL: "https://a.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	second := liveconfig.CallbackConfig{URL: "https://b.example/cb", Commands: []liveconfig.Command{liveconfig.CommandBeforeSendMsg, liveconfig.CommandAfterSendMsg}}

	_, err := c.CreateCallback(ctx, first)
	require.NoError(t, err)
	stored, _ := srv.Callback()
	assert.Equal(t, first, stored)
	_, err = c.CreateCallback(ctx, second)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackExists)

	got, err := c.GetCallback(ctx)
	require.NoError(t, err)
	assert.Equal(t, first, *got)

	_, err = c.UpdateCallback(ctx, second)
	require.NoError(t, err)
	stored, _ = srv.Callback()
	assert.Equal(t, second, stored)

	res, err := c.EnsureCallback(ctx, second)
	require.NoError(t, err)
	assert.False(t, res.Changed)
	res, err = c.EnsureCallback(ctx, first)
	require.NoError(t, err)
	assert.True(t, res.Changed)

	_, err = c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: "tok", Enabled: true})
	require.NoError(t, err)
	tok, err := c.GetCallbackToken(ctx)
	require.NoError(t, err)
	assert.Equal(t, liveconfig.CallbackToken{Token: "tok", Enabled: true}, *tok)
	_, err = c.DeleteCallbackToken(ctx)
	require.NoError(t, err)
	_, err = c.GetCallbackToken(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrTokenNotFound)

	_, err = c.DeleteCallback(ctx)
	require.NoError(t, err)
	_, err = c.GetCallback(ctx)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound)
	_, err = c.UpdateCallback(ctx, first)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound)

	for _, r := range srv.AllRequests() {
		assert.NotEmpty(t, r.UserSigHash)
		assert.True(t, r.Code == 0 || r.Code >= 100000, "%s answered %d: only endpoint codes, never an auth or syntax code", r.Op, r.Code)
	}
}
