package webhook_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

// TestSoakDeliveries sends 10,000 webhooks from 64 senders at once, half of them forged in five ways: every
// forgery must be refused, and every genuine webhook must reach the handler exactly once.
func TestSoakDeliveries(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: run without -short")
	}
	const senders, deliveries = 64, 10_000
	srv := liveconfigtest.New(t, liveconfigtest.WithRequestLogLimit(1))
	var mu sync.Mutex
	seen := map[string]int{}
	h, err := webhook.NewHandler(webhook.Config{SDKAppID: srv.SDKAppID(), Token: testToken}, func(_ context.Context, ev webhook.Event) error {
		mu.Lock()
		seen[ev.(*webhook.AfterMemberStateChanged).RoomID]++
		mu.Unlock()
		return nil
	})
	require.NoError(t, err)
	receiver := httptest.NewServer(h)
	t.Cleanup(receiver.Close)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: receiver.URL, Commands: []liveconfig.Command{liveconfig.CommandAfterMemberStateChanged}})
	srv.SetToken(&liveconfig.CallbackToken{Token: testToken, Enabled: true})
	forger := &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone(), Timeout: 5 * time.Second}
	t.Cleanup(forger.CloseIdleConnections)

	var wg sync.WaitGroup
	problems := make(chan string, deliveries)
	for s := range senders {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := s; i < deliveries; i += senders {
				room := fmt.Sprintf("room-%d", i)
				body := `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"` + room + `","MemberList":[{"Member_Account":` + strconv.Itoa(i) + `}]}`
				if i%2 == 0 {
					ans, err := srv.Deliver(context.Background(), liveconfig.CommandAfterMemberStateChanged, body)
					if err != nil || ans.ActionStatus != "OK" {
						problems <- fmt.Sprintf("genuine %s: %v %+v", room, err, ans)
					}
					continue
				}
				status, err := forge(forger, receiver.URL, srv.SDKAppID(), i, body)
				switch {
				case err != nil:
					problems <- fmt.Sprintf("forgery %d not delivered: %v", i, err)
				case status == http.StatusOK:
					problems <- fmt.Sprintf("forgery %d accepted", i)
				}
			}
		}()
	}
	wg.Wait()
	close(problems)
	for p := range problems {
		t.Error(p)
	}
	mu.Lock()
	defer mu.Unlock()
	assert.Len(t, seen, deliveries/2, "every genuine webhook arrived")
	for room, n := range seen {
		i, _ := strconv.Atoi(strings.TrimPrefix(room, "room-"))
		if i%2 != 0 || n != 1 {
			t.Errorf("%s reached the handler %d times", room, n)
		}
	}
}

// forge sends webhook i with one of five forgeries and returns the status it got.
func forge(c *http.Client, target string, appID uint64, i int, body string) (int, error) {
	now := time.Now().Unix()
	q := url.Values{"SdkAppid": {strconv.FormatUint(appID, 10)}, "CallbackCommand": {"Live.CallbackAfterMemberStateChanged"},
		"contenttype": {"json"}, "RequestTime": {strconv.FormatInt(now, 10)}, "Sign": {webhook.Sign(testToken, now)}}
	switch i % 5 {
	case 0:
		q.Set("Sign", webhook.Sign("guessed-token", now))
	case 1:
		q.Set("RequestTime", strconv.FormatInt(now-120, 10))
		q.Set("Sign", webhook.Sign(testToken, now-120))
	case 2:
		q.Del("Sign")
	case 3:
		q.Set("SdkAppid", "1400009999")
	case 4: // one hex digit off
		sign := []byte(webhook.Sign(testToken, now))
		sign[63] = map[bool]byte{true: '1', false: '0'}[sign[63] == '0']
		q.Set("Sign", string(sign))
	}
	resp, err := c.Post(target+"?"+q.Encode(), "application/json", strings.NewReader(body))
	if err != nil {
		return 0, err
	}
	resp.Body.Close()
	return resp.StatusCode, nil
}
