// Package liveconfigredis shares what a fleet of processes must agree on through Redis: the duplicate filter
// of the webhook handlers (Filter), and the rate limit of the calls they make for one app (Limiter). It is a
// module of its own (go get github.com/go-tuilive/liveconfig/liveconfigredis, Go 1.26), released with the root
// module at the same version, and the only one that requires a Redis client (github.com/redis/go-redis/v9, and
// github.com/go-redis/redis_rate/v10 for the limiter); a program that does not use it has neither in its module
// graph. Package redistest starts a real redis-server for tests of code that uses this one.
//
// Both take any redis.UniversalClient: a *redis.Client, a *redis.ClusterClient or a failover client. Give
// every replica of every service the same Redis (and the same KeyPrefix, if you set one).
//
//	rdb := redis.NewClient(liveconfigredis.ClientOptions("redis:6379"))
//	whcfg.Duplicates = liveconfigredis.NewFilter(rdb, liveconfigredis.FilterOptions{})
//	cfg.Limiter = liveconfigredis.NewLimiter(rdb, cfg.SDKAppID, liveconfigredis.LimiterOptions{})
//
// When Redis cannot be reached, both keep working on their own: the filter reports the error, and the
// webhook handler then handles the event (a webhook handled twice rather than lost); the limiter falls back
// to a limit of its own process, logs it, and goes back to Redis when it answers again.
//
// Neither spends more than its timeout (100 ms by default) on Redis, whatever the client's options. go-redis
// applies a ctx deadline to dialing and to waiting for a pooled connection, but to socket reads and writes
// only with Options.ContextTimeoutEnabled; without it, a Redis that accepts and never answers (SIGSTOP, a
// partition, a stuck primary) holds a call for ReadTimeout, 5 s by default. So each call runs on a goroutine
// of its own and is left behind at the timeout (it ends when go-redis gives up, holding one pooled connection
// until then), and after a failure Redis is left alone for OutageBackoff, then asked again by one call while
// the others go on without it. ClientOptions sets ContextTimeoutEnabled, so a call left behind ends at once.
package liveconfigredis
