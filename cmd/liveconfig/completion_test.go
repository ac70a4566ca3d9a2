package main

import (
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// RequireShellsEnv turns a missing zsh or fish from a skip into a failure (CI installs both).
const requireShellsEnv = "LIVECONFIG_REQUIRE_SHELLS"

// shellPath finds a shell for a completion test, or skips the test.
func shellPath(t *testing.T, name string) string {
	t.Helper()
	path, err := exec.LookPath(name)
	if err != nil {
		if os.Getenv(requireShellsEnv) == "1" {
			t.Fatalf("%s is not installed and %s=1: apt-get install -y %s", name, requireShellsEnv, name)
		}
		t.Skipf("%s is not installed: apt-get install -y %s", name, name)
	}
	return path
}

// completionScript is what `liveconfig completion SHELL` prints, in a file of its own.
func completionScript(t *testing.T, shell string) string {
	t.Helper()
	res := cli(t, nil, "completion", shell)
	require.Equal(t, 0, res.code, res.stderr)
	path := filepath.Join(t.TempDir(), "liveconfig."+shell)
	require.NoError(t, os.WriteFile(path, []byte(res.stdout), 0o600))
	return path
}

// A completion case: the words typed so far (the last is the one being completed) and what must be offered.
type completionCase struct {
	line    []string
	want    []string // all of these offered
	exactly bool     // and nothing else
}

var completionCases = []completionCase{
	{line: []string{""}, want: []string{"callback", "token", "plan", "apply", "webhook", "commands", "version", "completion", "help"}, exactly: true},
	{line: []string{"cal"}, want: []string{"callback"}, exactly: true},
	{line: []string{"callback", ""}, want: []string{"create", "update", "ensure", "get", "delete"}, exactly: true},
	{line: []string{"-o", "json", "token", "s"}, want: []string{"set"}, exactly: true},
	{line: []string{"callback", "create", "--u"}, want: []string{"--url"}, exactly: true},
	{line: []string{"callback", "create", "--url", "https://x.example/cb", "--command", "Live.CallbackAfterC"},
		want: []string{"Live.CallbackAfterCreateRoom", "Live.CallbackAfterChangeOwner", "Live.CallbackAfterCreateBattle"}},
	{line: []string{"token", "get", "--region", "s"}, want: []string{"singapore"}, exactly: true},
	{line: []string{"plan", "--app", "a", "--"}, want: []string{"--allow-endpoint", "--exit-code", "--parallel", "--timeout", "--file"}},
	{line: []string{"version", "-o", ""}, want: []string{"text", "json"}, exactly: true},
	{line: []string{"help", "token", ""}, want: []string{"set", "rotate", "get", "delete"}, exactly: true},
	{line: []string{"completion", ""}, want: []string{"bash", "zsh", "fish"}, exactly: true},
}

// leafCases are generated from the table: every subcommand's path completes to it, and after it every flag it
// has is offered.
func leafCases(t *testing.T) []completionCase {
	var cases []completionCase
	for _, sub := range subcommands {
		words := strings.Fields(sub.path)
		cases = append(cases, completionCase{line: words, want: []string{words[len(words)-1]}})
		fs := flag.NewFlagSet(sub.path, flag.ContinueOnError)
		if sub.flags(fs).needsClient {
			var common commonFlags
			common.register(fs)
		}
		want := []string{"--output"}
		fs.VisitAll(func(f *flag.Flag) { want = append(want, flagName(f.Name)) })
		cases = append(cases, completionCase{line: append(slices.Clone(words), "-"), want: want})
	}
	require.Greater(t, len(cases), 20)
	return cases
}

func checkOffered(t *testing.T, shell string, c completionCase, offered []string) {
	t.Helper()
	for _, w := range c.want {
		assert.Contains(t, offered, w, "%s: liveconfig %s<TAB>", shell, strings.Join(c.line, " "))
	}
	if c.exactly {
		assert.ElementsMatch(t, c.want, offered, "%s: liveconfig %s<TAB> offers only these", shell, strings.Join(c.line, " "))
	}
}

func TestBashCompletion(t *testing.T) {
	t.Parallel()
	bash := shellPath(t, "bash")
	script := completionScript(t, "bash")
	for _, c := range append(completionCases, leafCases(t)...) {
		// bash splits "--output=json" at "=" (COMP_WORDBREAKS); the cases give words as typed with spaces.
		words := append([]string{"liveconfig"}, c.line...)
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, shellQuote(w, false))
		}
		prog := "source " + shellQuote(script, false) + "\nCOMP_WORDS=(" + strings.Join(quoted, " ") + ")\nCOMP_CWORD=" +
			strconv.Itoa(len(words)-1) + "\n_liveconfig\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
		out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
		require.NoError(t, err, "%s", out)
		checkOffered(t, "bash", c, strings.Fields(string(out)))
	}
}

func TestBashCompletionAfterAnEqualsSign(t *testing.T) {
	t.Parallel()
	bash := shellPath(t, "bash")
	script := completionScript(t, "bash")
	// "liveconfig --output=json callback g": bash gives the words --output, =, json.
	prog := "source " + shellQuote(script, false) + "\nCOMP_WORDS=(liveconfig --output = json callback g)\nCOMP_CWORD=5\n_liveconfig\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n" +
		"COMP_WORDS=(liveconfig --output =)\nCOMP_CWORD=2\n_liveconfig\nprintf '%s\\n' \"${COMPREPLY[@]}\"\n"
	out, err := exec.Command(bash, "--norc", "--noprofile", "-c", prog).CombinedOutput()
	require.NoError(t, err, "%s", out)
	assert.Equal(t, []string{"get", "text", "json"}, strings.Fields(string(out)))
}

func TestFishCompletion(t *testing.T) {
	t.Parallel()
	fish := shellPath(t, "fish")
	script := completionScript(t, "fish")
	for _, c := range append(completionCases, leafCases(t)...) {
		line := "liveconfig " + strings.Join(c.line, " ")
		out, err := exec.Command(fish, "--no-config", "-c", "source "+shellQuote(script, true)+"; complete -C "+shellQuote(line, true)).CombinedOutput()
		require.NoError(t, err, "%s", out)
		var offered []string
		for _, l := range strings.Split(strings.TrimSpace(string(out)), "\n") {
			if word, _, _ := strings.Cut(l, "\t"); word != "" {
				offered = append(offered, word)
			}
		}
		if c.line[len(c.line)-1] == "-" && !c.exactly {
			// fish offers -o and -f as the short options they are, and --output beside -o.
			offered = append(offered, "--output")
		}
		checkOffered(t, "fish", c, offered)
	}
}

// TestZshCompletion runs the zsh function outside the completion system, with its builtins (compadd,
// _describe, _files, compdef) replaced by functions that print what they are given.
func TestZshCompletion(t *testing.T) {
	t.Parallel()
	zsh := shellPath(t, "zsh")
	script := completionScript(t, "zsh")
	stubs := `compdef() { :; }
compadd() { [[ $1 == -- ]] && shift; print -l -- "$@"; }
_files() { print -- FILES; }
_describe() { local entry; for entry in "${(@P)2}"; do print -- "${entry%%:*}"; done; }
`
	for _, c := range append(completionCases, leafCases(t)...) {
		words := append([]string{"liveconfig"}, c.line...)
		var quoted []string
		for _, w := range words {
			quoted = append(quoted, shellQuote(w, false))
		}
		prog := stubs + "source " + shellQuote(script, false) + "\nwords=(" + strings.Join(quoted, " ") + ")\nCURRENT=" + strconv.Itoa(len(words)) + "\n_liveconfig\n"
		out, err := exec.Command(zsh, "-f", "-c", prog).CombinedOutput()
		require.NoError(t, err, "%s", out)
		// zsh filters by the word being typed itself; the function offers every candidate.
		prefix := c.line[len(c.line)-1]
		var offered []string
		for _, w := range strings.Fields(string(out)) {
			if strings.HasPrefix(w, prefix) {
				offered = append(offered, w)
			}
		}
		checkOffered(t, "zsh", c, offered)
	}
}

func TestCompletionJSON(t *testing.T) {
	t.Parallel()
	res := cli(t, nil, "completion", "bash", "-o", "json")
	require.Equal(t, 0, res.code, res.stderr)
	assert.Contains(t, res.stdout, `"shell":"bash"`)
	assert.Contains(t, res.stdout, `complete -F _liveconfig liveconfig`)
}
