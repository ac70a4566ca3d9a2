package liveconfigredis_test

import (
	"testing"

	"go.uber.org/goleak"
)

// go-redis, once dials have failed as many times as its pool is large, redials in the background once a
// second until one succeeds or it sees its pool closed: after Redis is killed, those goroutines outlive the
// closed client by up to a second. Every other goroutine must be gone.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m, goleak.IgnoreAnyFunction("github.com/redis/go-redis/v9/internal/pool.(*ConnPool).tryDial"))
}
