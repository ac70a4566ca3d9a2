package webhook_test

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

const roomCreated = `{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":{"RoomId":"r1"},"EventTime":1739966441000}`

func TestForgeriesAreRefusedBeforeTheHandler(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		edit   func(d *delivery)
		status int
		reason error // the broad reason
		exact  error // the reason itself, which matches reason too
	}{
		{"wrong token", func(d *delivery) { d.token = "guessed" }, 401, webhook.ErrUnauthenticated, webhook.ErrBadSignature},
		{"stale RequestTime", func(d *delivery) { d.requestTime = testNow.Unix() - 61 }, 401, webhook.ErrUnauthenticated, webhook.ErrStale},
		{"future RequestTime", func(d *delivery) { d.requestTime = testNow.Unix() + 61 }, 401, webhook.ErrUnauthenticated, webhook.ErrStale},
		{"extreme RequestTime", func(d *delivery) { d.requestTime = -1 << 63 }, 401, webhook.ErrUnauthenticated, webhook.ErrStale},
		{"no Sign", func(d *delivery) { d.query = map[string][]string{"Sign": {"-"}} }, 401, webhook.ErrUnauthenticated, webhook.ErrUnsigned},
		{"no RequestTime", func(d *delivery) { d.query = map[string][]string{"RequestTime": {"-"}} }, 401, webhook.ErrUnauthenticated, webhook.ErrUnsigned},
		{"unsigned", func(d *delivery) { d.token = "" }, 401, webhook.ErrUnauthenticated, webhook.ErrUnsigned},
		{"Sign of another time", func(d *delivery) {
			d.query = map[string][]string{"Sign": {webhook.Sign(testToken, testNow.Unix()-1)}}
		}, 401, webhook.ErrUnauthenticated, webhook.ErrBadSignature},
		{"another app", func(d *delivery) { d.query = map[string][]string{"SdkAppid": {"1400000002"}} }, 403, webhook.ErrForeignApp, webhook.ErrForeignApp},
		{"no app", func(d *delivery) { d.query = map[string][]string{"SdkAppid": {"-"}} }, 403, webhook.ErrForeignApp, webhook.ErrForeignApp},
		{"GET", func(d *delivery) { d.method = http.MethodGet }, 405, webhook.ErrMethodNotAllowed, webhook.ErrMethodNotAllowed},
		{"malformed JSON", func(d *delivery) { d.body = `{"CallbackCommand":` }, 400, webhook.ErrMalformed, webhook.ErrNotJSON},
		{"not an object", func(d *delivery) { d.body = `["Live.CallbackAfterCreateRoom"]` }, 400, webhook.ErrMalformed, webhook.ErrNotJSON},
		{"empty body", func(d *delivery) { d.body = `` }, 400, webhook.ErrMalformed, webhook.ErrNotJSON},
		{"5 MiB body", func(d *delivery) { d.body = `{"Pad":"` + strings.Repeat("x", 5<<20) + `"}` }, 413, webhook.ErrBodyTooLarge, webhook.ErrBodyTooLarge},
		{"query and body disagree", func(d *delivery) { d.command = "Live.CallbackAfterDestroyRoom" }, 400, webhook.ErrMalformed, webhook.ErrMalformed},
		{"malformed command word", func(d *delivery) {
			d.command, d.body = "drop table", `{"X":1}`
		}, 400, webhook.ErrMalformed, webhook.ErrMalformed},
		{"wrong field type", func(d *delivery) { d.body = `{"CallbackCommand":"Live.CallbackAfterCreateRoom","RoomInfo":"r1"}` }, 400, webhook.ErrMalformed, webhook.ErrMalformed},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			var calls atomic.Int32
			h, err := webhook.NewHandler(testConfig(), func(context.Context, webhook.Event) error { calls.Add(1); return nil })
			require.NoError(t, err)
			d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
			tt.edit(d)
			out := serve(t, h, d.request())
			assert.Equal(t, tt.status, out.status)
			assert.Equal(t, "FAIL", out.body.ActionStatus)
			assert.NotContains(t, out.body.ErrorInfo, testToken)
			assert.Zero(t, calls.Load(), "a refused request never reaches the handler")

			v, err := webhook.NewVerifier(testConfig())
			require.NoError(t, err)
			_, err = v.Parse(d.request())
			assert.ErrorIs(t, err, tt.reason)
			assert.ErrorIs(t, err, tt.exact)
			for _, other := range []error{webhook.ErrUnsigned, webhook.ErrStale, webhook.ErrBadSignature, webhook.ErrNotJSON,
				webhook.ErrForeignApp, webhook.ErrMethodNotAllowed, webhook.ErrBodyTooLarge} {
				if other != tt.exact {
					assert.NotErrorIs(t, err, other, "each refusal is told apart")
				}
			}
			var reqErr *webhook.RequestError
			require.ErrorAs(t, err, &reqErr)
			assert.Equal(t, tt.status, reqErr.Status)
		})
	}
}

func TestSkewBoundaryIsAccepted(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(testConfig())
	require.NoError(t, err)
	for _, offset := range []int64{-60, 0, 60} {
		d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
		d.requestTime = testNow.Unix() + offset
		_, err := v.Parse(d.request())
		assert.NoError(t, err, "offset %d s", offset)
	}
	d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	d.query = map[string][]string{"Sign": {strings.ToUpper(webhook.Sign(testToken, testNow.Unix()))}}
	_, err = v.Parse(d.request())
	assert.NoError(t, err, "hex case does not matter")
}

func TestAllowUnsigned(t *testing.T) {
	t.Parallel()
	unsignedOnly := webhook.Config{SDKAppID: testApp, AllowUnsigned: true}
	v, err := webhook.NewVerifier(unsignedOnly)
	require.NoError(t, err)
	d := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	d.token = ""
	ev, err := v.Parse(d.request())
	require.NoError(t, err)
	assert.False(t, ev.(*webhook.AfterCreateRoom).Request.Signed)

	transition := testConfig()
	transition.AllowUnsigned = true
	v, err = webhook.NewVerifier(transition)
	require.NoError(t, err)
	_, err = v.Parse(d.request())
	assert.NoError(t, err, "unsigned accepted while a token is being enabled")
	d.token = "guessed"
	_, err = v.Parse(d.request())
	assert.ErrorIs(t, err, webhook.ErrUnauthenticated, "a signed request is still verified")
}

func TestNewHandlerRefusesBadConfig(t *testing.T) {
	t.Parallel()
	ok := func(context.Context, webhook.Event) error { return nil }
	for name, cfg := range map[string]webhook.Config{
		"zero SDKAppID":            {Token: testToken},
		"no token":                 {SDKAppID: testApp},
		"negative skew":            {SDKAppID: testApp, Token: testToken, MaxSkew: -time.Second},
		"negative limit":           {SDKAppID: testApp, Token: testToken, MaxBodyBytes: -1},
		"negative handler timeout": {SDKAppID: testApp, Token: testToken, HandlerTimeout: -time.Second},
		"limit MaxInt64":           {SDKAppID: testApp, Token: testToken, MaxBodyBytes: math.MaxInt64},
		"limit 1 GiB + 1":          {SDKAppID: testApp, Token: testToken, MaxBodyBytes: webhook.MaxMaxBodyBytes + 1},
	} {
		_, err := webhook.NewHandler(cfg, ok)
		assert.ErrorIs(t, err, webhook.ErrInvalidConfig, name)
	}
	_, err := webhook.NewHandler(testConfig(), nil)
	var cfgErr *webhook.ConfigError
	require.ErrorAs(t, err, &cfgErr)
	assert.Equal(t, "HandlerFunc", cfgErr.Field)
	_, err = webhook.NewVerifier(webhook.Config{Token: testToken})
	require.ErrorAs(t, err, &cfgErr)
	assert.Equal(t, "Config.SDKAppID", cfgErr.Field)
	assert.ErrorIs(t, err, webhook.ErrInvalidConfig)
	assert.ErrorIs(t, err, liveconfig.ErrInvalidConfig, "the root package's sentinel, the same value")

	largest := testConfig()
	largest.MaxBodyBytes = webhook.MaxMaxBodyBytes
	v, err := webhook.NewVerifier(largest)
	require.NoError(t, err)
	_, err = v.Parse(newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())
	assert.NoError(t, err, "the largest limit still accepts a webhook")
}

func TestAnswers(t *testing.T) {
	t.Parallel()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, nil))
	tests := []struct {
		name     string
		fn       webhook.HandlerFunc
		wantCode int
		wantInfo string
	}{
		{"accepted", func(context.Context, webhook.Event) error { return nil }, 0, ""},
		{"rejected gift", func(context.Context, webhook.Event) error { return webhook.Reject(102150, "over the limit") }, 102150, "over the limit"},
		{"wrapped rejection", func(context.Context, webhook.Event) error {
			return fmt.Errorf("policy: %w", webhook.Reject(2, "spam"))
		}, 2, "spam"},
		{"rejection with code 0", func(context.Context, webhook.Event) error { return webhook.Reject(0, "no") }, 1, "no"},
		{"failure", func(context.Context, webhook.Event) error {
			return errors.New("database password wrong for db.internal")
		}, 1, "internal error"},
		{"panic", func(context.Context, webhook.Event) error { panic("nil map") }, 1, "internal error"},
	}
	for _, tt := range tests {
		cfg := testConfig()
		cfg.Logger = logger
		h, err := webhook.NewHandler(cfg, tt.fn)
		require.NoError(t, err)
		out := serve(t, h, newDelivery("Live.CallbackBeforeSendGift", `{"GiftWater":{"GiftId":"g"}}`).request())
		assert.Equal(t, 200, out.status, tt.name)
		assert.Equal(t, tt.wantCode, out.body.ErrorCode, tt.name)
		assert.Equal(t, tt.wantInfo, out.body.ErrorInfo, tt.name)
		assert.Equal(t, map[bool]string{true: "OK", false: "FAIL"}[tt.wantCode == 0], out.body.ActionStatus, tt.name)
	}
	assert.Contains(t, logs.String(), "database password wrong", "the error is logged")
	assert.Contains(t, logs.String(), "panic: nil map")
}

func TestHandlerContextEndsBeforeTencentGivesUp(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	cfg.HandlerTimeout = 20 * time.Millisecond
	h, err := webhook.NewHandler(cfg, func(ctx context.Context, _ webhook.Event) error {
		deadline, ok := ctx.Deadline()
		if !ok || time.Until(deadline) > 20*time.Millisecond {
			return errors.New("no deadline")
		}
		<-ctx.Done() // a handler that respects ctx returns when it ends
		return ctx.Err()
	})
	require.NoError(t, err)
	out := serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request())
	assert.Equal(t, 1, out.body.ErrorCode)

	h, err = webhook.NewHandler(testConfig(), func(ctx context.Context, _ webhook.Event) error {
		deadline, ok := ctx.Deadline()
		if !ok || time.Until(deadline) > webhook.DefaultHandlerTimeout || webhook.DefaultHandlerTimeout >= 2*time.Second {
			return errors.New("the default deadline is not under 2 s")
		}
		return nil
	})
	require.NoError(t, err)
	assert.Zero(t, serve(t, h, newDelivery("Live.CallbackAfterCreateRoom", roomCreated).request()).body.ErrorCode)
}

func TestConcurrentDeliveries(t *testing.T) {
	t.Parallel()
	var seen sync.Map
	var calls atomic.Int32
	h, err := webhook.NewHandler(testConfig(), func(_ context.Context, ev webhook.Event) error {
		calls.Add(1)
		e := ev.(*webhook.AfterMemberStateChanged)
		if _, dup := seen.LoadOrStore(e.RoomID, true); dup {
			return errors.New("delivered twice")
		}
		return nil
	})
	require.NoError(t, err)
	const n = 200
	var wg sync.WaitGroup
	failures := make(chan string, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			body := fmt.Sprintf(`{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room-%d","MemberList":[{"Member_Account":%d}]}`, i, i)
			rec := serveRecorder(h, newDelivery("Live.CallbackAfterMemberStateChanged", body).request())
			if rec.Code != 200 || !strings.Contains(rec.Body.String(), `"ActionStatus":"OK"`) {
				failures <- rec.Body.String()
			}
		}()
	}
	wg.Wait()
	close(failures)
	for f := range failures {
		t.Error(f)
	}
	assert.EqualValues(t, n, calls.Load())
}

func TestConfigAndVerifierPrintWithoutToken(t *testing.T) {
	t.Parallel()
	cfg := testConfig()
	v, err := webhook.NewVerifier(cfg)
	require.NoError(t, err)
	for _, value := range []any{cfg, &cfg, v, *v} {
		for _, format := range []string{"%v", "%+v", "%#v"} {
			printed := fmt.Sprintf(format, value)
			// Not assert.NotContains: its failure message would quote the token.
			assert.False(t, strings.Contains(printed, testToken), "%s of a %T prints the token", format, value)
			assert.True(t, strings.Contains(printed, "SDKAppID"), "%s of a %T no longer names the app", format, value)
		}
	}
	var logs bytes.Buffer
	slog.New(slog.NewJSONHandler(&logs, nil)).Info("cfg", "webhook", cfg, "verifier", v)
	assert.False(t, strings.Contains(logs.String(), testToken), "the log line holds the token")
	for _, value := range []any{cfg, &cfg, struct{ Webhook webhook.Config }{cfg}, map[string]any{"c": cfg}} {
		encoded, err := json.Marshal(value)
		require.NoError(t, err)
		assert.False(t, strings.Contains(string(encoded), testToken), "JSON of a %T holds the token", value)
		assert.True(t, strings.Contains(string(encoded), `"Token":"[redacted]"`), "JSON of a %T shows a token is set", value)
	}
}

func TestParseWithoutBody(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(testConfig())
	require.NoError(t, err)
	r := newDelivery("Live.CallbackAfterCreateRoom", "").request()
	r.Body = nil
	_, err = v.Parse(r)
	assert.ErrorIs(t, err, webhook.ErrMalformed, "no body is refused, not a panic")
}

// TestRefusalDoesNotWaitForTheBody sends what a forger holding a connection open would: a bad Sign, a
// Content-Length of 100,000 and then nothing more. The refusal must come at once and the connection close,
// rather than the server reading the body it was promised first.
func TestRefusalDoesNotWaitForTheBody(t *testing.T) {
	t.Parallel()
	h, err := webhook.NewHandler(testConfig(), func(context.Context, webhook.Event) error { return nil })
	require.NoError(t, err)
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	conn, err := net.Dial("tcp", srv.Listener.Addr().String())
	require.NoError(t, err)
	defer conn.Close()
	_, err = fmt.Fprintf(conn, "POST /tencent/webhook?SdkAppid=%d&CallbackCommand=Live.CallbackAfterCreateRoom&Sign=%s&RequestTime=%d HTTP/1.1\r\n"+
		"Host: x\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{\"a\":", testApp, strings.Repeat("0", 64), testNow.Unix())
	require.NoError(t, err)

	require.NoError(t, conn.SetReadDeadline(time.Now().Add(2*time.Second))) // reached only when the fix is gone
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	require.NoError(t, err, "the refusal arrives without the body being sent")
	assert.Equal(t, http.StatusUnauthorized, resp.StatusCode)
	assert.True(t, resp.Close, "the server closes the connection after a refusal")
	resp.Body.Close()
}

func TestGiftValueIsSafeAgainstOverflowAndNegatives(t *testing.T) {
	t.Parallel()
	tests := []struct {
		gift   webhook.GiftWater
		value  int64
		ok     bool
		exceed bool // of a limit of 5000
	}{
		{webhook.GiftWater{Count: 2, Coins: 3000}, 6000, true, true},
		{webhook.GiftWater{Count: 1, Coins: 10}, 10, true, false},
		{webhook.GiftWater{Count: 0, Coins: 10}, 10, true, false},
		{webhook.GiftWater{Count: 5, Coins: 1000}, 5000, true, false},
		{webhook.GiftWater{Count: 2, Coins: 4611686018427387904}, 0, false, true},
		{webhook.GiftWater{Count: math.MaxInt32, Coins: math.MaxInt64 / 2}, 0, false, true},
		{webhook.GiftWater{Count: -1, Coins: 10}, 0, false, true},
		{webhook.GiftWater{Count: 1, Coins: -10}, 0, false, true},
		{webhook.GiftWater{Count: 3, Coins: 0}, 0, true, false},
	}
	for _, tt := range tests {
		value, ok := tt.gift.Value()
		assert.Equal(t, tt.value, value, "%+v", tt.gift)
		assert.Equal(t, tt.ok, ok, "%+v", tt.gift)
		assert.Equal(t, tt.exceed, tt.gift.Exceeds(5000), "%+v", tt.gift)
	}
}

// TestARefusalSaysEachThingOnce: a RequestError's text is its reason and then what was wrong, never the reason
// twice.
func TestARefusalSaysEachThingOnce(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(testConfig())
	require.NoError(t, err)
	forged := newDelivery("Live.CallbackAfterCreateRoom", roomCreated)
	forged.token = "guessed-webhook-token"
	_, err = v.Parse(forged.request())
	require.ErrorIs(t, err, webhook.ErrBadSignature)
	assert.Equal(t, 1, strings.Count(err.Error(), "Sign does not match"), err.Error())
	assert.Contains(t, err.Error(), "the receiver's token is not the app's, or the request is forged")
	assert.NotContains(t, err.Error(), testToken)
	assert.Equal(t, "webhook: Sign does not match", (&webhook.RequestError{Err: webhook.ErrBadSignature, Detail: "Sign does not match"}).Error())
}

// TestAReceiverTakesOnlyATokenTencentCouldSignWith: webhook.Config.Token follows the rule of
// liveconfig.CallbackToken, so that no receiver waits for webhooks signed with a token that cannot be set.
func TestAReceiverTakesOnlyATokenTencentCouldSignWith(t *testing.T) {
	t.Parallel()
	for token, want := range map[string]string{
		strings.Repeat("t", 200): "must be 1 to 128 characters",
		"tok\x1ben":              "character 4 is U+001B",
		"token\n":                "character 6 is a line feed",
		"[redacted]":             "is the mark [redacted]",
	} {
		cfg := testConfig()
		cfg.Token = token
		_, err := webhook.NewHandler(cfg, func(context.Context, webhook.Event) error { return nil })
		require.ErrorIs(t, err, liveconfig.ErrInvalidConfig, "%q", token)
		assert.Contains(t, err.Error(), want)
		assert.Contains(t, err.Error(), "Config.Token")
	}
}
