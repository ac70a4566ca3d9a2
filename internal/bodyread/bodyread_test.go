package bodyread

import (
	"bytes"
	"errors"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRead(t *testing.T) {
	for _, size := range []int{0, 1, 1023, 1024, 1025, 70 << 10} {
		want := bytes.Repeat([]byte("x"), size)
		b, err := Read(iotest.OneByteReader(bytes.NewReader(want)), 1<<20)
		require.NoError(t, err)
		assert.Equal(t, want, b.Bytes(), "size %d", size)
		b.Release()
	}
}

func TestReadStopsAtTheLimit(t *testing.T) {
	b, err := Read(strings.NewReader(strings.Repeat("y", 5000)), 101)
	require.NoError(t, err)
	assert.Len(t, b.Bytes(), 101)
	b.Release()
}

func TestReadKeepsTheError(t *testing.T) {
	broken := errors.New("connection reset")
	b, err := Read(io.MultiReader(strings.NewReader("partial"), iotest.ErrReader(broken)), 100)
	assert.ErrorIs(t, err, broken)
	assert.Equal(t, "partial", string(b.Bytes()))
	b.Release()
}
