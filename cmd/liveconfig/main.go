// Command liveconfig configures the webhooks of a Tencent Cloud Live app from scripts and CI.
//
//	liveconfig callback create  --url URL --command WORD [--command WORD ...]
//	liveconfig callback update  --url URL --command WORD [--command WORD ...]
//	liveconfig callback ensure  --url URL --command WORD [--command WORD ...] [--dry-run]
//	liveconfig callback get
//	liveconfig callback delete
//	liveconfig token set (--token TOKEN | --token-file FILE) [--enabled | --enabled=false]
//	liveconfig token rotate --token-file FILE
//	liveconfig token get [--show-token]
//	liveconfig token delete
//	liveconfig plan -f FILE [--app NAME ...] [--parallel N] [--allow-endpoint URL ...] [--exit-code]
//	liveconfig apply -f FILE [--app NAME ...] [--parallel N] [--allow-endpoint URL ...]
//	liveconfig webhook send --url URL --command WORD [--body-file FILE] (--token-file FILE | --unsigned) --sdkappid N
//	liveconfig webhook samples [--command WORD]
//	liveconfig commands
//	liveconfig version
//	liveconfig completion bash
//	liveconfig completion zsh
//	liveconfig completion fish
//
// The app comes from the environment: LIVECONFIG_SDKAPPID, LIVECONFIG_IDENTIFIER, LIVECONFIG_SECRET_KEY (or
// LIVECONFIG_SECRET_KEY_FILE), LIVECONFIG_REGION and optionally LIVECONFIG_ENDPOINT; the flags --sdkappid,
// --identifier, --region, --endpoint and --secret-key-file override them. No flag takes the secret itself;
// secret and token files are read without the white space around them and may hold at most 64 KiB.
// Every subcommand takes -o text|json (or --output), anywhere on the command line: with -o json, every
// outcome, usage errors and help included, is exactly one JSON object. Subcommands that call the API take
// --timeout (default 30s), which bounds the whole command; Ctrl-C cancels the call in flight. Text output
// quotes any string from the server that holds a control or format character.
//
// plan and apply take their apps from a fleet file (see package fleet for its format; -f - reads it from
// standard input, relative paths in it then relative to the working directory) rather than from the
// environment: plan reads every app and says what apply would do; apply makes every app match the file.
// --parallel (default 8) apps are in flight at once, --timeout (default 1m) bounds each app's calls, and a
// terminal's stderr shows a progress line. An app's endpoint: must be https:// on a Tencent API host unless
// --allow-endpoint URL (repeatable; scheme, host and port exactly, its path a prefix) names it, and the
// UserSigs they sign are valid for 5 minutes (or --timeout, if longer). With -o json, stdout is one object:
// {"apps": [{"name", "sdkappid", "callback": {"action", "from", "to"}, "token": {"action", "enabled_from",
// "enabled_to", "value_changed"}, "request_ids", "error"}], "summary": {"apps", "changed", "unchanged",
// "failed", "not_started", "interrupted"}}. apply reads back every part it changed; one that another writer
// changed in between has "conflict": true and "now" (the callback configuration there now, or null) or
// "enabled_now" (the token's), and its app fails with exit code 4. Ctrl-C starts no further app, lets the call in flight finish and
// reports what was done; a second Ctrl-C ends the tool at once, without a report.
//
// completion prints a completion script for the shell it names, generated from the same table of commands as
// the help: source <(liveconfig completion bash), source <(liveconfig completion zsh) (or save it as _liveconfig
// in $fpath), liveconfig completion fish | source. It completes commands, flags, -o's formats, --region's
// regions, --command's words and file names.
//
// Exit codes: 0 success; 1 a server or network failure; 2 usage or invalid input (nothing was sent);
// 3 authentication or permission refused; 4 a state conflict (the configuration or token exists, or does not);
// 5 plan --exit-code found changes pending (0 then means none); 130 interrupted (Ctrl-C). For plan and apply the
// worst app decides, in the order 2, 3, 1, 4.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	// After the first signal the default action is back: a second Ctrl-C ends the tool at once, for a plan or
	// an apply that is waiting on the calls in flight.
	context.AfterFunc(ctx, stop)
	code := run(ctx, os.Args[1:], os.Stdout, os.Stderr, os.LookupEnv)
	stop()
	os.Exit(code)
}
