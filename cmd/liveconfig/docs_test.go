package main

import (
	"os"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// synopses are the subcommand table's usage lines, one per subcommand, spaces made single.
func synopses() []string {
	var lines []string
	for _, s := range subcommands {
		lines = append(lines, strings.Join(strings.Fields("liveconfig "+s.path+" "+s.synopsis), " "))
	}
	return lines
}

// documentedSynopses returns the lines of text that start with prefix followed by "liveconfig ", without the
// prefix, spaces made single, from the first such line to the last of that run.
func documentedSynopses(text, prefix string) []string {
	var lines []string
	for _, line := range strings.Split(text, "\n") {
		if rest, ok := strings.CutPrefix(line, prefix); ok && strings.HasPrefix(rest, "liveconfig ") {
			lines = append(lines, strings.Join(strings.Fields(rest), " "))
		} else if len(lines) > 0 {
			break
		}
	}
	return lines
}

// TestEverySubcommandIsDocumented: main.go's doc comment and README's synopsis list exactly the subcommands of
// the table, in its order, with the same arguments.
func TestEverySubcommandIsDocumented(t *testing.T) {
	t.Parallel()
	mainGo, err := os.ReadFile("main.go")
	require.NoError(t, err)
	assert.Equal(t, synopses(), documentedSynopses(string(mainGo), "//\t"), "main.go's doc comment")

	readme, err := os.ReadFile("../../README.md")
	require.NoError(t, err)
	section := string(readme)
	start := strings.Index(section, "## Command line")
	require.GreaterOrEqual(t, start, 0)
	assert.Equal(t, synopses(), documentedSynopses(section[start:], ""), "README's synopsis under 'Command line'")
}
