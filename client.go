package liveconfig

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-resty/resty/v2"

	"github.com/go-tuilive/liveconfig/internal/wait"
)

// Client calls the v4/live_config API of one app. Create it with NewClient; it is immutable afterwards, safe
// for concurrent use, and should be shared: it holds the connection pool, the UserSig cache and the rate
// limiter. A Client prints without its credentials.
type Client struct {
	base       string // scheme://host[/path], no trailing slash
	sdkAppID   uint64
	identifier string
	queryHead  string // "?sdkappid=...&identifier=...&usersig=", the fixed start of every query
	regionHint string // APIError.Hint for 70016 and 70020, in the terms of the Config the Client came from

	rest     *resty.Client // the one resty client every request goes out through
	observer observed
	sigs     *userSigCache
	limiter  Limiter
	timeout  time.Duration
	retry    RetryPolicy
	logger   *slog.Logger
}

// NewClient checks cfg and returns a Client for it. It returns a [*ConfigError] (errors.Is(err,
// ErrInvalidConfig)) for a zero SDKAppID, an empty Identifier or SecretKey, no Region and no Endpoint, an
// unknown Region, an Endpoint that is not an http(s) URL with a host (or has credentials, a query, a
// fragment or an empty path segment), a Timeout not above ServerTimeout, a RateLimit that is not a finite
// number, or a negative or out-of-range knob. It sends nothing and signs nothing: the first call signs the
// UserSig.
func NewClient(cfg Config) (*Client, error) {
	base, err := cfg.validate()
	if err != nil {
		return nil, err
	}
	identifier := strings.TrimSpace(cfg.Identifier)
	c := &Client{
		base:       base,
		sdkAppID:   cfg.SDKAppID,
		identifier: identifier,
		queryHead: "?sdkappid=" + strconv.FormatUint(cfg.SDKAppID, 10) +
			"&identifier=" + url.QueryEscape(identifier) + "&usersig=",
		regionHint: cfg.regionHint(),
		rest:       newRESTClient(cfg.HTTPClient),
		sigs:       newUserSigCache(cfg.SDKAppID, identifier, cfg.SecretKey, cfg.userSigTTL()),
		limiter:    cfg.limiter(),
		timeout:    cfg.timeout(),
		retry:      cfg.Retry.withDefaults(),
		logger:     cfg.Logger,
		observer:   newObserved(cfg.Observer, base),
	}
	return c, nil
}

// CloseIdleConnections closes the connections the Client keeps open for reuse. Call it when the Client is no
// longer needed. With a caller's Config.HTTPClient it closes that client's idle connections too, as they share
// one pool.
func (c *Client) CloseIdleConnections() { c.rest.GetClient().CloseIdleConnections() }

// String describes the Client without its credentials. It, GoString and LogValue take the Client by value so
// that a dereferenced *Client prints without them too.
func (c Client) String() string {
	return fmt.Sprintf("liveconfig.Client{SDKAppID:%d Identifier:%q Endpoint:%q}", c.sdkAppID, c.identifier, c.base)
}

// GoString is String, so that %#v prints no credential either.
func (c Client) GoString() string { return c.String() }

// LogValue lets log/slog print the Client without its credentials.
func (c Client) LogValue() slog.Value {
	return slog.GroupValue(slog.Uint64("sdkappid", c.sdkAppID), slog.String("identifier", c.identifier),
		slog.String("endpoint", c.base))
}

// Result describes a successful change.
type Result struct {
	// RequestID is the RequestId of the answer that settled the call, for Tencent support.
	RequestID string
	// Changed is false only when EnsureCallback found the configuration already as asked and sent no change.
	Changed bool
}

// outcome is what do learned about a call besides its error.
type outcome struct {
	requestID string
	// mayHaveApplied is true when an attempt failed in a way that leaves open whether the server applied it
	// (100001, 5xx, a timeout, a connection lost after sending). A later "already exists" may then be this
	// call's own doing.
	mayHaveApplied bool
}

var emptyBody = []byte("{}")

// do sends one call to endpoint op with body in (nil for {}), decodes the result into out (nil for none) and
// retries as the RetryPolicy says. It is the only place that talks to the network.
func (c *Client) do(ctx context.Context, op Op, in, out any) (o outcome, err error) {
	mustBeUsable(ctx, c)
	started := time.Now()
	call := CallInfo{Op: op, SDKAppID: c.sdkAppID}
	if c.observer.o != nil {
		call.Endpoint = c.observer.endpoints[op]
		ctx = c.observer.callStart(ctx, call)
	}
	defer func() {
		call.Latency, call.Err = time.Since(started), err
		c.observer.callEnd(ctx, call)
	}()
	body := emptyBody
	if in != nil {
		if body, err = json.Marshal(in); err != nil {
			return o, fmt.Errorf("liveconfig: %s: encoding the request: %w", op, err)
		}
	}
	renewed := false
	var answered error // the error of the last attempt that was sent, for when a retry cannot go out
	for attempt, retries := 1, 0; ; attempt++ {
		sig, signed, err := c.sigs.get()
		if err != nil {
			return o, err
		}
		if signed {
			c.observer.userSigSigned(ctx)
		}
		actx := c.observer.attemptStart(ctx, AttemptInfo{Op: op, Attempt: attempt, Endpoint: call.Endpoint})
		report, err := c.attempt(actx, op, attempt, body, sig, out)
		if report.sent {
			call.Attempts++
		}
		end := func(retry RetryReason) {
			info := report.info
			info.Op, info.Attempt, info.Endpoint, info.Err, info.Retry = op, attempt, call.Endpoint, err, retry
			c.observer.attemptEnd(actx, info)
		}
		if err == nil {
			end("")
			o.requestID = report.info.RequestID
			return o, nil
		}
		if refused := (*limiterRefusal)(nil); !report.sent && errors.As(err, &refused) {
			// The limiter will not let a request out before ctx ends: trying again cannot help. After an
			// answer that asked for a retry, that answer is the call's outcome.
			end("")
			if answered != nil {
				return o, fmt.Errorf("%w; retry abandoned: %w", answered, refused.err)
			}
			return o, err // nothing was sent
		}
		err = countAttempts(err, attempt-1)
		if report.sent {
			answered = err
		}
		rule := retryDecision(err)
		if ctxErr := ctx.Err(); ctxErr != nil {
			end("")
			if errors.Is(err, ctxErr) || !rule.retryable() {
				return o, err
			}
			return o, fmt.Errorf("%w; retry abandoned: %w", err, ctxErr) // say why no retry came
		}
		if rule.renew && !renewed {
			end(rule.reason)
			renewed = true
			c.sigs.invalidate(sig)
			continue
		}
		if rule.mayHaveApplied(err) {
			o.mayHaveApplied = true
		}
		if !rule.retryable() || retries+1 >= c.retry.MaxAttempts {
			end("")
			return o, err
		}
		end(rule.reason)
		if werr := wait.Sleep(ctx, c.retry.backoff(retries, rule.rateLimited)); werr != nil {
			return o, fmt.Errorf("%w; retry abandoned: %w", err, werr)
		}
		retries++
	}
}

// mustBeUsable panics, with a message that names the mistake, for a nil or zero Client or a nil ctx: programming
// errors that would otherwise end in a bare nil dereference deep in the request path.
func mustBeUsable(ctx context.Context, c *Client) {
	switch {
	case c == nil:
		panic("liveconfig: method called on a nil *Client; create one with NewClient")
	case c.rest == nil:
		panic("liveconfig: method called on a zero Client; create one with NewClient")
	case ctx == nil:
		panic("liveconfig: nil Context; pass context.Background() or context.TODO() if there is no other")
	}
}

// attemptReport is what one attempt tells besides its error.
type attemptReport struct {
	sent bool        // whether the request went out
	info AttemptInfo // LimiterWait, Latency, Code and RequestID, for the Observer
}

// attempt sends one request through resty and returns the RequestId of a successful answer in its report. Its
// error is redacted here, once, whatever produced it; a transport error counts 1 attempt if the request went
// out.
func (c *Client) attempt(ctx context.Context, op Op, attempt int, body []byte, sig *signedUserSig, out any) (attemptReport, error) {
	var report attemptReport
	if err := ctx.Err(); err != nil {
		return report, &TransportError{Op: op, Err: fmt.Errorf("not sent: %w", err)}
	}
	if c.limiter != nil {
		waitStart := time.Now()
		err := c.limiter.Wait(ctx)
		report.info.LimiterWait = time.Since(waitStart)
		if err != nil {
			return report, &TransportError{Op: op, Err: limiterError(ctx, err)}
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	report.sent = true
	resp, err := c.rest.R().
		SetContext(actx).
		SetBody(bytes.NewReader(body)). // streamed as it is; see the README's dependency paragraph
		Post(c.requestURL(op, sig))
	if err != nil && ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded) {
		err = attemptTimedOut(err, c.timeout)
	}
	env, err := answer(op, resp, err, out)
	report.info.Latency = time.Since(start)
	if resp != nil {
		report.info.Status = resp.StatusCode() // 0 when no answer came
	}
	report.info.Code = env.ErrorCode
	report.info.RequestID = sig.secrets.withheld(env.RequestID, requestIDWithheld)
	c.logAttempt(ctx, op, attempt, start, env.ErrorCode, report.info.RequestID)
	if err != nil {
		return report, c.redact(err, sig)
	}
	return report, nil
}

// answer turns what resty returned for one request into a decoded envelope or an error of this package:
// resty's body limit becomes a *ResponseError, any other failure to get a whole answer a *TransportError.
func answer(op Op, resp *resty.Response, sendErr error, out any) (envelope, error) {
	switch {
	case sendErr == nil:
		return decodeAnswer(op, resp.StatusCode(), resp.Body(), out)
	case errors.Is(sendErr, resty.ErrResponseBodyTooLarge) && resp != nil:
		return envelope{}, tooLargeError(op, resp.StatusCode())
	}
	return envelope{}, &TransportError{Op: op, Attempts: 1, Err: sendErr}
}

// attemptTimeoutError is the cause of an attempt that ran out of Config.Timeout while the caller's ctx still
// had time. It matches context.DeadlineExceeded, as the transport's own error did.
type attemptTimeoutError struct{ timeout time.Duration }

func (e attemptTimeoutError) Error() string {
	return "no answer within the attempt timeout of " + e.timeout.String()
}

func (attemptTimeoutError) Is(target error) bool { return target == context.DeadlineExceeded }
func (attemptTimeoutError) Timeout() bool        { return true }

// attemptTimedOut replaces the cause of err, a failed attempt whose own deadline passed, with an
// attemptTimeoutError, keeping the *url.Error around it.
func attemptTimedOut(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		return &url.Error{Op: ue.Op, URL: ue.URL, Err: attemptTimeoutError{timeout}}
	}
	return attemptTimeoutError{timeout}
}

func (c *Client) logAttempt(ctx context.Context, op Op, attempt int, start time.Time, code int, requestID string) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "liveconfig attempt",
		slog.String("op", string(op)), slog.Int("attempt", attempt), slog.Int("code", code),
		slog.String("request_id", requestID), slog.Duration("latency", time.Since(start)))
}

// mutate sends a change with no result beyond the envelope.
func (c *Client) mutate(ctx context.Context, op Op, in any) (*Result, error) {
	o, err := c.do(ctx, op, in, nil)
	if err != nil {
		return nil, err
	}
	return &Result{RequestID: o.requestID, Changed: true}, nil
}

// requestURL is base/v4/live_config/op with the five query parameters: the fixed three, the cached UserSig
// and a fresh random. It is built by hand rather than with resty's query parameters, which go through a map
// and a sorted encoding on every request (see the README's dependency paragraph).
func (c *Client) requestURL(op Op, sig *signedUserSig) string {
	var b strings.Builder
	b.Grow(len(c.base) + len("/v4/live_config/") + len(op) + len(c.queryHead) + len(sig.escaped) + 40)
	b.WriteString(c.base)
	b.WriteString("/v4/live_config/")
	b.WriteString(string(op))
	b.WriteString(c.queryHead)
	b.WriteString(sig.escaped)
	b.WriteString("&random=")
	var digits [10]byte
	b.Write(strconv.AppendUint(digits[:0], uint64(rand.Uint32()), 10))
	b.WriteString("&contenttype=json")
	return b.String()
}
