package liveconfig

import (
	"bytes"
	"io"
	"net/http"
	"sync/atomic"
	"time"
)

// Hooks for the external tests. They reach into a Client before it is used, never while it is in use.

// SetUserSigClock sets the clock the UserSig cache decides renewals by.
func SetUserSigClock(c *Client, now func() time.Time) { c.sigs.now = now }

// CountUserSigSigning counts the calls to the real signing function from now on.
func CountUserSigSigning(c *Client) *atomic.Int64 {
	n := new(atomic.Int64)
	sign := c.sigs.sign
	c.sigs.sign = func(sdkappid int, key, identifier string, expire int) (string, error) {
		n.Add(1)
		return sign(sdkappid, key, identifier, expire)
	}
	return n
}

// CurrentUserSig returns the cached UserSig, so that tests can look for it where it must not be.
func CurrentUserSig(c *Client) string {
	if s := c.sigs.current.Load(); s != nil {
		return s.raw
	}
	return ""
}

// CachedUserSig returns the UserSig through the cache's own path, as each request gets it.
func CachedUserSig(c *Client) string {
	s, err := c.sigs.get()
	if err != nil {
		return ""
	}
	return s.raw
}

// DecodeEnvelope runs the answer decoder on a made-up answer, as get_callback would: for fuzzing.
func DecodeEnvelope(status int, body []byte) (*CallbackConfig, error) {
	c, err := NewClient(Config{Endpoint: "http://127.0.0.1:1", SDKAppID: 1, Identifier: "admin", SecretKey: "fuzzing-secret-key-0123456789"})
	if err != nil {
		return nil, err
	}
	var out callbackBody
	resp := &http.Response{StatusCode: status, Body: io.NopCloser(bytes.NewReader(body))}
	if _, err := c.readEnvelope("get_callback", resp, &out, &signedUserSig{raw: "fuzz-usersig", escaped: "fuzz-usersig"}); err != nil {
		return nil, err
	}
	return &CallbackConfig{URL: out.URL, Commands: out.Commands}, nil
}
