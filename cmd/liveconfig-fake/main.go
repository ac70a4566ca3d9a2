// Command liveconfig-fake serves liveconfigtest's fake of the v4/live_config API until it is interrupted, for
// tests written in other languages and for shell scripts:
//
//	go run github.com/go-tuilive/liveconfig/cmd/liveconfig-fake -addr 127.0.0.1:8080 -sdkappid 1400000001 -identifier administrator -key test-key
//
// It prints the base URL to use as the API's domain on its first line, then what a client needs to sign.
// Without -key it makes a random key and prints it: the fake's key is a test key. It keeps the last 1,000
// requests (-request-log), and never the body of one it refused; every phase of a connection is time-bounded.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"os"
	"os/signal"
	"syscall"

	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := run(ctx, os.Args[1:], os.Stdout, os.Stderr)
	switch {
	case errors.Is(err, flag.ErrHelp):
		os.Exit(0) // -h asked for the usage, which is printed
	case err != nil:
		fmt.Fprintln(os.Stderr, "liveconfig-fake:", err)
		os.Exit(2)
	}
}

// defaultRequestLog bounds the requests the fake keeps, so that a long-running fake does not grow without end.
const defaultRequestLog = 1000

// run serves until ctx is done.
func run(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("liveconfig-fake", flag.ContinueOnError)
	fs.SetOutput(stderr)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	sdkAppID := fs.Uint64("sdkappid", liveconfigtest.DefaultSDKAppID, "the app's SDKAppID")
	identifier := fs.String("identifier", liveconfigtest.DefaultIdentifier, "the administrator account")
	key := fs.String("key", "", "the app's secret key (default: random, printed)")
	rateLimit := fs.Float64("rate-limit", liveconfigtest.DefaultRateLimit, "requests per second before 60007; 0 for none")
	requestLog := fs.Int("request-log", defaultRequestLog, "how many recent requests to keep for inspection; 0 keeps all")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	opts := []liveconfigtest.Option{
		liveconfigtest.WithListener(l), liveconfigtest.WithSDKAppID(*sdkAppID),
		liveconfigtest.WithIdentifier(*identifier), liveconfigtest.WithRateLimit(*rateLimit),
		liveconfigtest.WithRequestLogLimit(*requestLog),
	}
	if *key != "" {
		opts = append(opts, liveconfigtest.WithSecretKey(*key))
	}
	srv := liveconfigtest.NewServer(opts...)
	defer srv.Close()
	fmt.Fprintln(stdout, srv.URL())
	fmt.Fprintf(stdout, "sdkappid=%d identifier=%s key=%s\n", srv.SDKAppID(), srv.Identifier(), srv.SecretKey())
	kept := "every request"
	if *requestLog > 0 {
		kept = fmt.Sprintf("the last %d requests", *requestLog)
	}
	fmt.Fprintf(stdout, "serving the fake v4/live_config API until interrupted, keeping %s\n", kept)
	<-ctx.Done()
	return nil
}
