package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig/fleet"
)

// exitPending is plan --exit-code's answer when a change is pending; 0 then means there is none.
const exitPending = 5

// terminal is where a fleet subcommand prints: the output format, the streams and the environment.
type terminal struct {
	format         string
	stdin          io.Reader // for -f -
	stdout, stderr io.Writer
	lookupEnv      func(string) (string, bool)
}

// fleetFlags are the flags of plan and apply.
type fleetFlags struct {
	file     string
	apps     appNames
	parallel int
	timeout  time.Duration
	exitCode bool
	allow    allowEndpoints
}

func registerFleet(fs *flag.FlagSet, plan bool) *fleetFlags {
	ff := &fleetFlags{}
	fs.StringVar(&ff.file, "f", "", "the fleet `FILE` (YAML), or - for standard input; required")
	fs.StringVar(&ff.file, "file", "", "the fleet file (same as -f)")
	fs.Var(&ff.apps, "app", "only the app named `NAME`; repeat it, or give a comma-separated list; an empty name is an error (default every app)")
	fs.IntVar(&ff.parallel, "parallel", fleet.DefaultParallel, "how many apps are in flight at once")
	fs.DurationVar(&ff.timeout, "timeout", fleet.DefaultAppTimeout, "bound on each app's calls")
	fs.Var(&ff.allow, "allow-endpoint", "let an app's endpoint: be `URL` (scheme, host and port exactly; a path, if given, prefixes the endpoint's); repeat it. Without it only https:// Tencent API hosts are allowed")
	if plan {
		fs.BoolVar(&ff.exitCode, "exit-code", false, "exit 5 when a change is pending, 0 when none is")
	}
	return ff
}

func fleetPlan(fs *flag.FlagSet) action {
	ff := registerFleet(fs, true)
	return action{fleet: func(ctx context.Context, out *terminal) int { return runFleet(ctx, out, ff, false) }}
}

func fleetApply(fs *flag.FlagSet) action {
	ff := registerFleet(fs, false)
	return action{fleet: func(ctx context.Context, out *terminal) int { return runFleet(ctx, out, ff, true) }}
}

// runFleet loads the file, runs Plan or Apply over its apps, prints the report and returns the exit code.
func runFleet(ctx context.Context, out *terminal, ff *fleetFlags, apply bool) int {
	switch {
	case ff.file == "":
		return report(out.stderr, out.format, &usageError{"-f FILE is required: the fleet file"})
	case ff.parallel < 1 || ff.parallel > fleet.MaxParallel:
		return report(out.stderr, out.format, &usageError{fmt.Sprintf("--parallel must be from 1 to %d, not %d", fleet.MaxParallel, ff.parallel)})
	case ff.timeout <= 0:
		return report(out.stderr, out.format, &usageError{fmt.Sprintf("--timeout must be positive, not %v", ff.timeout)})
	}
	opts := fleet.Options{Parallel: ff.parallel, LookupEnv: out.lookupEnv, AppTimeout: ff.timeout, AllowEndpoints: ff.allow}
	file, err := untilDone(ctx, func() (*fleet.File, error) { return loadFleet(ff.file, out.stdin) })
	if ctx.Err() != nil { // Ctrl-C while the file was read (a FIFO, or -f - from a terminal)
		return report(out.stderr, out.format, &interruptedError{fmt.Errorf("%s: not read to its end: %w", ff.file, ctx.Err())})
	}
	if err == nil {
		file, err = file.Select(ff.apps...)
	}
	if err != nil {
		return reportFileErrors(out, err)
	}
	verb, run := "plan", fleet.Plan
	if apply {
		verb, run = "apply", fleet.Apply
	}
	progress := newProgress(out, verb, len(file.Apps))
	if progress != nil {
		opts.Progress = progress.update
	}
	rep, err := run(ctx, file, opts)
	progress.finish()
	if rep != nil {
		for i := range rep.Apps {
			rep.Apps[i].Err = timeoutInCLITerms(rep.Apps[i].Err, ff.timeout)
		}
	}
	if errors.Is(err, fleet.ErrInvalidFile) { // an endpoint not allowed: nothing was read or sent
		return reportFileErrors(out, err)
	}
	if err != nil { // the flags were checked above, so this is a mistake of this tool's
		return report(out.stderr, out.format, err)
	}
	if out.format == "json" {
		writeJSON(out.stdout, fleetReportJSON(rep))
	} else {
		printFleetReport(out.stdout, rep)
	}
	return fleetExitCode(rep, ff.exitCode && !apply)
}

// loadFleet loads the fleet file at path, or from stdin for "-"; relative paths in a file read from stdin
// are relative to the working directory.
func loadFleet(path string, stdin io.Reader) (*fleet.File, error) {
	if path == "-" {
		return fleet.Decode(stdin, "")
	}
	return fleet.Load(path)
}

// reportFileErrors prints every problem of a fleet file, each on a line of its own in text, and returns
// exitUsage.
func reportFileErrors(out *terminal, err error) int {
	if out.format == "json" {
		return report(out.stderr, out.format, &usageError{strings.ReplaceAll(err.Error(), "\n", "; ")})
	}
	for _, line := range strings.Split(err.Error(), "\n") {
		report(out.stderr, out.format, &usageError{line})
	}
	return exitUsage
}

// exitRank orders the exit codes of failed apps: the worst app decides.
var exitRank = map[int]int{exitUsage: 4, exitAuth: 3, exitFailure: 2, exitConflict: 1}

// fleetExitCode is 130 when the run was interrupted, else the code of the worst failed app, else with
// pendingExit 5 when a change is pending, else 0.
func fleetExitCode(rep *fleet.Report, pendingExit bool) int {
	if rep.Interrupted {
		return exitInterrupted
	}
	code, pending := exitOK, false
	for i := range rep.Apps {
		app := &rep.Apps[i]
		if app.Err != nil {
			if c := exitCode(app.Err); exitRank[c] > exitRank[code] {
				code = c
			}
		}
		pending = pending || app.Pending()
	}
	if code == exitOK && pendingExit && pending {
		return exitPending
	}
	return code
}

// appNames is an --app flag: it repeats and takes comma-separated lists.
type appNames []string

func (n *appNames) String() string { return strings.Join(*n, ",") }

// Set refuses an empty name, alone or as an item of a list: in a script, --app "$APP" with APP unset must not
// turn "this app" into "every app".
func (n *appNames) Set(value string) error {
	for _, name := range strings.Split(value, ",") {
		name = strings.TrimSpace(name)
		if name == "" {
			return errors.New("an app name is empty (an unset variable?); leave --app out to select every app")
		}
		*n = append(*n, name)
	}
	return nil
}

// allowEndpoints is an --allow-endpoint flag: it repeats.
type allowEndpoints []string

func (a *allowEndpoints) String() string { return strings.Join(*a, ",") }

// Set refuses what fleet.Options.AllowEndpoints would, saying why.
func (a *allowEndpoints) Set(value string) error {
	if err := (fleet.Options{AllowEndpoints: []string{value}}).Validate(); err != nil {
		return errors.Unwrap(err) // without the Options field it names
	}
	*a = append(*a, value)
	return nil
}

// progress is the line on a terminal's stderr that counts the apps done while a fleet command runs.
type progress struct {
	w            io.Writer
	verb         string
	total        int
	done, failed int
}

// newProgress returns the progress line, or nil when there is none: with -o json, or when stderr is not a
// terminal.
func newProgress(out *terminal, verb string, total int) *progress {
	if out.format != "text" || !isTerminal(out.stderr) {
		return nil
	}
	return &progress{w: out.stderr, verb: verb, total: total}
}

func (p *progress) update(r fleet.AppReport) {
	p.done++
	if r.Err != nil {
		p.failed++
	}
	fmt.Fprintf(p.w, "\r\x1b[Kliveconfig %s: %d/%d apps done, %d failed", p.verb, p.done, p.total, p.failed)
}

// finish clears the line, so that the report is all that stays on the screen.
func (p *progress) finish() {
	if p != nil && p.done > 0 {
		fmt.Fprint(p.w, "\r\x1b[K")
	}
}

// isTerminal reports whether w is a terminal: a character device other than the null device.
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok {
		return false
	}
	st, err := f.Stat()
	if err != nil || st.Mode()&os.ModeCharDevice == 0 {
		return false
	}
	null, err := os.Stat(os.DevNull)
	return err != nil || !os.SameFile(st, null)
}

// timeoutInCLITerms names --timeout in an app's error that its end caused.
func timeoutInCLITerms(err error, timeout time.Duration) error {
	if err == nil || !errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return &cliError{msg: fmt.Sprintf("--timeout %v (each app's) ran out: %s", timeout, strings.TrimPrefix(err.Error(), "liveconfig: ")), err: err}
}

// fleetAppError is an app's error in the tool's terms: a wrong-region hint names the fleet file's keys.
func fleetAppError(err error) error {
	return withRegionHint(err, "its region (or endpoint) in the fleet file")
}
