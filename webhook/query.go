package webhook

import (
	"net/url"
	"strings"
)

// query holds the parameters of a webhook request that the receiver reads. Tencent's pages spell some names
// differently (SdkAppid and SdkAppId; CallbackCommand and, in one overview, WebhookCommand), so names are
// matched without regard to case, and the first occurrence of a name wins.
type query struct {
	sdkAppID, command, webhookCommand, clientIP, optPlatform, sign, requestTime string
}

// parseQuery reads the parameters the receiver needs from a raw query string, without building a map of
// every parameter. It fails on a malformed escape.
func parseQuery(raw string) (query, error) {
	var q query
	for raw != "" {
		var pair string
		pair, raw, _ = strings.Cut(raw, "&")
		key, value, _ := strings.Cut(pair, "=")
		field := q.field(key)
		if field == nil || *field != "" {
			continue
		}
		if strings.IndexByte(value, '%') >= 0 || strings.IndexByte(value, '+') >= 0 {
			unescaped, err := url.QueryUnescape(value)
			if err != nil {
				return q, err
			}
			value = unescaped
		}
		*field = value
	}
	return q, nil
}

// field returns where the parameter named key goes, or nil for one the receiver does not read. The length
// picks the names to compare, so that a parameter costs at most two comparisons, not seven.
func (q *query) field(key string) *string {
	var name string
	var to *string
	switch len(key) {
	case len("Sign"):
		name, to = "Sign", &q.sign
	case len("SdkAppid"): // and ClientIP
		if strings.EqualFold(key, "ClientIP") {
			return &q.clientIP
		}
		name, to = "SdkAppid", &q.sdkAppID
	case len("RequestTime"): // and OptPlatform
		if strings.EqualFold(key, "OptPlatform") {
			return &q.optPlatform
		}
		name, to = "RequestTime", &q.requestTime
	case len("WebhookCommand"):
		name, to = "WebhookCommand", &q.webhookCommand
	case len("CallbackCommand"):
		name, to = "CallbackCommand", &q.command
	default:
		return nil
	}
	if !strings.EqualFold(key, name) {
		return nil
	}
	return to
}

// commandWord is the command word the query names: CallbackCommand, or else WebhookCommand.
func (q *query) commandWord() string {
	if q.command != "" {
		return q.command
	}
	return q.webhookCommand
}
