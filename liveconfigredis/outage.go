package liveconfigredis

import (
	"sync/atomic"
	"time"
)

// OutageBackoff is how long Filter and Limiter leave Redis alone after it failed: in that time they answer
// without it (Filter.Seen with ErrUnavailable, Limiter.Wait on its process's own limit) instead of waiting up to
// their timeout on every call. The first call after it asks Redis again.
const OutageBackoff = time.Second

// outage remembers until when Redis is left alone. The zero value is no outage.
type outage struct {
	until atomic.Int64 // Unix nanoseconds; 0 when Redis answered last
}

// ongoing reports whether Redis failed less than OutageBackoff ago.
func (o *outage) ongoing() bool {
	until := o.until.Load()
	return until != 0 && time.Now().UnixNano() < until
}

// failed records a failure of Redis, and reports whether it begins an outage (Redis had answered last).
func (o *outage) failed() bool {
	return o.until.Swap(time.Now().Add(OutageBackoff).UnixNano()) == 0
}

// answered records that Redis answered, and reports whether that ends an outage.
func (o *outage) answered() bool {
	return o.until.Load() != 0 && o.until.Swap(0) != 0
}
