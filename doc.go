// Package liveconfig drives the webhook configuration of Tencent Cloud Live (TUILiveKit) through the
// v4/live_config REST API: the callback configuration (where webhooks go, and which command words) and the
// callback token (which makes Tencent sign them).
//
// A [Client] is built once per app with [NewClient] and shared. Every call takes a context, is signed with a
// cached admin UserSig (signed once per validity period, not per request) and a fresh random, waits on a
// client-side rate limiter (200 requests a second by default), and retries what is safe to retry with
// exponential backoff and jitter. Failures are typed: server answers are [*APIError] values that match the
// sentinels ([ErrCallbackExists], [ErrAuth], ...) with errors.Is; input this client refuses is an
// [*InputError], refused before anything is sent. No error, log line or printed value carries the SecretKey
// or a UserSig.
//
// The liveconfigtest package is an in-process fake of the API for tests; the webhook package receives and
// verifies what Tencent then sends.
//
// API reference: Tencent's Live REST API pages, starting from https://trtc.io/document/64412 (Callback
// Overview) and https://trtc.io/document/69528 (Set Callback Authentication Token).
package liveconfig

// Version is this module's version, sent in the User-Agent header.
const Version = "0.1.0"
