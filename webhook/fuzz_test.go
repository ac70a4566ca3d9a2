package webhook_test

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

// FuzzParse feeds random queries and bodies through verification and decoding: nothing may panic, and
// anything accepted must carry a well-formed command word.
func FuzzParse(f *testing.F) {
	for _, cmd := range webhook.SampleCommands() {
		body, _ := webhook.SampleBody(cmd)
		f.Add("SdkAppid=1400000001&CallbackCommand="+string(cmd), string(body), true)
	}
	f.Add("SdkAppId=1400000001&WebhookCommand=Live.CallbackX", `{"CallbackCommand":1}`, false)
	f.Add("SdkAppid=1400000001&Sign=zz&RequestTime=-9223372036854775808", `{"EventTime":"x"}`, true)
	f.Add("%zz", `{`, false)
	v, err := webhook.NewVerifier(webhook.Config{SDKAppID: testApp, AllowUnsigned: true})
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, query, body string, signed bool) {
		if signed {
			query += "&RequestTime=1739966441&Sign=" + webhook.Sign(testToken, 1739966441)
		}
		r := httptest.NewRequest(http.MethodPost, "/", strings.NewReader(body))
		r.URL.RawQuery = query
		ev, err := v.Parse(r)
		if err == nil {
			if verr := liveconfig.Command(ev.Command()).Validate(); verr != nil {
				t.Fatalf("accepted a malformed command word: %v", verr)
			}
		}
		_, _ = webhook.ParseEvent("", []byte(body))
	})
}
