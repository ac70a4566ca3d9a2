package liveconfigredis

import (
	"time"

	"github.com/redis/go-redis/v9"
)

// ClientOptions returns the go-redis options to start a client of Filter and Limiter from, for the Redis at
// addr ("host:port"); set Password, TLSConfig, DB or PoolSize on them as needed, then call redis.NewClient.
// Filter and Limiter keep to their timeout whatever a client's options are; these make the rest of a
// failure cheap and plain:
//
//   - ContextTimeoutEnabled: a call given up at the timeout ends then in go-redis too, and frees its pooled
//     connection, instead of holding it until ReadTimeout (5 s by default) on a Redis that hangs.
//   - MaxRetries -1 and DialerRetries 1: a failure comes back at once, as itself ("connect: connection
//     refused"), rather than retried until the timeout turns it into "context deadline exceeded"; Filter and
//     Limiter fall back on their own.
//   - DialTimeout, ReadTimeout and WriteTimeout of 1 s: the bounds of a client used for anything else too.
func ClientOptions(addr string) *redis.Options {
	return &redis.Options{
		Addr:                  addr,
		ContextTimeoutEnabled: true,
		MaxRetries:            -1,
		DialerRetries:         1,
		DialTimeout:           time.Second,
		ReadTimeout:           time.Second,
		WriteTimeout:          time.Second,
	}
}
