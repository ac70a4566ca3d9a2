package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
	"github.com/go-tuilive/liveconfig/webhook"
)

// controlPrefix is where the control API is served, beside the fake API on the same listener: no path of
// Tencent's starts with it.
const controlPrefix = "/_fake/"

// maxControlBody bounds a control request's body.
const maxControlBody = 1 << 20

// control serves the control API of srv (see the package doc). It never answers with an app's secret key.
type control struct {
	srv atomic.Pointer[liveconfigtest.Server] // set once the server is made; until then, control answers 503
	// refusal, when not "", is what every control request is answered with (403): the fake listens where
	// others can reach it, and the control API was not allowed there.
	refusal string
}

// wrap serves the control API under controlPrefix and api everywhere else.
func (c *control) wrap(api http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !strings.HasPrefix(r.URL.Path, controlPrefix) {
			api.ServeHTTP(w, r)
			return
		}
		srv := c.srv.Load()
		switch {
		case c.refusal != "":
			writeControl(w, http.StatusForbidden, errorJSON{c.refusal})
		case srv == nil:
			writeControl(w, http.StatusServiceUnavailable, errorJSON{"starting"})
		default:
			c.serve(w, r, srv)
		}
	})
}

// The JSON shapes of the control API.
type (
	errorJSON struct {
		Error string `json:"error"`
	}
	requestJSON struct {
		Seq           uint64          `json:"seq"`
		Endpoint      string          `json:"endpoint"`
		SDKAppID      uint64          `json:"sdkappid"`
		Time          time.Time       `json:"time"`
		Body          json.RawMessage `json:"body"` // null when the fake refused the request before its endpoint
		Random        uint32          `json:"random"`
		UserSigSHA256 string          `json:"usersig_sha256"` // the first 16 hex digits
		Code          int             `json:"code"`           // the ErrorCode answered; -1 for a raw answer or a dropped connection
	}
	requestsJSON struct {
		Requests []requestJSON `json:"requests"`
		Next     uint64        `json:"next"` // the since of the next read: the last seq so far
	}
	callbackStateJSON struct {
		URL      string               `json:"url"`
		Commands []liveconfig.Command `json:"commands"`
	}
	tokenStateJSON struct {
		Token   string `json:"token"`
		Enabled bool   `json:"enabled"`
	}
	appJSON struct {
		SDKAppID   uint64             `json:"sdkappid"`
		Identifier string             `json:"identifier"`
		Callback   *callbackStateJSON `json:"callback"`
		Token      *tokenStateJSON    `json:"token"`
	}
	rawJSON struct {
		Status      int    `json:"status"`
		ContentType string `json:"content_type"`
		Body        string `json:"body"`
	}
	faultJSON struct {
		Endpoint string   `json:"endpoint"` // "" for any
		Code     int      `json:"code"`
		Info     string   `json:"info"`
		Times    int      `json:"times"`  // 0 or 1: the next request
		Always   bool     `json:"always"` // every request
		Chance   float64  `json:"chance"`
		Apply    bool     `json:"apply"`
		DelayMS  int64    `json:"delay_ms"`
		Drop     bool     `json:"drop"`
		Raw      *rawJSON `json:"raw"`
	}
	deliverJSON struct {
		Command liveconfig.Command `json:"command"`
		Body    json.RawMessage    `json:"body"` // absent or null: Tencent's documented sample
	}
	answerJSON struct {
		HTTPStatus   int    `json:"http_status"`
		ActionStatus string `json:"action_status"`
		ErrorCode    int    `json:"error_code"`
		ErrorInfo    string `json:"error_info"`
		Error        string `json:"error,omitempty"` // why the answer is not a valid one
	}
)

// serve routes one control request.
func (c *control) serve(w http.ResponseWriter, r *http.Request, srv *liveconfigtest.Server) {
	parts := strings.Split(strings.TrimPrefix(r.URL.Path, controlPrefix), "/")
	switch {
	case len(parts) == 1 && parts[0] == "health":
		c.only(w, r, http.MethodGet, func() { writeControl(w, http.StatusOK, map[string]any{"status": "ok", "apps": len(srv.Apps())}) })
	case len(parts) == 1 && parts[0] == "requests":
		c.only(w, r, http.MethodGet, func() { c.requests(w, r, srv) })
	case len(parts) >= 2 && parts[0] == "apps":
		app, ok := c.app(w, srv, parts[1])
		if !ok {
			return
		}
		switch rest := strings.Join(parts[2:], "/"); rest {
		case "":
			switch r.Method {
			case http.MethodGet:
				writeControl(w, http.StatusOK, appState(app))
			case http.MethodPut:
				c.setState(w, r, app)
			default:
				methodNotAllowed(w, "GET, PUT")
			}
		case "reset":
			c.only(w, r, http.MethodPost, func() { app.Reset(); writeControl(w, http.StatusOK, appState(app)) })
		case "faults":
			switch r.Method {
			case http.MethodPost:
				c.injectFault(w, r, app)
			case http.MethodDelete:
				c.clearFaults(w, r, app)
			default:
				methodNotAllowed(w, "POST, DELETE")
			}
		case "deliver":
			c.only(w, r, http.MethodPost, func() { c.deliver(w, r, app) })
		default:
			writeControl(w, http.StatusNotFound, errorJSON{"no such control path: " + r.URL.Path})
		}
	default:
		writeControl(w, http.StatusNotFound, errorJSON{"no such control path: " + r.URL.Path})
	}
}

func (c *control) only(w http.ResponseWriter, r *http.Request, method string, serve func()) {
	if r.Method != method {
		methodNotAllowed(w, method)
		return
	}
	serve()
}

func methodNotAllowed(w http.ResponseWriter, allowed string) {
	w.Header().Set("Allow", allowed)
	writeControl(w, http.StatusMethodNotAllowed, errorJSON{"method not allowed; use " + allowed})
}

// app finds the app a path names.
func (c *control) app(w http.ResponseWriter, srv *liveconfigtest.Server, id string) (*liveconfigtest.App, bool) {
	sdkAppID, err := strconv.ParseUint(id, 10, 64)
	if err != nil {
		writeControl(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("%q is not an SDKAppID", id)})
		return nil, false
	}
	app := srv.App(sdkAppID)
	if app == nil {
		writeControl(w, http.StatusNotFound, errorJSON{fmt.Sprintf("the fake serves no app %d", sdkAppID)})
		return nil, false
	}
	return app, true
}

// requests answers the requests received after the since cursor (0: all kept), of one app with sdkappid.
func (c *control) requests(w http.ResponseWriter, r *http.Request, srv *liveconfigtest.Server) {
	q := r.URL.Query()
	var since, app uint64
	for name, into := range map[string]*uint64{"since": &since, "sdkappid": &app} {
		if v := q.Get(name); v != "" {
			n, err := strconv.ParseUint(v, 10, 64)
			if err != nil {
				writeControl(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("%s must be a number, not %q", name, v)})
				return
			}
			*into = n
		}
	}
	out := requestsJSON{Requests: []requestJSON{}, Next: since}
	for _, req := range srv.AllRequests() {
		out.Next = max(out.Next, req.Seq)
		if req.Seq <= since || app != 0 && req.SDKAppID != app {
			continue
		}
		out.Requests = append(out.Requests, requestJSON{Seq: req.Seq, Endpoint: string(req.Op), SDKAppID: req.SDKAppID, Time: req.Time,
			Body: req.Body, Random: req.Random, UserSigSHA256: req.UserSigHash, Code: req.Code})
	}
	writeControl(w, http.StatusOK, out)
}

// appState is what the fake holds for app: never its secret key.
func appState(app *liveconfigtest.App) appJSON {
	out := appJSON{SDKAppID: app.SDKAppID(), Identifier: app.Identifier()}
	if cb, ok := app.Callback(); ok {
		out.Callback = &callbackStateJSON{URL: cb.URL, Commands: cb.Commands}
	}
	if tok, ok := app.Token(); ok {
		out.Token = &tokenStateJSON{Token: tok.Token, Enabled: tok.Enabled}
	}
	return out
}

// setState sets the callback configuration and the token an app holds, as given: a field that is null removes
// it, a field that is absent leaves it alone. It is stored unchecked, as liveconfigtest's SetCallback is.
// token_lag_ms sets the app's token lag (liveconfigtest's SetTokenLag) for the changes made after it.
func (c *control) setState(w http.ResponseWriter, r *http.Request, app *liveconfigtest.App) {
	var fields map[string]json.RawMessage
	if !decodeControl(w, r, &fields) {
		return
	}
	var cb *callbackStateJSON
	var tok *tokenStateJSON
	var lagMS int64
	for name, raw := range fields {
		var err error
		switch name {
		case "callback":
			err = json.Unmarshal(raw, &cb)
		case "token":
			err = json.Unmarshal(raw, &tok)
		case "token_lag_ms":
			if err = json.Unmarshal(raw, &lagMS); err == nil && lagMS < 0 {
				err = errors.New("must not be negative")
			}
		default:
			err = errors.New("is not a field of an app's state (callback, token, token_lag_ms)")
		}
		if err != nil {
			writeControl(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("%s: %v", name, err)})
			return
		}
	}
	if raw, ok := fields["callback"]; ok {
		if cb == nil || string(raw) == "null" {
			app.SetCallback(nil)
		} else {
			app.SetCallback(&liveconfig.CallbackConfig{URL: cb.URL, Commands: cb.Commands})
		}
	}
	if _, ok := fields["token_lag_ms"]; ok {
		app.SetTokenLag(time.Duration(lagMS) * time.Millisecond)
	}
	if _, ok := fields["token"]; ok {
		if tok == nil {
			app.SetToken(nil)
		} else {
			app.SetToken(&liveconfig.CallbackToken{Token: tok.Token, Enabled: tok.Enabled})
		}
	}
	writeControl(w, http.StatusOK, appState(app))
}

// injectFault queues one fault, as liveconfigtest's InjectFault does.
func (c *control) injectFault(w http.ResponseWriter, r *http.Request, app *liveconfigtest.App) {
	var f faultJSON
	if !decodeControl(w, r, &f) {
		return
	}
	op := liveconfig.Op(f.Endpoint)
	switch {
	case op != "" && !op.Valid():
		writeControl(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("endpoint %q is none of the API's", f.Endpoint)})
		return
	case f.Times < 0 || f.Chance < 0 || f.Chance > 1 || f.DelayMS < 0:
		writeControl(w, http.StatusBadRequest, errorJSON{"times and delay_ms must not be negative, chance must be from 0 to 1"})
		return
	}
	fault := liveconfigtest.Fault{Times: f.Times, Code: f.Code, Info: f.Info, Chance: f.Chance, Apply: f.Apply,
		Delay: time.Duration(f.DelayMS) * time.Millisecond, Drop: f.Drop}
	if f.Always {
		fault.Times = liveconfigtest.Always
	}
	if f.Raw != nil {
		fault.Raw = &liveconfigtest.RawAnswer{Status: f.Raw.Status, ContentType: f.Raw.ContentType, Body: []byte(f.Raw.Body)}
	}
	app.InjectFault(op, fault)
	writeControl(w, http.StatusCreated, map[string]any{})
}

// clearFaults drops the app's faults: all of them, or with ?endpoint=NAME those queued for that endpoint
// (?endpoint= with no name: those queued for any endpoint, as a fault's "endpoint": "" is).
func (c *control) clearFaults(w http.ResponseWriter, r *http.Request, app *liveconfigtest.App) {
	endpoints, named := r.URL.Query()["endpoint"]
	switch {
	case !named:
		app.ClearFaults()
	case len(endpoints) > 1:
		writeControl(w, http.StatusBadRequest, errorJSON{"endpoint given more than once"})
		return
	case endpoints[0] != "" && !liveconfig.Op(endpoints[0]).Valid():
		writeControl(w, http.StatusBadRequest, errorJSON{fmt.Sprintf("endpoint %q is none of the API's", endpoints[0])})
		return
	default:
		app.ClearFaultsFor(liveconfig.Op(endpoints[0]))
	}
	writeControl(w, http.StatusOK, map[string]any{})
}

// deliver sends a webhook to the app's callback URL as Tencent would, and answers with the receiver's answer.
func (c *control) deliver(w http.ResponseWriter, r *http.Request, app *liveconfigtest.App) {
	var d deliverJSON
	if !decodeControl(w, r, &d) {
		return
	}
	var body any // nil: the sample
	if len(d.Body) > 0 && string(d.Body) != "null" {
		body = []byte(d.Body)
	}
	ans, err := app.Deliver(r.Context(), d.Command, body)
	out := answerJSON{}
	if ans != nil {
		out = answerJSON{HTTPStatus: ans.HTTPStatus, ActionStatus: ans.ActionStatus, ErrorCode: ans.ErrorCode, ErrorInfo: ans.ErrorInfo}
	}
	switch {
	case errors.Is(err, liveconfigtest.ErrNoCallback), errors.Is(err, liveconfigtest.ErrNotSubscribed):
		writeControl(w, http.StatusConflict, errorJSON{err.Error()})
	case errors.Is(err, webhook.ErrBadAnswer):
		out.Error = err.Error()
		writeControl(w, http.StatusBadGateway, out)
	case errors.Is(err, webhook.ErrInvalidDelivery):
		writeControl(w, http.StatusBadRequest, errorJSON{err.Error()})
	case err != nil:
		out.Error = err.Error()
		writeControl(w, http.StatusBadGateway, out)
	default:
		writeControl(w, http.StatusOK, out)
	}
}

// decodeControl reads a control request's JSON body into v, answering 400 for one that is not.
func decodeControl(w http.ResponseWriter, r *http.Request, v any) bool {
	dec := json.NewDecoder(io.LimitReader(r.Body, maxControlBody))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		writeControl(w, http.StatusBadRequest, errorJSON{"the body is not the JSON asked for: " + err.Error()})
		return false
	}
	return true
}

func writeControl(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}
