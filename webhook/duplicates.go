package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
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

// DuplicateMargin is what Config.DuplicateWindow adds, by default, to the time a replay can be accepted in:
// room for the clocks of the replicas and of Tencent to differ.
const DuplicateMargin = time.Minute

// duplicateWindow is how long a handled webhook is remembered. A request is accepted while its RequestTime is
// within MaxSkew of now, so the first copy can arrive MaxSkew before RequestTime and a replay MaxSkew after it.
func (c Config) duplicateWindow() time.Duration {
	if c.DuplicateWindow > 0 {
		return c.DuplicateWindow
	}
	return 2*c.MaxSkew + DuplicateMargin
}

// duplicateKey is the key a webhook is remembered by: its command word and the SHA-256 of its exact body, cut
// to 128 bits. The query is left out: Tencent signs a retry anew, with another RequestTime and Sign.
func duplicateKey(cmd liveconfig.Command, body *[sha256.Size]byte) string {
	var b strings.Builder
	b.Grow(len(cmd) + 1 + 32)
	b.WriteString(string(cmd))
	b.WriteByte(':')
	var digits [32]byte
	hex.Encode(digits[:], body[:16])
	b.Write(digits[:])
	return b.String()
}

// filtered reports whether cmd goes through the duplicate filter. "Before" events do not: their answer is a
// decision Tencent acts on, and answering a repeat OK would allow what the first answer refused; a HandlerFunc
// decides them again.
func filtered(cmd liveconfig.Command) bool {
	_, name, _ := strings.Cut(string(cmd), ".")
	return !strings.HasPrefix(name, "CallbackBefore")
}
