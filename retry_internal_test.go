package liveconfig

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

func TestBackoffIsFullJitterWithinTheCap(t *testing.T) {
	t.Parallel()
	p := RetryPolicy{}.withDefaults()
	for retry := range 40 {
		limit := min(p.MaxDelay, p.BaseDelay<<min(retry, 30))
		for range 50 {
			d := p.backoff(retry, false)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			assert.LessOrEqual(t, d, limit, "retry %d", retry)
		}
	}
	var longest time.Duration
	for range 200 {
		longest = max(longest, p.backoff(10, true))
	}
	assert.Greater(t, longest, p.MaxDelay, "rate-limit codes wait longer")
	assert.LessOrEqual(t, longest, p.RateLimitMaxDelay)
}

func TestRegionHintNamesTheFieldThatWasSet(t *testing.T) {
	t.Parallel()
	byRegion := Config{Region: RegionSingapore}
	assert.Equal(t, "the app may live in another region than Config.Region (singapore)", byRegion.regionHint())
	byEndpoint := Config{Region: RegionSingapore, Endpoint: "https://" + RegionSingapore.BackupHost()}
	assert.Contains(t, byEndpoint.regionHint(), "Config.Endpoint")
}

// TestBackoffSaturates: delays at the top of time.Duration, which NewClient accepts, wait at most the cap and
// never panic (they did: rand.N(limit+1) overflowed).
func TestBackoffSaturates(t *testing.T) {
	t.Parallel()
	for _, p := range []RetryPolicy{
		{BaseDelay: math.MaxInt64, MaxDelay: math.MaxInt64, RateLimitBaseDelay: math.MaxInt64, RateLimitMaxDelay: math.MaxInt64},
		{BaseDelay: 1, MaxDelay: math.MaxInt64},
		{BaseDelay: math.MaxInt64 / 3, MaxDelay: math.MaxInt64 - 1},
	} {
		p = p.withDefaults()
		for retry := range 70 {
			for _, rateLimited := range []bool{false, true} {
				d := p.backoff(retry, rateLimited)
				assert.GreaterOrEqual(t, d, time.Duration(0))
			}
		}
	}
}

// FuzzRetryPolicy: no RetryPolicy that NewClient accepts makes the backoff panic or leave [0, cap].
func FuzzRetryPolicy(f *testing.F) {
	f.Add(int64(math.MaxInt64), int64(math.MaxInt64), int64(0), int64(0), 3, false)
	f.Add(int64(1), int64(math.MaxInt64), int64(1), int64(math.MaxInt64), 40, true)
	f.Add(int64(100e6), int64(2e9), int64(500e6), int64(5e9), 0, false)
	f.Fuzz(func(t *testing.T, base, ceiling, rlBase, rlCeiling int64, retry int, limited bool) {
		p := RetryPolicy{BaseDelay: time.Duration(base), MaxDelay: time.Duration(ceiling),
			RateLimitBaseDelay: time.Duration(rlBase), RateLimitMaxDelay: time.Duration(rlCeiling)}
		if p.validate() != nil {
			return
		}
		p = p.withDefaults()
		ceil := p.MaxDelay
		if limited {
			ceil = p.RateLimitMaxDelay
		}
		d := p.backoff(retry, limited)
		if d < 0 || d > ceil {
			t.Fatalf("backoff %v outside [0, %v]", d, ceil)
		}
	})
}
