package liveconfig

import (
	"crypto/tls"
	"net/http"
	"time"

	"github.com/go-resty/resty/v2"
)

// tlsMinVersion is the oldest TLS version the default transport speaks.
const tlsMinVersion = tls.VersionTLS12

// maxResponseBytes caps how much of an answer the client reads. Real envelopes are a few hundred bytes.
const maxResponseBytes = 1 << 20

// newRESTClient returns the one resty client every request of a Client goes out through. It wraps a copy of
// the caller's *http.Client, or a tuned default, so the caller's Transport (and so its pool and TLS settings)
// is used and the caller's client is never changed.
//
// resty is set up to print nothing: its logger is silent, its warnings are off and its debug mode stays off,
// because a debug dump would print the request URL, whose query holds the UserSig. This package reports
// through errors and Config.Logger instead.
func newRESTClient(hc *http.Client) *resty.Client {
	rc := resty.NewWithClient(ownHTTPClient(hc))
	rc.SetLogger(silentLogger{}) // first: the setters below may log
	rc.SetDisableWarn(true)
	rc.SetDebug(false)
	// A redirected POST would be replayed or turned into a GET, neither of which the API expects: the 3xx
	// answer itself comes back, and is reported as a *ResponseError.
	rc.SetRedirectPolicy(resty.RedirectPolicyFunc(func(*http.Request, []*http.Request) error {
		return http.ErrUseLastResponse
	}))
	rc.SetResponseBodyLimit(maxResponseBytes)
	rc.SetHeaders(map[string]string{
		"Content-Type": "application/json",
		"Accept":       "application/json", // resty would otherwise add it to each request's header itself
		"User-Agent":   "liveconfig-go/" + Version,
	})
	return rc
}

// ownHTTPClient returns a copy of the caller's client, or a tuned default. The copy keeps the caller's
// Transport; a caller's client without one gets http.DefaultTransport, as it would itself.
func ownHTTPClient(hc *http.Client) *http.Client {
	var own http.Client
	if hc != nil {
		own = *hc
	}
	if own.Transport == nil {
		if hc == nil {
			own.Transport = defaultTransport()
		} else {
			own.Transport = http.DefaultTransport
		}
	}
	return &own
}

// NewTransport returns a new transport set up as a Client's default one: a pool of keep-alive connections,
// 64 idle ones per host, TLS 1.2 or later with certificate verification on. Clients for many apps that share
// one, through Config.HTTPClient, share one connection pool per host rather than one each.
func NewTransport() *http.Transport { return defaultTransport() }

// defaultTransport keeps enough idle connections per host for the documented 200 requests a second, with
// certificate verification on and TLS 1.2 as the floor.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 100
	t.MaxIdleConnsPerHost = 64
	t.IdleConnTimeout = 90 * time.Second
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.MinVersion = tlsMinVersion
	return t
}

// silentLogger keeps resty from printing anything.
type silentLogger struct{}

func (silentLogger) Errorf(string, ...any) {}
func (silentLogger) Warnf(string, ...any)  {}
func (silentLogger) Debugf(string, ...any) {}
