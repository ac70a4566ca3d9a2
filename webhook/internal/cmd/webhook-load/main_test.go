package main

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// BenchmarkReceivers serves the load script's request to each receiver in this process, without the network:
// what each costs beside the same net/http work.
func BenchmarkReceivers(b *testing.B) {
	script := wrkScript(time.Now().Unix(), 0)
	path := between(script, `local path = "`, `"`)
	body := []byte(between(script, `local before = '`, `' ..`) + between(script, `'..`, "\n")) // not used: a body of its own below
	body = []byte(`{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_load","EventType":"Online","EventCause":"Enter",` +
		`"MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"},{"Member_Account":144115233775727695}],"EventTime":1000000000001}`)
	for _, mode := range []string{"naive", "handler", "dedup"} {
		b.Run(mode, func(b *testing.B) {
			var handled atomic.Int64
			h, err := receiver(mode, &handled)
			if err != nil {
				b.Fatal(err)
			}
			reader := bytes.NewReader(body)
			req := httptest.NewRequest(http.MethodPost, path, nil)
			req.Body = io.NopCloser(reader)
			w := &discard{header: http.Header{}}
			b.ReportAllocs()
			for b.Loop() {
				reader.Reset(body)
				clear(w.header)
				h.ServeHTTP(w, req)
			}
			if handled.Load() == 0 {
				b.Fatal("nothing handled")
			}
		})
	}
}

func between(s, from, to string) string {
	_, rest, _ := strings.Cut(s, from)
	out, _, _ := strings.Cut(rest, to)
	return out
}

type discard struct{ header http.Header }

func (d *discard) Header() http.Header         { return d.header }
func (d *discard) Write(p []byte) (int, error) { return len(p), nil }
func (d *discard) WriteHeader(int)             {}
