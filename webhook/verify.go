package webhook

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/bodyread"
	"github.com/go-tuilive/liveconfig/internal/text"
)

// Defaults of Config.
const (
	DefaultMaxSkew        = 60 * time.Second
	DefaultMaxBodyBytes   = 1 << 20
	DefaultHandlerTimeout = 1800 * time.Millisecond // Tencent waits about 2 s for an answer
)

// MaxMaxBodyBytes is the largest Config.MaxBodyBytes NewVerifier accepts. A larger one is a mistake (such as
// math.MaxInt64 meant as "no limit"), and would overflow the read's bound.
const MaxMaxBodyBytes = 1 << 30

// Config says which webhooks a Verifier or handler accepts.
//
// A Config prints without its Token (String, GoString, LogValue, and MarshalJSON for JSON loggers). fmt still
// prints the Token of a Config that is an unexported field of a caller's struct, field by field, without
// calling these methods: log such a struct through a method of its own.
type Config struct {
	// SDKAppID is the app's id. Required: requests for any other app are refused (403).
	SDKAppID uint64
	// Token is the callback token set with liveconfig's SetCallbackToken. Required unless AllowUnsigned. With
	// a Token, every request must carry a valid Sign and a RequestTime within MaxSkew of now (else 401). The
	// token must pass liveconfig.CallbackToken's Validate (1 to 128 characters, no white space, control or
	// format character, not "[redacted]"): any other is one Tencent never signs with.
	Token string
	// AllowUnsigned accepts requests without Sign: the explicit opt-out for apps that have not enabled a
	// token. With a Token too, signed requests are still verified and unsigned ones accepted, which serves
	// the minutes while a token is being enabled; without a Token, any Sign is ignored.
	AllowUnsigned bool
	// MaxSkew is how far RequestTime may be from now, either way. 0 means DefaultMaxSkew (60 s).
	MaxSkew time.Duration
	// MaxBodyBytes caps a request body (413 beyond). 0 means DefaultMaxBodyBytes (1 MiB); more than
	// MaxMaxBodyBytes (1 GiB) is refused.
	MaxBodyBytes int64
	// HandlerTimeout is the deadline of the ctx handed to the HandlerFunc, just under Tencent's 2 s wait so
	// that a slow handler still answers in time. 0 means DefaultHandlerTimeout. Only NewHandler uses it.
	HandlerTimeout time.Duration
	// LateAnswer decides the answer to a "before" event (a gift or message check) whose HandlerFunc has not
	// returned by HandlerTimeout, even one that ignores its ctx: the handler answers at once with it rather
	// than after Tencent has stopped waiting, and the HandlerFunc's result, when it comes, is logged (Warn)
	// and told to a LateObserver. Nil means TencentLateAnswer, what Tencent does with no answer: the gift
	// blocked, the message let through. The HandlerFunc of a "before" event runs on a goroutine of its own
	// for this. "After" events are not answered early: Tencent ignores their answer, and one that times out
	// is delivered again when retry-on-timeout is set, which is what a late handler needs. Only NewHandler
	// uses it.
	LateAnswer LateAnswerFunc
	// Now is the clock RequestTime is checked against. Nil means time.Now.
	Now func() time.Time
	// Logger receives refusals (Warn) and handler failures (Error). Nil means no logging. Lines carry the
	// command word, the reason and the remote address, never a token or a signature.
	Logger *slog.Logger
	// Observer is told of every request the handler serves, for metrics and tracing (see Observer). Nil
	// means none. Only NewHandler uses it.
	Observer Observer
	// Duplicates, if set, filters out webhooks handled before (see DuplicateFilter): an "after" event whose
	// command word and exact body were seen for this SDKAppID within DuplicateWindow is answered OK without
	// calling the HandlerFunc. The key holds the app ("1400000001:Live.CallbackAfterCreateRoom:<128 bits of
	// the body's SHA-256, in hex>"), so handlers of several apps may share one filter. "Before" events are never filtered. If the filter fails, the event is handled and the
	// failure logged (Warn): a webhook handled twice is the lesser harm, since Tencent delivers again only
	// one whose answer timed out. If the HandlerFunc fails, a filter that is a DuplicateForgetter forgets the
	// webhook, so that a later delivery is handled. Nil means no filtering. Only NewHandler uses it.
	Duplicates DuplicateFilter
	// DuplicateWindow is how long Duplicates remembers a webhook. 0 means 2 × MaxSkew + DuplicateMargin
	// (3 minutes by default): a replay is accepted up to MaxSkew after its RequestTime, and the first copy may
	// have come MaxSkew before it.
	DuplicateWindow time.Duration
}

// String describes c without its Token.
func (c Config) String() string {
	mark := `""`
	if c.Token != "" {
		mark = "[redacted]"
	}
	return fmt.Sprintf("webhook.Config{SDKAppID:%d Token:%s AllowUnsigned:%t}", c.SDKAppID, mark, c.AllowUnsigned)
}

// GoString is String, so that %#v does not print the Token either.
func (c Config) GoString() string { return c.String() }

// MarshalJSON encodes c for JSON loggers without its Token: {"SDKAppID":...,"Token":"[redacted]",
// "AllowUnsigned":...}. It is for logs, not for storing a Config: the token does not survive it.
func (c Config) MarshalJSON() ([]byte, error) {
	token := ""
	if c.Token != "" {
		token = "[redacted]"
	}
	return json.Marshal(struct {
		SDKAppID      uint64
		Token         string
		AllowUnsigned bool
	}{c.SDKAppID, token, c.AllowUnsigned})
}

// LogValue lets log/slog print c without its Token.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(slog.Uint64("sdkappid", c.SDKAppID), slog.Bool("signed", c.Token != ""),
		slog.Bool("allow_unsigned", c.AllowUnsigned))
}

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
	switch {
	case cfg.SDKAppID == 0:
		return nil, &ConfigError{Field: "Config.SDKAppID", Reason: "is required"}
	case cfg.Token == "" && !cfg.AllowUnsigned:
		return nil, &ConfigError{Field: "Config.Token", Reason: "is required; set AllowUnsigned to accept unsigned webhooks"}
	case cfg.Token != "" && tokenProblem(cfg.Token) != "":
		return nil, &ConfigError{Field: "Config.Token", Reason: tokenProblem(cfg.Token) + ": Tencent never signs with such a token"}
	case cfg.MaxSkew < 0:
		return nil, &ConfigError{Field: "Config.MaxSkew", Reason: "must not be negative"}
	case cfg.DuplicateWindow < 0:
		return nil, &ConfigError{Field: "Config.DuplicateWindow", Reason: "must not be negative"}
	case cfg.MaxBodyBytes < 0 || cfg.MaxBodyBytes > MaxMaxBodyBytes:
		return nil, &ConfigError{Field: "Config.MaxBodyBytes", Reason: fmt.Sprintf("must be from 0 to %d (1 GiB); webhooks are a few KiB", MaxMaxBodyBytes)}
	}
	if cfg.MaxSkew == 0 {
		cfg.MaxSkew = DefaultMaxSkew
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	return &Verifier{cfg: cfg}, nil
}

// tokenProblem says why token could not have been set with liveconfig's SetCallbackToken (the same rule), or
// "" when it could.
func tokenProblem(token string) string {
	var input *liveconfig.InputError
	if err := (liveconfig.CallbackToken{Token: token}).Validate(); errors.As(err, &input) {
		return input.Reason
	}
	return ""
}

// Parse verifies r and decodes its body, in this order: the method is POST (405); SdkAppid is Config.SDKAppID
// (403); with a Token, Sign and RequestTime are present, RequestTime is within MaxSkew of now and Sign is
// Sign(Token, RequestTime), compared in constant time (401); the body fits MaxBodyBytes (413) and is a JSON
// object whose CallbackCommand, if the query names one too, agrees with it (400). Query parameter names are
// matched without regard to case. A refusal is a *RequestError. Parse reads r.Body and does not close it.
func (v *Verifier) Parse(r *http.Request) (Event, error) { return v.parse(r, nil) }

// parse is Parse; with a non-nil digest, it also digests the webhook there, for the duplicate filter.
func (v *Verifier) parse(r *http.Request, digest *webhookDigest) (Event, error) {
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
	if !signMatches(q.sign, v.cfg.Token, secs) {
		return info, refuse(ErrBadSignature, "it is not SHA-256 of a token and RequestTime %s: the receiver's token is not the app's, or the request is forged", q.requestTime)
	}
	info.Signed = true
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
