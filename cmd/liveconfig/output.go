package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
	"unicode"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/text"
)

// The JSON shapes of the tool's contract. Each outcome is exactly one of these objects, on stdout for a result
// and on stderr for an error.
type (
	resultJSON struct {
		RequestID string `json:"request_id"`
		Changed   bool   `json:"changed"`
		DryRun    bool   `json:"dry_run,omitempty"`
		Action    string `json:"action,omitempty"` // with dry_run: create, update or none
	}
	callbackJSON struct {
		URL      string   `json:"url"`
		Commands []string `json:"commands"`
	}
	tokenJSON struct {
		Enabled bool   `json:"enabled"`
		Token   string `json:"token,omitempty"` // only with --show-token
	}
	commandsJSON struct {
		Commands []string `json:"commands"`
	}
	versionJSON struct {
		Version string `json:"version"`
	}
	completionJSON struct {
		Shell  string `json:"shell"`
		Script string `json:"script"`
	}
	usageJSON struct {
		Usage string `json:"usage"`
	}
	errorJSON struct {
		Error errorDetail `json:"error"`
	}
	errorDetail struct {
		Code      int    `json:"code"` // the server's ErrorCode, or 0 for failures that are not the server's
		Info      string `json:"info"` // one line, never starting with "liveconfig: "
		RequestID string `json:"request_id"`
	}
)

// view is a result in both output formats.
type view struct {
	text string
	json any
}

func printView(w io.Writer, format string, v view) {
	if format == "json" {
		writeJSON(w, v.json)
		return
	}
	fmt.Fprintln(w, v.text)
}

func writeJSON(w io.Writer, v any) {
	enc := json.NewEncoder(w)
	enc.SetEscapeHTML(false)
	enc.Encode(v)
}

func resultView(res *liveconfig.Result, done string) view {
	text := done
	if res.RequestID != "" {
		text += " (request " + printable(res.RequestID) + ")"
	}
	return view{text: text, json: resultJSON{RequestID: res.RequestID, Changed: res.Changed}}
}

func callbackView(cfg *liveconfig.CallbackConfig) view {
	list := words(cfg.Commands)
	text := "url: " + printable(cfg.URL) + "\ncommands:"
	for _, w := range list {
		text += "\n  " + printable(w)
	}
	return view{text: text, json: callbackJSON{URL: cfg.URL, Commands: list}}
}

// words returns the command words as strings, each once, in their first order.
func words(cmds []liveconfig.Command) []string {
	out := make([]string, 0, len(cmds))
	seen := make(map[liveconfig.Command]bool, len(cmds))
	for _, c := range cmds {
		if !seen[c] {
			seen[c] = true
			out = append(out, string(c))
		}
	}
	return out
}

// printable returns s as it is when every character of it prints as itself, and quoted as a Go string
// otherwise, so that a line break, an escape sequence or a bidirectional override that came from the server
// cannot forge lines or change the terminal.
func printable(s string) string {
	if strings.IndexFunc(s, hidden) >= 0 {
		return strconv.Quote(s)
	}
	return s
}

// visible returns s with each character that does not print as itself written as its Go escape (\x1b,
// \u202e), for an error line that quotes the server's text among the tool's own words.
func visible(s string) string {
	if strings.IndexFunc(s, hidden) < 0 {
		return s
	}
	var b strings.Builder
	for _, r := range s {
		if hidden(r) {
			quoted := strconv.QuoteRune(r)
			b.WriteString(quoted[1 : len(quoted)-1])
		} else {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// hidden reports whether r would not print as itself: a control, format or non-graphic character, white
// space other than a plain space, or the mark of invalid UTF-8.
func hidden(r rune) bool {
	return r == unicode.ReplacementChar || !unicode.IsGraphic(r) || unicode.Is(unicode.Cf, r) || (unicode.IsSpace(r) && r != ' ')
}

// report prints err to w in the chosen format and returns the exit code it maps to. The library's errors
// carry no credential, and this tool adds none. Either way the message is one line.
func report(w io.Writer, format string, err error) int {
	code := exitCode(err)
	if errors.Is(err, flag.ErrHelp) {
		return code
	}
	detail := detailOf(err)
	if format == "json" {
		writeJSON(w, errorJSON{Error: detail})
		return code
	}
	fmt.Fprintln(w, "liveconfig: "+visible(detail.Info))
	return code
}

// detailOf is err as the JSON contract shows it: the server's code and request id, and the one line text mode
// prints, without its "liveconfig: " prefix.
func detailOf(err error) errorDetail {
	detail := errorDetail{Info: text.OneLine(strings.TrimPrefix(err.Error(), "liveconfig: "))}
	var apiErr *liveconfig.APIError
	var respErr *liveconfig.ResponseError
	switch {
	case errors.As(err, &apiErr):
		detail.Code, detail.RequestID = apiErr.Code, apiErr.RequestID
	case errors.As(err, &respErr):
		detail.RequestID = respErr.RequestID
	}
	return detail
}

// inCLITerms rewrites what the library says in terms of its Config into the flags and variables of this
// tool, and says which bound ended a command that ran out of time.
func inCLITerms(ctx context.Context, err error, common *commonFlags, getenv func(string) string) error {
	err = withRegionHint(err, common.regionSource(getenv))
	if errors.Is(err, context.DeadlineExceeded) && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		err = &cliError{msg: "--timeout " + common.timeout.String() + " ran out: " + strings.TrimPrefix(err.Error(), "liveconfig: "), err: err}
	}
	return err
}

// withRegionHint rewrites the hint of an APIError that has one (70016, 70020: the app may live in another
// region) to name, in this tool's terms, where the region called came from.
func withRegionHint(err error, source string) error {
	var apiErr *liveconfig.APIError
	if !errors.As(err, &apiErr) || apiErr.Hint == "" {
		return err
	}
	hinted := *apiErr
	hinted.Hint = "the app may live in another region than " + source
	return &hinted
}

// cliError is an error with a message of this tool's own, matching what it wraps.
type cliError struct {
	msg string
	err error
}

func (e *cliError) Error() string { return e.msg }
func (e *cliError) Unwrap() error { return e.err }

func topUsage() string {
	var b strings.Builder
	b.WriteString("Usage: liveconfig <command> [flags]\n\nCommands:\n")
	for _, s := range subcommands {
		b.WriteString("  " + strings.TrimSpace("liveconfig "+s.path+" "+s.synopsis) + "\n")
	}
	b.WriteString(`
The app comes from LIVECONFIG_SDKAPPID, LIVECONFIG_IDENTIFIER, LIVECONFIG_SECRET_KEY (or LIVECONFIG_SECRET_KEY_FILE),
LIVECONFIG_REGION and LIVECONFIG_ENDPOINT, or from the flags --sdkappid, --identifier, --secret-key-file, --region
and --endpoint. Every command takes -o text|json, anywhere on the line; commands that call the API take --timeout.
Run 'liveconfig <command> --help' for its flags.

plan and apply take their apps from the fleet file instead; webhook send needs no admin key, only the
callback token it signs with (or --unsigned).

Exit codes: 0 success, 1 server or network failure, 2 usage or invalid input (nothing sent),
3 authentication or permission refused, 4 state conflict (exists / does not exist),
5 changes pending (plan --exit-code), 130 interrupted (Ctrl-C). Over many apps the worst decides: 2, 3, 1, 4.
`)
	return b.String()
}

func groupUsage(group string, subs []subcommand) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: liveconfig %s <command> [flags]\n\nCommands:\n", group)
	for _, s := range subs {
		b.WriteString("  " + strings.TrimSpace("liveconfig "+s.path+" "+s.synopsis) + "\n")
	}
	return b.String()
}

// leafUsage lists a subcommand's flags, -o and --output as the one flag they are.
func leafUsage(s subcommand, fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("Usage: " + strings.TrimSpace("liveconfig "+s.path+" "+s.synopsis) + "\n\nFlags:\n")
	b.WriteString("  -o, --output text|json\n    \toutput format (default text)\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}
