package fleet

import (
	"errors"

	"github.com/go-tuilive/liveconfig"
)

// Action is what Plan found to do for one part of an app, or what Apply did.
type Action string

// The actions. ActionUnknown is the action of a part that could not be read (the app's Err says why).
const (
	ActionCreate    Action = "create"
	ActionUpdate    Action = "update"
	ActionDelete    Action = "delete"
	ActionNone      Action = "none"
	ActionUnmanaged Action = "unmanaged"
	ActionUnknown   Action = "unknown"
)

// Changes reports whether the action changes anything.
func (a Action) Changes() bool { return a == ActionCreate || a == ActionUpdate || a == ActionDelete }

// Report is what Plan or Apply found and did, app by app.
type Report struct {
	// Apps holds one AppReport for every app run, in the file's order.
	Apps []AppReport
	// Applied is true for a report of Apply, false for one of Plan.
	Applied bool
	// Interrupted is true when ctx ended before every app was done: some apps were not started, or stopped
	// before they were done (their Err is ErrNotStarted or wraps ErrStopped).
	Interrupted bool
}

// AppReport is what happened to one app.
type AppReport struct {
	Name     string
	SDKAppID uint64
	Callback CallbackChange
	Token    TokenChange
	// RequestIDs are the RequestIds of the changes Apply sent and Tencent accepted, in order; Plan sends none.
	RequestIDs []string
	// Err is nil when every call for the app succeeded. Otherwise it is the first failure, the library's
	// error as returned (an *liveconfig.APIError, *liveconfig.TransportError, ...), a *SecretError, or
	// ErrNotStarted; the parts still say what was applied before it.
	Err error
}

// Pending reports whether the app's actions change anything: what Plan found to do, or what Apply set out
// to do.
func (r *AppReport) Pending() bool { return r.Callback.Action.Changes() || r.Token.Action.Changes() }

// Done reports whether Apply changed anything in the app.
func (r *AppReport) Done() bool { return r.Callback.Applied || r.Token.Applied }

// CallbackChange is what Plan found, or Apply did, for an app's callback configuration.
type CallbackChange struct {
	Action Action
	// From is the configuration found (nil when there was none, or it could not be read); To is the one
	// the app has after the action (nil for none). For none and unmanaged both are what was found.
	From, To *liveconfig.CallbackConfig
	// Added and Removed are the command words an update adds and removes, in the order of To and From.
	Added, Removed []liveconfig.Command
	// Applied is true when Apply sent the change and Tencent accepted it.
	Applied bool
	// Conflict is true when Apply read the configuration back after its change and found Now instead of To
	// (nil for none): another writer changed it in between. The app's Err then matches ErrConflict.
	Conflict bool
	Now      *liveconfig.CallbackConfig
}

// TokenChange is what Plan found, or Apply did, for an app's callback token. It never holds the token.
type TokenChange struct {
	Action Action
	// EnabledFrom is whether the token found was enabled (nil when there was none); EnabledTo whether it is
	// after the action (nil for none).
	EnabledFrom, EnabledTo *bool
	// ValueChanged is true when the token value is set anew: created, or updated to another value.
	ValueChanged bool
	// Applied is true when Apply sent the change and Tencent accepted it.
	Applied bool
	// Conflict is true when Apply read the token back after its change and found another: another writer
	// changed it in between. EnabledNow is whether the token there now is enabled (nil for none); whether its
	// value is the one written is not said beyond Conflict. The app's Err then matches ErrConflict.
	Conflict   bool
	EnabledNow *bool
}

// Summary counts the apps of a Report. Apps = Changed + Unchanged + Failed + NotStarted. Its JSON form is the
// "summary" object of `liveconfig plan -o json` and `apply -o json`.
type Summary struct {
	Apps int `json:"apps"`
	// Changed: Plan, with a change to make (Pending); Apply, with a change made (Done) and no failure, or
	// with a change made before the run was stopped (ErrStopped): what was sent and accepted is counted.
	Changed   int `json:"changed"`
	Unchanged int `json:"unchanged"` // nothing to change, and no failure
	// Failed: Err is set (but not ErrNotStarted, nor ErrStopped after a change); with Apply, some of its
	// changes may have been made.
	Failed     int `json:"failed"`
	NotStarted int `json:"not_started"` // the run was stopped before the app was started
}

// Summary counts the apps.
func (r *Report) Summary() Summary {
	s := Summary{Apps: len(r.Apps)}
	for i := range r.Apps {
		app := &r.Apps[i]
		switch {
		case errors.Is(app.Err, ErrNotStarted):
			s.NotStarted++
		case r.Applied && errors.Is(app.Err, ErrStopped) && app.Done():
			s.Changed++ // the run was stopped after a change it made
		case app.Err != nil:
			s.Failed++
		case r.Applied && app.Done(), !r.Applied && app.Pending():
			s.Changed++
		default:
			s.Unchanged++
		}
	}
	return s
}

// decide is the action that takes a part from what exists (equal: and is as the file wants it) to what the
// file wants.
func decide(want Want, exists, equal bool) Action {
	switch {
	case want == Unmanaged:
		return ActionUnmanaged
	case want == Absent && !exists:
		return ActionNone
	case want == Absent:
		return ActionDelete
	case !exists:
		return ActionCreate
	case equal:
		return ActionNone
	}
	return ActionUpdate
}

// planCallback compares the configuration found (nil for none) with what the file wants.
func planCallback(spec CallbackSpec, found *liveconfig.CallbackConfig) CallbackChange {
	ch := CallbackChange{From: found, To: found}
	ch.Action = decide(spec.Want, found != nil, found != nil && found.Equal(spec.Config))
	switch ch.Action {
	case ActionDelete:
		ch.To = nil
	case ActionCreate:
		ch.To = &spec.Config
	case ActionUpdate:
		ch.To = &spec.Config
		ch.Added, ch.Removed = found.Diff(spec.Config)
	}
	return ch
}

// planToken compares the token found (nil for none) with what the file wants; value is the wanted token,
// read from its Secret ("" unless Want is Present).
func planToken(spec TokenSpec, value string, found *liveconfig.CallbackToken) TokenChange {
	var ch TokenChange
	if found != nil {
		ch.EnabledFrom = &found.Enabled
	}
	ch.EnabledTo = ch.EnabledFrom
	ch.Action = decide(spec.Want, found != nil, found != nil && found.Token == value && found.Enabled == spec.Enabled)
	switch ch.Action {
	case ActionDelete:
		ch.EnabledTo = nil
	case ActionCreate, ActionUpdate:
		ch.EnabledTo = &spec.Enabled
		ch.ValueChanged = found == nil || found.Token != value
	}
	return ch
}
