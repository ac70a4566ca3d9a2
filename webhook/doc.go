// Package webhook receives the webhooks that Tencent Cloud Live (TUILiveKit) sends to the URL configured with
// liveconfig's CreateCallback or EnsureCallback, verifies them, and decodes them into typed events.
//
// [NewHandler] verifies each request and hands a typed [Event] to a function of yours; mount it on any router
// without a method in the pattern. ExampleNewHandler shows a receiver whole, with a gift limit (see
// [GiftWater.Exceeds]) and a forged request refused; ExampleVerifier_Parse shows the checks without the
// handler, and what a refusal says.
//
// # Verification
//
// Before the handler is called, each request is checked in this order: POST (else 405); SdkAppid is the
// app's (else 403); with a Token, Sign and RequestTime are present, RequestTime is within 60 s of now and Sign
// is Sign(Token, RequestTime), compared in constant time (else 401); the body is at most 1 MiB (else 413) and
// a JSON object (else 400). Refused requests are answered with that status and a JSON FAIL body with a short
// reason, and the connection is closed without reading more of it; they never reach the handler. [Verifier.Parse] does the same checks for those who do not want the
// handler.
//
// What the signature proves, and what it does not: Sign is SHA-256(Token + RequestTime), so a valid one proves
// that the sender knew the token within the last minute. It does not cover the body or the rest of the query:
// someone who sees one signed request (on an unencrypted connection, or in a proxy log) can replay it, or send
// another body with the same Sign, within that minute. Serve the callback URL over HTTPS only, and treat the
// token like a password.
//
// # Answers
//
// The handler answers HTTP 200 with {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0} when the HandlerFunc
// returns nil. [Reject] answers ActionStatus FAIL with a code and info: for Live.CallbackBeforeSendGift any
// non-zero code blocks the gift and codes 102100 to 102200 reach the sending client; for
// Group.CallbackBeforeSendMsg code 1 refuses the message and 2 drops it silently. For "after" events Tencent
// ignores the answer. Any other error, or a panic, answers ErrorCode 1 with a generic ErrorInfo and is logged:
// an error's text never leaves the process.
//
// Tencent waits about 2 s. The HandlerFunc's ctx ends at 1.8 s (Config.HandlerTimeout) so that a slow handler
// still answers. A gift or message check whose HandlerFunc has not returned by then, even one that ignores
// its ctx, is answered at once with Config.LateAnswer's decision, by default [TencentLateAnswer]: what
// Tencent does with no answer (the gift blocked, the message let through); the HandlerFunc's result, when it
// comes, is logged and told to a [LateObserver]. "After" events wait for their HandlerFunc.
// "Before" webhooks are never retried; "after" webhooks can be retried when the console says so, so a handler
// may see one event twice, and a signed request can be replayed while its RequestTime is accepted. Set
// Config.Duplicates ([NewMemoryFilter] for one process, liveconfigredis.Filter for a fleet) to answer a repeat
// without calling the HandlerFunc; make handlers idempotent all the same, since a failing filter lets events
// through rather than drop them.
//
// # Events
//
// Each command word of liveconfig.KnownCommands decodes to its own type, but for
// Live.CallbackBeforeCallBackNotBlock, which is a switch, not an event. A well-formed word this package does not know becomes an [*UnknownEvent] with the
// raw body, handed to the handler and answered OK. Decoding accepts what Tencent's documents show: accounts
// as strings or bare numbers ([Account]), EventTime as a number or a string ([UnixMilli]), absent optional
// fields.
package webhook
