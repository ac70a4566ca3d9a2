package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// Delivery is one webhook as Tencent sends it, for Send: to test a receiver, in any language, with requests
// that are signed and shaped as the real ones are. liveconfigtest's Deliver, the liveconfig-fake's delivery and
// `liveconfig webhook send` all send through it.
type Delivery struct {
	SDKAppID uint64             // the app; required
	Command  liveconfig.Command // the command word; required
	// Body is the event, a JSON object; nil means SampleBody(Command). CallbackCommand is added when it is
	// absent, and must equal Command when present.
	Body []byte
	// Token, when not "", signs the webhook: RequestTime and Sign (see Sign) are added, as once a callback
	// token is enabled. "" sends it unsigned.
	Token string
	// RequestTime is the time signed; zero means now.
	RequestTime time.Time
	// ClientIP and OptPlatform are the query's; "" means "127.0.0.1" and "RESTAPI", what Tencent sends for a
	// change made through its REST API.
	ClientIP, OptPlatform string
}

// String describes d without its Token.
func (d Delivery) String() string {
	return fmt.Sprintf("webhook.Delivery{SDKAppID:%d Command:%s Body:%d bytes Token:%s RequestTime:%d}",
		d.SDKAppID, d.Command, len(d.Body), secretrule.Printed(d.Token), d.RequestTime.Unix())
}

// GoString is String, so that %#v does not print the Token either.
func (d Delivery) GoString() string { return d.String() }

// LogValue lets log/slog print d without its Token.
func (d Delivery) LogValue() slog.Value {
	return slog.GroupValue(slog.Uint64("sdkappid", d.SDKAppID), slog.String("command", string(d.Command)),
		slog.Int("body_bytes", len(d.Body)), slog.Bool("signed", d.Token != ""))
}

// MarshalJSON encodes d for JSON loggers without its Token, as Config does.
func (d Delivery) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		SDKAppID    uint64
		Command     liveconfig.Command
		Body        json.RawMessage `json:",omitempty"`
		Token       string
		RequestTime time.Time
		ClientIP    string
		OptPlatform string
	}{d.SDKAppID, d.Command, validJSONOrNil(d.Body), secretrule.Encoded(d.Token), d.RequestTime, d.ClientIP, d.OptPlatform})
}

// validJSONOrNil is body when it is valid JSON, which a json.RawMessage must be, and nil otherwise.
func validJSONOrNil(body []byte) json.RawMessage {
	if json.Valid(body) {
		return body
	}
	return nil
}

// Answer is a receiver's answer to a webhook.
type Answer struct {
	HTTPStatus   int
	ActionStatus string
	ErrorCode    int
	ErrorInfo    string
}

// ErrBadAnswer is the error of Send when the receiver answered with a status other than 200 or a body that is
// not the JSON answer; Tencent counts that as a failed delivery. Send returns the Answer so far beside it.
var ErrBadAnswer = errors.New("webhook: the receiver's answer is not a valid webhook answer")

// ErrInvalidDelivery is the error of Send and Delivery.Request for a Delivery or callback URL that cannot be
// sent: nothing was sent.
var ErrInvalidDelivery = errors.New("webhook: invalid delivery")

// invalid is an ErrInvalidDelivery saying why.
func invalid(format string, args ...any) error {
	return fmt.Errorf("%w: "+format, append([]any{ErrInvalidDelivery}, args...)...)
}

// maxAnswerBytes caps the answer Send reads: the answer is a few dozen bytes.
const maxAnswerBytes = 64 << 10

// Send posts d to callbackURL as Tencent does: the body, and the query parameters SdkAppid, CallbackCommand,
// contenttype=json, ClientIP and OptPlatform, with RequestTime and Sign when d has a Token, beside the URL's own
// query. It sends through hc (nil: a client that waits AnswerBudget, as Tencent does), following no redirect
// (a 3xx is the answer, as it is to Tencent), and returns the receiver's decoded answer. Bad input (no SDKAppID, a malformed command word, a body that is not a JSON
// object or names another command, an unusable URL) is ErrInvalidDelivery, before anything is sent; a failed
// request is an error wrapping the cause, its URL without the query; a non-200 status or an answer that is
// not JSON is ErrBadAnswer.
func Send(ctx context.Context, hc *http.Client, callbackURL string, d Delivery) (*Answer, error) {
	req, err := d.Request(ctx, callbackURL)
	if err != nil {
		return nil, err
	}
	client := http.Client{Timeout: AnswerBudget}
	if hc != nil {
		client = *hc
	}
	// Tencent follows no redirect: a 3xx is the answer. Following one would also send the body, and the
	// Sign in the Referer, to wherever it points.
	client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("webhook: delivering %s: %w", d.Command, withoutQuery(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, maxAnswerBytes))
	if err != nil {
		return nil, fmt.Errorf("webhook: reading the answer to %s: %w", d.Command, err)
	}
	ans := &Answer{HTTPStatus: resp.StatusCode}
	if resp.StatusCode != http.StatusOK {
		return ans, fmt.Errorf("%w: HTTP %d", ErrBadAnswer, resp.StatusCode)
	}
	if err := json.Unmarshal(data, ans); err != nil {
		return ans, fmt.Errorf("%w: %v", ErrBadAnswer, err)
	}
	return ans, nil
}

// Request builds the request Send sends, without sending it.
func (d Delivery) Request(ctx context.Context, callbackURL string) (*http.Request, error) {
	if d.SDKAppID == 0 {
		return nil, invalid("it needs the app's SDKAppID")
	}
	if err := d.Command.Validate(); err != nil {
		return nil, invalid("%w", err)
	}
	body := d.Body
	if body == nil {
		sample, ok := SampleBody(d.Command)
		if !ok {
			return nil, invalid("no sample body for %s: give one", d.Command)
		}
		body = sample
	}
	body, err := namedBody(d.Command, body)
	if err != nil {
		return nil, err
	}
	target, err := d.url(callbackURL)
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, target, bytes.NewReader(body))
	if err != nil {
		return nil, invalid("building the request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	return req, nil
}

// url is callbackURL with Tencent's query parameters added to its own.
func (d Delivery) url(callbackURL string) (string, error) {
	u, err := url.Parse(callbackURL)
	if err != nil {
		return "", invalid("callback URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return "", invalid("callback URL %q is not an http:// or https:// URL", callbackURL)
	}
	q := u.Query()
	q.Set("SdkAppid", strconv.FormatUint(d.SDKAppID, 10))
	q.Set("CallbackCommand", string(d.Command))
	q.Set("contenttype", "json")
	q.Set("ClientIP", orDefault(d.ClientIP, "127.0.0.1"))
	q.Set("OptPlatform", orDefault(d.OptPlatform, "RESTAPI"))
	if d.Token != "" {
		at := d.RequestTime
		if at.IsZero() {
			at = time.Now()
		}
		q.Set("RequestTime", strconv.FormatInt(at.Unix(), 10))
		q.Set("Sign", Sign(d.Token, at.Unix()))
	}
	u.RawQuery = q.Encode()
	return u.String(), nil
}

// withoutQuery is err with the request URL of a *url.Error cut at its query, which holds the Sign.
func withoutQuery(err error) error {
	var ue *url.Error
	if !errors.As(err, &ue) {
		return err
	}
	u, _, _ := strings.Cut(ue.URL, "?")
	return &url.Error{Op: ue.Op, URL: u, Err: ue.Err}
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// namedBody returns body, a JSON object, naming cmd as its CallbackCommand: as it is when it does, with the
// field added when it is absent. A body that is not a JSON object, or that names another command, is an error.
func namedBody(cmd liveconfig.Command, body []byte) ([]byte, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(body, &fields); err != nil || fields == nil {
		return nil, invalid("the event must be a JSON object")
	}
	if named, ok := fields["CallbackCommand"]; ok {
		var got string
		if json.Unmarshal(named, &got) != nil || got != string(cmd) {
			return nil, invalid("the event's CallbackCommand %s is not %s", strings.TrimSpace(string(named)), cmd)
		}
		return body, nil
	}
	fields["CallbackCommand"], _ = json.Marshal(cmd)
	return json.Marshal(fields)
}
