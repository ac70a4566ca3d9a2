package liveconfigredis

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-tuilive/liveconfig/webhook"
)

// DefaultKeyPrefix starts every key this package writes.
const DefaultKeyPrefix = "liveconfig:"

// DefaultFilterTimeout is how long Filter.Seen waits for Redis by default: a small share of the 2 s Tencent
// waits for a webhook's answer.
const DefaultFilterTimeout = 100 * time.Millisecond

// FilterOptions tune a Filter. The zero value is the defaults.
type FilterOptions struct {
	// KeyPrefix starts the filter's keys, which are KeyPrefix + "webhook:seen:" + the handler's key. Empty
	// means DefaultKeyPrefix.
	KeyPrefix string
	// Timeout bounds each call to Redis, whatever the client's own options: a Redis that does not answer in
	// time is left behind (see the package documentation). 0 means DefaultFilterTimeout.
	Timeout time.Duration
	// OutageBackoff is how long Redis is left alone after a failure. 0 means OutageBackoff (1 s).
	OutageBackoff time.Duration
}

// Filter is a webhook.DuplicateFilter that every replica shares through Redis: a webhook is recorded with
// SET key 1 NX PX ttl, so of all the replicas it reaches, exactly one is told it is new. Each call is one
// round trip. It is safe for concurrent use.
type Filter struct {
	rdb     redis.UniversalClient
	prefix  string
	timeout time.Duration
	outage  outage
}

// ErrUnavailable is the error of Filter.Seen while Redis is left alone after a failure (see OutageBackoff).
var ErrUnavailable = errors.New("liveconfigredis: Redis failed less than a second ago; not asked")

var (
	_ webhook.DuplicateFilter    = (*Filter)(nil)
	_ webhook.DuplicateForgetter = (*Filter)(nil)
)

// NewFilter returns a Filter on rdb. It sends nothing until the first Seen. A nil rdb panics, with a message.
func NewFilter(rdb redis.UniversalClient, opts FilterOptions) *Filter {
	mustHaveClient(rdb)
	f := &Filter{rdb: rdb, prefix: opts.KeyPrefix, timeout: opts.Timeout}
	f.outage.backoff = opts.OutageBackoff
	if f.prefix == "" {
		f.prefix = DefaultKeyPrefix
	}
	if f.timeout <= 0 {
		f.timeout = DefaultFilterTimeout
	}
	f.prefix += "webhook:seen:"
	return f
}

// Seen records key for ttl (at least a millisecond) and reports whether another call had recorded it first.
// Its error says Redis failed or did not answer within the timeout, or is ErrUnavailable within OutageBackoff
// of such a failure; the handler then handles the webhook anyway.
func (f *Filter) Seen(ctx context.Context, key string, ttl time.Duration) (bool, error) {
	if f.outage.ongoing() {
		return false, ErrUnavailable
	}
	ms := max(ttl.Milliseconds(), 1)
	err := bounded(ctx, f.timeout, func(ctx context.Context) error {
		return f.rdb.Do(ctx, "SET", f.prefix+key, "1", "NX", "PX", ms).Err()
	})
	switch {
	case err == nil:
		f.outage.answered()
		return false, nil // set: new
	case errors.Is(err, redis.Nil):
		f.outage.answered()
		return true, nil // not set: recorded before
	}
	f.outage.failed()
	return false, fmt.Errorf("liveconfigredis: duplicate filter: %w", err)
}

// Forget deletes key, so that the next Seen of it, on any replica, reports false: the handler calls it when
// its HandlerFunc failed. Within OutageBackoff of a failure of Redis it returns ErrUnavailable.
func (f *Filter) Forget(ctx context.Context, key string) error {
	if f.outage.ongoing() {
		return ErrUnavailable
	}
	if err := bounded(ctx, f.timeout, func(ctx context.Context) error { return f.rdb.Del(ctx, f.prefix+key).Err() }); err != nil {
		f.outage.failed()
		return fmt.Errorf("liveconfigredis: duplicate filter: %w", err)
	}
	return nil
}

// mustHaveClient panics, with a message that names the mistake, for a nil Redis client: a programming error
// that would otherwise end in a nil dereference on the first webhook or call.
func mustHaveClient(rdb redis.UniversalClient) {
	if rdb == nil {
		panic("liveconfigredis: nil Redis client; pass a *redis.Client, *redis.ClusterClient or other redis.UniversalClient")
	}
}
