package main

import (
	"flag"
	"fmt"
	"slices"
	"strings"

	"github.com/go-tuilive/liveconfig"
)

// The completion scripts are generated from the subcommand table: the words that may follow each command
// prefix, and each leaf's flags with what their values are, so that a new subcommand or flag is completed
// without a line written for it.

// shells are the shells `liveconfig completion SHELL` writes a script for.
var shells = []struct {
	name   string
	script func(tree completionData) string
}{
	{"bash", bashCompletion},
	{"zsh", zshCompletion},
	{"fish", fishCompletion},
}

// completionData is what every script completes.
type completionData struct {
	prefixes []string              // "", "callback", ...: each command prefix, the top first
	next     map[string][]wordHelp // the words that may follow a prefix: groups, leaves and leaf flags
	values   map[valueKind][]string
	// flagsByKind holds every flag name (with its dashes) that takes a value, by what the value is.
	flagsByKind map[valueKind][]string
}

type wordHelp struct{ word, help string }

// valueKind is what a flag's value is, for what to offer after it.
type valueKind string

const (
	valueFile    valueKind = "file"
	valueFormat  valueKind = "format"  // text or json
	valueCommand valueKind = "command" // a command word
	valueRegion  valueKind = "region"
	valueOther   valueKind = "other" // anything: nothing to offer
)

// flagNames are the spellings of a flag the scripts offer: -f for one letter, --name for the others.
func flagName(name string) string {
	if len(name) == 1 {
		return "-" + name
	}
	return "--" + name
}

func kindOf(f *flag.Flag) (valueKind, bool) {
	if b, ok := f.Value.(interface{ IsBoolFlag() bool }); ok && b.IsBoolFlag() {
		return "", false
	}
	switch {
	case f.Name == "f" || f.Name == "file" || strings.HasSuffix(f.Name, "-file"):
		return valueFile, true
	case f.Name == "command":
		return valueCommand, true
	case f.Name == "region":
		return valueRegion, true
	}
	return valueOther, true
}

// completionTree reads the subcommand table.
func completionTree() completionData {
	d := completionData{next: map[string][]wordHelp{}, flagsByKind: map[valueKind][]string{valueFormat: {"-o", "--output"}}}
	add := func(prefix string, w wordHelp) {
		if !slices.ContainsFunc(d.next[prefix], func(x wordHelp) bool { return x.word == w.word }) {
			if _, known := d.next[prefix]; !known {
				d.prefixes = append(d.prefixes, prefix)
			}
			d.next[prefix] = append(d.next[prefix], w)
		}
	}
	d.prefixes = []string{""}
	d.next[""] = nil
	for _, sub := range subcommands {
		words := strings.Fields(sub.path)
		for i := range words {
			help := "commands: " + strings.Join(words[:i+1], " ")
			if i == len(words)-1 {
				help = sub.summary
			}
			add(strings.Join(words[:i], " "), wordHelp{words[i], help})
		}
		fs := flag.NewFlagSet(sub.path, flag.ContinueOnError)
		if sub.flags(fs).needsClient {
			var common commonFlags
			common.register(fs)
		}
		fs.VisitAll(func(f *flag.Flag) {
			name := flagName(f.Name)
			add(sub.path, wordHelp{name, firstSentence(f.Usage)})
			if kind, takesValue := kindOf(f); takesValue && !slices.Contains(d.flagsByKind[kind], name) {
				d.flagsByKind[kind] = append(d.flagsByKind[kind], name)
			}
		})
		add(sub.path, wordHelp{"--output", "output format: text or json"})
	}
	// help takes the words of a command: "help callback create".
	groups := slices.Clone(d.prefixes)
	add("", wordHelp{"help", "help for a command"})
	for _, prefix := range groups {
		for _, w := range d.next[prefix] {
			if !strings.HasPrefix(w.word, "-") && w.word != "help" {
				add(strings.TrimSpace("help "+prefix), w)
			}
		}
	}
	var regions []string
	for _, r := range liveconfig.Regions() {
		regions = append(regions, r.String())
	}
	d.values = map[valueKind][]string{valueFormat: {"text", "json"}, valueCommand: words(liveconfig.KnownCommands()), valueRegion: regions}
	return d
}

// firstSentence is a flag's usage up to its first ";" or "(", for a one-line description.
func firstSentence(usage string) string {
	if i := strings.IndexAny(usage, ";("); i > 0 {
		usage = usage[:i]
	}
	return strings.TrimSpace(strings.ReplaceAll(usage, "`", ""))
}

// valueFlags is every flag that takes a value, as a shell pattern list joined by sep.
func (d completionData) valueFlags(sep string) string {
	var all []string
	for _, kind := range []valueKind{valueFormat, valueFile, valueCommand, valueRegion, valueOther} {
		all = append(all, d.flagsByKind[kind]...)
	}
	return strings.Join(all, sep)
}

func (d completionData) nextWords(prefix string) []string {
	var out []string
	for _, w := range d.next[prefix] {
		out = append(out, w.word)
	}
	return out
}

// shellQuote quotes s for sh-like shells (bash, zsh) and fish alike: in single quotes, each ' written as '\”
// (fish: \').
func shellQuote(s string, fish bool) string {
	if fish {
		return "'" + strings.NewReplacer(`\`, `\\`, "'", `\'`).Replace(s) + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

func bashCompletion(d completionData) string {
	var b strings.Builder
	b.WriteString(`# bash completion for liveconfig, generated by 'liveconfig completion bash' from its command table.
# Load it with: source <(liveconfig completion bash)
_liveconfig() {
    local cur="${COMP_WORDS[COMP_CWORD]}" prev="${COMP_WORDS[COMP_CWORD-1]}"
    if [[ $prev == "=" ]]; then prev="${COMP_WORDS[COMP_CWORD-2]}"; fi
    if [[ $cur == "=" ]]; then cur=""; fi
    local path="" word i skip=0
    for ((i = 1; i < COMP_CWORD; i++)); do
        word="${COMP_WORDS[i]}"
        if [[ $word == "=" ]]; then skip=1; continue; fi
        if ((skip)); then skip=0; continue; fi
        case "$word" in
            ` + d.valueFlags("|") + `) [[ ${COMP_WORDS[i+1]} == "=" ]] || skip=1; continue ;;
            -*) continue ;;
        esac
        path="${path:+$path }$word"
    done
    case "$prev" in
`)
	for _, kind := range []valueKind{valueFormat, valueCommand, valueRegion} {
		fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -W %s -- \"$cur\")); return ;;\n",
			strings.Join(d.flagsByKind[kind], "|"), shellQuote(strings.Join(d.values[kind], " "), false))
	}
	fmt.Fprintf(&b, "        %s) COMPREPLY=($(compgen -f -- \"$cur\")); return ;;\n", strings.Join(d.flagsByKind[valueFile], "|"))
	fmt.Fprintf(&b, "        %s) COMPREPLY=(); return ;;\n", strings.Join(d.flagsByKind[valueOther], "|"))
	b.WriteString("    esac\n    local words=\"\"\n    case \"$path\" in\n")
	for _, prefix := range d.prefixes {
		fmt.Fprintf(&b, "        %s) words=%s ;;\n", shellQuote(prefix, false), shellQuote(strings.Join(d.nextWords(prefix), " "), false))
	}
	b.WriteString("    esac\n    COMPREPLY=($(compgen -W \"$words\" -- \"$cur\"))\n}\ncomplete -F _liveconfig liveconfig\n")
	return b.String()
}

func zshCompletion(d completionData) string {
	var b strings.Builder
	b.WriteString(`#compdef liveconfig
# zsh completion for liveconfig, generated by 'liveconfig completion zsh' from its command table.
# Load it with: source <(liveconfig completion zsh), or save it as _liveconfig in a directory of $fpath.
_liveconfig() {
    local cmdpath="" word i skip=0 prev="${words[CURRENT-1]}"
    for ((i = 2; i < CURRENT; i++)); do
        word="${words[i]}"
        if ((skip)); then skip=0; continue; fi
        case "$word" in
            (` + d.valueFlags("|") + `) skip=1; continue ;;
            (-*) continue ;;
        esac
        cmdpath="${cmdpath:+$cmdpath }$word"
    done
    case "$prev" in
`)
	for _, kind := range []valueKind{valueFormat, valueCommand, valueRegion} {
		var quoted []string
		for _, v := range d.values[kind] {
			quoted = append(quoted, shellQuote(v, false))
		}
		fmt.Fprintf(&b, "        (%s) compadd -- %s; return ;;\n", strings.Join(d.flagsByKind[kind], "|"), strings.Join(quoted, " "))
	}
	fmt.Fprintf(&b, "        (%s) _files; return ;;\n", strings.Join(d.flagsByKind[valueFile], "|"))
	fmt.Fprintf(&b, "        (%s) return ;;\n", strings.Join(d.flagsByKind[valueOther], "|"))
	b.WriteString("    esac\n    local -a next\n    case \"$cmdpath\" in\n")
	for _, prefix := range d.prefixes {
		var entries []string
		for _, w := range d.next[prefix] {
			entries = append(entries, shellQuote(strings.ReplaceAll(w.word, ":", `\:`)+":"+w.help, false))
		}
		fmt.Fprintf(&b, "        (%s) next=(%s) ;;\n", shellQuote(prefix, false), strings.Join(entries, " "))
	}
	b.WriteString("    esac\n    _describe 'liveconfig' next\n}\n")
	b.WriteString("if [[ \"${funcstack[1]}\" == _liveconfig ]]; then _liveconfig \"$@\"; else compdef _liveconfig liveconfig; fi\n")
	return b.String()
}

func fishCompletion(d completionData) string {
	var b strings.Builder
	b.WriteString(`# fish completion for liveconfig, generated by 'liveconfig completion fish' from its command table.
# Load it with: liveconfig completion fish | source
function __liveconfig_at --description 'whether the command line so far names the command prefix $argv[1]'
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l path
    set -l skip 0
    for t in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $t
            case ` + d.valueFlags(" ") + `
                set skip 1
                continue
            case '-*'
                continue
        end
        set -a path $t
    end
    test "$path" = "$argv[1]"
end
complete -c liveconfig -f
`)
	for _, prefix := range d.prefixes {
		cond := shellQuote("__liveconfig_at "+shellQuote(prefix, true), true)
		for _, w := range d.next[prefix] {
			if !strings.HasPrefix(w.word, "-") {
				fmt.Fprintf(&b, "complete -c liveconfig -n %s -a %s -d %s\n", cond, shellQuote(w.word, true), shellQuote(w.help, true))
				continue
			}
			name := strings.TrimLeft(w.word, "-")
			opt := "-l " + name
			if len(name) == 1 {
				opt = "-s " + name
			}
			if name == "output" {
				opt = "-s o -l output"
			}
			switch kind := d.kindOfName(w.word); kind {
			case "":
				fmt.Fprintf(&b, "complete -c liveconfig -n %s %s -d %s\n", cond, opt, shellQuote(w.help, true))
			case valueFile:
				fmt.Fprintf(&b, "complete -c liveconfig -n %s %s -r -F -d %s\n", cond, opt, shellQuote(w.help, true))
			default:
				fmt.Fprintf(&b, "complete -c liveconfig -n %s %s -x -a %s -d %s\n", cond, opt,
					shellQuote(strings.Join(d.values[kind], " "), true), shellQuote(w.help, true))
			}
		}
	}
	return b.String()
}

// kindOfName is what the value of the flag spelled name is, or "" for a flag that takes none.
func (d completionData) kindOfName(name string) valueKind {
	for kind, names := range d.flagsByKind {
		if slices.Contains(names, name) {
			return kind
		}
	}
	return ""
}
