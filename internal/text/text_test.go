package text

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestOneLine(t *testing.T) {
	assert.Equal(t, "a b c", OneLine("  a\n\tb \r\n c "))
	assert.Equal(t, "", OneLine(" \n "))
}

func TestTruncate(t *testing.T) {
	assert.Equal(t, "abc", Truncate("abc", 3))
	assert.Equal(t, "ab...", Truncate("abc", 2))
	assert.Equal(t, "...", Truncate("abc", 0))
}
