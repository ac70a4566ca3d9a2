package liveconfig

import (
	"sync/atomic"
	"time"

	"github.com/go-resty/resty/v2"
)

// Hooks for the external tests. They reach into a Client before it is used, never while it is in use.

// SetAttemptTimeout sets the per-attempt timeout below what NewClient allows (Config.Timeout must exceed the
// server's 3 s), so that tests can see attempts time out without waiting seconds.
func SetAttemptTimeout(c *Client, d time.Duration) { c.timeout = d }

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
	s, _, err := c.sigs.get()
	if err != nil {
		return ""
	}
	return s.raw
}

// DecodeEnvelope runs the pure answer decoder on a made-up answer, as get_callback would, and then the
// redactor, as every attempt does, with the UserSig FuzzUserSig: for fuzzing.
func DecodeEnvelope(status int, body []byte) (*CallbackConfig, error) {
	var out callbackBody
	if _, err := decodeAnswer("get_callback", status, body, &out); err != nil {
		redactor := &Client{base: "http://127.0.0.1:1"}
		return nil, redactor.redact(err, newSignedUserSig(FuzzUserSig, "fuzzing-secret-key-0123456789", time.Time{}))
	}
	return &CallbackConfig{URL: out.URL, Commands: out.Commands}, nil
}

// RESTClient returns the resty client a Client sends through, so that a test can check how it is set up and
// force its debug mode on to prove that even then nothing is printed.
func RESTClient(c *Client) *resty.Client { return c.rest }

// FuzzUserSig is the UserSig DecodeEnvelope redacts.
const FuzzUserSig = "fuzz-usersig-0123456789abcdef"
