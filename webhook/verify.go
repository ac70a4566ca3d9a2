package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/bodyread"
	"github.com/go-tuilive/liveconfig/internal/text"
)

// Verifier checks and decodes webhook requests. It is immutable and safe for concurrent use, and prints
// without its token.
type Verifier struct {
	cfg Config
}

// String describes v without its token. Without it, fmt would print the unexported Config field by field.
func (v Verifier) String() string { return "webhook.Verifier{" + v.cfg.String() + "}" }

// GoString is String, so that %#v does not print the token either.
func (v Verifier) GoString() string { return v.String() }

// LogValue lets log/slog print v without its token.
func (v Verifier) LogValue() slog.Value { return v.cfg.LogValue() }

// NewVerifier checks cfg and returns a Verifier for it. It returns a *ConfigError (errors.Is(err,
// ErrInvalidConfig)) for a zero SDKAppID, an empty Token without AllowUnsigned, or a negative or too large
// limit.
func NewVerifier(cfg Config) (*Verifier, error) {
	if err := cfg.check(); err != nil {
		return nil, err
	}
	return &Verifier{cfg: cfg.withDefaults()}, nil
}

// Parse verifies r and decodes its body, in this order: the method is POST (405); SdkAppid is Config.SDKAppID
// (403); with a Token, Sign and RequestTime are present, RequestTime is within MaxSkew of now and Sign is
// Sign(Token, RequestTime) or the Sign of one of PreviousTokens, compared in constant time (401); the body fits
// MaxBodyBytes (413) and is a JSON object whose CallbackCommand, if the query names one too, agrees with it
// (400). Query parameter names are
// matched without regard to case. A refusal is a *RequestError. Parse reads r.Body and does not close it.
func (v *Verifier) Parse(r *http.Request) (Event, error) { return v.parse(r, nil) }

// parse is Parse; with a non-nil digest, it also digests the webhook there, for the duplicate filter.
func (v *Verifier) parse(r *http.Request, digest *webhookDigest) (withBase, error) {
	if r.Method != http.MethodPost {
		return nil, refuse(ErrMethodNotAllowed, "method %s", r.Method)
	}
	q, err := parseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, refuse(ErrMalformed, "malformed query")
	}
	info, err := v.checkQuery(&q)
	if err != nil {
		return nil, err
	}
	reqBody := r.Body
	if reqBody == nil { // a hand-made request; a server always sets Body
		reqBody = http.NoBody
	}
	body, err := bodyread.Read(reqBody, int(v.cfg.MaxBodyBytes)+1)
	defer body.Release()
	switch {
	case err != nil:
		return nil, refuse(ErrMalformed, "reading the body: %v", err)
	case int64(len(body.Bytes())) > v.cfg.MaxBodyBytes:
		return nil, refuse(ErrBodyTooLarge, "body over %d bytes", v.cfg.MaxBodyBytes)
	}
	ev, err := decode(liveconfig.Command(q.commandWord()), body.Bytes())
	if err != nil {
		return nil, err
	}
	if digest != nil && !before(ev.Command()) { // "before" events are never filtered
		digest.take(v.cfg.SDKAppID, ev.Command(), body.Bytes())
	}
	ev.base().Request = info
	return ev, nil
}

// checkQuery checks the app and the signature.
func (v *Verifier) checkQuery(q *query) (RequestInfo, error) {
	var info RequestInfo
	appID, err := strconv.ParseUint(q.sdkAppID, 10, 64)
	if err != nil || appID != v.cfg.SDKAppID {
		return info, refuse(ErrForeignApp, "SdkAppid %q", text.Truncate(q.sdkAppID, 20))
	}
	info.SDKAppID = appID
	info.ClientIP = q.clientIP
	info.OptPlatform = q.optPlatform

	if v.cfg.Token == "" || (v.cfg.AllowUnsigned && q.sign == "" && q.requestTime == "") {
		return info, nil
	}
	if q.sign == "" || q.requestTime == "" {
		return info, refuse(ErrUnsigned, "Sign or RequestTime missing")
	}
	secs, err := strconv.ParseInt(q.requestTime, 10, 64)
	if err != nil {
		return info, refuse(ErrStale, "RequestTime is not a number")
	}
	now, skew := v.cfg.Now().Unix(), int64(v.cfg.MaxSkew/time.Second)
	if secs < now-skew || secs > now+skew { // bounds, not a difference, so that no RequestTime overflows
		return info, refuse(ErrStale, "RequestTime %d is more than %v from now", secs, v.cfg.MaxSkew)
	}
	matched, ok := matchSign(q.sign, v.cfg.Token, v.cfg.PreviousTokens, secs)
	if !ok {
		return info, refuse(ErrBadSignature, "it is not SHA-256 of a token and RequestTime %s: the receiver's token is not the app's, or the request is forged", q.requestTime)
	}
	info.Signed, info.Token = true, matched
	info.RequestTime = time.Unix(secs, 0)
	return info, nil
}

// ParseEvent decodes one webhook body without any verification: for bodies that reached you another way, and
// for tests. cmd is the command word of the request's query, or "" to use the body's CallbackCommand. Each
// documented word decodes to its own type; a well-formed unknown word gives an *UnknownEvent.
func ParseEvent(cmd liveconfig.Command, body []byte) (Event, error) {
	ev, err := decode(cmd, body)
	if err != nil {
		return nil, err
	}
	return ev, nil
}

// decode turns a body into its event in one JSON pass when the query names the command word, as Tencent's
// always does, and in two when only the body does.
func decode(queryCmd liveconfig.Command, body []byte) (withBase, error) {
	trimmed := bytes.TrimLeft(body, " \t\r\n")
	if len(trimmed) == 0 || trimmed[0] != '{' {
		return nil, refuse(ErrNotJSON, "body is not a JSON object")
	}
	cmd := queryCmd
	if cmd == "" {
		var head struct{ CallbackCommand string }
		if err := json.Unmarshal(body, &head); err != nil {
			return nil, refuse(ErrNotJSON, "body is not a JSON object")
		}
		cmd = liveconfig.Command(head.CallbackCommand)
	}
	if err := cmd.Validate(); err != nil {
		return nil, refuse(ErrMalformed, "command word %q is not well-formed", text.Truncate(string(cmd), 64))
	}
	ev := newEvent(cmd)
	if ev == nil {
		unknown, err := decodeUnknown(body)
		if err != nil {
			return nil, err
		}
		ev = unknown
	} else if err := json.Unmarshal(body, ev); err != nil {
		var syntax *json.SyntaxError
		if errors.As(err, &syntax) || errors.Is(err, io.ErrUnexpectedEOF) {
			return nil, refuse(ErrNotJSON, "body is not valid JSON")
		}
		return nil, refuse(ErrMalformed, "decoding %s: %v", cmd, err)
	}
	if c, ok := ev.(completer); ok {
		c.complete()
	}
	if named := ev.base().CallbackCommand; named != "" && named != cmd {
		return nil, refuse(ErrMalformed, "the query says %s, the body %s", text.Truncate(string(cmd), 64), text.Truncate(string(named), 64))
	}
	ev.base().CallbackCommand = cmd
	return ev, nil
}

// decodeUnknown keeps the body of an event this package does not know. Only its syntax must be right: its
// fields are not this package's to judge, so a Base field of an unexpected type is left zero.
func decodeUnknown(body []byte) (*UnknownEvent, error) {
	if !json.Valid(body) {
		return nil, refuse(ErrNotJSON, "body is not valid JSON")
	}
	ev := &UnknownEvent{Raw: json.RawMessage(bytes.Clone(body))}
	var head struct {
		CallbackCommand liveconfig.Command
		EventTime       json.RawMessage
	}
	json.Unmarshal(body, &head) // cannot fail on valid JSON that starts with {, except on types, ignored
	ev.CallbackCommand = head.CallbackCommand
	ev.EventTime.UnmarshalJSON(head.EventTime)
	return ev, nil
}
