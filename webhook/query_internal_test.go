package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestParseQueryReadsEveryNameInAnyCase(t *testing.T) {
	t.Parallel()
	q, err := parseQuery("sdkappid=1&CALLBACKCOMMAND=Live.A&webhookcommand=Live.B&clientip=203.0.113.7" +
		"&optplatform=Web&SIGN=s&requesttime=9&contenttype=json&Signs=x&ClientIPs=y")
	require.NoError(t, err)
	assert.Equal(t, query{sdkAppID: "1", command: "Live.A", webhookCommand: "Live.B", clientIP: "203.0.113.7",
		optPlatform: "Web", sign: "s", requestTime: "9"}, q)
}

func TestParseQueryIgnoresNamesOfTheSameLength(t *testing.T) {
	t.Parallel()
	// Names as long as one the receiver reads, but another: each must miss.
	q, err := parseQuery("Sigm=1&SdkAppix=2&ClientIQ=3&RequestTimf=4&OptPlatforn=5&WebhookCommanx=6&CallbackCommanx=7")
	require.NoError(t, err)
	assert.Equal(t, query{}, q)
}

func TestParseQueryKeepsTheFirstOccurrenceAndUnescapes(t *testing.T) {
	t.Parallel()
	q, err := parseQuery("ClientIP=203.0.113.7&clientip=198.51.100.1&OptPlatform=Mini%20Program&Sign=a+b")
	require.NoError(t, err)
	assert.Equal(t, "203.0.113.7", q.clientIP, "the first occurrence wins")
	assert.Equal(t, "Mini Program", q.optPlatform)
	assert.Equal(t, "a b", q.sign)

	_, err = parseQuery("Sign=%zz")
	assert.Error(t, err, "a malformed escape")
	q, err = parseQuery("contenttype=%zz&Sign=s")
	require.NoError(t, err, "a parameter the receiver does not read is not unescaped")
	assert.Equal(t, "s", q.sign)
}
