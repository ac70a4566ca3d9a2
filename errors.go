package liveconfig

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors. Match them with errors.Is; use errors.As with [*APIError] for the code, the server's
// message and the request id.
var (
	// ErrInternal: a server-side failure that is worth retrying (100001, 70169, 70202, 70500, and 60008,
	// which Tencent documents as "service timeout or bad request format; check and retry": this client builds
	// every request itself, so for it the code means the timeout).
	ErrInternal = errors.New("liveconfig: internal server error")
	// ErrInvalidParameter: the server refused a parameter (100002, 70402), or this client refused input before
	// sending anything (then the error is an [*InputError], not an [*APIError]).
	ErrInvalidParameter = errors.New("liveconfig: invalid parameter")
	// ErrCallbackExists: set_callback found a configuration already there (100300). Use UpdateCallback, or
	// EnsureCallback, which handles both cases.
	ErrCallbackExists = errors.New("liveconfig: callback configuration already exists")
	// ErrCallbackNotFound: the app has no callback configuration (100301).
	ErrCallbackNotFound = errors.New("liveconfig: no callback configuration")
	// ErrTokenNotFound: the app has no callback token configuration (100302).
	ErrTokenNotFound = errors.New("liveconfig: no callback token configuration")
	// ErrRateLimited: a frequency limit was hit (60007, 60011, 60018, 60019, 70050, or HTTP 429). All but
	// 70050 are retried with backoff; 70050 (too many signature failures) clears only after about a minute.
	ErrRateLimited = errors.New("liveconfig: rate limited")
	// ErrAuth: the credentials, the account's permissions or the app itself were refused (60004, 60005, 60006,
	// 60010, 70001, 70002, 70003, 70005, 70009, 70013, 70014, 70016, 70020, 70051, 70052, 70403).
	ErrAuth = errors.New("liveconfig: authentication or permission refused")
	// ErrInvalidConfig: NewClient refused its Config (the error is a [*ConfigError]).
	ErrInvalidConfig = errors.New("liveconfig: invalid client configuration")
)

// Codes whose meaning this package knows. They are listed in the reference the package is built on and in
// the Tencent error-code pages.
const (
	codeInternal         = 100001
	codeInvalidParameter = 100002
	codeServiceTimeout   = 60008
	codeCallbackExists   = 100300
	codeCallbackNotFound = 100301
	codeTokenNotFound    = 100302
	codeSigFailureLimit  = 70050
	codeUserSigExpired   = 70001
	codeUserSigRevoked   = 70052
	codeKeyNotFound      = 70016
	codeAppNotFound      = 70020
)

// sentinelFor returns the sentinel a server error code matches, or nil.
func sentinelFor(code int) error {
	switch code {
	case codeInternal, codeServiceTimeout, 70169, 70202, 70500:
		return ErrInternal
	case codeInvalidParameter, 70402:
		return ErrInvalidParameter
	case codeCallbackExists:
		return ErrCallbackExists
	case codeCallbackNotFound:
		return ErrCallbackNotFound
	case codeTokenNotFound:
		return ErrTokenNotFound
	case 60007, 60011, 60018, 60019, codeSigFailureLimit:
		return ErrRateLimited
	case 60004, 60005, 60006, 60010, codeUserSigExpired, 70002, 70003, 70005, 70009, 70013, 70014,
		codeKeyNotFound, codeAppNotFound, 70051, codeUserSigRevoked, 70403:
		return ErrAuth
	}
	return nil
}

// APIError is an answer of the server that reports a failure: a non-zero ErrorCode in the response envelope.
// errors.Is matches it against the sentinel of its code; codes outside the table are APIErrors that match no
// sentinel.
type APIError struct {
	Op        Op     // the endpoint, for example OpSetCallback
	Code      int    // the envelope's ErrorCode
	Info      string // the envelope's ErrorInfo, on one line
	RequestID string // the envelope's RequestId, for Tencent support
	// Hint is advice in the caller's terms, printed after Info, or "". The Client sets it for 70016 and 70020,
	// which usually mean the app lives in another region than the one called; a tool may replace it with
	// advice in its own terms (a flag, a variable).
	Hint string
}

// Error returns one line, for example
// "liveconfig: set_callback: 100300 callback configuration already exists (request Id-8c98...)".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString("liveconfig: ")
	b.WriteString(string(e.Op))
	fmt.Fprintf(&b, ": %d", e.Code)
	if e.Info != "" {
		b.WriteString(" ")
		b.WriteString(e.Info)
	} else if s := sentinelFor(e.Code); s != nil {
		b.WriteString(" ")
		b.WriteString(strings.TrimPrefix(s.Error(), "liveconfig: "))
	}
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	writeRequestID(&b, e.RequestID)
	return b.String()
}

// writeRequestID ends an error line with the request id, the one thing Tencent support asks for.
func writeRequestID(b *strings.Builder, requestID string) {
	if requestID != "" {
		b.WriteString(" (request ")
		b.WriteString(requestID)
		b.WriteString(")")
	}
}

// Is reports whether target is the sentinel of e's code.
func (e *APIError) Is(target error) bool {
	s := sentinelFor(e.Code)
	return s != nil && s == target
}

// Retryable reports whether the same request may succeed if sent again.
func (e *APIError) Retryable() bool { return retryDecision(e).retryable() }

// InputError reports input that this client refused before sending anything. errors.Is(err,
// ErrInvalidParameter) holds for it.
type InputError struct {
	Op     Op     // the endpoint the input was for, "ensure_callback" for EnsureCallback, or "" (ParseRegion, Command.Validate)
	Field  string // the Go name of the field, for example "URL" or "Commands"
	Reason string
}

func (e *InputError) Error() string {
	if e.Op == "" {
		return "liveconfig: invalid " + e.Field + ": " + e.Reason
	}
	return "liveconfig: " + string(e.Op) + ": invalid " + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidParameter.
func (e *InputError) Is(target error) bool { return target == ErrInvalidParameter }

// ConfigError reports a configuration that a constructor of this module refused: a Config that NewClient
// refused, or (with Package "webhook") what webhook.NewVerifier and webhook.NewHandler refused. errors.Is(err,
// ErrInvalidConfig) holds for it.
type ConfigError struct {
	// Package is the package that refused it: "" for this one, "webhook" for package webhook.
	Package string
	// Field is what was refused: for this package the Config field, for example "SDKAppID"; for webhook its
	// name there, for example "Config.Token" or "HandlerFunc".
	Field  string
	Reason string
}

// Error returns one line: "liveconfig: invalid Config.SDKAppID: is required", or for package webhook
// "webhook: invalid Config.Token: is required; ...".
func (e *ConfigError) Error() string {
	if e.Package != "" {
		return e.Package + ": invalid " + e.Field + ": " + e.Reason
	}
	return "liveconfig: invalid Config." + e.Field + ": " + e.Reason
}

// Is reports whether target is ErrInvalidConfig.
func (e *ConfigError) Is(target error) bool { return target == ErrInvalidConfig }

// ResponseError reports an answer that is not a usable response envelope: a non-200 HTTP status, an empty,
// oversized or non-JSON body, or an envelope that contradicts itself. It never quotes the body, which may echo
// the request URL. HTTP 429 matches ErrRateLimited; 429 and 5xx are retried.
type ResponseError struct {
	Op         Op     // the endpoint
	StatusCode int    // the HTTP status
	Reason     string // what was wrong, for example "body is not JSON"
	RequestID  string // the envelope's RequestId, when one could be read
}

func (e *ResponseError) Error() string {
	var b strings.Builder
	b.WriteString("liveconfig: ")
	b.WriteString(string(e.Op))
	if e.StatusCode != http.StatusOK {
		fmt.Fprintf(&b, ": HTTP %d %s", e.StatusCode, http.StatusText(e.StatusCode))
	}
	b.WriteString(": ")
	b.WriteString(e.Reason)
	writeRequestID(&b, e.RequestID)
	return b.String()
}

// Is reports whether target is ErrRateLimited and the status was 429.
func (e *ResponseError) Is(target error) bool {
	return target == ErrRateLimited && e.StatusCode == http.StatusTooManyRequests
}

// Retryable reports whether the status was 429 or 5xx.
func (e *ResponseError) Retryable() bool { return retryDecision(e).retryable() }

// TransportError reports a request that got no answer: the connection failed or broke, or an attempt timed
// out, or ctx ended. Err keeps the cause (errors.Is(err, context.DeadlineExceeded) works) with the request
// URL's query, which holds the UserSig, removed. An attempt that ran out of Config.Timeout says so in its text
// ("no answer within the attempt timeout of 5s"), so that it is not mistaken for the end of the caller's ctx.
type TransportError struct {
	Op Op // the endpoint
	// Attempts is how many requests the call sent before it gave up: more than one when every retry failed
	// too, 0 when ctx ended before anything was sent.
	Attempts int
	Err      error
}

func (e *TransportError) Error() string {
	msg := "liveconfig: " + string(e.Op) + ": " + e.Err.Error()
	if e.Attempts > 1 {
		msg += " (" + strconv.Itoa(e.Attempts) + " attempts)"
	}
	return msg
}

// Unwrap returns the cause.
func (e *TransportError) Unwrap() error { return e.Err }

// Retryable reports whether the request may succeed if sent again: false only when the cause is a
// cancelled context.
func (e *TransportError) Retryable() bool { return retryDecision(e).retryable() }

// neverSent reports whether the request certainly did not reach the server: the connection was not made.
func (e *TransportError) neverSent() bool {
	var op *net.OpError
	return errors.As(e.Err, &op) && op.Op == "dial"
}

// IsRetryable reports whether err is a failure that the same request may overcome if sent again: the codes
// of ErrInternal, the codes of ErrRateLimited other than 70050, HTTP 429 and 5xx, and failed or timed-out
// connections. The client already retries these (see [RetryPolicy]); IsRetryable is for callers that retry at
// a higher level.
func IsRetryable(err error) bool { return err != nil && retryDecision(err).retryable() }
