// Package liveconfigtest is an in-process fake of the v4/live_config API, for testing code that uses the
// liveconfig client or receives Live webhooks, with no credentials and no network.
//
// A [Server] serves one app on 127.0.0.1, or many ([WithApps], [Server.AddApp]) on the one listener, and
// behaves like the real service where a client can tell: it checks POST, the five query parameters,
// contenttype=json, random as a 32-bit unsigned integer, and the UserSig with tencentyun.VerifyUserSig against
// the SDKAppID, administrator and key of the app the request names (answering 70001, 70003, 70009, 70013,
// 70014, 70020, 60010 as the real service does); each app keeps one callback configuration and one token
// configuration, answers 100300, 100301, 100302 and 100002 where the real service does, enforces 200 requests
// a second of its own (60007), and answers with the real envelope and a RequestId.
//
// Every method of [App] is also a method of Server, for its first app: a test of one app never names an App.
// With many apps, [Server.App] and [Server.Apps] give each, and [SequentialApps] describes a fleet of them.
//
// In a test, start one with [New] (closed when the test ends) and use [Server.Client]. ExampleNewServer shows
// the client against it, ExampleServer_InjectFault a fault and what the server then holds, and
// ExampleServer_Deliver a signed webhook sent to a receiver.
//
// [Server.Client] and [Server.NewClient] (for a Config with some fields changed) build clients whose idle
// connections the server closes when it is closed, as httptest.Server does.
//
// Tests inspect what the server holds ([Server.Callback], [Server.Token]), received ([Server.AllRequests], or
// an app's [App.Requests]), changed ([Server.Changes], in the order applied) and is handling now
// ([Server.InFlight]), and make it misbehave with [Server.InjectFault]: an error code for the next calls (or a
// random share of them), a change applied before an error answer, latency, a dropped connection, or a raw
// answer such as an HTML 502 page ([App.ClearFaults] and [App.ClearFaultsFor] take them away).
// [Server.Deliver] sends a webhook as Tencent would (through webhook.Send), and [App.SetTokenLag] makes it go
// on signing with the old token for a while after a change, to rehearse a token rotation.
//
// Where the fake differs from the real service:
//   - It is stricter about the request: a query parameter other than the five, or one given twice, is refused
//     with 60002, and body fields are matched by their exact names (Url, CallbackCommandList, Token,
//     IsTokenEnable). A client that passes the fake sends what the documentation asks for.
//   - It refuses an empty CallbackCommandList, malformed command words, callback URLs and tokens that
//     liveconfig's Validate refuses (100002); whether the real service refuses all of them is not documented.
//   - It keeps no body of a request it refused.
//   - A changed callback URL takes effect at once, not about two minutes later; a changed token signs at once
//     too, unless SetTokenLag says otherwise.
//   - Error texts (ErrorInfo) are its own; only the codes follow the documentation.
//   - It serves only the apps it was given, and treats any other sdkappid as unknown in this region (70020).
//   - It signs webhooks with its own clock and sends ClientIP 127.0.0.1 and OptPlatform RESTAPI; it never
//     retries a delivery.
//
// The package holds no global state: many servers can run in one test binary, in parallel.
package liveconfigtest
