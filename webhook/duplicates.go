package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// DuplicateFilter remembers the webhooks a handler has handled, so that one delivered again is answered
// without handing it to the HandlerFunc a second time. Tencent sends no delivery id: an "after" event is
// delivered again when retry-on-timeout is set in the console, often to another replica, and a signed
// request can be replayed by anyone who saw it for as long as its RequestTime is accepted (the Sign covers
// RequestTime, not the body). A filter shared by every replica (such as liveconfigredis.Filter) catches
// both; NewMemoryFilter catches them within one process.
type DuplicateFilter interface {
	// Seen records key for ttl and reports whether it was already recorded and had not expired. It must be
	// atomic: of two concurrent calls with one key, one reports false. It must be safe for concurrent use.
	Seen(ctx context.Context, key string, ttl time.Duration) (bool, error)
}

// DuplicateForgetter is a DuplicateFilter that can drop a key. When the HandlerFunc fails (an error other than
// a Reject, or a panic), the handler forgets the webhook's key, so that the same webhook delivered again, as
// Tencent does after a timeout, is handled rather than answered as a duplicate of one that never was. A
// rejection is an answer, and stays remembered. MemoryFilter and liveconfigredis.Filter implement it; with a
// filter that does not, a failed webhook stays remembered for the window.
type DuplicateForgetter interface {
	Forget(ctx context.Context, key string) error
}

// duplicateKey is the key a webhook is remembered by: the app's SDKAppID, its command word and the SHA-256 of
// its exact body, cut to 128 bits, as "1400000001:Live.CallbackAfterMemberStateChanged:<32 hex digits>". The
// app is in it so that handlers of several apps can share one filter (one Redis for a fleet of apps) without
// answering one app's webhook as a duplicate of another's with the same body. The query is left out: Tencent
// signs a retry anew, with another RequestTime and Sign.
func duplicateKey(sdkAppID uint64, cmd liveconfig.Command, sum *[16]byte) string {
	var b strings.Builder
	b.Grow(20 + 1 + len(cmd) + 1 + 32)
	var id [20]byte
	b.Write(strconv.AppendUint(id[:0], sdkAppID, 10))
	b.WriteByte(':')
	b.WriteString(string(cmd))
	b.WriteByte(':')
	var digits [32]byte
	hex.Encode(digits[:], sum[:])
	b.Write(digits[:])
	return b.String()
}

// webhookDigest is what the handler tells a webhook apart by, taken while its body is at hand. With a
// MemoryFilter (mem), it is the filter's own hash of the app, command word and body, so that no key string is
// built and hashed again; with any other filter, the first 128 bits of the body's SHA-256, the same in every
// process, for duplicateKey.
type webhookDigest struct {
	mem  *MemoryFilter
	hash [2]uint64 // with mem
	sha  [16]byte  // without
}

// take digests the body of the webhook of cmd for app.
func (d *webhookDigest) take(app uint64, cmd liveconfig.Command, body []byte) {
	if d.mem != nil {
		d.hash = d.mem.hashWebhook(app, cmd, body)
		return
	}
	sum := sha256.Sum256(body)
	copy(d.sha[:], sum[:16])
}
