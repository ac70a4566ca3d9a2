package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
)

// The JSON shape of plan and apply: exactly one object on stdout. No token value appears in it. The summary is
// fleet.Summary's own fields with the report's Interrupted; an app's parts are shaped here, since plan leaves
// "applied" out and a conflict adds "now" (null included).
type (
	fleetJSON struct {
		Apps    []fleetAppJSON   `json:"apps"`
		Summary fleetSummaryJSON `json:"summary"`
	}
	fleetAppJSON struct {
		Name       string            `json:"name"`
		SDKAppID   uint64            `json:"sdkappid"`
		Callback   fleetCallbackJSON `json:"callback"`
		Token      fleetTokenJSON    `json:"token"`
		RequestIDs []string          `json:"request_ids"`
		Error      *errorDetail      `json:"error"`
	}
	fleetCallbackJSON struct {
		Action  fleet.Action  `json:"action"`
		From    *callbackJSON `json:"from"`
		To      *callbackJSON `json:"to"`
		Added   []string      `json:"added,omitempty"`   // with update
		Removed []string      `json:"removed,omitempty"` // with update
		Applied *bool         `json:"applied,omitempty"` // apply only
		// Conflict and Now: apply read the part back after its change and found Now (null for none) instead.
		Conflict bool            `json:"conflict,omitempty"`
		Now      json.RawMessage `json:"now,omitempty"`
	}
	// fleetSummaryJSON is fleet.Summary's fields, flattened, and the report's Interrupted.
	fleetSummaryJSON struct {
		fleet.Summary
		Interrupted bool `json:"interrupted"`
	}
	fleetTokenJSON struct {
		Action       fleet.Action `json:"action"`
		EnabledFrom  *bool        `json:"enabled_from"`
		EnabledTo    *bool        `json:"enabled_to"`
		ValueChanged bool         `json:"value_changed"`
		Applied      *bool        `json:"applied,omitempty"` // apply only
		// Conflict and EnabledNow: apply read the token back after its change and found another.
		Conflict   bool            `json:"conflict,omitempty"`
		EnabledNow json.RawMessage `json:"enabled_now,omitempty"`
	}
)

func fleetReportJSON(rep *fleet.Report) fleetJSON {
	out := fleetJSON{Apps: make([]fleetAppJSON, 0, len(rep.Apps))}
	for i := range rep.Apps {
		app := &rep.Apps[i]
		a := fleetAppJSON{
			Name: app.Name, SDKAppID: app.SDKAppID, RequestIDs: app.RequestIDs,
			Callback: fleetCallbackJSON{Action: app.Callback.Action, From: callbackOrNull(app.Callback.From),
				To: callbackOrNull(app.Callback.To), Added: words(app.Callback.Added), Removed: words(app.Callback.Removed)},
			Token: fleetTokenJSON{Action: app.Token.Action, EnabledFrom: app.Token.EnabledFrom,
				EnabledTo: app.Token.EnabledTo, ValueChanged: app.Token.ValueChanged},
		}
		if a.RequestIDs == nil {
			a.RequestIDs = []string{}
		}
		if rep.Applied {
			a.Callback.Applied, a.Token.Applied = &app.Callback.Applied, &app.Token.Applied
		}
		if app.Callback.Conflict {
			a.Callback.Conflict, a.Callback.Now = true, rawJSON(callbackOrNull(app.Callback.Now))
		}
		if app.Token.Conflict {
			a.Token.Conflict, a.Token.EnabledNow = true, rawJSON(app.Token.EnabledNow)
		}
		if app.Err != nil {
			detail := detailOf(fleetAppError(app.Err))
			a.Error = &detail
		}
		out.Apps = append(out.Apps, a)
	}
	out.Summary = fleetSummaryJSON{Summary: rep.Summary(), Interrupted: rep.Interrupted}
	return out
}

// rawJSON encodes v, null included, for a field that is there only sometimes.
func rawJSON(v any) json.RawMessage {
	data, _ := json.Marshal(v)
	return data
}

func callbackOrNull(cfg *liveconfig.CallbackConfig) *callbackJSON {
	if cfg == nil {
		return nil
	}
	return &callbackJSON{URL: cfg.URL, Commands: words(cfg.Commands)}
}

// printFleetReport prints a report as text: each app with a line for each part, then a summary line.
func printFleetReport(w io.Writer, rep *fleet.Report) {
	for i := range rep.Apps {
		app := &rep.Apps[i]
		fmt.Fprintf(w, "%s (%d)\n", app.Name, app.SDKAppID)
		if errors.Is(app.Err, fleet.ErrNotStarted) {
			fmt.Fprintln(w, "  not started: the run was interrupted first")
			continue
		}
		fmt.Fprintln(w, "  callback: "+describeCallback(app.Callback)+doneMark(rep, app.Callback.Action, app.Callback.Applied))
		if app.Callback.Conflict {
			fmt.Fprintln(w, "  conflict: another writer changed it; now "+describeConfig(app.Callback.Now))
		}
		fmt.Fprintln(w, "  token:    "+describeToken(app.Token)+doneMark(rep, app.Token.Action, app.Token.Applied))
		if app.Token.Conflict {
			fmt.Fprintln(w, "  conflict: another writer changed the token; now "+describeTokenNow(app.Token.EnabledNow))
		}
		if len(app.RequestIDs) > 0 {
			fmt.Fprintln(w, "  requests: "+printable(strings.Join(app.RequestIDs, " ")))
		}
		if app.Err != nil {
			fmt.Fprintln(w, "  error:    "+visible(detailOf(fleetAppError(app.Err)).Info))
		}
	}
	s := rep.Summary()
	line := fmt.Sprintf("Plan: %d apps: %d to change, %d unchanged, %d failed", s.Apps, s.Changed, s.Unchanged, s.Failed)
	if rep.Applied {
		line = fmt.Sprintf("Apply: %d apps: %d changed, %d unchanged, %d failed", s.Apps, s.Changed, s.Unchanged, s.Failed)
	}
	if s.NotStarted > 0 {
		line += fmt.Sprintf(", %d not started", s.NotStarted)
	}
	if rep.Interrupted {
		line += " (interrupted)"
	}
	fmt.Fprintln(w, line+".")
}

// doneMark says, after a change apply set out to make, whether it was made.
func doneMark(rep *fleet.Report, action fleet.Action, applied bool) string {
	switch {
	case !rep.Applied || !action.Changes():
		return ""
	case applied:
		return " (done)"
	}
	return " (not done)"
}

func describeCallback(ch fleet.CallbackChange) string {
	switch ch.Action {
	case fleet.ActionCreate:
		return "create " + describeConfig(ch.To)
	case fleet.ActionUpdate:
		return "update: " + describeChange(*ch.From, *ch.To)
	case fleet.ActionDelete:
		return "delete " + describeConfig(ch.From)
	case fleet.ActionNone, fleet.ActionUnmanaged:
		return string(ch.Action) + " (" + describeConfig(ch.From) + ")"
	}
	return string(ch.Action)
}

func describeConfig(cfg *liveconfig.CallbackConfig) string {
	if cfg == nil {
		return "no callback configuration"
	}
	return printable(cfg.URL) + " " + printable(fmt.Sprint(words(cfg.Commands)))
}

func describeToken(ch fleet.TokenChange) string {
	switch ch.Action {
	case fleet.ActionCreate:
		return fmt.Sprintf("create (enabled: %t)", *ch.EnabledTo)
	case fleet.ActionUpdate:
		var parts []string
		if ch.ValueChanged {
			parts = append(parts, "new value")
		}
		if *ch.EnabledFrom != *ch.EnabledTo {
			parts = append(parts, fmt.Sprintf("enabled %t -> %t", *ch.EnabledFrom, *ch.EnabledTo))
		}
		return "update: " + strings.Join(parts, "; ")
	case fleet.ActionDelete:
		return "delete"
	case fleet.ActionNone, fleet.ActionUnmanaged:
		if ch.EnabledFrom == nil {
			return string(ch.Action) + " (no token)"
		}
		return fmt.Sprintf("%s (enabled: %t)", ch.Action, *ch.EnabledFrom)
	}
	return string(ch.Action)
}

// describeTokenNow says what token a read-back found, never its value.
func describeTokenNow(enabled *bool) string {
	if enabled == nil {
		return "no token"
	}
	return fmt.Sprintf("a token that is not the one set (enabled: %t)", *enabled)
}
