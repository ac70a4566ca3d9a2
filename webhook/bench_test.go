package webhook_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/go-tuilive/liveconfig/webhook"
)

var memberBody = []byte(`{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_id","EventType":"Online","EventCause":"Enter",` +
	`"MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"},{"Member_Account":144115233775727695}],"EventTime":1703589922780}`)

var giftBody = []byte(`{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":"brennanli","RoomId":"room_id",` +
	`"GiftWater":{"From_Account":"jared","GiftId":"rose","Count":1,"Coins":10},"EventTime":1703589922780}`)

// discardWriter is a ResponseWriter that keeps nothing, so the benchmark measures the handler, not a recorder.
type discardWriter struct{ header http.Header }

func (w *discardWriter) Header() http.Header         { return w.header }
func (w *discardWriter) Write(b []byte) (int, error) { return len(b), nil }
func (w *discardWriter) WriteHeader(int)             {}

// BenchmarkWebhook compares verifying, parsing and dispatching a signed webhook through the handler with a
// plain json.Unmarshal of the same body into the same struct.
func BenchmarkWebhook(b *testing.B) {
	b.Run("Handler", func(b *testing.B) {
		var rooms int
		h, err := webhook.NewHandler(testConfig(), func(_ context.Context, ev webhook.Event) error {
			rooms += len(ev.(*webhook.AfterMemberStateChanged).MemberList)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		req := newDelivery("Live.CallbackAfterMemberStateChanged", string(memberBody)).request()
		body := bytes.NewReader(memberBody)
		req.Body = io.NopCloser(body)
		w := &discardWriter{header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			body.Reset(memberBody)
			h.ServeHTTP(w, req)
		}
		if rooms == 0 {
			b.Fatal("the handler never ran")
		}
	})
	b.Run("HandlerWithMemoryFilter", func(b *testing.B) {
		// Every body is new (its EventTime a counter), so each is checked, recorded and handled, on a filter
		// full of others: the steady state of a busy receiver.
		cfg := testConfig()
		cfg.Duplicates = webhook.NewMemoryFilter(0)
		var rooms int
		h, err := webhook.NewHandler(cfg, func(_ context.Context, ev webhook.Event) error {
			rooms += len(ev.(*webhook.AfterMemberStateChanged).MemberList)
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		req := newDelivery("Live.CallbackAfterMemberStateChanged", string(memberBody)).request()
		prefix := memberBody[:bytes.LastIndexByte(memberBody, ':')+1]
		buf := make([]byte, 0, len(memberBody)+8)
		body := bytes.NewReader(nil)
		req.Body = io.NopCloser(body)
		w := &discardWriter{header: http.Header{}}
		n := int64(1_000_000_000_000)
		for range 2 * webhook.DefaultMemoryFilterEntries { // fill it
			n++
			body.Reset(append(strconv.AppendInt(append(buf[:0], prefix...), n, 10), '}'))
			h.ServeHTTP(w, req)
		}
		b.ReportAllocs()
		for b.Loop() {
			n++
			body.Reset(append(strconv.AppendInt(append(buf[:0], prefix...), n, 10), '}'))
			h.ServeHTTP(w, req)
		}
		if rooms < 2*webhook.DefaultMemoryFilterEntries {
			b.Fatal("the handler did not run for every webhook")
		}
	})
	b.Run("HandlerGiftCheck", func(b *testing.B) {
		// A "before" event: its HandlerFunc runs on a goroutine of its own, so that a late one is answered at
		// HandlerTimeout (Config.LateAnswer).
		var coins int64
		h, err := webhook.NewHandler(testConfig(), func(_ context.Context, ev webhook.Event) error {
			coins += ev.(*webhook.BeforeSendGift).GiftWater.Coins
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
		req := newDelivery("Live.CallbackBeforeSendGift", string(giftBody)).request()
		body := bytes.NewReader(giftBody)
		req.Body = io.NopCloser(body)
		w := &discardWriter{header: http.Header{}}
		b.ReportAllocs()
		for b.Loop() {
			body.Reset(giftBody)
			h.ServeHTTP(w, req)
		}
		if coins == 0 {
			b.Fatal("the handler never ran")
		}
	})
	b.Run("JSONUnmarshal", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var ev webhook.AfterMemberStateChanged
			if err := json.Unmarshal(memberBody, &ev); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkMemoryFilter times Seen on a full filter of the default size, all keys new (the steady state of a
// busy receiver), and reports the heap the full filter holds per entry.
func BenchmarkMemoryFilter(b *testing.B) {
	ctx := context.Background()
	keys := make([]string, 1<<16)
	for i := range keys {
		keys[i] = fmt.Sprintf("1400000001:Live.CallbackAfterMemberStateChanged:%032x", i)
	}
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	f := webhook.NewMemoryFilter(0)
	for i := range webhook.DefaultMemoryFilterEntries {
		f.Seen(ctx, keys[i%len(keys)]+strconv.Itoa(i), time.Hour) // the key is garbage once Seen returns
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	perEntry := float64(after.HeapAlloc-before.HeapAlloc) / float64(f.Len())
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		i++
		f.Seen(ctx, keys[i%len(keys)], time.Duration(i)) // expires at once, so each is new again
	}
	b.ReportMetric(perEntry, "heap-B/entry")
}
