package liveconfigtest

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
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
	// ErrBadAnswer is webhook.ErrBadAnswer: the receiver answered with a status other than 200 or a body that
	// is not the JSON answer; Tencent counts that as a failed delivery.
	ErrBadAnswer = webhook.ErrBadAnswer
)

// Answer is a webhook receiver's answer: webhook.Answer.
type Answer = webhook.Answer

// Deliver sends one webhook to the configured callback URL the way Tencent does (through webhook.Send): a POST
// of body with the query parameters SdkAppid, CallbackCommand, contenttype=json, ClientIP and
// OptPlatform=RESTAPI and, when a callback token is enabled, RequestTime (the server's clock) and Sign (see
// webhook.Sign) with the token in force as it signs (or, during the lag SetTokenLag sets, the one before it).
// It waits at most 2 s, Tencent's limit, and returns the receiver's decoded answer.
//
// body is the event: []byte, json.RawMessage or string as given, nil for Tencent's documented sample of cmd
// (webhook.SampleBody), anything else marshalled to JSON. It must be a JSON object; CallbackCommand is added
// when absent, and must equal cmd when present.
//
// It returns ErrNoCallback without a configuration, ErrNotSubscribed for a command word not in it, and
// ErrBadAnswer (with the Answer so far) for a non-200 status or an answer that is not JSON.
func (a *App) Deliver(ctx context.Context, cmd liveconfig.Command, body any) (*Answer, error) {
	now := a.srv.now()
	a.mu.Lock()
	cb, signing := a.callback, a.signingTokenLocked(now)
	var cfg liveconfig.CallbackConfig
	if cb != nil {
		cfg = cloneCallback(*cb)
	}
	d := webhook.Delivery{SDKAppID: a.sdkAppID, Command: cmd, RequestTime: now}
	if signing != nil {
		d.Token = signing.Token
	}
	a.mu.Unlock()

	switch {
	case cb == nil:
		return nil, ErrNoCallback
	case !slices.Contains(cfg.Commands, cmd):
		return nil, fmt.Errorf("%w: %s", ErrNotSubscribed, cmd)
	}
	var err error
	if d.Body, err = eventBytes(body); err != nil {
		return nil, err
	}
	ctx, cancel := context.WithTimeout(ctx, deliveryTimeout)
	defer cancel()
	return webhook.Send(ctx, a.srv.webhooks, cfg.URL, d)
}

// eventBytes is body as Deliver takes it, in bytes: nil for the sample.
func eventBytes(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case []byte:
		return b, nil
	case json.RawMessage:
		return b, nil
	case string:
		return []byte(b), nil
	}
	raw, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("liveconfigtest: encoding the event: %w", err)
	}
	return raw, nil
}
