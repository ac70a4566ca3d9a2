package liveconfig

import (
	"errors"
	"net/url"
	"strings"
)

// redact returns the error of one attempt as a caller may see it: no credential in any field, in any form
// (see [credentials]), and an *APIError with the client's hint. It is the one place where errors are
// cleaned; every attempt's error passes through it once. Errors are rebuilt, never edited in place.
func (c *Client) redact(err error, sig *signedUserSig) error {
	switch e := err.(type) {
	case *APIError:
		clean := *e
		clean.Info = sig.secrets.withheld(e.Info, "[server message withheld: it echoed a credential]")
		clean.RequestID = sig.secrets.withheld(e.RequestID, requestIDWithheld)
		if e.Code == codeKeyNotFound || e.Code == codeAppNotFound {
			clean.Hint = c.regionHint
		}
		return &clean
	case *ResponseError:
		clean := *e
		clean.Reason = sig.secrets.withheld(e.Reason, "[reason withheld: the answer echoed a credential]")
		clean.RequestID = sig.secrets.withheld(e.RequestID, requestIDWithheld)
		return &clean
	case *TransportError:
		return &TransportError{Op: e.Op, Attempts: e.Attempts, Err: c.redactCause(e.Op, e.Err, sig)}
	}
	return err
}

// requestIDWithheld replaces a RequestId that holds a credential. Real ones never do.
const requestIDWithheld = "[withheld: it held a credential]"

// redactCause rebuilds a transport failure without the request URL's query: Go's *url.Error prints the whole
// URL, and its query holds the UserSig. The cause is kept, so errors.Is(err, context.DeadlineExceeded) still
// works. A cause whose text still holds a credential is withheld whole.
func (c *Client) redactCause(op Op, cause error, sig *signedUserSig) error {
	var ue *url.Error
	if errors.As(cause, &ue) {
		cause = &url.Error{Op: ue.Op, URL: c.base + "/v4/live_config/" + string(op), Err: ue.Err}
	}
	if sig.secrets.foundIn(cause.Error()) {
		return errRedacted
	}
	return cause
}

var errRedacted = errors.New("transport error (its text held a credential and was withheld)")

// fragmentLen is the length of the credential fragments looked for in text that may reach a caller. Long
// enough that ordinary text never matches one by chance (a UserSig is 200 or more base64 characters, a console
// key 64 hex digits), short enough that a credential cut short, wrapped or partly quoted is still found. A
// SecretKey shorter than this is not looked for: it would match ordinary words, and the key itself is never
// sent anywhere.
const fragmentLen = 16

// credentials is the set of every fragmentLen-long substring of the SecretKey and of one UserSig.
type credentials map[string]struct{}

func credentialsOf(secrets ...string) credentials {
	set := credentials{}
	for _, s := range secrets {
		for i := 0; i+fragmentLen <= len(s); i++ {
			set[s[i:i+fragmentLen]] = struct{}{}
		}
	}
	return set
}

// foundIn reports whether text holds any fragment of the credentials, as it is or with its percent escapes
// decoded (in either case, as in %2A and %2a).
func (set credentials) foundIn(text string) bool {
	if set.holds(text) {
		return true
	}
	decoded, changed := percentDecoded(text)
	return changed && set.holds(decoded)
}

func (set credentials) holds(text string) bool {
	for i := 0; i+fragmentLen <= len(text); i++ {
		if _, ok := set[text[i:i+fragmentLen]]; ok {
			return true
		}
	}
	return false
}

// withheld returns text, or replacement when text holds a credential.
func (set credentials) withheld(text, replacement string) string {
	if set.foundIn(text) {
		return replacement
	}
	return text
}

// percentDecoded decodes every well-formed %XX escape in s and leaves anything else as it is, where
// url.QueryUnescape would give up on the first malformed one.
func percentDecoded(s string) (string, bool) {
	if !strings.Contains(s, "%") {
		return s, false
	}
	var b strings.Builder
	b.Grow(len(s))
	changed := false
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) {
			if hi, lo := unhex(s[i+1]), unhex(s[i+2]); hi >= 0 && lo >= 0 {
				b.WriteByte(byte(hi<<4 | lo))
				i += 2
				changed = true
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String(), changed
}

func unhex(c byte) int {
	switch {
	case '0' <= c && c <= '9':
		return int(c - '0')
	case 'a' <= c && c <= 'f':
		return int(c-'a') + 10
	case 'A' <= c && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// redactEndpoint drops user info and query from an endpoint, which may carry credentials of a proxy.
func redactEndpoint(endpoint string) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "[unparsable]"
	}
	u.User, u.RawQuery, u.Fragment = nil, "", ""
	return u.String()
}
