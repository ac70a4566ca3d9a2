// Package bodyread reads HTTP bodies into reused buffers, with a size limit, for the webhook receiver's
// requests. (The client's answers are read by resty, with its response body limit.)
package bodyread

import (
	"io"
	"sync"
)

// maxPooled is the capacity above which a buffer is left to the collector instead of kept for reuse.
const maxPooled = 64 << 10

var buffers = sync.Pool{New: func() any { b := make([]byte, 0, 1024); return &b }}

// Buffer holds one body. Call Release when its bytes are no longer needed (after JSON decoding, which copies
// what it keeps); Bytes must not be used after that.
type Buffer struct {
	buf *[]byte
	n   int
}

// Bytes returns the body read.
func (b *Buffer) Bytes() []byte { return (*b.buf)[:b.n] }

// Release gives the buffer back for reuse.
func (b *Buffer) Release() {
	if b.buf != nil && cap(*b.buf) <= maxPooled {
		buffers.Put(b.buf)
	}
	b.buf = nil
}

// Read reads r until EOF or until it holds limit bytes, whichever comes first: a body of limit bytes is
// therefore one that may have been cut short, and callers pass their maximum plus one to tell.
func Read(r io.Reader, limit int) (Buffer, error) {
	ptr := buffers.Get().(*[]byte)
	buf := (*ptr)[:0]
	var err error
	for len(buf) < limit {
		if len(buf) == cap(buf) {
			buf = append(buf, 0)[:len(buf)] // let append choose the growth
		}
		var n int
		n, err = r.Read(buf[len(buf):min(cap(buf), limit)])
		buf = buf[:len(buf)+n]
		if err != nil {
			break
		}
	}
	if err == io.EOF {
		err = nil
	}
	*ptr = buf
	return Buffer{buf: ptr, n: len(buf)}, err
}
