package liveconfig

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig/internal/bodyread"
)

// tlsMinVersion is the oldest TLS version the default transport speaks.
const tlsMinVersion = tls.VersionTLS12

// maxResponseBytes caps how much of an answer the client reads. Real envelopes are a few hundred bytes.
const maxResponseBytes = 1 << 20

// Client calls the v4/live_config API of one app. Create it with NewClient; it is immutable afterwards, safe
// for concurrent use, and should be shared: it holds the connection pool, the UserSig cache and the rate
// limiter. A Client prints without its credentials.
type Client struct {
	base       string // scheme://host[/path], no trailing slash
	sdkAppID   uint64
	identifier string
	secretKey  string
	queryHead  string // "?sdkappid=...&identifier=...&usersig=", the fixed start of every query

	http    *http.Client
	sigs    *userSigCache
	limiter Limiter
	timeout time.Duration
	retry   RetryPolicy
	logger  *slog.Logger
}

// NewClient checks cfg and returns a Client for it. It returns a [*ConfigError] (errors.Is(err,
// ErrInvalidConfig)) for a zero SDKAppID, an empty Identifier or SecretKey, no Region and no Endpoint, an
// unknown Region, an Endpoint that is not an http(s) URL, or a negative or out-of-range knob. It sends
// nothing and signs nothing: the first call signs the UserSig.
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
		secretKey:  cfg.SecretKey,
		queryHead: "?sdkappid=" + strconv.FormatUint(cfg.SDKAppID, 10) +
			"&identifier=" + url.QueryEscape(identifier) + "&usersig=",
		http:    newHTTP(cfg.HTTPClient),
		sigs:    newUserSigCache(cfg.SDKAppID, identifier, cfg.SecretKey, cfg.userSigTTL()),
		limiter: cfg.limiter(),
		timeout: cfg.timeout(),
		retry:   cfg.Retry.withDefaults(),
		logger:  cfg.Logger,
	}
	return c, nil
}

// newHTTP returns a copy of the caller's client, or a tuned default. The copy keeps the caller's Transport (and
// so its pool) and differs only in refusing redirects: a redirected POST would be replayed or turned into a GET,
// neither of which the API expects.
func newHTTP(hc *http.Client) *http.Client {
	var own http.Client
	if hc != nil {
		own = *hc
	}
	if own.Transport == nil {
		if hc == nil {
			own.Transport = defaultTransport()
		} else {
			own.Transport = http.DefaultTransport
		}
	}
	own.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return &own
}

// defaultTransport keeps enough idle connections per host for the documented 200 requests a second, with
// certificate verification on and TLS 1.2 as the floor.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tlsMinVersion
	return t
}

// CloseIdleConnections closes the connections the Client keeps open for reuse. Call it when the Client is no
// longer needed. With a caller's Config.HTTPClient it closes that client's idle connections too, as they share
// one pool.
func (c *Client) CloseIdleConnections() { c.http.CloseIdleConnections() }

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

// envelope is the frame of every answer. Response points at the endpoint's result, if it has one, so the
// answer is decoded in one pass.
type envelope struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
	RequestID    string `json:"RequestId"`
	Response     any
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
func (c *Client) do(ctx context.Context, op string, in, out any) (outcome, error) {
	var o outcome
	body := emptyBody
	if in != nil {
		var err error
		if body, err = json.Marshal(in); err != nil {
			return o, fmt.Errorf("liveconfig: %s: encoding the request: %w", op, err)
		}
	}
	renewed := false
	for attempt, retries := 1, 0; ; attempt++ {
		sig, err := c.sigs.get()
		if err != nil {
			return o, err
		}
		requestID, err := c.attempt(ctx, op, attempt, body, sig, out)
		if err == nil {
			o.requestID = requestID
			return o, nil
		}
		if ctxErr := ctx.Err(); ctxErr != nil {
			if errors.Is(err, ctxErr) || !IsRetryable(err) {
				return o, err
			}
			return o, fmt.Errorf("%w; retry abandoned: %w", err, ctxErr) // say why no retry came
		}
		var apiErr *APIError
		if errors.As(err, &apiErr) && (apiErr.Code == codeUserSigExpired || apiErr.Code == codeUserSigRevoked) && !renewed {
			renewed = true
			c.sigs.invalidate(sig)
			continue
		}
		if mayHaveApplied(err) {
			o.mayHaveApplied = true
		}
		if !IsRetryable(err) || retries+1 >= c.retry.MaxAttempts {
			return o, err
		}
		if werr := sleep(ctx, c.retry.backoff(retries, err)); werr != nil {
			return o, fmt.Errorf("%w; retry abandoned: %w", err, werr)
		}
		retries++
	}
}

// attempt sends one request and returns the RequestId of a successful answer.
func (c *Client) attempt(ctx context.Context, op string, attempt int, body []byte, sig *signedUserSig, out any) (string, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return "", &TransportError{Op: op, Err: limiterError(ctx, err)}
		}
	}
	actx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.requestURL(op, sig), bytes.NewReader(body))
	if err != nil { // only for a URL that does not parse, which validate rules out
		return "", c.transportError(op, err, sig)
	}
	req.Header = requestHeader()
	resp, err := c.http.Do(req)
	if err != nil {
		c.logAttempt(ctx, op, attempt, start, 0, "")
		return "", c.transportError(op, err, sig)
	}
	env, err := c.readEnvelope(op, resp, out, sig)
	c.logAttempt(ctx, op, attempt, start, env.ErrorCode, env.RequestID)
	if err != nil {
		return "", err
	}
	return env.RequestID, nil
}

// The header values every request carries. Each request gets its own map (an http.Client with a cookie jar
// adds to it), sharing these read-only slices.
var (
	contentTypeJSON = []string{"application/json"}
	userAgent       = []string{"liveconfig-go/" + Version}
)

func requestHeader() http.Header {
	return http.Header{"Content-Type": contentTypeJSON, "User-Agent": userAgent}
}

// requestURL is base/v4/live_config/op with the five query parameters, a fresh random among them.
func (c *Client) requestURL(op string, sig *signedUserSig) string {
	var b strings.Builder
	b.Grow(len(c.base) + len("/v4/live_config/") + len(op) + len(c.queryHead) + len(sig.escaped) + 40)
	b.WriteString(c.base)
	b.WriteString("/v4/live_config/")
	b.WriteString(op)
	b.WriteString(c.queryHead)
	b.WriteString(sig.escaped)
	b.WriteString("&random=")
	var digits [10]byte
	b.Write(strconv.AppendUint(digits[:0], uint64(rand.Uint32()), 10))
	b.WriteString("&contenttype=json")
	return b.String()
}

// readEnvelope reads at most maxResponseBytes of resp, always closes it, and turns it into a result or an
// error. The JSON is decoded whatever the Content-Type says: some Tencent endpoints label it otherwise.
func (c *Client) readEnvelope(op string, resp *http.Response, out any, sig *signedUserSig) (envelope, error) {
	env := envelope{Response: out}
	body, err := bodyread.Read(resp.Body, maxResponseBytes+1)
	defer body.Release()
	resp.Body.Close()
	if err != nil {
		return env, c.transportError(op, err, sig)
	}
	data := body.Bytes()
	status := resp.StatusCode
	switch {
	case len(data) > maxResponseBytes:
		return env, &ResponseError{Op: op, StatusCode: status, Reason: "body is larger than 1 MiB"}
	case status != http.StatusOK:
		return env, &ResponseError{Op: op, StatusCode: status, Reason: "answer is not the API's (" + describeBody(data) + ")"}
	case len(data) == 0:
		return env, &ResponseError{Op: op, StatusCode: status, Reason: "body is empty"}
	}
	if err := json.Unmarshal(data, &env); err != nil {
		return envelope{}, &ResponseError{Op: op, StatusCode: status, Reason: "body is not a JSON envelope"}
	}
	switch {
	case env.ErrorCode != 0:
		return env, &APIError{Op: op, Code: env.ErrorCode, Info: c.scrubText(env.ErrorInfo, sig), RequestID: env.RequestID}
	case env.ActionStatus != "OK":
		return env, &ResponseError{Op: op, StatusCode: status, RequestID: env.RequestID,
			Reason: fmt.Sprintf("ActionStatus is %q with ErrorCode 0", truncate(env.ActionStatus, 16))}
	}
	return env, nil
}

// describeBody names what kind of body a failed answer had, without quoting it.
func describeBody(data []byte) string {
	trimmed := strings.TrimSpace(string(data[:min(len(data), 64)]))
	switch {
	case len(data) == 0:
		return "empty body"
	case strings.HasPrefix(trimmed, "<"):
		return "HTML body"
	case json.Valid(data):
		return "JSON body"
	}
	return "body of " + strconv.Itoa(len(data)) + " bytes"
}

// transportError rebuilds err without the request URL's query: Go's *url.Error prints the whole URL, and its
// query holds the UserSig. The cause is kept, so errors.Is(err, context.DeadlineExceeded) still works.
func (c *Client) transportError(op string, err error, sig *signedUserSig) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = &url.Error{Op: ue.Op, URL: c.base + "/v4/live_config/" + op, Err: ue.Err}
	}
	if c.containsSecret(err.Error(), sig) {
		err = errRedacted
	}
	return &TransportError{Op: op, Err: err}
}

var errRedacted = errors.New("transport error (its text held a credential and was withheld)")

// scrubText returns s with any credential replaced, for text that comes from the server.
func (c *Client) scrubText(s string, sig *signedUserSig) string {
	s = strings.Join(strings.Fields(s), " ") // one line
	if c.containsSecret(s, sig) {
		return "[server message withheld: it echoed a credential]"
	}
	return s
}

// minRedactableKey is the shortest SecretKey looked for in error text. Console keys are 64 hex digits; a key
// of a few characters would match ordinary words and withhold every error, and the key itself is never sent.
const minRedactableKey = 16

func (c *Client) containsSecret(s string, sig *signedUserSig) bool {
	return (len(c.secretKey) >= minRedactableKey && strings.Contains(s, c.secretKey)) ||
		strings.Contains(s, sig.raw) || strings.Contains(s, sig.escaped)
}

// limiterError turns a limiter's refusal into an error that keeps ctx's cause. *rate.Limiter refuses early,
// with an error of its own, when the wait would outlast ctx's deadline.
func limiterError(ctx context.Context, err error) error {
	if ctxErr := ctx.Err(); ctxErr != nil {
		return fmt.Errorf("waiting for the rate limiter: %w", ctxErr)
	}
	if _, ok := ctx.Deadline(); ok && !errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("waiting for the rate limiter: %w (%v)", context.DeadlineExceeded, err)
	}
	return fmt.Errorf("waiting for the rate limiter: %w", err)
}

// mayHaveApplied reports whether a failed attempt may still have changed state on the server.
func mayHaveApplied(err error) bool {
	var apiErr *APIError
	var respErr *ResponseError
	var tErr *TransportError
	switch {
	case errors.As(err, &apiErr):
		return errors.Is(apiErr, ErrInternal)
	case errors.As(err, &respErr):
		return respErr.StatusCode >= 500
	case errors.As(err, &tErr):
		return !tErr.neverSent()
	}
	return false
}

func (c *Client) logAttempt(ctx context.Context, op string, attempt int, start time.Time, code int, requestID string) {
	if c.logger == nil || !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "liveconfig attempt",
		slog.String("op", op), slog.Int("attempt", attempt), slog.Int("code", code),
		slog.String("request_id", requestID), slog.Duration("latency", time.Since(start)))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
