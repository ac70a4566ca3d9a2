package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkReceivers serves the load script's requests to each receiver in this process, without the network:
// what each costs beside the same net/http work. As in the script, every body is new (its EventTime a
// counter), so that the filter checks, remembers and hands on each.
func BenchmarkReceivers(b *testing.B) {
	path := requestPath(time.Now().Unix())
	for _, mode := range []string{"naive", "handler", "dedup"} {
		b.Run(mode, func(b *testing.B) {
			var handled atomic.Int64
			h, err := receiver(mode, &handled)
			if err != nil {
				b.Fatal(err)
			}
			body := make([]byte, 0, len(bodyBeforeEventTime)+21)
			reader := bytes.NewReader(nil)
			req := httptest.NewRequest(http.MethodPost, path, nil)
			req.Body = io.NopCloser(reader)
			w := &discard{header: http.Header{}}
			var sent int64
			b.ReportAllocs()
			for b.Loop() {
				sent++
				body = append(strconv.AppendInt(append(body[:0], bodyBeforeEventTime...), 1e12+sent, 10), '}')
				reader.Reset(body)
				clear(w.header)
				h.ServeHTTP(w, req)
			}
			if handled.Load() != sent {
				b.Fatalf("%d of %d handled", handled.Load(), sent)
			}
		})
	}
}

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
