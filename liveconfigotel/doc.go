// Package liveconfigotel records what a liveconfig.Client and a webhook handler do as OpenTelemetry traces and
// metrics, through the hooks both expose (liveconfig.Observer and webhook.Observer). It is a module of its own
// (go get github.com/go-tuilive/liveconfig/liveconfigotel, Go 1.26), released with the root module at the same
// version, so a program that does not use it has none of OpenTelemetry in its module graph.
//
//	obs, err := liveconfigotel.NewClientObserver() // the global TracerProvider and MeterProvider
//	if err != nil { ... }
//	cfg.Observer = obs
//	client, err := liveconfig.NewClient(cfg)
//
//	hooks, err := liveconfigotel.NewWebhookObserver()
//	if err != nil { ... }
//	whcfg.Observer = hooks
//	handler, err := webhook.NewHandler(whcfg, handle)
//
// # Traces
//
// A client call is a span named "liveconfig {op}" (for example "liveconfig set_callback"), child of the span in
// the caller's context, with a child span "POST" of kind client per attempt. The call span carries
// liveconfig.op, liveconfig.sdkappid, liveconfig.attempts and liveconfig.outcome; an attempt span carries
// liveconfig.attempt, http.request.method, url.full (the endpoint without its query: the query holds the
// UserSig), server.address, server.port, http.response.status_code, liveconfig.error_code,
// liveconfig.request_id, liveconfig.retry_reason and liveconfig.limiter_wait (seconds). A failed call or
// attempt has status Error, error.type (see below) and the error's text as description: the text the caller
// gets, from which the client has removed every credential.
//
// A webhook request is a span of kind server named "liveconfig webhook {command}" ("liveconfig webhook" when
// refused), child of a span a middleware of the caller's started in the request's context, or else a new root:
// Tencent sends no trace context, and a remote one in the context (from a header anyone can set) is not
// continued. It carries liveconfig.webhook.command, liveconfig.webhook.outcome, liveconfig.webhook.refusal,
// liveconfig.webhook.token (current or previous, for a signed request), http.response.status_code, liveconfig.error_code and liveconfig.webhook.budget_left (seconds); a request
// whose HandlerFunc failed or panicked has status Error.
//
// # Metrics
//
// Client (meter "github.com/go-tuilive/liveconfig/liveconfigotel"):
//   - liveconfig.client.calls {call}: by liveconfig.op and liveconfig.outcome
//   - liveconfig.client.call.duration (s): by liveconfig.op and liveconfig.outcome
//   - liveconfig.client.attempts {attempt}: by liveconfig.op and liveconfig.outcome
//   - liveconfig.client.attempt.duration (s): by liveconfig.op and liveconfig.outcome
//   - liveconfig.client.retries {retry}: by liveconfig.op and liveconfig.retry_reason
//   - liveconfig.client.limiter.wait (s): by liveconfig.op
//   - liveconfig.client.usersig.signings {signing}: every UserSig signed (the first, each renewal, and each
//     one signed again because the server refused the cached one)
//
// Webhook:
//   - liveconfig.webhook.requests {request}: by liveconfig.webhook.command, liveconfig.webhook.outcome,
//     liveconfig.webhook.refusal and liveconfig.webhook.token ("current" or "previous": which of
//     webhook.Config's tokens signed it; absent when unsigned or refused). During a token rotation, the old
//     token is no longer used once the "previous" count stops growing.
//   - liveconfig.webhook.handler.duration (s): time in the HandlerFunc, by command and outcome; refused
//     requests and duplicates, which never reach it, are not recorded
//   - liveconfig.webhook.filter.errors {error}: webhooks handled without the duplicate filter's answer
//     because it failed, by command
//   - liveconfig.webhook.budget.left (s): what was left of the 2 s Tencent waits when the answer was written,
//     by command; 0 for a late answer
//   - liveconfig.webhook.late {request}: answers written after the 2 s, by command
//   - liveconfig.webhook.handler.late {request}: HandlerFuncs of "before" events that returned after the
//     handler had answered for them (webhook.Config.LateAnswer), by command and the outcome they would have
//     answered
//
// liveconfig.outcome is "ok" or the error's class, which is also its error.type: "canceled" (the caller's
// context was cancelled), "timeout" (a deadline passed), "api_error" (the server answered an error code),
// "response_error" (an answer that is not the API's) or "transport_error" (no answer); anything else is
// "error". liveconfig.webhook.outcome is "ok", "rejected", "error", "refused", "duplicate" (answered OK
// without the HandlerFunc: see webhook.Config.Duplicates) or "late" (a "before" event answered by
// webhook.Config.LateAnswer because its HandlerFunc had not returned in time), and liveconfig.webhook.refusal
// names the reason of a refusal ("unsigned", "stale", "bad_signature", "foreign_app", "body_too_large",
// "not_json", "malformed", "method_not_allowed"). A refused request has no command label: its word is the
// sender's, and anyone could add labels with it.
//
// # Credentials
//
// Nothing recorded holds the SecretKey, a UserSig, the webhook token or a Sign: the hooks are given none of
// them, URLs are recorded without their query, and errors are recorded as the client returns them, redacted.
// Do not wrap Config.HTTPClient's transport in a generic HTTP instrumentation such as otelhttp instead: it
// records each request's full URL, query and UserSig included.
//
// # Cost
//
// With a no-op provider (the default until one is set) an observer skips every attribute and measurement; the
// benchmarks in BENCHMARKS.md measure it against a client without one. Attribute sets for metrics are built
// once per op and outcome, not per call.
package liveconfigotel
