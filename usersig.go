package liveconfig

import (
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"
)

// DefaultUserSigTTL is the validity the client signs its admin UserSig for when Config.UserSigTTL is zero.
// Short on purpose: a leaked admin UserSig is full admin access for its lifetime.
const DefaultUserSigTTL = time.Hour

// Bounds of Config.UserSigTTL.
const (
	MinUserSigTTL = time.Minute
	MaxUserSigTTL = 24 * time.Hour
)

// signFunc has the shape of tencentyun.GenUserSig.
type signFunc func(sdkappid int, key, identifier string, expireSeconds int) (string, error)

// signedUserSig is one cached signature.
type signedUserSig struct {
	escaped string      // the UserSig, escaped for a URL query
	raw     string      // the UserSig as signed
	secrets credentials // every fragment of this UserSig and of the SecretKey, to find them in error text
	renewAt time.Time   // when the cache signs again, a safety margin before expiry
}

func newSignedUserSig(raw, secretKey string, renewAt time.Time) *signedUserSig {
	return &signedUserSig{escaped: url.QueryEscape(raw), raw: raw, secrets: credentialsOf(raw, secretKey), renewAt: renewAt}
}

// userSigCache hands out the admin UserSig, signing a new one only when the cached one comes within a
// safety margin of expiry or is reported stale by the server. Signing costs 0.3 to 0.7 ms and 800 KB of
// garbage (the zlib writer), more than a loopback round trip, so it happens once per validity period, and
// concurrent callers that find the signature due wait for one renewal instead of each signing.
type userSigCache struct {
	sdkAppID   int
	identifier string
	secretKey  string
	ttl        time.Duration
	margin     time.Duration
	now        func() time.Time
	sign       signFunc

	current atomic.Pointer[signedUserSig]
	renew   sync.Mutex // held while signing, so one renewal serves every waiting caller
}

func newUserSigCache(sdkAppID uint64, identifier, secretKey string, ttl time.Duration) *userSigCache {
	return &userSigCache{
		sdkAppID:   int(sdkAppID),
		identifier: identifier,
		secretKey:  secretKey,
		ttl:        ttl,
		margin:     renewalMargin(ttl),
		now:        time.Now,
		sign:       tencentyun.GenUserSig,
	}
}

// renewalMargin is how long before expiry the cache signs again: a fifth of the validity, kept between
// 10 seconds and 10 minutes, so a request never leaves with a signature about to expire in flight.
func renewalMargin(ttl time.Duration) time.Duration {
	return min(max(ttl/5, 10*time.Second), 10*time.Minute)
}

// get returns a signature that stays valid for at least the margin, and whether this call signed it.
func (c *userSigCache) get() (sig *signedUserSig, signed bool, err error) {
	if s := c.current.Load(); s != nil && c.now().Before(s.renewAt) {
		return s, false, nil
	}
	c.renew.Lock()
	defer c.renew.Unlock()
	if s := c.current.Load(); s != nil && c.now().Before(s.renewAt) {
		return s, false, nil // another caller renewed it while this one waited
	}
	signedAt := c.now()
	raw, err := c.sign(c.sdkAppID, c.secretKey, c.identifier, int(c.ttl/time.Second))
	if err != nil {
		return nil, false, fmt.Errorf("liveconfig: signing the admin UserSig: %w", err)
	}
	s := newSignedUserSig(raw, c.secretKey, signedAt.Add(c.ttl-c.margin))
	c.current.Store(s)
	return s, true, nil
}

// invalidate drops stale, which the server refused as expired or revoked, so the next get signs again. A
// signature that another caller has already replaced is left alone.
func (c *userSigCache) invalidate(stale *signedUserSig) {
	c.current.CompareAndSwap(stale, nil)
}
