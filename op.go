package liveconfig

import "slices"

// Op names one endpoint of the v4/live_config API, as it appears in the request path
// (/v4/live_config/{op}) and in this package's errors.
type Op string

// The seven endpoints.
const (
	OpSetCallback         Op = "set_callback"          // creates the callback configuration; changes state
	OpUpdateCallback      Op = "update_callback"       // replaces it; changes state
	OpGetCallback         Op = "get_callback"          // reads it
	OpDeleteCallback      Op = "delete_callback"       // removes it; changes state
	OpSetCallbackToken    Op = "set_callback_token"    // sets the callback token; changes state
	OpGetCallbackToken    Op = "get_callback_token"    // reads it
	OpDeleteCallbackToken Op = "delete_callback_token" // removes it; changes state
)

var ops = [...]Op{OpSetCallback, OpUpdateCallback, OpGetCallback, OpDeleteCallback,
	OpSetCallbackToken, OpGetCallbackToken, OpDeleteCallbackToken}

// opEnsureCallback names EnsureCallback in the errors of input it refuses. It is not an endpoint: EnsureCallback
// reads, then calls set_callback or update_callback.
const opEnsureCallback Op = "ensure_callback"

// Ops returns every endpoint, callback configuration first. The slice is new on each call.
func Ops() []Op { return slices.Clone(ops[:]) }

// Valid reports whether op is one of the Op constants.
func (op Op) Valid() bool { return slices.Contains(ops[:], op) }

// Mutates reports whether a successful call to op changes the app's state: every endpoint but the two reads,
// get_callback and get_callback_token.
func (op Op) Mutates() bool { return op.Valid() && op != OpGetCallback && op != OpGetCallbackToken }

// String returns op as it appears in the request path.
func (op Op) String() string { return string(op) }
