package main

import (
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"strings"

	"github.com/go-tuilive/liveconfig"
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
		text += " (request " + res.RequestID + ")"
	}
	return view{text: text, json: map[string]any{"request_id": res.RequestID, "changed": res.Changed}}
}

func callbackView(cfg *liveconfig.CallbackConfig) view {
	words := make([]string, len(cfg.Commands))
	for i, c := range cfg.Commands {
		words[i] = string(c)
	}
	text := "url: " + cfg.URL + "\ncommands:"
	for _, w := range words {
		text += "\n  " + w
	}
	return view{text: text, json: map[string]any{"url": cfg.URL, "commands": words}}
}

// report prints err to w in the chosen format and returns the exit code it maps to. The library's errors
// carry no credential, and this tool adds none.
func report(w io.Writer, format string, err error) int {
	code := exitCode(err)
	if errors.Is(err, flag.ErrHelp) {
		return code
	}
	if format == "json" {
		detail := map[string]any{"code": 0, "info": err.Error(), "request_id": ""}
		var apiErr *liveconfig.APIError
		var respErr *liveconfig.ResponseError
		switch {
		case errors.As(err, &apiErr):
			detail["code"], detail["info"], detail["request_id"] = apiErr.Code, apiErr.Info, apiErr.RequestID
		case errors.As(err, &respErr):
			detail["request_id"] = respErr.RequestID
		}
		writeJSON(w, map[string]any{"error": detail})
		return code
	}
	msg := err.Error()
	if !strings.HasPrefix(msg, "liveconfig: ") {
		msg = "liveconfig: " + msg
	}
	fmt.Fprintln(w, msg)
	return code
}

func topUsage() string {
	var b strings.Builder
	b.WriteString("Usage: liveconfig <command> [flags]\n\nCommands:\n")
	for _, s := range subcommands {
		b.WriteString("  " + strings.TrimSpace("liveconfig "+s.path+" "+s.synopsis) + "\n")
	}
	b.WriteString(`
The app comes from LIVECONFIG_SDKAPPID, LIVECONFIG_IDENTIFIER, LIVECONFIG_SECRET_KEY (or LIVECONFIG_SECRET_KEY_FILE),
LIVECONFIG_REGION and LIVECONFIG_ENDPOINT, or from the flags --sdkappid, --identifier, --secret-key-file, --region
and --endpoint. Every command takes -o text|json and --timeout. Run 'liveconfig <command> --help' for its flags.

Exit codes: 0 success, 1 server or network failure, 2 usage or invalid input (nothing sent),
3 authentication or permission refused, 4 state conflict (exists / does not exist).
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

func leafUsage(s subcommand, fs *flag.FlagSet) string {
	var b strings.Builder
	b.WriteString("Usage: " + strings.TrimSpace("liveconfig "+s.path+" "+s.synopsis) + "\n\nFlags:\n")
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}
