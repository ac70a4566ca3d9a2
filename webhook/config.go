package webhook

import (
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// Defaults of Config.
const (
	DefaultMaxSkew        = 60 * time.Second
	DefaultMaxBodyBytes   = 1 << 20
	DefaultHandlerTimeout = 1800 * time.Millisecond // Tencent waits about 2 s for an answer
)

// MaxPreviousTokens is how many Config.PreviousTokens NewVerifier accepts: a rotation needs one, and a second
// rotation before the first one's window has passed, two.
const MaxPreviousTokens = 4

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
	// PreviousTokens are accepted beside Token, for a rotation (see "Rotating the token" in the README):
	// tokens the app was set with before, which Tencent may still sign with for a while after the change.
	// Each Sign is compared with Token and with each of them, all in constant time; RequestInfo.Token and
	// RequestReport.Token say which matched (TokenCurrent or TokenPrevious), never the value. Each must pass
	// the same rule as Token, differ from it and from the others; at most MaxPreviousTokens; Token is then
	// required. Nil means none, at no cost.
	PreviousTokens []string
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
	previous := ""
	if len(c.PreviousTokens) > 0 {
		previous = fmt.Sprintf(" PreviousTokens:%d", len(c.PreviousTokens)) // how many, never which
	}
	return fmt.Sprintf("webhook.Config{SDKAppID:%d Token:%s%s AllowUnsigned:%t}", c.SDKAppID, secretrule.Printed(c.Token), previous, c.AllowUnsigned)
}

// GoString is String, so that %#v does not print the Token either.
func (c Config) GoString() string { return c.String() }

// MarshalJSON encodes c for JSON loggers without its Token: {"SDKAppID":...,"Token":"[redacted]",
// "AllowUnsigned":...}. It is for logs, not for storing a Config: the token does not survive it.
func (c Config) MarshalJSON() ([]byte, error) {
	var previous []string
	for _, t := range c.PreviousTokens {
		previous = append(previous, secretrule.Encoded(t))
	}
	return json.Marshal(struct {
		SDKAppID       uint64
		Token          string
		PreviousTokens []string `json:",omitempty"`
		AllowUnsigned  bool
	}{c.SDKAppID, secretrule.Encoded(c.Token), previous, c.AllowUnsigned})
}

// LogValue lets log/slog print c without its Token.
func (c Config) LogValue() slog.Value {
	attrs := []slog.Attr{slog.Uint64("sdkappid", c.SDKAppID), slog.Bool("signed", c.Token != "")}
	if len(c.PreviousTokens) > 0 {
		attrs = append(attrs, slog.Int("previous_tokens", len(c.PreviousTokens)))
	}
	return slog.GroupValue(append(attrs, slog.Bool("allow_unsigned", c.AllowUnsigned))...)
}

// DuplicateMargin is what Config.DuplicateWindow adds, by default, to the time a replay can be accepted in:
// room for the clocks of the replicas and of Tencent to differ.
const DuplicateMargin = time.Minute

// duplicateWindow is how long a handled webhook is remembered. A request is accepted while its RequestTime is
// within MaxSkew of now, so the first copy can arrive MaxSkew before RequestTime and a replay MaxSkew after it.
func (c Config) duplicateWindow() time.Duration {
	if c.DuplicateWindow > 0 {
		return c.DuplicateWindow
	}
	return 2*c.MaxSkew + DuplicateMargin
}

// check returns a *ConfigError for a Config NewVerifier refuses.
func (c Config) check() error {
	switch {
	case c.SDKAppID == 0:
		return configError("Config.SDKAppID", "is required")
	case c.Token == "" && !c.AllowUnsigned:
		return configError("Config.Token", "is required; set AllowUnsigned to accept unsigned webhooks")
	case c.Token != "" && tokenProblem(c.Token) != "":
		return configError("Config.Token", tokenProblem(c.Token)+": Tencent never signs with such a token")
	case len(c.PreviousTokens) > 0 && c.Token == "":
		return configError("Config.PreviousTokens", "need a Token: they are accepted beside it")
	case len(c.PreviousTokens) > MaxPreviousTokens:
		return configError("Config.PreviousTokens", fmt.Sprintf("holds %d tokens; at most %d are accepted", len(c.PreviousTokens), MaxPreviousTokens))
	case c.MaxSkew < 0:
		return configError("Config.MaxSkew", "must not be negative")
	case c.DuplicateWindow < 0:
		return configError("Config.DuplicateWindow", "must not be negative")
	case c.MaxBodyBytes < 0 || c.MaxBodyBytes > MaxMaxBodyBytes:
		return configError("Config.MaxBodyBytes", fmt.Sprintf("must be from 0 to %d (1 GiB); webhooks are a few KiB", MaxMaxBodyBytes))
	}
	for i, t := range c.PreviousTokens {
		field := fmt.Sprintf("Config.PreviousTokens[%d]", i)
		switch {
		case t == "":
			return configError(field, "is empty")
		case tokenProblem(t) != "":
			return configError(field, tokenProblem(t)+": Tencent never signs with such a token")
		case t == c.Token:
			return configError(field, "is the Token itself")
		case slices.Contains(c.PreviousTokens[:i], t):
			return configError(field, "repeats an earlier one")
		}
	}
	return nil
}

// withDefaults returns c with every zero limit set to its default.
func (c Config) withDefaults() Config {
	if c.MaxSkew == 0 {
		c.MaxSkew = DefaultMaxSkew
	}
	if c.MaxBodyBytes == 0 {
		c.MaxBodyBytes = DefaultMaxBodyBytes
	}
	if c.Now == nil {
		c.Now = time.Now
	}
	return c
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

// ErrInvalidConfig is liveconfig.ErrInvalidConfig: NewVerifier and NewHandler refused their input (the error is
// a *ConfigError). It is the same value, so one errors.Is serves both packages.
var ErrInvalidConfig = liveconfig.ErrInvalidConfig

// ConfigError is liveconfig.ConfigError, the one type of the module for a refused configuration: NewVerifier
// and NewHandler return one with Package "webhook" and Field naming what they refused ("Config.Token",
// "HandlerFunc"). errors.Is(err, ErrInvalidConfig) holds for it.
type ConfigError = liveconfig.ConfigError

// configError is the *ConfigError of this package for field.
func configError(field, reason string) error {
	return &ConfigError{Package: "webhook", Field: field, Reason: reason}
}
