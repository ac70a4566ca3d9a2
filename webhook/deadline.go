package webhook

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// handlerContext is the ctx a HandlerFunc gets: its parent's values and cancellation, and a deadline at
// Config.HandlerTimeout. It arms the deadline's timer only when something waits on it (Done, Err,
// context.AfterFunc, or a context derived from it), so a HandlerFunc that never waits, as most that hand an
// event to a queue do, costs no timer: under load, context.WithTimeout on every request was a measurable
// share of the handler's time (BENCHMARKS.md). Deadline answers without arming.
type handlerContext struct {
	context.Context // the request's

	deadline time.Time
	once     sync.Once
	armed    context.Context // set once: a context.WithDeadline of the parent, or released
	cancel   context.CancelFunc
	timed    atomic.Bool // armed is the context.WithDeadline
}

func newHandlerContext(parent context.Context, deadline time.Time) *handlerContext {
	return &handlerContext{Context: parent, deadline: deadline}
}

// arm returns the context that carries the deadline, making it on first use.
func (c *handlerContext) arm() context.Context {
	c.once.Do(func() {
		c.armed, c.cancel = context.WithDeadline(c.Context, c.deadline)
		c.timed.Store(true)
	})
	return c.armed
}

// Deadline returns the earlier of the handler's deadline and the parent's.
func (c *handlerContext) Deadline() (time.Time, bool) {
	if d, ok := c.Context.Deadline(); ok && d.Before(c.deadline) {
		return d, true
	}
	return c.deadline, true
}

func (c *handlerContext) Done() <-chan struct{} { return c.arm().Done() }
func (c *handlerContext) Err() error            { return c.arm().Err() }

// Value finds the parent's values, through the armed context once there is one, so that context.Cause then
// sees the deadline's cause. It does not arm.
func (c *handlerContext) Value(key any) any {
	if c.timed.Load() {
		return c.armed.Value(key)
	}
	return c.Context.Value(key)
}

// AfterFunc lets context.WithCancel and context.AfterFunc on this ctx register with the armed context
// instead of starting a goroutine to watch it.
func (c *handlerContext) AfterFunc(f func()) func() bool { return context.AfterFunc(c.arm(), f) }

// release ends the ctx once the HandlerFunc has returned: from then on it is cancelled, as a context.WithTimeout
// would be after its cancel, whether it was armed or not.
func (c *handlerContext) release() {
	c.once.Do(func() { c.armed, c.cancel = released, func() {} })
	c.cancel()
}

// released is the context of a handlerContext released before it was armed: cancelled.
var released = func() context.Context {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	return ctx
}()
