package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

// sendTarget is a receiver on loopback with testConfig, whose HandlerFunc records the events it gets.
func sendTarget(t *testing.T, edit func(*webhook.Config)) (string, *[]webhook.Event) {
	t.Helper()
	cfg := testConfig()
	if edit != nil {
		edit(&cfg)
	}
	var got []webhook.Event
	h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
		got = append(got, ev)
		if gift, ok := ev.(*webhook.BeforeSendGift); ok && gift.GiftWater.Exceeds(100_000) {
			return webhook.Reject(102150, "gift over the limit")
		}
		return nil
	})
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv.URL + "/tencent/webhook?tenant=a", &got
}

func TestSendIsVerifiedAsTencentsOwn(t *testing.T) {
	t.Parallel()
	url, got := sendTarget(t, nil)
	for _, cmd := range webhook.SampleCommands() {
		ans, err := webhook.Send(context.Background(), nil, url, webhook.Delivery{SDKAppID: testApp, Command: cmd, Token: testToken, RequestTime: testNow})
		require.NoError(t, err, cmd)
		assert.Equal(t, &webhook.Answer{HTTPStatus: 200, ActionStatus: "OK"}, ans, cmd)
	}
	require.Len(t, *got, len(webhook.SampleCommands()), "every sample reached the HandlerFunc")
	for i, cmd := range webhook.SampleCommands() {
		ev := (*got)[i]
		assert.Equal(t, cmd, ev.Command())
		_, unknown := ev.(*webhook.UnknownEvent)
		assert.False(t, unknown, "%s decoded to its type", cmd)
	}
}

func TestSendAnswersAreTheReceivers(t *testing.T) {
	t.Parallel()
	url, _ := sendTarget(t, nil)
	ctx := context.Background()
	gift := webhook.Delivery{SDKAppID: testApp, Command: liveconfig.CommandBeforeSendGift, Token: testToken, RequestTime: testNow,
		Body: []byte(`{"RoomId":"r1","GiftWater":{"Coins":500000,"Count":1}}`)}
	ans, err := webhook.Send(ctx, nil, url, gift)
	require.NoError(t, err, "a refusal is a valid answer")
	assert.Equal(t, 102150, ans.ErrorCode)
	assert.Equal(t, "gift over the limit", ans.ErrorInfo)

	unsigned := gift
	unsigned.Token = ""
	ans, err = webhook.Send(ctx, nil, url, unsigned)
	assert.ErrorIs(t, err, webhook.ErrBadAnswer)
	assert.Equal(t, http.StatusUnauthorized, ans.HTTPStatus)

	wrong := gift
	wrong.Token = "guessed-webhook-token"
	ans, err = webhook.Send(ctx, nil, url, wrong)
	assert.ErrorIs(t, err, webhook.ErrBadAnswer)
	assert.Equal(t, http.StatusUnauthorized, ans.HTTPStatus)
}

func TestSendRefusesBadInputBeforeSending(t *testing.T) {
	t.Parallel()
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	t.Cleanup(srv.Close)
	ok := webhook.Delivery{SDKAppID: testApp, Command: liveconfig.CommandAfterCreateRoom}
	for name, tc := range map[string]struct {
		url  string
		edit func(*webhook.Delivery)
		want string
	}{
		"no app":              {srv.URL, func(d *webhook.Delivery) { d.SDKAppID = 0 }, "SDKAppID"},
		"a malformed word":    {srv.URL, func(d *webhook.Delivery) { d.Command = "Live.Callback Label" }, "command"},
		"no sample":           {srv.URL, func(d *webhook.Delivery) { d.Command = "Live.CallbackAfterSomethingNew" }, "no sample body"},
		"not an object":       {srv.URL, func(d *webhook.Delivery) { d.Body = []byte(`[1]`) }, "JSON object"},
		"another command":     {srv.URL, func(d *webhook.Delivery) { d.Body = []byte(`{"CallbackCommand":"Live.CallbackAfterDestroyRoom"}`) }, "is not"},
		"not an http URL":     {"ftp://example.com/hook", func(*webhook.Delivery) {}, "http://"},
		"a URL without host":  {"http:///hook", func(*webhook.Delivery) {}, "http://"},
		"a URL that is wrong": {"http://[::1", func(*webhook.Delivery) {}, "callback URL"},
	} {
		d := ok
		tc.edit(&d)
		_, err := webhook.Send(context.Background(), nil, tc.url, d)
		assert.ErrorContains(t, err, tc.want, name)
		assert.ErrorIs(t, err, webhook.ErrInvalidDelivery, name)
	}
	assert.Zero(t, hits.Load(), "nothing was sent")
}

func TestSendAddsTencentsQueryAndKeepsTheURLs(t *testing.T) {
	t.Parallel()
	req, err := webhook.Delivery{SDKAppID: testApp, Command: liveconfig.CommandAfterDestroyRoom, Token: "xxxxyyyy",
		RequestTime: testNow, Body: []byte(`{"RoomId":"r1"}`)}.Request(context.Background(), "https://live.example.com/hook?tenant=a")
	require.NoError(t, err)
	q := req.URL.Query()
	assert.Equal(t, "a", q.Get("tenant"))
	assert.Equal(t, "1400000001", q.Get("SdkAppid"))
	assert.Equal(t, "Live.CallbackAfterDestroyRoom", q.Get("CallbackCommand"))
	assert.Equal(t, "json", q.Get("contenttype"))
	assert.Equal(t, "127.0.0.1", q.Get("ClientIP"))
	assert.Equal(t, "RESTAPI", q.Get("OptPlatform"))
	assert.Equal(t, "1739966441", q.Get("RequestTime"))
	assert.Equal(t, webhook.Sign("xxxxyyyy", testNow.Unix()), q.Get("Sign"))
	assert.Equal(t, "application/json", req.Header.Get("Content-Type"))
	assert.Equal(t, http.MethodPost, req.Method)
}

// TestSendErrorsHoldNoSign: a failed request's error names the URL without its query, which holds the Sign.
func TestSendErrorsHoldNoSign(t *testing.T) {
	t.Parallel()
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	url := srv.URL + "/hook"
	srv.Close() // refuses from now on
	d := webhook.Delivery{SDKAppID: testApp, Command: liveconfig.CommandAfterCreateRoom, Token: testToken, RequestTime: testNow}
	_, err := webhook.Send(context.Background(), nil, url, d)
	require.Error(t, err)
	assert.Contains(t, err.Error(), url)
	sign := webhook.Sign(testToken, testNow.Unix())
	assert.False(t, strings.Contains(err.Error(), sign) || strings.Contains(fmt.Sprintf("%+v", err), sign), "the error holds the Sign")
	assert.NotContains(t, err.Error(), "RequestTime")
}

func TestDeliveryPrintsWithoutItsToken(t *testing.T) {
	t.Parallel()
	d := webhook.Delivery{SDKAppID: testApp, Command: liveconfig.CommandAfterCreateRoom, Token: testToken, Body: []byte(`{"RoomId":"r1"}`)}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("d", "delivery", d)
	encoded, err := json.Marshal(d)
	require.NoError(t, err)
	for what, printed := range map[string]string{"%v": fmt.Sprintf("%v", d), "%+v": fmt.Sprintf("%+v", d), "%#v": fmt.Sprintf("%#v", &d),
		"slog": logs.String(), "JSON": string(encoded)} {
		// Not assert.NotContains: its failure message would quote the token.
		assert.False(t, strings.Contains(printed, testToken), "%s prints the token", what)
		assert.True(t, strings.Contains(printed, "1400000001"), "%s names the app", what)
	}
	assert.Contains(t, string(encoded), `"Token":"[redacted]"`)
}

// TestSendFollowsNoRedirect: a receiver that redirects gets its 3xx back as the answer; the place it points to
// gets nothing, neither the body nor the Sign.
func TestSendFollowsNoRedirect(t *testing.T) {
	t.Parallel()
	var elsewhere atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { elsewhere.Add(1) }))
	t.Cleanup(other.Close)
	redirecting := httptest.NewServer(http.RedirectHandler(other.URL+"/steal", http.StatusTemporaryRedirect))
	t.Cleanup(redirecting.Close)
	d := webhook.Delivery{SDKAppID: testApp, Command: liveconfig.CommandAfterCreateRoom, Token: testToken, RequestTime: testNow}
	for _, hc := range []*http.Client{nil, {}} {
		ans, err := webhook.Send(context.Background(), hc, redirecting.URL, d)
		assert.ErrorIs(t, err, webhook.ErrBadAnswer)
		assert.Equal(t, http.StatusTemporaryRedirect, ans.HTTPStatus)
	}
	assert.Zero(t, elsewhere.Load(), "the redirect was not followed")
}
