package liveconfigotel_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig/webhook"
)

// What the webhook observer's tests receive: webhooks of one app, signed with one token at one moment.
const (
	testApp     = 1400000001
	testToken   = "webhook-token-5b1e"
	roomCreated = `{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{"RoomId":"r1"},"EventTime":1739966441000}`
)

var testNow = time.Unix(1739966441, 0)

func testConfig() webhook.Config {
	return webhook.Config{SDKAppID: testApp, Token: testToken, Now: func() time.Time { return testNow }}
}

// delivery describes one webhook request, signed as Tencent signs it unless edited.
type delivery struct {
	method      string
	command     string
	body        string
	query       url.Values // set over Tencent's; a value "-" removes the parameter
	requestTime int64
	token       string // "" for unsigned
}

func newDelivery(command, body string) *delivery {
	return &delivery{method: http.MethodPost, command: command, body: body, requestTime: testNow.Unix(), token: testToken}
}

func (d *delivery) request() *http.Request {
	q := url.Values{"SdkAppid": {strconv.Itoa(testApp)}, "CallbackCommand": {d.command}, "contenttype": {"json"},
		"ClientIP": {"203.0.113.7"}, "OptPlatform": {"Android"}}
	if d.token != "" {
		q.Set("RequestTime", strconv.FormatInt(d.requestTime, 10))
		q.Set("Sign", webhook.Sign(d.token, d.requestTime))
	}
	for k, v := range d.query {
		q[k] = v
	}
	for k := range q {
		if q.Get(k) == "-" {
			q.Del(k)
		}
	}
	r := httptest.NewRequest(d.method, "/tencent/webhook?"+q.Encode(), strings.NewReader(d.body))
	r.Header.Set("Content-Type", "application/json")
	return r
}

// reply is a receiver's answer, decoded.
type reply struct {
	status int
	body   struct {
		ActionStatus string
		ErrorInfo    string
		ErrorCode    int
	}
}

func serve(t *testing.T, h http.Handler, r *http.Request) reply {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	var out reply
	out.status = rec.Code
	require.NoError(t, json.Unmarshal(rec.Body.Bytes(), &out.body), "every answer is JSON: %q", rec.Body.String())
	return out
}

// failingFilter fails every call, as a filter whose store is down does.
type failingFilter struct{}

func (failingFilter) Seen(context.Context, string, time.Duration) (bool, error) {
	return false, errors.New("store unreachable")
}
