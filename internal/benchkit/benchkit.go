// Package benchkit holds what the benchmarks of more than one module share: a server that answers get_callback
// at once (or after a set latency), and the rotation that times several calls one after another against it,
// so that a slowdown of the machine hits each alike.
package benchkit

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// GetAnswer is what the server answers: a get_callback answer with three command words, as Tencent words it.
var GetAnswer = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0,"RequestId":"Id-8c9858f01e954611ae2d4c1b1ed7d583-O-Seq-52720",` +
	`"Response":{"Url":"https://live.example.com/tencent/webhook","CallbackCommandList":["Live.CallbackAfterCreateRoom","Live.CallbackAfterDestroyRoom","Live.CallbackAfterMemberStateChanged"]}}`)

// Server answers every request with GetAnswer after latency (0: at once), after reading the body as a real
// server would, over TLS when tls is true. It counts the connections it accepts, and closes when b ends.
func Server(b *testing.B, tls bool, latency time.Duration) (*httptest.Server, *atomic.Int64) {
	var newConns atomic.Int64
	h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if latency > 0 {
			time.Sleep(latency)
		}
		w.Header().Set("Content-Type", "application/json")
		w.Write(GetAnswer)
	})
	srv := httptest.NewUnstartedServer(h)
	srv.Config.ConnState = func(_ net.Conn, state http.ConnState) {
		if state == http.StateNew {
			newConns.Add(1)
		}
	}
	if tls {
		srv.StartTLS()
	} else {
		srv.Start()
	}
	b.Cleanup(srv.Close)
	return srv, &newConns
}

// Parallelism is the b.SetParallelism factor that gives 32 goroutines on this machine (at least one a CPU).
func Parallelism() int { return max(1, 32/runtime.GOMAXPROCS(0)) }

// Call is one of the calls Rotation times.
type Call struct {
	Name string
	Do   func() error
}

// Rotation runs calls in rotation as two sub-benchmarks, one goroutine and 32 at once, and reports the mean
// time per call of each ("NAME-ns/call") and the ratio of the first to each other one ("FIRST/OTHER").
func Rotation(b *testing.B, calls []Call) {
	b.Run("Sequential", func(b *testing.B) {
		spent := make([]time.Duration, len(calls))
		for i := 0; b.Loop(); i++ {
			if err := rotate(i, calls, spent); err != nil {
				b.Fatal(err)
			}
		}
		report(b, calls, spent)
	})
	b.Run("Parallel", func(b *testing.B) {
		total := make([]time.Duration, len(calls))
		var mu sync.Mutex
		var goroutines atomic.Int32
		b.SetParallelism(Parallelism())
		b.RunParallel(func(pb *testing.PB) {
			spent := make([]time.Duration, len(calls))
			// Each goroutine starts the rotation at a different call, so that they do not all make the
			// same kind of call at once.
			for i := int(goroutines.Add(1)); pb.Next(); i++ {
				if err := rotate(i, calls, spent); err != nil {
					b.Error(err)
					return
				}
			}
			mu.Lock()
			defer mu.Unlock()
			for k := range spent {
				total[k] += spent[k]
			}
		})
		report(b, calls, total)
	})
}

// rotate makes one call of each, starting with call number i modulo their count, and adds each one's time to
// spent.
func rotate(i int, calls []Call, spent []time.Duration) error {
	for k := range calls {
		which := (i + k) % len(calls)
		start := time.Now()
		if err := calls[which].Do(); err != nil {
			return err
		}
		spent[which] += time.Since(start)
	}
	return nil
}

func report(b *testing.B, calls []Call, spent []time.Duration) {
	for k, c := range calls {
		b.ReportMetric(float64(spent[k].Nanoseconds())/float64(b.N), c.Name+"-ns/call")
	}
	for k := 1; k < len(calls); k++ {
		if spent[k] > 0 {
			b.ReportMetric(float64(spent[0])/float64(spent[k]), calls[0].Name+"/"+calls[k].Name)
		}
	}
}
