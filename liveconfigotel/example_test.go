package liveconfigotel_test

import (
	"context"
	"fmt"

	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigotel"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// A client traced into an in-memory exporter, on the fake: each call is a span with a child per attempt.
func ExampleNewClientObserver() {
	spans := tracetest.NewSpanRecorder()
	tp := sdktrace.NewTracerProvider(sdktrace.WithSpanProcessor(spans))
	defer tp.Shutdown(context.Background())

	obs, err := liveconfigotel.NewClientObserver(liveconfigotel.WithTracerProvider(tp))
	if err != nil {
		panic(err)
	}
	srv := liveconfigtest.NewServer()
	defer srv.Close()
	cfg := srv.Config()
	cfg.Observer = obs
	client, err := srv.NewClient(cfg)
	if err != nil {
		panic(err)
	}
	srv.SetCallback(&liveconfig.CallbackConfig{URL: "https://live.example.com/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 100001}) // one internal error, retried

	if _, err := client.GetCallback(context.Background()); err != nil {
		fmt.Println(err)
	}
	for _, s := range spans.Ended() {
		fmt.Println(s.Name(), s.Status().Code)
	}
	// Output:
	// POST Error
	// POST Unset
	// liveconfig get_callback Unset
}
