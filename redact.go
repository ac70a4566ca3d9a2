package liveconfig

import (
	"errors"
	"net/url"
	"strings"
)

// redact returns the error of one attempt as a caller may see it: without the SecretKey and without the
// attempt's UserSig, in any field. It is the one place where errors are cleaned; every attempt's error passes
// through it once. Errors are rebuilt, never edited in place.
func (c *Client) redact(err error, sig *signedUserSig) error {
	switch e := err.(type) {
	case *APIError:
		if c.containsSecret(e.Info, sig) {
			clean := *e
			clean.Info = "[server message withheld: it echoed a credential]"
			return &clean
		}
	case *TransportError:
		return &TransportError{Op: e.Op, Err: c.redactCause(e.Op, e.Err, sig)}
	}
	return err
}

// redactCause rebuilds a transport failure without the request URL's query: Go's *url.Error prints the whole
// URL, and its query holds the UserSig. The cause is kept, so errors.Is(err, context.DeadlineExceeded) still
// works. A cause whose text still holds a credential is withheld whole.
func (c *Client) redactCause(op string, cause error, sig *signedUserSig) error {
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = &url.Error{Op: ue.Op, URL: c.base + "/v4/live_config/" + op, Err: ue.Err}
	}
	if c.containsSecret(cause.Error(), sig) {
		return errRedacted
	}
	return cause
}

var errRedacted = errors.New("transport error (its text held a credential and was withheld)")

// minRedactableKey is the shortest SecretKey looked for in error text. Console keys are 64 hex digits; a key
// of a few characters would match ordinary words and withhold every error, and the key itself is never sent.
const minRedactableKey = 16

func (c *Client) containsSecret(s string, sig *signedUserSig) bool {
	return (len(c.secretKey) >= minRedactableKey && strings.Contains(s, c.secretKey)) ||
		strings.Contains(s, sig.raw) || strings.Contains(s, sig.escaped)
}
