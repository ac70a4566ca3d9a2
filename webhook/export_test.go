package webhook

import "time"

// Hooks for the external tests.

// SetMemoryFilterClock sets the clock a MemoryFilter decides expiry by.
func SetMemoryFilterClock(f *MemoryFilter, now func() time.Time) { f.now = now }

// MemoryFilterRemembers reports whether f holds key unexpired, without recording it as Seen would.
func MemoryFilterRemembers(f *MemoryFilter, key string) bool {
	i, fingerprint := f.locate(f.hashKey(key))
	mu := &f.locks[i%memoryLocks]
	mu.Lock()
	defer mu.Unlock()
	now := f.now().UnixNano()
	for _, e := range f.buckets[i] {
		if e.fingerprint == fingerprint && e.expires > now {
			return true
		}
	}
	return false
}
