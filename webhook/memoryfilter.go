package webhook

import (
	"context"
	"hash/maphash"
	"math/bits"
	"sync"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// DefaultMemoryFilterEntries is the number of webhooks NewMemoryFilter(0) remembers: 1.6 MB, and 500
// webhooks a second over the default window of 3 minutes.
const DefaultMemoryFilterEntries = 100_000

// memoryWays is the number of entries of a bucket: 4 of 16 bytes, one 64-byte cache line.
const memoryWays = 4

// memoryLocks is the number of locks the buckets are shared out to.
const memoryLocks = 64

// MemoryFilter is a DuplicateFilter for one process: it catches a webhook delivered twice to the same
// replica, and a replay sent to it. It remembers at most a fixed number of keys, each as 16 bytes (a 64-bit
// fingerprint of a 128-bit hash, and its expiry), in buckets of four that each fill one cache line, so that a
// Seen reads and writes one line of memory and the filter's working set stays small beside the rest of the
// receiver's. A key's bucket is chosen by one half of its hash and the key is told apart by the other; two
// keys are taken for one only if both halves meet, about once in 2^64 lookups of a full filter. When a
// bucket is full, the entry that expires first is forgotten, so that a repeat of one that old is handled
// again rather than refused. Size it at the webhooks a second you expect times Config.DuplicateWindow. It
// never fails. It is safe for concurrent use. For several replicas, use a filter they share
// (liveconfigredis.Filter).
type MemoryFilter struct {
	now     func() time.Time
	seed    [2]maphash.Seed
	buckets []memoryBucket
	locks   [memoryLocks]sync.Mutex
}

type memoryBucket [memoryWays]memoryEntry

type memoryEntry struct {
	fingerprint uint64 // 0: empty
	expires     int64  // Unix nanoseconds
}

var _ DuplicateForgetter = (*MemoryFilter)(nil)

// NewMemoryFilter returns a MemoryFilter that remembers up to maxEntries webhooks (rounded down to a multiple
// of 4, at least 4); 0 or less means DefaultMemoryFilterEntries. It allocates its 16 bytes an entry at once.
func NewMemoryFilter(maxEntries int) *MemoryFilter {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryFilterEntries
	}
	return &MemoryFilter{now: time.Now, seed: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()},
		buckets: make([]memoryBucket, max(1, maxEntries/memoryWays))}
}

// Seen records key for ttl and reports whether it was already recorded and had not expired. The error is
// always nil.
func (f *MemoryFilter) Seen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	return f.seen(f.hashKey(key), f.now().UnixNano(), ttl), nil
}

// Forget drops key, so that the next Seen of it reports false. The error is always nil.
func (f *MemoryFilter) Forget(_ context.Context, key string) error {
	f.forget(f.hashKey(key))
	return nil
}

// hashKey is the 128-bit hash a key is kept by.
func (f *MemoryFilter) hashKey(key string) [2]uint64 {
	return [2]uint64{maphash.String(f.seed[0], key), maphash.String(f.seed[1], key)}
}

// hashWebhook is the 128-bit hash the handler keeps a webhook by: of its app, command word and body, with the
// filter's seeds, made while the body is at hand. It stands for duplicateKey's string, which a MemoryFilter
// would only hash again: the seeds are the process's secret, so nobody can make two webhooks meet.
//
// Each half is one seeded hash of the body, and one of the command word, in one pass each (streaming the
// three through a maphash.Hash costs 2.5 times as much). The app is added times an odd number, which tells
// every app apart: two webhooks of the same command word and body for two apps never meet, and any other two
// meet in one half with the odds of two seeded hashes meeting, about 2^-64.
func (f *MemoryFilter) hashWebhook(app uint64, cmd liveconfig.Command, body []byte) [2]uint64 {
	var out [2]uint64
	for i, seed := range f.seed {
		out[i] = maphash.Bytes(seed, body) ^ (maphash.String(seed, string(cmd)) + app*appMultiplier)
	}
	return out
}

// appMultiplier spreads SDKAppIDs over the 64 bits of a hash; being odd, it maps no two of them to one value.
const appMultiplier = 0x9e3779b97f4a7c15

// seen is Seen of a hash at now (Unix nanoseconds).
func (f *MemoryFilter) seen(hash [2]uint64, now int64, ttl time.Duration) bool {
	i, fingerprint := f.locate(hash)
	mu := &f.locks[i%memoryLocks]
	mu.Lock()
	defer mu.Unlock()
	b := &f.buckets[i]
	evict := 0
	for w := range b {
		e := &b[w]
		if e.fingerprint == fingerprint && e.expires > now {
			return true
		}
		if e.expires < b[evict].expires {
			evict = w // the first to expire; an empty or expired entry before any live one
		}
	}
	b[evict] = memoryEntry{fingerprint: fingerprint, expires: now + int64(ttl)}
	return false
}

// forget is Forget of a hash.
func (f *MemoryFilter) forget(hash [2]uint64) {
	i, fingerprint := f.locate(hash)
	mu := &f.locks[i%memoryLocks]
	mu.Lock()
	defer mu.Unlock()
	b := &f.buckets[i]
	for w := range b {
		if b[w].fingerprint == fingerprint {
			b[w] = memoryEntry{}
		}
	}
}

// locate returns the bucket of a hash, chosen by its first half, and its fingerprint, the second half, never
// 0 (the mark of an empty entry).
func (f *MemoryFilter) locate(hash [2]uint64) (bucket int, fingerprint uint64) {
	hi, _ := bits.Mul64(hash[0], uint64(len(f.buckets))) // uniform over the buckets, without a division
	return int(hi), max(hash[1], 1)
}

// Len returns the number of keys remembered, expired ones not yet replaced included.
func (f *MemoryFilter) Len() int {
	n := 0
	for i := range f.buckets {
		mu := &f.locks[i%memoryLocks]
		mu.Lock()
		for _, e := range f.buckets[i] {
			if e.fingerprint != 0 {
				n++
			}
		}
		mu.Unlock()
	}
	return n
}
