package secretrule

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestTrim(t *testing.T) {
	t.Parallel()
	for in, want := range map[string]string{
		"key\n":        "key",
		" key \r\n":    "key",
		"\uFEFFkey\n":  "key",
		"\n\uFEFF key": "key",
		"in side":      "in side",
		"":             "",
		"\uFEFF":       "",
		"key\uFEFF":    "key\uFEFF", // only at the start is it a byte order mark
	} {
		assert.Equal(t, want, Trim(in), "%q", in)
	}
}

func TestProblem(t *testing.T) {
	t.Parallel()
	assert.Empty(t, Problem("0123456789abcdef"))
	assert.Empty(t, Problem("tökén-with-ünicode"))
	for in, want := range map[string]string{
		RedactionMark: "is the mark [redacted]",
		"key\n":       "character 4 is a line feed (U+000A)",
		" key":        "character 1 is a space (U+0020)",
		"ke\u200By":   "character 3 is a zero-width space (U+200B)",
		"\uFEFFkey":   "character 1 is a byte order mark (U+FEFF)",
		"k\x00ey":     "character 2 is U+0000",
		"k\xffey":     "must be valid UTF-8",
	} {
		got := Problem(in)
		assert.Contains(t, got, want, "%q", in)
		if in != RedactionMark {
			assert.NotContains(t, got, "key", "the value is never in the message")
		}
	}
}
