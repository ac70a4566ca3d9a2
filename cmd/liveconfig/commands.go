package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// subcommand is one leaf of the command tree. The table of them, subcommands, is the one list of what the tool
// does: the usage texts, help and the shell completions come from it, and a test checks main.go's doc and
// README's synopsis against it.
type subcommand struct {
	path     string // "callback create"
	summary  string // what it does, for help and completions: "create the callback configuration"
	synopsis string // the arguments after the path
	// flags registers the subcommand's own flags and returns the action to run once they are parsed.
	flags func(fs *flag.FlagSet) action
}

// action runs a parsed subcommand. client is nil for subcommands that need no app. A subcommand over many
// apps (plan, apply) has fleet instead of run: it prints its own report and returns its exit code.
type action struct {
	needsClient bool
	run         func(ctx context.Context, client *liveconfig.Client) (view, error)
	fleet       func(ctx context.Context, out *terminal) int
}

// subcommands is filled in by init: the completion subcommands read the table they are in.
var subcommands []subcommand

func init() {
	subcommands = []subcommand{
		{path: "callback create", summary: "create the callback configuration", synopsis: "--url URL --command WORD [--command WORD ...]",
			flags: callbackWrite(func(ctx context.Context, c *liveconfig.Client, cfg liveconfig.CallbackConfig) (*liveconfig.Result, error) {
				return c.CreateCallback(ctx, cfg)
			})},
		{path: "callback update", summary: "replace the callback configuration", synopsis: "--url URL --command WORD [--command WORD ...]",
			flags: callbackWrite(func(ctx context.Context, c *liveconfig.Client, cfg liveconfig.CallbackConfig) (*liveconfig.Result, error) {
				return c.UpdateCallback(ctx, cfg)
			})},
		{path: "callback ensure", summary: "make the callback configuration as given, changing only what differs",
			synopsis: "--url URL --command WORD [--command WORD ...] [--dry-run]", flags: callbackEnsure},
		{path: "callback get", summary: "print the callback configuration", flags: func(*flag.FlagSet) action {
			return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
				cfg, err := c.GetCallback(ctx)
				if err != nil {
					return view{}, err
				}
				return callbackView(cfg), nil
			})
		}},
		{path: "callback delete", summary: "delete the callback configuration", flags: mutation(func(ctx context.Context, c *liveconfig.Client) (*liveconfig.Result, error) {
			return c.DeleteCallback(ctx)
		}, "deleted the callback configuration")},
		{path: "token set", summary: "set the callback token", synopsis: "(--token TOKEN | --token-file FILE) [--enabled | --enabled=false]", flags: tokenSet},
		{path: "token rotate", summary: "replace the callback token with a new one, and say how to rotate without refusing a webhook",
			synopsis: "--token-file FILE", flags: tokenRotate},
		{path: "token get", summary: "print whether the callback token is enabled (and the token, if asked)", synopsis: "[--show-token]", flags: tokenGet},
		{path: "token delete", summary: "delete the callback token", flags: mutation(func(ctx context.Context, c *liveconfig.Client) (*liveconfig.Result, error) {
			return c.DeleteCallbackToken(ctx)
		}, "deleted the callback token")},
		{path: "plan", summary: "say what apply would change in every app of a fleet file",
			synopsis: "-f FILE [--app NAME ...] [--parallel N] [--allow-endpoint URL ...] [--exit-code]", flags: fleetPlan},
		{path: "apply", summary: "make every app of a fleet file match it", synopsis: "-f FILE [--app NAME ...] [--parallel N] [--allow-endpoint URL ...]", flags: fleetApply},
		{path: "webhook send", summary: "send one webhook to a receiver exactly as Tencent would, and print its answer",
			synopsis: "--url URL --command WORD [--body-file FILE] (--token-file FILE | --unsigned) --sdkappid N", flags: webhookSend},
		{path: "webhook samples", summary: "list the command words with a sample body, or print one", synopsis: "[--command WORD]", flags: webhookSamples},
		{path: "commands", summary: "list the command words the module knows", flags: func(*flag.FlagSet) action {
			return action{run: func(context.Context, *liveconfig.Client) (view, error) {
				list := words(liveconfig.KnownCommands())
				return view{text: strings.Join(list, "\n"), json: commandsJSON{Commands: list}}, nil
			}}
		}},
		{path: "version", summary: "print the version", flags: func(*flag.FlagSet) action {
			return action{run: func(context.Context, *liveconfig.Client) (view, error) {
				return view{text: "liveconfig " + liveconfig.Version, json: versionJSON{Version: liveconfig.Version}}, nil
			}}
		}},
	}
	for _, sh := range shells {
		subcommands = append(subcommands, subcommand{path: "completion " + sh.name, summary: "print the " + sh.name + " completion script",
			flags: func(*flag.FlagSet) action {
				return action{run: func(context.Context, *liveconfig.Client) (view, error) {
					script := sh.script(completionTree())
					return view{text: strings.TrimSuffix(script, "\n"), json: completionJSON{Shell: sh.name, Script: script}}, nil
				}}
			}})
	}
}

func clientAction(run func(context.Context, *liveconfig.Client) (view, error)) action {
	return action{needsClient: true, run: run}
}

// mutation is a subcommand without flags of its own that changes something.
func mutation(call func(context.Context, *liveconfig.Client) (*liveconfig.Result, error), done string) func(*flag.FlagSet) action {
	return func(*flag.FlagSet) action {
		return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
			res, err := call(ctx, c)
			if err != nil {
				return view{}, err
			}
			return resultView(res, done), nil
		})
	}
}

// callbackFlags registers --url and --command.
func callbackFlags(fs *flag.FlagSet) func() (liveconfig.CallbackConfig, error) {
	url := fs.String("url", "", "the callback URL (http:// or https://)")
	var commands commandList
	fs.Var(&commands, "command", "a command word; repeat it, or give a comma-separated list")
	return func() (liveconfig.CallbackConfig, error) {
		cfg := liveconfig.CallbackConfig{URL: *url, Commands: commands}
		if *url == "" || len(commands) == 0 {
			return cfg, &usageError{"--url and at least one --command are required"}
		}
		return cfg, cfg.Validate()
	}
}

func callbackWrite(call func(context.Context, *liveconfig.Client, liveconfig.CallbackConfig) (*liveconfig.Result, error)) func(*flag.FlagSet) action {
	return func(fs *flag.FlagSet) action {
		parsed := callbackFlags(fs)
		return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
			cfg, err := parsed()
			if err != nil {
				return view{}, err
			}
			res, err := call(ctx, c, cfg)
			if err != nil {
				return view{}, err
			}
			return resultView(res, "saved the callback configuration"), nil
		})
	}
}

func callbackEnsure(fs *flag.FlagSet) action {
	parsed := callbackFlags(fs)
	dryRun := fs.Bool("dry-run", false, "print what would change without changing it")
	return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
		cfg, err := parsed()
		if err != nil {
			return view{}, err
		}
		if *dryRun {
			return planEnsure(ctx, c, cfg)
		}
		res, err := c.EnsureCallback(ctx, cfg)
		if err != nil {
			return view{}, err
		}
		if !res.Changed {
			return resultView(res, "the callback configuration is already as asked; nothing sent"), nil
		}
		return resultView(res, "saved the callback configuration"), nil
	})
}

// planEnsure reads the configuration and says what ensure would do.
func planEnsure(ctx context.Context, c *liveconfig.Client, want liveconfig.CallbackConfig) (view, error) {
	current, err := c.GetCallback(ctx)
	action, text := "", ""
	switch {
	case errors.Is(err, liveconfig.ErrCallbackNotFound):
		action, text = "create", fmt.Sprintf("would create: %s %v", want.URL, words(want.Commands))
	case err != nil:
		return view{}, err
	case current.Equal(want):
		action, text = "none", "no change: the callback configuration is already as asked"
	default:
		action, text = "update", "would update: "+describeChange(*current, want)
	}
	return view{text: text, json: resultJSON{Changed: action != "none", DryRun: true, Action: action}}, nil
}

func describeChange(from, to liveconfig.CallbackConfig) string {
	var parts []string
	if from.URL != to.URL {
		parts = append(parts, fmt.Sprintf("url %s -> %s", printable(from.URL), to.URL))
	}
	added, removed := from.Diff(to)
	if len(added) > 0 {
		parts = append(parts, fmt.Sprintf("add %v", added))
	}
	if len(removed) > 0 {
		parts = append(parts, printable(fmt.Sprintf("remove %v", removed)))
	}
	return strings.Join(parts, "; ")
}

func tokenSet(fs *flag.FlagSet) action {
	token := fs.String("token", "", "the callback token, 1 to 128 characters (visible to other local users: prefer --token-file)")
	tokenFile := fs.String("token-file", "", "file holding the callback token")
	enabled := fs.Bool("enabled", true, "whether Tencent signs webhooks with the token")
	return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
		value := secretrule.Trim(*token) // as a token file is
		switch {
		case (*token == "") == (*tokenFile == ""):
			return view{}, &usageError{"give exactly one of --token and --token-file"}
		case *tokenFile != "":
			var err error
			if value, err = readSecretFile(ctx, *tokenFile, "--token-file"); err != nil {
				return view{}, err
			}
		}
		res, err := c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: value, Enabled: *enabled})
		if err != nil {
			return view{}, err
		}
		return resultView(res, fmt.Sprintf("saved the callback token (enabled: %t)", *enabled)), nil
	})
}

func tokenGet(fs *flag.FlagSet) action {
	show := fs.Bool("show-token", false, "print the token itself")
	return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
		tok, err := c.GetCallbackToken(ctx)
		if err != nil {
			return view{}, err
		}
		out := tokenJSON{Enabled: tok.Enabled}
		text := fmt.Sprintf("enabled: %t\ntoken: (hidden; pass --show-token to print it)", tok.Enabled)
		if *show {
			out.Token = tok.Token
			text = fmt.Sprintf("enabled: %t\ntoken: %s", tok.Enabled, printable(tok.Token))
		}
		return view{text: text, json: out}, nil
	})
}

// run parses args, runs the subcommand and prints its result or error. It returns the exit code. ctx ends
// when the user interrupts the tool.
func run(ctx context.Context, args []string, stdout, stderr io.Writer, lookupEnv func(string) (string, bool)) int {
	getenv := func(name string) string {
		v, _ := lookupEnv(name)
		return v
	}
	format, args, err := takeOutput(args)
	if err != nil {
		return report(stderr, format, err)
	}
	if len(args) > 1 && args[0] == "help" { // "help callback create" is "callback create --help"
		args = append(slices.Clone(args[1:]), "--help")
	}
	path, rest := splitPath(args)
	sub, ok := findSubcommand(path)
	if !ok {
		return usageFor(format, path, args, rest, stdout, stderr)
	}

	fs := flag.NewFlagSet("liveconfig "+sub.path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	act := sub.flags(fs)
	var common commonFlags
	if act.needsClient {
		common.register(fs)
	}
	if err := fs.Parse(rest); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return printHelp(stdout, format, leafUsage(sub, fs))
		}
		return report(stderr, format, &usageError{fmt.Sprintf("%v; see 'liveconfig %s --help'", err, sub.path)})
	}
	switch {
	case fs.NArg() == 1 && fs.Arg(0) == "help":
		return printHelp(stdout, format, leafUsage(sub, fs))
	case fs.NArg() > 0:
		return report(stderr, format, &usageError{unexpectedArgument(fs, rest)})
	}
	if act.fleet != nil {
		return act.fleet(ctx, &terminal{format: format, stdin: os.Stdin, stdout: stdout, stderr: stderr, lookupEnv: lookupEnv})
	}
	if !act.needsClient {
		v, err := act.run(ctx, nil)
		if err != nil {
			return report(stderr, format, err)
		}
		printView(stdout, format, v)
		return exitOK
	}
	if err := common.check(); err != nil {
		return report(stderr, format, err)
	}
	callCtx, cancel := context.WithTimeout(ctx, common.timeout) // reading a key file counts too
	defer cancel()
	v, err := runClient(callCtx, act, &common, getenv)
	switch {
	case err != nil && ctx.Err() != nil:
		return report(stderr, format, &interruptedError{err})
	case err != nil:
		return report(stderr, format, inCLITerms(callCtx, err, &common, getenv))
	}
	printView(stdout, format, v)
	return exitOK
}

// runClient builds the client of the command line and runs act with it.
func runClient(ctx context.Context, act action, common *commonFlags, getenv func(string) string) (view, error) {
	cfg, err := common.clientConfig(ctx, getenv)
	if err != nil {
		return view{}, err
	}
	client, err := liveconfig.NewClient(cfg)
	if err != nil {
		return view{}, err
	}
	defer client.CloseIdleConnections()
	return act.run(ctx, client)
}

// printHelp prints usage on request: as it is, or as the one JSON object of -o json.
func printHelp(w io.Writer, format, usage string) int {
	if format == "json" {
		writeJSON(w, usageJSON{Usage: usage})
	} else {
		fmt.Fprint(w, usage)
	}
	return exitOK
}

// usageFor answers a command line that names no subcommand: help on request (exit 0), else an error and the
// usage of what it did name (exit 2).
func usageFor(format, path string, args, rest []string, stdout, stderr io.Writer) int {
	usage := topUsage()
	if group := subcommandsUnder(path); path != "" && len(group) > 0 {
		usage = groupUsage(path, group)
	}
	if len(rest) > 0 && isHelp(rest[0]) {
		return printHelp(stdout, format, usage)
	}
	var msg string
	switch {
	case len(args) == 0:
		msg = "a command is required; see 'liveconfig --help'"
	case len(rest) == 0:
		msg = fmt.Sprintf("%q needs a command; see 'liveconfig %s --help'", path, path)
	case strings.HasPrefix(args[0], "-"):
		msg = flagsFirst(withoutSecrets(args))
	default:
		msg = fmt.Sprintf("unknown command %q; see 'liveconfig --help'", strings.Join(withoutSecrets(args), " "))
	}
	code := report(stderr, format, &usageError{msg})
	if format == "text" {
		fmt.Fprint(stderr, "\n"+usage)
	}
	return code
}

// flagsFirst is the message for a command line that starts with flags: if a command follows them, it says
// how to write it, flags after the command.
func flagsFirst(args []string) string {
	for i := 1; i < len(args); i++ {
		if path, rest := splitPath(args[i:]); path != "" {
			if _, ok := findSubcommand(path); ok {
				fixed := append(append([]string{"liveconfig", path}, args[:i]...), rest...)
				return fmt.Sprintf("flags go after the command: %s", strings.Join(fixed, " "))
			}
		}
	}
	return fmt.Sprintf("a command is required before the flags %q; see 'liveconfig --help'", strings.Join(args, " "))
}

// withoutSecrets is args with the value of a --token flag replaced by its mark, for a message that repeats
// the command line.
func withoutSecrets(args []string) []string {
	out := slices.Clone(args)
	for i, arg := range out {
		name, _, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || name != "token" {
			continue
		}
		if hasValue {
			out[i] = arg[:strings.Index(arg, "=")+1] + "[redacted]"
		} else if i+1 < len(out) {
			out[i+1] = "[redacted]"
		}
	}
	return out
}

// unexpectedArgument is the message for a word left over after the flags: "--enabled false" is the common
// one, a true/false flag given its value after a space.
func unexpectedArgument(fs *flag.FlagSet, rest []string) string {
	arg := fs.Arg(0)
	if arg == "true" || arg == "false" {
		if i := slices.Index(rest, arg); i > 0 {
			name := strings.TrimLeft(strings.SplitN(rest[i-1], "=", 2)[0], "-")
			if f := fs.Lookup(name); f != nil {
				if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
					return fmt.Sprintf("unexpected argument %q: a true/false flag takes its value with '=': --%s=%s", arg, name, arg)
				}
			}
		}
	}
	return fmt.Sprintf("unexpected argument %q", arg)
}

// splitPath takes the words naming a subcommand off the front of args.
func splitPath(args []string) (string, []string) {
	var words []string
	for len(args) > 0 && !strings.HasPrefix(args[0], "-") {
		candidate := strings.Join(append(slices.Clone(words), args[0]), " ")
		if _, ok := findSubcommand(candidate); !ok && len(subcommandsUnder(candidate)) == 0 {
			break
		}
		words, args = append(words, args[0]), args[1:]
	}
	return strings.Join(words, " "), args
}

func findSubcommand(path string) (subcommand, bool) {
	for _, s := range subcommands {
		if s.path == path {
			return s, true
		}
	}
	return subcommand{}, false
}

func subcommandsUnder(prefix string) []subcommand {
	var out []subcommand
	for _, s := range subcommands {
		if strings.HasPrefix(s.path, prefix+" ") {
			out = append(out, s)
		}
	}
	return out
}

func isHelp(arg string) bool {
	return arg == "-h" || arg == "--help" || arg == "-help" || arg == "help"
}
