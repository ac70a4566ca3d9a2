package liveconfig

import (
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
			d := p.backoff(retry, ErrInternal)
			assert.GreaterOrEqual(t, d, time.Duration(0))
			assert.LessOrEqual(t, d, limit, "retry %d", retry)
		}
	}
	var longest time.Duration
	for range 200 {
		longest = max(longest, p.backoff(10, &APIError{Code: 60007}))
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
