package liveconfig

import (
	"context"
	"time"
)

// Observer is told what a Client does, call by call and attempt by attempt: for metrics, tracing or logs, with
// no dependency on any of their libraries.
// Set it as Config.Observer; nil means none, at no cost. Its methods run on the call's goroutine, so they must
// return quickly, and they must be safe for concurrent use. Nothing they are given holds a credential: errors
// are redacted as the caller sees them, and the endpoint is given without its query.
//
// A call is CallStart, then for each attempt AttemptStart and AttemptEnd, then CallEnd. The ctx CallStart
// returns is the call's from then on, and the ctx AttemptStart returns is the attempt's (the request is sent
// with it), so an Observer can hang a span on each; returning the ctx it was given is fine.
type Observer interface {
	CallStart(ctx context.Context, call CallInfo) context.Context
	AttemptStart(ctx context.Context, attempt AttemptInfo) context.Context
	AttemptEnd(ctx context.Context, attempt AttemptInfo)
	CallEnd(ctx context.Context, call CallInfo)
	// UserSigSigned is called when the client signs a UserSig: once per validity period, or after the
	// server refused the cached one (70001, 70052). The UserSig itself is never given.
	UserSigSigned(ctx context.Context)
}

// CallInfo describes one call of a Client method to an endpoint. The fields after Endpoint are set for
// CallEnd only.
type CallInfo struct {
	Op       Op
	SDKAppID uint64
	Endpoint string // the URL of the endpoint, scheme://host/v4/live_config/{op}, without the query

	Attempts int           // requests sent
	Latency  time.Duration // from CallStart to CallEnd
	Err      error         // nil on success; as the caller gets it
}

// AttemptInfo describes one attempt of a call. The fields after Endpoint are set for AttemptEnd only.
type AttemptInfo struct {
	Op       Op
	Attempt  int    // 1 for the first
	Endpoint string // as in CallInfo: the URL without the query

	LimiterWait time.Duration // how long the attempt waited for the client-side rate limiter
	Latency     time.Duration // from sending to the answer (or the failure), the limiter's wait excluded
	Status      int           // the answer's HTTP status, or 0 when none came
	Code        int           // the answer's ErrorCode, or 0
	RequestID   string        // the answer's RequestId, or ""
	Err         error         // nil on success
	// Retry says why the client decided to send another attempt (see RetryReason), or is "" when it did not.
	// The caller's ctx can still end the call during the backoff, before that attempt is sent.
	Retry RetryReason
}

// observed wraps a Client's Observer, so that the request path calls it without checking for nil, and keeps
// the endpoint URL of each op it is told about, built once.
type observed struct {
	o         Observer
	endpoints map[Op]string
}

func newObserved(o Observer, base string) observed {
	if o == nil {
		return observed{}
	}
	endpoints := make(map[Op]string, len(ops))
	for _, op := range ops {
		endpoints[op] = base + "/v4/live_config/" + string(op)
	}
	return observed{o: o, endpoints: endpoints}
}

func (w observed) callStart(ctx context.Context, call CallInfo) context.Context {
	if w.o == nil {
		return ctx
	}
	return w.o.CallStart(ctx, call)
}

func (w observed) attemptStart(ctx context.Context, attempt AttemptInfo) context.Context {
	if w.o == nil {
		return ctx
	}
	return w.o.AttemptStart(ctx, attempt)
}

func (w observed) attemptEnd(ctx context.Context, attempt AttemptInfo) {
	if w.o != nil {
		w.o.AttemptEnd(ctx, attempt)
	}
}

func (w observed) callEnd(ctx context.Context, call CallInfo) {
	if w.o != nil {
		w.o.CallEnd(ctx, call)
	}
}

func (w observed) userSigSigned(ctx context.Context) {
	if w.o != nil {
		w.o.UserSigSigned(ctx)
	}
}
