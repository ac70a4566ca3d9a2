package liveconfigredis

import (
	"sync/atomic"
	"time"
)

// OutageBackoff is the default of FilterOptions.OutageBackoff and LimiterOptions.OutageBackoff: how long
// Filter and Limiter leave Redis alone after it failed (an error, or no answer within their timeout): in that time they answer without it (Filter.Seen with ErrUnavailable, Limiter.Wait
// on its process's own limit) instead of waiting up to their timeout on every call. After it, one call asks
// Redis again while the others go on without it until that call has its answer, so that a Redis that hangs
// costs one call's timeout per OutageBackoff, not every call's.
const OutageBackoff = time.Second

// outage remembers until when Redis is left alone. The zero value is no outage, with OutageBackoff.
type outage struct {
	until   atomic.Int64  // Unix nanoseconds; 0 when Redis answered last
	backoff time.Duration // 0 means OutageBackoff
}

func (o *outage) period() time.Duration {
	if o.backoff > 0 {
		return o.backoff
	}
	return OutageBackoff
}

// ongoing reports whether Redis is to be left alone: it failed less than OutageBackoff ago, or it failed
// longer ago and another call is asking it again. Of the calls that find the backoff over, one is told false,
// and is to record the answer with failed or answered.
func (o *outage) ongoing() bool {
	until := o.until.Load()
	if until == 0 {
		return false
	}
	now := time.Now().UnixNano()
	if now < until {
		return true
	}
	// This call asks Redis; the others wait out another backoff unless its answer ends the outage first.
	return !o.until.CompareAndSwap(until, now+int64(o.period()))
}

// failed records a failure of Redis, and reports whether it begins an outage (Redis had answered last).
func (o *outage) failed() bool {
	return o.until.Swap(time.Now().Add(o.period()).UnixNano()) == 0
}

// answered records that Redis answered, and reports whether that ends an outage.
func (o *outage) answered() bool {
	return o.until.Load() != 0 && o.until.Swap(0) != 0
}
