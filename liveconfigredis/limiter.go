package liveconfigredis

import (
	"context"
	"log/slog"
	"math"
	"strconv"
	"time"

	"github.com/go-redis/redis_rate/v10"
	"github.com/redis/go-redis/v9"
	"golang.org/x/time/rate"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/wait"
)

// DefaultLimiterTimeout is how long Limiter.Wait waits for one answer from Redis before it falls back to its
// own process's limit.
const DefaultLimiterTimeout = 100 * time.Millisecond

// LimiterOptions tune a Limiter. The zero value is the defaults.
type LimiterOptions struct {
	// PerSecond is the app's limit, in requests a second, shared by every process. 0 means
	// liveconfig.DefaultRateLimit, the documented 200.
	PerSecond int
	// Burst is how many requests may go at once after a quiet spell. 0 means 1, as the client's own limiter:
	// the requests are spread evenly, one every 5 ms at 200 a second.
	Burst int
	// KeyPrefix starts the limiter's key, KeyPrefix + "ratelimit:" + the SDKAppID (redis_rate adds "rate:" in
	// front). Empty means DefaultKeyPrefix.
	KeyPrefix string
	// Timeout bounds each call to Redis, whatever the client's own options (see the package documentation).
	// 0 means DefaultLimiterTimeout.
	Timeout time.Duration
	// OutageBackoff is how long Redis is left alone after a failure. 0 means OutageBackoff (1 s).
	OutageBackoff time.Duration
	// Logger is told when the limiter falls back to its process's own limit because Redis failed (Warn) and
	// when it is back on Redis (Info). Nil means no logging.
	Logger *slog.Logger
}

// Limiter is a liveconfig.Limiter that every process calling for one app shares through Redis: the GCRA of
// github.com/go-redis/redis_rate/v10 (one Lua script, run atomically by Redis), keyed by SDKAppID. Set it as
// liveconfig.Config.Limiter in every process. Each Wait is one round trip when the budget allows a request at
// once, and one more per wait when it does not.
//
// When Redis fails, Wait falls back to a limit of this process alone at the same rate, so calls go on; the
// processes together may then exceed the app's limit, which the API answers with 60007 and the client retries
// with backoff. Redis is asked again OutageBackoff after it failed. It is safe for concurrent use.
type Limiter struct {
	limiter  *redis_rate.Limiter
	key      string
	limit    redis_rate.Limit
	fallback *rate.Limiter
	timeout  time.Duration
	log      *slog.Logger
	outage   outage
}

var _ liveconfig.Limiter = (*Limiter)(nil)

// NewLimiter returns a Limiter for the app sdkAppID on rdb. It sends nothing until the first Wait. A nil rdb
// panics, with a message.
func NewLimiter(rdb redis.UniversalClient, sdkAppID uint64, opts LimiterOptions) *Limiter {
	mustHaveClient(rdb)
	perSecond := opts.PerSecond
	if perSecond <= 0 {
		perSecond = int(math.Round(liveconfig.DefaultRateLimit))
	}
	burst := max(opts.Burst, 1)
	prefix := opts.KeyPrefix
	if prefix == "" {
		prefix = DefaultKeyPrefix
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = DefaultLimiterTimeout
	}
	l := &Limiter{
		limiter:  redis_rate.NewLimiter(rdb),
		key:      prefix + "ratelimit:" + strconv.FormatUint(sdkAppID, 10),
		limit:    redis_rate.Limit{Rate: perSecond, Burst: burst, Period: time.Second},
		fallback: rate.NewLimiter(rate.Limit(perSecond), burst),
		timeout:  timeout,
		log:      opts.Logger,
	}
	l.outage.backoff = opts.OutageBackoff
	return l
}

// Wait blocks until the shared budget allows one request, or ctx ends (its error is then returned). It
// returns no other error: if Redis fails, it waits on the process's own limit instead.
func (l *Limiter) Wait(ctx context.Context) error {
	for {
		if err := ctx.Err(); err != nil {
			return err
		}
		if l.outage.ongoing() {
			return l.fallback.Wait(ctx)
		}
		var res *redis_rate.Result
		err := bounded(ctx, l.timeout, func(ctx context.Context) (err error) {
			res, err = l.limiter.Allow(ctx, l.key, l.limit)
			return err
		})
		if err != nil {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if l.outage.failed() && l.log != nil {
				l.log.LogAttrs(ctx, slog.LevelWarn, "liveconfigredis: Redis failed; the rate limit is this process's own until it is back",
					slog.String("error", err.Error()))
			}
			return l.fallback.Wait(ctx)
		}
		if l.outage.answered() && l.log != nil {
			l.log.LogAttrs(ctx, slog.LevelInfo, "liveconfigredis: Redis is back; the rate limit is shared again")
		}
		if res.Allowed > 0 {
			return nil
		}
		if err := wait.Sleep(ctx, max(res.RetryAfter, time.Millisecond)); err != nil { // never a busy loop on Redis
			return err
		}
	}
}
