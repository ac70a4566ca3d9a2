package webhook

import (
	"context"
	"hash/maphash"
	"sync"
	"time"
)

// DefaultMemoryFilterEntries is the number of webhooks NewMemoryFilter(0) remembers: about 9 MB, and 500
// webhooks a second over the default window of 3 minutes.
const DefaultMemoryFilterEntries = 100_000

// memoryShards is the number of independently locked parts of a MemoryFilter.
const memoryShards = 16

// MemoryFilter is a DuplicateFilter for one process: it catches a webhook delivered twice to the same
// replica, and a replay sent to it. It remembers at most a fixed number of keys, as 128-bit hashes (about 90
// bytes each with the map and the order they came in, measured by BenchmarkMemoryFilter); when full, it
// forgets the oldest first, so that a repeat of one that old is handled again rather than refused. Size it
// at the webhooks a second you expect times Config.DuplicateWindow. It never fails. It is safe for concurrent use. For several replicas, use
// a filter they share (liveconfigredis.Filter).
type MemoryFilter struct {
	now    func() time.Time
	seed   [2]maphash.Seed
	shards [memoryShards]memoryShard
}

type memoryShard struct {
	mu      sync.Mutex
	max     int
	expires map[[2]uint64]int64 // key hash -> expiry, Unix nanoseconds
	// ring holds the entries in the order remembered, oldest at head: count of them, in a circular buffer
	// that grows by doubling up to max.
	ring        []memoryEntry
	head, count int
}

type memoryEntry struct {
	key     [2]uint64
	expires int64
}

var _ DuplicateForgetter = (*MemoryFilter)(nil)

// NewMemoryFilter returns a MemoryFilter that remembers up to maxEntries webhooks; 0 or less means
// DefaultMemoryFilterEntries.
func NewMemoryFilter(maxEntries int) *MemoryFilter {
	if maxEntries <= 0 {
		maxEntries = DefaultMemoryFilterEntries
	}
	f := &MemoryFilter{now: time.Now, seed: [2]maphash.Seed{maphash.MakeSeed(), maphash.MakeSeed()}}
	perShard := max(1, (maxEntries+memoryShards-1)/memoryShards)
	for i := range f.shards {
		f.shards[i].max = perShard
		f.shards[i].expires = make(map[[2]uint64]int64)
	}
	return f
}

// Seen records key for ttl and reports whether it was already recorded and had not expired. The error is
// always nil.
func (f *MemoryFilter) Seen(_ context.Context, key string, ttl time.Duration) (bool, error) {
	hash := f.hash(key)
	now := f.now().UnixNano()
	return f.shards[hash[0]%memoryShards].seen(hash, now, now+int64(ttl)), nil
}

// Forget drops key, so that the next Seen of it reports false. The error is always nil.
func (f *MemoryFilter) Forget(_ context.Context, key string) error {
	hash := f.hash(key)
	s := &f.shards[hash[0]%memoryShards]
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.expires, hash) // its entry in the ring no longer matches, and is passed over when dropped
	return nil
}

// hash is the 128-bit hash a key is kept as.
func (f *MemoryFilter) hash(key string) [2]uint64 {
	return [2]uint64{maphash.String(f.seed[0], key), maphash.String(f.seed[1], key)}
}

// Len returns the number of keys remembered, expired ones not yet dropped included.
func (f *MemoryFilter) Len() int {
	n := 0
	for i := range f.shards {
		s := &f.shards[i]
		s.mu.Lock()
		n += len(s.expires)
		s.mu.Unlock()
	}
	return n
}

func (s *memoryShard) seen(key [2]uint64, now, expires int64) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	for s.count > 0 && s.ring[s.head].expires <= now {
		s.dropOldest()
	}
	if at, ok := s.expires[key]; ok && at > now {
		return true
	}
	if s.count == s.max {
		s.dropOldest() // full: forget the oldest
	}
	if s.count == len(s.ring) {
		s.grow()
	}
	s.ring[(s.head+s.count)%len(s.ring)] = memoryEntry{key, expires}
	s.count++
	s.expires[key] = expires
	return false
}

// dropOldest forgets the oldest entry, unless its key has been remembered again since.
func (s *memoryShard) dropOldest() {
	e := s.ring[s.head]
	s.head = (s.head + 1) % len(s.ring)
	s.count--
	if s.expires[e.key] == e.expires {
		delete(s.expires, e.key)
	}
}

// grow doubles the ring, up to max entries.
func (s *memoryShard) grow() {
	ring := make([]memoryEntry, min(max(2*len(s.ring), 64), s.max))
	for i := range s.count {
		ring[i] = s.ring[(s.head+i)%len(s.ring)]
	}
	s.ring, s.head = ring, 0
}
