package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

const (
	controlApp = 3000000001
	controlKey = "control-test-secret-key-4c1d"
)

// controlFake runs the fake with one app of a known key and returns its base URL.
func controlFake(t *testing.T, args ...string) string {
	t.Helper()
	lines := serve(t, append([]string{"-sdkappid", strconv.Itoa(controlApp), "-key", controlKey}, args...)...)
	require.NotEmpty(t, lines)
	return lines[0]
}

// call sends one control request and decodes its JSON answer. No answer holds the app's key.
func call(t *testing.T, method, url string, body any) (int, map[string]any) {
	t.Helper()
	var in io.Reader
	if body != nil {
		data, err := json.Marshal(body)
		require.NoError(t, err)
		in = bytes.NewReader(data)
	}
	req, err := http.NewRequest(method, url, in)
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	assert.Equal(t, "application/json", resp.Header.Get("Content-Type"))
	assert.False(t, strings.Contains(string(data), controlKey), "a control answer holds the key")
	var out map[string]any
	require.NoError(t, json.Unmarshal(data, &out), "%s %s: %s", method, url, data)
	return resp.StatusCode, out
}

func controlClient(t *testing.T, base string) *liveconfig.Client {
	t.Helper()
	c, err := liveconfig.NewClient(liveconfig.Config{Endpoint: base, SDKAppID: controlApp, Identifier: "administrator", SecretKey: controlKey,
		Retry: liveconfig.RetryPolicy{BaseDelay: 1, MaxDelay: 1}})
	require.NoError(t, err)
	t.Cleanup(c.CloseIdleConnections)
	return c
}

func TestControlHealthRequestsAndFaults(t *testing.T) {
	base := controlFake(t)
	app := base + "/_fake/apps/" + strconv.Itoa(controlApp)
	status, out := call(t, http.MethodGet, base+"/_fake/health", nil)
	assert.Equal(t, http.StatusOK, status)
	assert.Equal(t, "ok", out["status"])

	status, _ = call(t, http.MethodPost, app+"/faults", map[string]any{"endpoint": "set_callback", "code": 100001})
	assert.Equal(t, http.StatusCreated, status)
	_, err := controlClient(t, base).CreateCallback(context.Background(), liveconfig.CallbackConfig{URL: "https://live.example.com/cb",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	require.NoError(t, err, "retried past the injected 100001")

	status, out = call(t, http.MethodGet, base+"/_fake/requests?since=0", nil)
	require.Equal(t, http.StatusOK, status)
	reqs := out["requests"].([]any)
	require.Len(t, reqs, 2, "the create, and its retry")
	first, second := reqs[0].(map[string]any), reqs[1].(map[string]any)
	assert.Equal(t, "set_callback", first["endpoint"])
	assert.Equal(t, 100001.0, first["code"])
	assert.Equal(t, 0.0, second["code"])
	assert.Equal(t, float64(controlApp), second["sdkappid"])
	assert.Equal(t, "https://live.example.com/cb", second["body"].(map[string]any)["Url"])
	assert.Len(t, second["usersig_sha256"], 16)
	assert.NotEqual(t, first["random"], second["random"], "a fresh random for each attempt")
	next := out["next"].(float64)
	assert.Equal(t, second["seq"], next)

	_, out = call(t, http.MethodGet, base+"/_fake/requests?since="+strconv.Itoa(int(next)), nil)
	assert.Empty(t, out["requests"], "since the cursor: nothing new")
	assert.Equal(t, next, out["next"])

	call(t, http.MethodPost, app+"/faults", map[string]any{"code": 70003, "always": true})
	_, err = controlClient(t, base).GetCallback(context.Background())
	assert.ErrorIs(t, err, liveconfig.ErrAuth)
	status, _ = call(t, http.MethodDelete, app+"/faults", nil)
	assert.Equal(t, http.StatusOK, status)
	_, err = controlClient(t, base).GetCallback(context.Background())
	assert.NoError(t, err, "the faults are cleared")

	call(t, http.MethodPost, app+"/faults", map[string]any{"endpoint": "get_callback", "code": 70403, "always": true})
	call(t, http.MethodPost, app+"/faults", map[string]any{"code": 60020, "always": true})
	status, _ = call(t, http.MethodDelete, app+"/faults?endpoint=get_callback", nil)
	assert.Equal(t, http.StatusOK, status)
	_, err = controlClient(t, base).GetCallback(context.Background())
	var apiErr *liveconfig.APIError
	require.ErrorAs(t, err, &apiErr, "get_callback's fault is cleared, the one for any endpoint is not")
	assert.Equal(t, 60020, apiErr.Code)
	status, _ = call(t, http.MethodDelete, app+"/faults?endpoint=", nil)
	assert.Equal(t, http.StatusOK, status)
	_, err = controlClient(t, base).GetCallback(context.Background())
	assert.NoError(t, err, "endpoint= clears the faults queued for any endpoint")
	for _, bad := range []string{"?endpoint=get_callbacks", "?endpoint=get_callback&endpoint=set_callback"} {
		status, out = call(t, http.MethodDelete, app+"/faults"+bad, nil)
		assert.Equal(t, http.StatusBadRequest, status, bad)
		assert.NotEmpty(t, out["error"], bad)
	}

	call(t, http.MethodPost, app+"/faults", map[string]any{"endpoint": "get_callback", "raw": map[string]any{"status": 502, "content_type": "text/html", "body": "<html>502</html>"}, "times": 4})
	_, err = controlClient(t, base).GetCallback(context.Background())
	var respErr *liveconfig.ResponseError
	require.ErrorAs(t, err, &respErr)
	assert.Equal(t, 502, respErr.StatusCode)

	for _, bad := range []map[string]any{{"endpoint": "no_such_op"}, {"chance": 2}, {"times": -3}, {"delay": 5}} {
		status, out = call(t, http.MethodPost, app+"/faults", bad)
		assert.Equal(t, http.StatusBadRequest, status, "%v", bad)
		assert.NotEmpty(t, out["error"])
	}
}

func TestControlStateAndReset(t *testing.T) {
	base := controlFake(t)
	app := base + "/_fake/apps/" + strconv.Itoa(controlApp)
	status, out := call(t, http.MethodGet, app, nil)
	require.Equal(t, http.StatusOK, status)
	assert.Nil(t, out["callback"])
	assert.Nil(t, out["token"])
	assert.Equal(t, "administrator", out["identifier"])

	status, out = call(t, http.MethodPut, app, map[string]any{
		"callback": map[string]any{"url": "https://live.example.com/cb", "commands": []string{"Live.CallbackAfterCreateRoom"}},
		"token":    map[string]any{"token": "control-token", "enabled": true}})
	require.Equal(t, http.StatusOK, status, out)
	got, err := controlClient(t, base).GetCallbackToken(context.Background())
	require.NoError(t, err)
	assert.Equal(t, liveconfig.CallbackToken{Token: "control-token", Enabled: true}, *got, "the state is the API's")

	status, out = call(t, http.MethodPut, app, map[string]any{"token": nil})
	require.Equal(t, http.StatusOK, status)
	assert.Nil(t, out["token"], "null removes")
	assert.NotNil(t, out["callback"], "absent leaves alone")

	status, out = call(t, http.MethodPost, app+"/reset", nil)
	require.Equal(t, http.StatusOK, status)
	assert.Nil(t, out["callback"])

	status, _ = call(t, http.MethodPut, app, map[string]any{"token_lag_ms": -1})
	assert.Equal(t, http.StatusBadRequest, status)

	for _, tc := range []struct {
		method, url string
		body        any
		status      int
	}{
		{http.MethodGet, base + "/_fake/apps/42", nil, http.StatusNotFound},
		{http.MethodGet, base + "/_fake/apps/x", nil, http.StatusBadRequest},
		{http.MethodPut, app, map[string]any{"key": "stolen"}, http.StatusBadRequest},
		{http.MethodDelete, app, nil, http.StatusMethodNotAllowed},
		{http.MethodGet, base + "/_fake/nothing", nil, http.StatusNotFound},
		{http.MethodGet, base + "/_fake/requests?since=x", nil, http.StatusBadRequest},
	} {
		status, out := call(t, tc.method, tc.url, tc.body)
		assert.Equal(t, tc.status, status, "%s %s", tc.method, tc.url)
		assert.NotEmpty(t, out["error"])
	}
}

func TestControlDeliversAsTencent(t *testing.T) {
	base := controlFake(t, "-token-lag", "0s")
	app := base + "/_fake/apps/" + strconv.Itoa(controlApp)
	var got []webhook.Event
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: controlApp, Token: "control-token"}, func(_ context.Context, ev webhook.Event) error {
		got = append(got, ev)
		if gift, ok := ev.(*webhook.BeforeSendGift); ok && gift.GiftWater.Exceeds(5000) {
			return webhook.Reject(102150, "over the limit")
		}
		return nil
	})
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	t.Cleanup(receiver.Close)

	status, out := call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackAfterCreateRoom"})
	assert.Equal(t, http.StatusConflict, status, "no callback configuration: nothing to deliver to")
	assert.Contains(t, out["error"], "no callback")

	call(t, http.MethodPut, app, map[string]any{
		"callback": map[string]any{"url": receiver.URL + "/tencent/webhook", "commands": []string{"Live.CallbackAfterCreateRoom", "Live.CallbackBeforeSendGift"}},
		"token":    map[string]any{"token": "control-token", "enabled": true}})
	status, out = call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackAfterCreateRoom"})
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, map[string]any{"http_status": 200.0, "action_status": "OK", "error_code": 0.0, "error_info": ""}, out)
	require.Len(t, got, 1)
	created := got[0].(*webhook.AfterCreateRoom)
	assert.Equal(t, "tandy-test-rest", created.RoomInfo.RoomID, "the documented sample body")
	assert.True(t, created.Request.Signed)

	status, out = call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackBeforeSendGift",
		"body": map[string]any{"RoomId": "r1", "GiftWater": map[string]any{"Coins": 9000, "Count": 1}}})
	require.Equal(t, http.StatusOK, status, out)
	assert.Equal(t, 102150.0, out["error_code"], "the receiver's own answer")

	status, out = call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackAfterDestroyRoom"})
	assert.Equal(t, http.StatusConflict, status, "not subscribed")
	assert.Contains(t, out["error"], "not in the CallbackCommandList")
	status, out = call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackAfterCreateRoom", "body": []int{1}})
	assert.Equal(t, http.StatusBadRequest, status, "a body that is not an object: %v", out)

	// With a lag, a token changed through the API signs only later; the receiver still takes the old one.
	call(t, http.MethodPut, app, map[string]any{"token_lag_ms": 60_000})
	_, err = controlClient(t, base).SetCallbackToken(context.Background(), liveconfig.CallbackToken{Token: "another-token", Enabled: true})
	require.NoError(t, err)
	status, out = call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackAfterCreateRoom"})
	assert.Equal(t, http.StatusOK, status, "still signed with the old token: %v", out)

	call(t, http.MethodPut, app, map[string]any{"token": map[string]any{"token": "another-token", "enabled": true}})
	status, out = call(t, http.MethodPost, app+"/deliver", map[string]any{"command": "Live.CallbackAfterCreateRoom"})
	assert.Equal(t, http.StatusBadGateway, status, "the receiver refused the signature")
	assert.Equal(t, 401.0, out["http_status"])
	assert.Contains(t, out["error"], "not a valid webhook answer")
}

// TestControlRefusedOffLoopback: listening on every address, the control API refuses everything unless
// -control-anywhere allows it; the fake API itself is served either way.
func TestControlRefusedOffLoopback(t *testing.T) {
	for _, allowed := range []bool{false, true} {
		args := []string{"-sdkappid", strconv.Itoa(controlApp), "-key", controlKey, "-addr", "0.0.0.0:0"}
		if allowed {
			args = append(args, "-control-anywhere")
		}
		lines := serve(t, args...)
		_, port, err := net.SplitHostPort(strings.TrimPrefix(lines[0], "http://"))
		require.NoError(t, err)
		base := "http://127.0.0.1:" + port
		status, out := call(t, http.MethodGet, base+"/_fake/health", nil)
		if !allowed {
			assert.Equal(t, http.StatusForbidden, status)
			assert.Contains(t, out["error"], "-control-anywhere")
			assert.Contains(t, lines[len(lines)-1], "control API: refused")
			status, _ = call(t, http.MethodPost, base+"/_fake/apps/"+strconv.Itoa(controlApp)+"/reset", nil)
			assert.Equal(t, http.StatusForbidden, status, "everything")
		} else {
			assert.Equal(t, http.StatusOK, status)
		}
		_, err = controlClient(t, base).GetCallback(context.Background())
		assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound, "the API is served")
	}
}
