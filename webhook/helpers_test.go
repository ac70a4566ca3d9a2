package webhook_test

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

const (
	testApp   = 1400000001
	testToken = "webhook-token-5b1e"
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
	query       url.Values
	requestTime int64
	token       string
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

func serveRecorder(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, r)
	return rec
}

// sampleBody is the documented sample body of cmd.
func sampleBody(t *testing.T, cmd liveconfig.Command) []byte {
	t.Helper()
	body, ok := webhook.SampleBody(cmd)
	require.True(t, ok, "a sample body for %s", cmd)
	return body
}
