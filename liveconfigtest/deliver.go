package liveconfigtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

// deliveryTimeout is how long Tencent waits for a receiver's answer.
const deliveryTimeout = 2 * time.Second

// Errors of Deliver.
var (
	// ErrNoCallback: the app has no callback configuration, so Tencent would send nothing.
	ErrNoCallback = errors.New("liveconfigtest: no callback configuration")
	// ErrNotSubscribed: the command word is not in the configuration's CallbackCommandList.
	ErrNotSubscribed = errors.New("liveconfigtest: command not in the CallbackCommandList")
	// ErrBadAnswer: the receiver answered with a status other than 200 or a body that is not the JSON answer;
	// Tencent counts that as a failed delivery.
	ErrBadAnswer = errors.New("liveconfigtest: the receiver's answer is not a valid webhook answer")
)

// Answer is a webhook receiver's answer.
type Answer struct {
	HTTPStatus   int
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
}

// Deliver sends one webhook to the configured callback URL the way Tencent does: a POST of body with the
// query parameters SdkAppid, CallbackCommand, contenttype=json, ClientIP and OptPlatform=RESTAPI and, when a
// callback token is enabled, RequestTime (the server's clock) and Sign (see webhook.Sign) with the token in
// force as it signs (or, during the lag SetTokenLag sets, the one before it). It waits at most
// 2 s, Tencent's limit, and returns the receiver's decoded answer.
//
// body is the event: []byte, json.RawMessage or string as given, anything else marshalled to JSON. It must
// be a JSON object; CallbackCommand is added when absent, and must equal cmd when present.
//
// It returns ErrNoCallback without a configuration, ErrNotSubscribed for a command word not in it, and
// ErrBadAnswer (with the Answer so far) for a non-200 status or an answer that is not JSON.
func (a *App) Deliver(ctx context.Context, cmd liveconfig.Command, body any) (*Answer, error) {
	a.mu.Lock()
	cb, signing := a.callback, a.signingTokenLocked(a.srv.now())
	var cfg liveconfig.CallbackConfig
	if cb != nil {
		cfg = cloneCallback(*cb)
	}
	var token string
	if signing != nil {
		token = signing.Token
	}
	a.mu.Unlock()

	switch {
	case cb == nil:
		return nil, ErrNoCallback
	case !slices.Contains(cfg.Commands, cmd):
		return nil, fmt.Errorf("%w: %s", ErrNotSubscribed, cmd)
	}
	payload, err := eventBody(cmd, body)
	if err != nil {
		return nil, err
	}
	target, err := a.webhookURL(cfg.URL, cmd, signing != nil, token)
	if err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(payload))
	if err != nil {
		return nil, fmt.Errorf("liveconfigtest: building the webhook request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := a.srv.webhooks.Do(req)
	if err != nil {
		return nil, fmt.Errorf("liveconfigtest: delivering %s: %w", cmd, err)
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxRequestBytes))
	if err != nil {
		return nil, fmt.Errorf("liveconfigtest: reading the answer to %s: %w", cmd, err)
	}
	ans := &Answer{HTTPStatus: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		return ans, fmt.Errorf("%w: HTTP %d", ErrBadAnswer, resp.StatusCode)
	}
	if err := json.Unmarshal(data, ans); err != nil {
		return ans, fmt.Errorf("%w: %v", ErrBadAnswer, err)
	}
	return ans, nil
}

// webhookURL appends Tencent's query parameters to the callback URL.
func (a *App) webhookURL(callbackURL string, cmd liveconfig.Command, signed bool, token string) (string, error) {
	u, err := url.Parse(callbackURL)
	if err != nil {
		return "", fmt.Errorf("liveconfigtest: callback URL: %w", err)
	}
	q := u.Query()
	q.Set("SdkAppid", strconv.FormatUint(a.sdkAppID, 10))
	q.Set("CallbackCommand", string(cmd))
	q.Set("contenttype", "json")
	q.Set("ClientIP", "127.0.0.1")
	q.Set("OptPlatform", "RESTAPI")
	if signed {
		requestTime := a.srv.now().Unix()
		q.Set("RequestTime", strconv.FormatInt(requestTime, 10))
		q.Set("Sign", webhook.Sign(token, requestTime))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// eventBody turns body into a JSON object that names cmd as its CallbackCommand.
func eventBody(cmd liveconfig.Command, body any) ([]byte, error) {
	var raw []byte
	switch b := body.(type) {
	case []byte:
		raw = b
	case json.RawMessage:
		raw = b
	case string:
		raw = []byte(b)
	default:
		var err error
		if raw, err = json.Marshal(body); err != nil {
			return nil, fmt.Errorf("liveconfigtest: encoding the event: %w", err)
		}
	}
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil || fields == nil {
		return nil, errors.New("liveconfigtest: the event must be a JSON object")
	}
	if named, ok := fields["CallbackCommand"]; ok {
		var got string
		if json.Unmarshal(named, &got) != nil || got != string(cmd) {
			return nil, fmt.Errorf("liveconfigtest: the event's CallbackCommand %s is not %s", strings.TrimSpace(string(named)), cmd)
		}
		return raw, nil
	}
	fields["CallbackCommand"], _ = json.Marshal(cmd)
	return json.Marshal(fields)
}
