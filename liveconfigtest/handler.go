package liveconfigtest

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig"
)

const maxRequestBytes = 1 << 20

// answer is what the server says in an envelope.
type answer struct {
	code     int
	info     string
	response any
}

func fail(code int, format string, args ...any) answer {
	return answer{code: code, info: fmt.Sprintf(format, args...)}
}

// wireEnvelope is the real service's answer frame.
type wireEnvelope struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
	RequestID    string `json:"RequestId"`
	Response     any    `json:",omitempty"`
}

func (s *Server) serveHTTP(w http.ResponseWriter, r *http.Request) {
	s.inFlight.Add(1)
	defer s.inFlight.Add(-1)
	rec := Request{Time: s.now()}
	name, known := strings.CutPrefix(r.URL.Path, "/v4/live_config/")
	op := liveconfig.Op(name)
	if !known || !op.Valid() {
		op, known = liveconfig.Op(r.URL.Path), false
	}
	rec.Op = op
	body, readErr := io.ReadAll(io.LimitReader(r.Body, maxRequestBytes+1))
	app, ans := s.check(r, known, body, readErr, &rec)
	if ans.code != 0 {
		rec.Code = ans.code
		s.record(rec)
		s.writeEnvelope(w, ans)
		return
	}
	rec.Body = body // a refused request's body is not kept: anyone can send one, of any size
	rep := app.takeFault(op).reply(r.Context(), func() answer { return app.apply(op, body) })
	switch {
	case rep.gone:
		rec.Code = -1
		s.record(rec)
	case rep.drop:
		rec.Code = -1
		s.record(rec)
		panic(http.ErrAbortHandler) // net/http closes the connection without an answer
	case rep.raw != nil:
		rec.Code = -1
		s.record(rec)
		writeRaw(w, *rep.raw)
	default:
		rec.Code = rep.env.code
		s.record(rec)
		s.writeEnvelope(w, rep.env)
	}
}

func writeRaw(w http.ResponseWriter, raw RawAnswer) {
	if raw.ContentType != "" {
		w.Header().Set("Content-Type", raw.ContentType)
	}
	status := raw.Status
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	w.Write(raw.Body)
}

func (s *Server) writeEnvelope(w http.ResponseWriter, ans answer) {
	env := wireEnvelope{ActionStatus: "OK", ErrorInfo: ans.info, ErrorCode: ans.code, RequestID: s.nextRequestID(), Response: ans.response}
	if ans.code != 0 {
		env.ActionStatus = "FAIL"
		env.Response = nil
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(env)
}

// queryParams are the parameters every request carries, and no others.
var queryParams = []string{"sdkappid", "identifier", "usersig", "random", "contenttype"}

// check does what the real service does before it looks at the endpoint: method, path, query, app,
// signature, permission, rate limit and body syntax. It returns the app and a zero answer when the request
// may proceed.
func (s *Server) check(r *http.Request, known bool, body []byte, readErr error, rec *Request) (*App, answer) {
	if r.Method != http.MethodPost {
		return nil, fail(60002, "HTTP method %s is not supported, use POST", r.Method)
	}
	if !known {
		return nil, fail(60009, "unknown API %s", r.URL.Path)
	}
	q, err := url.ParseQuery(r.URL.RawQuery)
	if err != nil {
		return nil, fail(60002, "malformed query string")
	}
	for name, values := range q {
		if !slices.Contains(queryParams, name) {
			return nil, fail(60002, "unexpected query parameter %q", name)
		}
		if len(values) != 1 {
			return nil, fail(60002, "query parameter %q given %d times", name, len(values))
		}
	}
	if random, err := strconv.ParseUint(q.Get("random"), 10, 32); err == nil {
		rec.Random = uint32(random)
	} else {
		return nil, fail(60002, "random must be a 32-bit unsigned integer")
	}
	if q.Get("contenttype") != "json" {
		return nil, fail(60002, "contenttype must be json")
	}
	if q.Get("sdkappid") == "" {
		return nil, fail(60012, "sdkappid is missing")
	}
	id, err := strconv.ParseUint(q.Get("sdkappid"), 10, 64)
	if err != nil {
		return nil, fail(70020, "sdkappid not found")
	}
	rec.SDKAppID = id
	app := s.App(id)
	if app == nil {
		return nil, fail(70020, "sdkappid not found")
	}
	identifier, usersig := q.Get("identifier"), q.Get("usersig")
	if identifier == "" {
		return nil, fail(60005, "identifier is missing")
	}
	if usersig == "" {
		return nil, fail(70002, "usersig is empty")
	}
	sum := sha256.Sum256([]byte(usersig))
	rec.UserSigHash = hex.EncodeToString(sum[:8])
	if ans := app.verifyUserSig(identifier, usersig, s.now()); ans.code != 0 {
		return nil, ans
	}
	if identifier != app.identifier {
		return nil, fail(60010, "identifier %q is not an App administrator", identifier)
	}
	if app.limiter != nil && !app.limiter.Allow() {
		return nil, fail(60007, "REST API call frequency over the limit")
	}
	switch {
	case readErr != nil || len(body) > maxRequestBytes:
		return nil, fail(60003, "request body could not be read")
	case !isJSONObject(body):
		return nil, fail(60003, "request body is not a JSON object")
	}
	return app, answer{}
}

func (a *App) verifyUserSig(identifier, usersig string, now time.Time) answer {
	err := tencentyun.VerifyUserSig(a.sdkAppID, a.secretKey, identifier, usersig, now)
	switch {
	case err == nil:
		return answer{}
	case errors.Is(err, tencentyun.ErrExpired):
		return fail(70001, "usersig expired")
	case errors.Is(err, tencentyun.ErrSigNotMatch):
		return fail(70009, "usersig verification failed")
	case errors.Is(err, tencentyun.ErrIdentifierNotMatch):
		return fail(70013, "identifier does not match the usersig")
	case errors.Is(err, tencentyun.ErrSdkAppIDNotMatch):
		return fail(70014, "sdkappid does not match the usersig")
	}
	return fail(70003, "usersig is invalid")
}

func isJSONObject(b []byte) bool {
	var obj map[string]json.RawMessage
	return json.Unmarshal(b, &obj) == nil && obj != nil
}

// apply carries out a request that passed check, under the lock, and logs a successful change.
func (a *App) apply(op liveconfig.Op, body []byte) answer {
	var fields map[string]json.RawMessage
	json.Unmarshal(body, &fields) // check proved it is an object
	a.mu.Lock()
	defer a.mu.Unlock()
	ans := a.applyLocked(op, fields)
	if ans.code == 0 && op.Mutates() {
		a.changes = append(a.changes, Change{Seq: uint64(len(a.changes)) + 1, Op: op, Time: a.srv.now(), Body: slices.Clone(body)})
	}
	return ans
}

func (a *App) applyLocked(op liveconfig.Op, fields map[string]json.RawMessage) answer {
	switch op {
	case liveconfig.OpSetCallback, liveconfig.OpUpdateCallback:
		cfg, bad := parseCallback(fields)
		switch {
		case bad.code != 0:
			return bad
		case op == liveconfig.OpSetCallback && a.callback != nil:
			return fail(100300, "callback configuration already exists, use update_callback")
		case op == liveconfig.OpUpdateCallback && a.callback == nil:
			return fail(100301, "callback configuration does not exist, create it with set_callback")
		}
		a.callback = &cfg
	case liveconfig.OpGetCallback:
		if a.callback == nil {
			return fail(100301, "callback configuration does not exist")
		}
		return answer{response: map[string]any{"Url": a.callback.URL, "CallbackCommandList": slices.Clone(a.callback.Commands)}}
	case liveconfig.OpDeleteCallback:
		a.callback = nil
	case liveconfig.OpSetCallbackToken:
		tok, bad := parseToken(fields, a.token)
		if bad.code != 0 {
			return bad
		}
		a.setTokenLocked(&tok)
	case liveconfig.OpGetCallbackToken:
		if a.token == nil {
			return fail(100302, "callback token configuration does not exist")
		}
		return answer{response: map[string]any{"Token": a.token.Token, "IsTokenEnable": a.token.Enabled}}
	case liveconfig.OpDeleteCallbackToken:
		a.setTokenLocked(nil)
	}
	return answer{}
}

// parseCallback reads the exact fields Url and CallbackCommandList, both mandatory.
func parseCallback(fields map[string]json.RawMessage) (liveconfig.CallbackConfig, answer) {
	var cfg liveconfig.CallbackConfig
	rawURL, ok := fields["Url"]
	if !ok || json.Unmarshal(rawURL, &cfg.URL) != nil {
		return cfg, fail(100002, "Url is missing or not a string")
	}
	rawList, ok := fields["CallbackCommandList"]
	var words []string
	if !ok || json.Unmarshal(rawList, &words) != nil || words == nil {
		return cfg, fail(100002, "CallbackCommandList is missing or not an array of strings")
	}
	for _, w := range words {
		cfg.Commands = append(cfg.Commands, liveconfig.Command(w))
	}
	if err := cfg.Validate(); err != nil {
		return cfg, fail(100002, "%s", strings.TrimPrefix(err.Error(), "liveconfig: "))
	}
	return cfg, answer{}
}

// parseToken reads Token and IsTokenEnable: both required when there is no token configuration yet, either
// one when there is.
func parseToken(fields map[string]json.RawMessage, current *liveconfig.CallbackToken) (liveconfig.CallbackToken, answer) {
	var tok liveconfig.CallbackToken
	if current != nil {
		tok = *current
	}
	rawToken, hasToken := fields["Token"]
	rawEnabled, hasEnabled := fields["IsTokenEnable"]
	if current == nil && (!hasToken || !hasEnabled) {
		return tok, fail(100002, "Token and IsTokenEnable are both required when no token is configured")
	}
	if hasToken {
		if json.Unmarshal(rawToken, &tok.Token) != nil {
			return tok, fail(100002, "Token is not a string")
		}
		if err := (liveconfig.CallbackToken{Token: tok.Token}).Validate(); err != nil {
			return tok, fail(100002, "%s", strings.TrimPrefix(err.Error(), "liveconfig: "))
		}
	}
	if hasEnabled && json.Unmarshal(rawEnabled, &tok.Enabled) != nil {
		return tok, fail(100002, "IsTokenEnable is not a boolean")
	}
	return tok, answer{}
}
