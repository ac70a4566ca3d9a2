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
		if strings.ContainsAny(value, "%+") {
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

// field returns where the parameter named key goes, or nil for one the receiver does not read.
func (q *query) field(key string) *string {
	switch {
	case strings.EqualFold(key, "SdkAppid"):
		return &q.sdkAppID
	case strings.EqualFold(key, "CallbackCommand"):
		return &q.command
	case strings.EqualFold(key, "WebhookCommand"):
		return &q.webhookCommand
	case strings.EqualFold(key, "ClientIP"):
		return &q.clientIP
	case strings.EqualFold(key, "OptPlatform"):
		return &q.optPlatform
	case strings.EqualFold(key, "Sign"):
		return &q.sign
	case strings.EqualFold(key, "RequestTime"):
		return &q.requestTime
	}
	return nil
}

// commandWord is the command word the query names: CallbackCommand, or else WebhookCommand.
func (q *query) commandWord() string {
	if q.command != "" {
		return q.command
	}
	return q.webhookCommand
}
