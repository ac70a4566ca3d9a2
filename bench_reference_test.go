package liveconfig_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/go-resty/resty/v2"
	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// The two references the client is measured against, each written by hand as a careful caller would, with a
// UserSig signed once and a fresh random per call:
//
//   - bareCall, the floor: net/http and encoding/json, nothing else.
//   - plainRestyCall: the same call through a resty client set up as the Client sets up its own. What the
//     Client costs beyond it is the Client's own overhead: retries, the per-attempt deadline, redaction,
//     logging hooks and its typed results.

// getAnswerFrame is what both references decode a get_callback answer into: the same fields the Client reads.
type getAnswerFrame struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
	RequestID    string `json:"RequestId"`
	Response     struct {
		URL      string   `json:"Url"`
		Commands []string `json:"CallbackCommandList"`
	}
}

// checkAnswer decodes data into a new frame and fails on an error code, as both references do.
func checkAnswer(data []byte) error {
	var out getAnswerFrame
	if err := json.Unmarshal(data, &out); err != nil {
		return err
	}
	if out.ErrorCode != 0 {
		return fmt.Errorf("code %d", out.ErrorCode)
	}
	return nil
}

// signedPrefix returns base/v4/live_config/get_callback with the query up to and including the UserSig.
func signedPrefix(b *testing.B, base string) string {
	sig, err := tencentyun.GenUserSig(benchApp, benchKey, benchIdentifier, 3600)
	if err != nil {
		b.Fatal(err)
	}
	return base + "/v4/live_config/get_callback?sdkappid=" + strconv.Itoa(benchApp) + "&identifier=" +
		benchIdentifier + "&usersig=" + url.QueryEscape(sig)
}

// withRandom completes a signed prefix with a fresh random and the content type.
func withRandom(prefix string) string {
	return prefix + "&random=" + strconv.FormatUint(uint64(rand.Uint32()), 10) + "&contenttype=json"
}

var emptyJSON = []byte("{}")

// bareCall is the floor: what a careful hand-written net/http call costs.
type bareCall struct {
	hc     *http.Client
	prefix string
}

// newBareCall prepares the floor's calls to base over a pool of its own, closed when b ends.
func newBareCall(b *testing.B, base string) *bareCall {
	hc := &http.Client{Transport: benchTransport()}
	b.Cleanup(hc.CloseIdleConnections)
	return &bareCall{hc: hc, prefix: signedPrefix(b, base)}
}

// do makes one call; with sig set, it replaces the cached UserSig with sig (for the sign-per-call benchmark).
func (c *bareCall) do(ctx context.Context, sig string) error {
	prefix := c.prefix
	if sig != "" {
		prefix = prefix[:strings.LastIndex(prefix, "=")+1] + url.QueryEscape(sig)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, withRandom(prefix), bytes.NewReader(emptyJSON))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := c.hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	return checkAnswer(data)
}

// plainRestyCall is the same call made with resty directly, on a resty client with the Client's settings.
type plainRestyCall struct {
	rc     *resty.Client
	prefix string
}

// newPlainRestyCall prepares resty calls to base over a pool of its own, closed when b ends.
func newPlainRestyCall(b *testing.B, base string) *plainRestyCall {
	rc := resty.NewWithClient(&http.Client{Transport: benchTransport()})
	rc.SetLogger(quietLogger{})
	rc.SetDisableWarn(true)
	rc.SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }))
	rc.SetResponseBodyLimit(1 << 20)
	rc.SetHeaders(map[string]string{"Content-Type": "application/json", "Accept": "application/json", "User-Agent": "bench"})
	b.Cleanup(rc.GetClient().CloseIdleConnections)
	return &plainRestyCall{rc: rc, prefix: signedPrefix(b, base)}
}

func (c *plainRestyCall) do(ctx context.Context) error {
	resp, err := c.rc.R().SetContext(ctx).SetBody(bytes.NewReader(emptyJSON)).Post(withRandom(c.prefix))
	if err != nil {
		return err
	}
	if resp.StatusCode() != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode())
	}
	return checkAnswer(resp.Body())
}

type quietLogger struct{}

func (quietLogger) Errorf(string, ...any) {}
func (quietLogger) Warnf(string, ...any)  {}
func (quietLogger) Debugf(string, ...any) {}
