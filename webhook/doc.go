// Package webhook receives the webhooks that Tencent Cloud Live (TUILiveKit) sends to the URL set with
// liveconfig's CreateCallback, and verifies the signature Tencent adds once a callback token is enabled.
package webhook
