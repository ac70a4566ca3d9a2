package webhook

import "time"

// Hooks for the external tests.

// SetMemoryFilterClock sets the clock a MemoryFilter decides expiry by.
func SetMemoryFilterClock(f *MemoryFilter, now func() time.Time) { f.now = now }
