package liveconfigtest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/wait"
)

// Always, as Fault.Times, makes a fault apply to every matching request until ClearFaults.
const Always = -1

// Fault changes how the server answers the next matching requests. Faults apply to requests that pass the
// server's checks (query, UserSig, rate limit, body); a request that fails them is answered as usual. A zero
// Fault answers normally. A Fault answers one way, Drop, Raw or Code, after its Delay, and Apply carries the
// request out first; InjectFault refuses a Fault that says more than that (see the precedence on reply in
// fault.go).
type Fault struct {
	// Times is how many requests the fault applies to: 0 or 1 means the next one, Always means every one.
	Times int
	// Delay is waited before answering. The wait ends early when the client goes away.
	Delay time.Duration
	// Apply makes the server carry the request out (store the change) before answering with the fault:
	// the change is applied but the client hears of a failure.
	Apply bool
	// Code, when not zero, is answered as the envelope's ErrorCode with ActionStatus FAIL and Info as the
	// ErrorInfo (a short description when Info is empty).
	Code int
	Info string
	// Drop closes the connection without any answer.
	Drop bool
	// Raw, when set, is answered instead of an envelope.
	Raw *RawAnswer
	// Chance, between 0 and 1, makes the fault apply to that share of matching requests, drawn at random;
	// the others pass it by, and only those it applies to count against Times. 0 means every request.
	Chance float64
}

// RawAnswer is an HTTP answer sent as given.
type RawAnswer struct {
	Status      int    // the HTTP status; 0 means 200
	ContentType string // "" sends none
	Body        []byte
}

// HTML502 returns a gateway error page such as a load balancer answers, for Fault.Raw.
func HTML502() *RawAnswer {
	return &RawAnswer{Status: 502, ContentType: "text/html",
		Body: []byte("<html><head><title>502 Bad Gateway</title></head><body><center><h1>502 Bad Gateway</h1></center></body></html>")}
}

// InjectFault queues f for the app's requests to endpoint op (one of liveconfig's Op constants), or for any endpoint
// when op is "". Faults for one endpoint are used in the order they were queued, before faults for any
// endpoint. It panics for an unknown op or a negative Times other than Always.
func (a *App) InjectFault(op liveconfig.Op, f Fault) {
	if op != "" && !op.Valid() {
		panic(fmt.Sprintf("liveconfigtest: InjectFault: unknown endpoint %q", op))
	}
	if f.Times < 0 && f.Times != Always {
		panic("liveconfigtest: InjectFault: Times must be 0 or more, or Always")
	}
	if f.Chance < 0 || f.Chance > 1 {
		panic("liveconfigtest: InjectFault: Chance must be between 0 and 1")
	}
	if reason := f.contradiction(); reason != "" {
		panic("liveconfigtest: InjectFault: " + reason)
	}
	if f.Times == 0 {
		f.Times = 1
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults[op] = append(a.faults[op], &f)
}

// contradiction says why f cannot be carried out as written, or "" when it can: it names more than one answer
// (Drop, Raw, Code), an Info without a Code to go with it, or Apply with no failure to hide the change behind.
func (f *Fault) contradiction() string {
	answers := 0
	for _, set := range [...]bool{f.Drop, f.Raw != nil, f.Code != 0} {
		if set {
			answers++
		}
	}
	switch {
	case answers > 1:
		return "a Fault answers one way: set at most one of Drop, Raw and Code"
	case f.Info != "" && f.Code == 0:
		return "Info is the ErrorInfo of Code: set Code too"
	case f.Apply && answers == 0:
		return "Apply carries the request out before a failure: set Drop, Raw or Code too"
	}
	return ""
}

// reply is how the server answers one request.
type reply struct {
	gone bool       // the client left during the fault's Delay: there is no one to answer
	drop bool       // close the connection without an answer
	raw  *RawAnswer // send this as it is
	env  answer     // otherwise, this envelope
}

// reply answers a request that passed the server's checks, under f (nil for no fault). The precedence, in
// this order: wait Delay, and give up if the client leaves meanwhile; carry the request out (carryOut) when
// f has no answer of its own, or when Apply asks for it first; then answer with Drop, else Raw, else Code
// and Info, else what carrying the request out said. A new kind of fault is a field of Fault and a line here.
func (f *Fault) reply(ctx context.Context, carryOut func() answer) reply {
	if f == nil {
		return reply{env: carryOut()}
	}
	if f.Delay > 0 && wait.Sleep(ctx, f.Delay) != nil {
		return reply{gone: true}
	}
	answersNormally := f.Code == 0 && !f.Drop && f.Raw == nil
	var carried answer
	if f.Apply || answersNormally {
		carried = carryOut()
	}
	switch {
	case f.Drop:
		return reply{drop: true}
	case f.Raw != nil:
		return reply{raw: f.Raw}
	case f.Code != 0:
		info := f.Info
		if info == "" {
			info = fmt.Sprintf("injected error %d", f.Code)
		}
		return reply{env: answer{code: f.Code, info: info}}
	}
	return reply{env: carried}
}

// ClearFaults drops every queued fault.
func (a *App) ClearFaults() {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.faults = map[liveconfig.Op][]*Fault{}
}

// ClearFaultsFor drops the faults queued for endpoint op, or, when op is "", those queued for any endpoint
// (InjectFault's two kinds of queue); the others stay. It panics for an unknown op.
func (a *App) ClearFaultsFor(op liveconfig.Op) {
	if op != "" && !op.Valid() {
		panic(fmt.Sprintf("liveconfigtest: ClearFaultsFor: unknown endpoint %q", op))
	}
	a.mu.Lock()
	defer a.mu.Unlock()
	delete(a.faults, op)
}

// takeFault returns the fault for the next request to op and uses up one of its Times, or nil. A fault whose
// Chance does not come up is passed by for the next one in line.
func (a *App) takeFault(op liveconfig.Op) *Fault {
	a.mu.Lock()
	defer a.mu.Unlock()
	for _, key := range [...]liveconfig.Op{op, ""} {
		queue := a.faults[key]
		for i, queued := range queue {
			if queued.Chance > 0 && rand.Float64() >= queued.Chance {
				continue
			}
			f := *queued
			if queued.Times != Always {
				queued.Times--
				if queued.Times == 0 {
					a.faults[key] = slices.Delete(slices.Clone(queue), i, i+1)
				}
			}
			return &f
		}
	}
	return nil
}
