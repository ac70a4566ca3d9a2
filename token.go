package liveconfig

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"unicode/utf8"

	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// MaxTokenLength is the longest callback token the API accepts, in characters. Tencent's pages disagree: one
// says "1 to 128 characters", another "length is 128". A token of 1 to 128 characters is accepted, which
// covers both readings.
const MaxTokenLength = 128

// CallbackToken is the secret that authenticates webhooks. Once it is enabled, Tencent adds Sign and
// RequestTime to every webhook it sends, and a receiver (see the webhook package) checks them.
//
// A CallbackToken prints without its Token: String, GoString, LogValue and MarshalJSON redact it. fmt still
// prints the Token of a CallbackToken that is an unexported field of a caller's struct, field by field,
// without calling these methods: log such a struct through a method of its own.
type CallbackToken struct {
	Token   string // 1 to 128 characters
	Enabled bool   // whether Tencent signs webhooks with it
}

// String describes t without the token.
func (t CallbackToken) String() string {
	return fmt.Sprintf("liveconfig.CallbackToken{Token:%s Enabled:%t}", secretrule.Printed(t.Token), t.Enabled)
}

// GoString is String, so that %#v does not print the token either.
func (t CallbackToken) GoString() string { return t.String() }

// MarshalJSON encodes t for JSON loggers without the token: {"Token":"[redacted]","Enabled":true}. It is for
// logs, not for storing a token: the token does not survive it.
func (t CallbackToken) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Token   string
		Enabled bool
	}{secretrule.Encoded(t.Token), t.Enabled})
}

// LogValue lets log/slog print t without the token.
func (t CallbackToken) LogValue() slog.Value {
	return slog.GroupValue(slog.Bool("enabled", t.Enabled))
}

// Validate returns an [*InputError] (errors.Is(err, ErrInvalidParameter)) when the token is empty, longer
// than MaxTokenLength characters, not valid UTF-8, holds white space, a control or a format character (a line
// break, an escape, a bidirectional override; the message says which and where), or is the mark "[redacted]"
// a token prints as: such a token could not be typed into the console, prints as something else, or is a
// token that went through a log. The same rule holds for webhook.Config.Token and the command line's tokens.
func (t CallbackToken) Validate() error { return t.validate("") }

func (t CallbackToken) validate(op Op) error {
	if n := utf8.RuneCountInString(t.Token); n < 1 || n > MaxTokenLength {
		return &InputError{Op: op, Field: "Token", Reason: fmt.Sprintf("must be 1 to %d characters, not %d", MaxTokenLength, n)}
	}
	if reason := secretrule.Problem(t.Token); reason != "" {
		return &InputError{Op: op, Field: "Token", Reason: reason}
	}
	return nil
}

// tokenBody is the wire form of a CallbackToken.
type tokenBody struct {
	Token   string `json:"Token"`
	Enabled bool   `json:"IsTokenEnable"`
}

// SetCallbackToken sets the callback token and whether it is enabled (set_callback_token), creating the
// token configuration when there is none. Both fields are always sent. A token outside 1..128 characters
// fails with an [*InputError] before anything is sent.
//
// https://trtc.io/document/69528 (Set Callback Authentication Token)
func (c *Client) SetCallbackToken(ctx context.Context, t CallbackToken) (*Result, error) {
	if err := t.validate(OpSetCallbackToken); err != nil {
		return nil, err
	}
	return c.mutate(ctx, OpSetCallbackToken, tokenBody(t))
}

// GetCallbackToken returns the callback token configuration (get_callback_token), or ErrTokenNotFound when
// there is none.
//
// https://trtc.io/document/69529 (Query Callback Authentication Token)
func (c *Client) GetCallbackToken(ctx context.Context) (*CallbackToken, error) {
	var body tokenBody
	if _, err := c.do(ctx, OpGetCallbackToken, nil, &body); err != nil {
		return nil, err
	}
	return &CallbackToken{Token: body.Token, Enabled: body.Enabled}, nil
}

// DeleteCallbackToken removes the callback token configuration (delete_callback_token); Tencent then sends
// webhooks unsigned.
//
// https://trtc.io/document/69530 (Delete Webhook Authentication Token)
func (c *Client) DeleteCallbackToken(ctx context.Context) (*Result, error) {
	return c.mutate(ctx, OpDeleteCallbackToken, nil)
}
