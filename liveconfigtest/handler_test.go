package liveconfigtest_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

type rawCall struct {
	method, op, body string
	query            url.Values
}

// call sends a hand-made request, bypassing the client, and returns the envelope's code and info.
func call(t *testing.T, srv *liveconfigtest.Server, rc rawCall) (int, string) {
	t.Helper()
	req, err := http.NewRequest(rc.method, srv.URL()+"/v4/live_config/"+rc.op+"?"+rc.query.Encode(), strings.NewReader(rc.body))
	require.NoError(t, err)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	require.Equal(t, http.StatusOK, resp.StatusCode, "the API answers 200 with an envelope")
	var env struct {
		ActionStatus string
		ErrorCode    int
		ErrorInfo    string
		RequestID    string `json:"RequestId"`
	}
	require.NoError(t, json.Unmarshal(data, &env))
	assert.NotEmpty(t, env.RequestID)
	assert.Equal(t, env.ErrorCode == 0, env.ActionStatus == "OK")
	return env.ErrorCode, env.ErrorInfo
}

func signedQuery(t *testing.T, sdkAppID uint64, key, identifier string, ttl int) url.Values {
	t.Helper()
	sig, err := tencentyun.GenUserSig(int(sdkAppID), key, identifier, ttl)
	require.NoError(t, err)
	return url.Values{"sdkappid": {fmt.Sprint(sdkAppID)}, "identifier": {identifier}, "usersig": {sig},
		"random": {"4294967295"}, "contenttype": {"json"}}
}

func TestFakeChecksRequestsLikeTencent(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithRateLimit(0))
	good := func() url.Values {
		return signedQuery(t, srv.SDKAppID(), srv.SecretKey(), srv.Identifier(), 3600)
	}
	with := func(edit func(url.Values)) url.Values { q := good(); edit(q); return q }
	tests := []struct {
		name string
		rc   rawCall
		code int
	}{
		{"valid", rawCall{"POST", "get_callback_token", "{}", good()}, 100302},
		{"GET", rawCall{"GET", "get_callback", "", good()}, 60002},
		{"unknown endpoint", rawCall{"POST", "set_everything", "{}", good()}, 60009},
		{"extra parameter", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("debug", "1") })}, 60002},
		{"parameter twice", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Add("random", "1") })}, 60002},
		{"random too large", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("random", "4294967296") })}, 60002},
		{"random negative", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("random", "-1") })}, 60002},
		{"contenttype xml", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("contenttype", "xml") })}, 60002},
		{"no sdkappid", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Del("sdkappid") })}, 60012},
		{"another app", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("sdkappid", "1400000002") })}, 70020},
		{"no usersig", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("usersig", "") })}, 70002},
		{"garbage usersig", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) { q.Set("usersig", "abc") })}, 70003},
		{"wrong key", rawCall{"POST", "get_callback", "{}", signedQuery(t, srv.SDKAppID(), "not-the-key", srv.Identifier(), 3600)}, 70009},
		{"UserSig of another account", rawCall{"POST", "get_callback", "{}",
			with(func(q url.Values) { q.Set("identifier", "someone") })}, 70013},
		{"UserSig of another app", rawCall{"POST", "get_callback", "{}", with(func(q url.Values) {
			q.Set("usersig", signedQuery(t, 1400000002, srv.SecretKey(), srv.Identifier(), 3600).Get("usersig"))
		})}, 70014},
		{"not an administrator", rawCall{"POST", "get_callback", "{}", signedQuery(t, srv.SDKAppID(), srv.SecretKey(), "user1", 3600)}, 60010},
		{"body not JSON", rawCall{"POST", "get_callback", "{", good()}, 60003},
		{"body empty", rawCall{"POST", "get_callback", "", good()}, 60003},
		{"body an array", rawCall{"POST", "get_callback", "[]", good()}, 60003},
		{"set_callback without Url", rawCall{"POST", "set_callback", `{"CallbackCommandList":["Live.CallbackAfterCreateRoom"]}`, good()}, 100002},
		{"set_callback with url in lower case", rawCall{"POST", "set_callback", `{"url":"https://a.example","CallbackCommandList":["Live.CallbackAfterCreateRoom"]}`, good()}, 100002},
		{"set_callback with an ftp Url", rawCall{"POST", "set_callback", `{"Url":"ftp://a.example","CallbackCommandList":["Live.CallbackAfterCreateRoom"]}`, good()}, 100002},
		{"set_callback with a number list", rawCall{"POST", "set_callback", `{"Url":"https://a.example","CallbackCommandList":[1]}`, good()}, 100002},
		{"first token without IsTokenEnable", rawCall{"POST", "set_callback_token", `{"Token":"abc"}`, good()}, 100002},
		{"token too long", rawCall{"POST", "set_callback_token", `{"Token":"` + strings.Repeat("a", 129) + `","IsTokenEnable":true}`, good()}, 100002},
	}
	for _, tt := range tests {
		code, info := call(t, srv, tt.rc)
		assert.Equal(t, tt.code, code, "%s: %s", tt.name, info)
	}
	assert.Len(t, srv.AllRequests(), len(tests))
	_, hasToken := srv.Token()
	_, hasCallback := srv.Callback()
	assert.False(t, hasToken || hasCallback, "refused requests change nothing")
}

func TestFakeRefusesExpiredUserSig(t *testing.T) {
	t.Parallel()
	later := time.Now().Add(2 * time.Hour)
	srv := liveconfigtest.New(t, liveconfigtest.WithClock(func() time.Time { return later }))
	code, _ := call(t, srv, rawCall{"POST", "get_callback", "{}", signedQuery(t, srv.SDKAppID(), srv.SecretKey(), srv.Identifier(), 3600)})
	assert.Equal(t, 70001, code)
}

func TestFakeTokenUpdatesOnlyTheFieldsSent(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	q := func() url.Values { return signedQuery(t, srv.SDKAppID(), srv.SecretKey(), srv.Identifier(), 3600) }
	code, _ := call(t, srv, rawCall{"POST", "set_callback_token", `{"Token":"first","IsTokenEnable":true}`, q()})
	require.Zero(t, code)
	code, _ = call(t, srv, rawCall{"POST", "set_callback_token", `{"IsTokenEnable":false}`, q()})
	require.Zero(t, code)
	tok, _ := srv.Token()
	assert.Equal(t, "first", tok.Token)
	assert.False(t, tok.Enabled)
}

func TestFakeEnforcesTheRateLimit(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithRateLimit(5))
	codes := map[int]int{}
	for range 20 {
		code, _ := call(t, srv, rawCall{"POST", "delete_callback", "{}", signedQuery(t, srv.SDKAppID(), srv.SecretKey(), srv.Identifier(), 3600)})
		codes[code]++
	}
	assert.GreaterOrEqual(t, codes[0], 5)
	assert.Positive(t, codes[60007])
	assert.Equal(t, 20, codes[0]+codes[60007])
}

func TestInjectFaultRefusesUnknownEndpoints(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t)
	assert.Panics(t, func() { srv.InjectFault("set_callbacks", liveconfigtest.Fault{}) })
	assert.Panics(t, func() { srv.InjectFault("", liveconfigtest.Fault{Times: -2}) })
}

// TestServesEveryOp sends a signed request to every endpoint liveconfig knows: the fake must serve each, so
// an endpoint added to liveconfig.Ops without its case in the fake fails here.
func TestServesEveryOp(t *testing.T) {
	t.Parallel()
	srv := liveconfigtest.New(t, liveconfigtest.WithRateLimit(0))
	sig, err := tencentyun.GenUserSig(int(srv.SDKAppID()), srv.SecretKey(), srv.Identifier(), 600)
	require.NoError(t, err)
	for _, op := range liveconfig.Ops() {
		target := fmt.Sprintf("%s/v4/live_config/%s?sdkappid=%d&identifier=%s&usersig=%s&random=7&contenttype=json",
			srv.URL(), op, srv.SDKAppID(), srv.Identifier(), url.QueryEscape(sig))
		resp, err := http.Post(target, "application/json", strings.NewReader(`{}`))
		require.NoError(t, err)
		var env struct{ ErrorCode int }
		require.NoError(t, json.NewDecoder(resp.Body).Decode(&env))
		resp.Body.Close()
		assert.NotEqual(t, 60009, env.ErrorCode, "%s is not served", op)
		require.NotEmpty(t, srv.AllRequestsTo(op), op)
	}
	http.DefaultClient.CloseIdleConnections()
}
