// Command liveconfig-fake serves liveconfigtest's fake of the v4/live_config API until it is interrupted, for
// tests written in other languages and for shell scripts:
//
//	go run github.com/go-tuilive/liveconfig/cmd/liveconfig-fake -addr 127.0.0.1:8080 -sdkappid 1400000001 -identifier administrator -key test-key
//
// It prints the base URL to use as the API's domain on its first line, then, a line an app, what a client
// needs to sign, then a line that says it serves and where its control API is. Without -key it makes a
// random key for each app and prints it: the fake's keys are test keys. It keeps the last 1,000 requests
// (-request-log), and never the body of one it refused; every phase of a connection is time-bounded.
// -token-lag D goes on signing delivered webhooks with the old token for D after a token change, as Tencent
// does while the change spreads.
//
// # Control API
//
// Tests in any language drive the fake over HTTP on the same listener, under /_fake/ (no Tencent path starts
// so). Every answer is JSON; none holds an app's secret key. It answers only when the fake listens on a
// loopback address; on any other, every control request is refused (403) unless -control-anywhere is given.
//
//	GET    /_fake/health                       200 {"status":"ok","apps":N} once it serves
//	GET    /_fake/requests?since=SEQ&sdkappid=N  {"requests":[{"seq","endpoint","sdkappid","time","body",
//	                                           "random","usersig_sha256","code"}],"next":SEQ}, oldest first,
//	                                           those after since (of app N, if given); next is the next since
//	GET    /_fake/apps/N                       {"sdkappid","identifier","callback":{"url","commands"}|null,
//	                                           "token":{"token","enabled"}|null}
//	PUT    /_fake/apps/N                       sets callback and token as given (null removes, absent keeps),
//	                                           and token_lag_ms, the app's -token-lag
//	POST   /_fake/apps/N/reset                 forgets the app's state, changes and faults
//	POST   /_fake/apps/N/faults                queues a fault: {"endpoint","code","info","times","always",
//	                                           "chance","apply","delay_ms","drop","raw":{"status",
//	                                           "content_type","body"}}, as liveconfigtest.Fault; 201
//	DELETE /_fake/apps/N/faults                clears the app's faults
//	POST   /_fake/apps/N/deliver               {"command","body"}: a webhook to the app's callback URL as
//	                                           Tencent sends it (body absent: the documented sample); answers
//	                                           {"http_status","action_status","error_code","error_info"},
//	                                           409 without a configuration that lists the word, 502 with
//	                                           "error" for an answer that is not a valid one
//
// A malformed request is answered 400, an unknown app 404, each with {"error": "..."}.
//
// It serves several apps on the one address, each with its own key, state and rate limit, for testing a
// fleet (liveconfig plan and apply): -apps N serves N apps numbered from -sdkappid, or -apps-file FILE serves
// the apps a JSON file lists:
//
//	[{"sdkappid": 1400000001, "identifier": "administrator", "key": "test-key-1", "rate_limit": 200}, ...]
//
// where identifier, key (random) and rate_limit (-rate-limit) may be left out.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"math"
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
	sdkAppID := fs.Uint64("sdkappid", liveconfigtest.DefaultSDKAppID, "the app's SDKAppID (the first app's, with -apps)")
	identifier := fs.String("identifier", liveconfigtest.DefaultIdentifier, "the administrator account")
	key := fs.String("key", "", "the app's secret key, with -apps every app's (default: random for each app, printed)")
	apps := fs.Int("apps", 1, "how many apps to serve, with the SDKAppIDs -sdkappid, -sdkappid+1, ...")
	appsFile := fs.String("apps-file", "", "a JSON file listing the apps to serve, instead of -sdkappid, -identifier, -key and -apps")
	rateLimit := fs.Float64("rate-limit", liveconfigtest.DefaultRateLimit, "requests per second an app may send before 60007; 0 for none")
	requestLog := fs.Int("request-log", defaultRequestLog, "how many recent requests to keep for inspection; 0 keeps all")
	tokenLag := fs.Duration("token-lag", 0, "after a token change through the API, go on signing delivered webhooks with the old token this long, as Tencent does")
	controlAnywhere := fs.Bool("control-anywhere", false, "serve the control API (/_fake/) even when -addr is not a loopback address: anyone who reaches it can change and read the apps' state")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected argument %q", fs.Arg(0))
	}
	limit := *rateLimit
	switch {
	case math.IsNaN(limit) || math.IsInf(limit, 0) || limit < 0:
		return fmt.Errorf("-rate-limit must be a finite number of requests a second, 0 for none, not %v", limit)
	case limit == 0:
		limit = -1 // AppSpec's "no limit"
	}
	if *appsFile == "" && *sdkAppID == 0 {
		return errors.New("-sdkappid must not be 0")
	}
	var specs []liveconfigtest.AppSpec
	if *appsFile != "" {
		var clash []string
		fs.Visit(func(f *flag.Flag) {
			if f.Name == "sdkappid" || f.Name == "identifier" || f.Name == "key" || f.Name == "apps" {
				clash = append(clash, "-"+f.Name)
			}
		})
		if len(clash) > 0 {
			return fmt.Errorf("-apps-file lists the apps: %v cannot go with it", clash)
		}
		var err error
		if specs, err = readAppsFile(*appsFile, limit); err != nil {
			return err
		}
	} else {
		if *apps < 1 || *apps > maxApps {
			return fmt.Errorf("-apps must be from 1 to %d, not %d", maxApps, *apps)
		}
		specs = liveconfigtest.SequentialApps(*sdkAppID, *apps)
		for i := range specs {
			specs[i].Identifier, specs[i].SecretKey, specs[i].RateLimit = *identifier, *key, limit
		}
	}
	if err := distinctApps(specs); err != nil {
		return err
	}
	if *tokenLag < 0 {
		return fmt.Errorf("-token-lag must not be negative, not %v", *tokenLag)
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	ctl := &control{}
	if ip := l.Addr().(*net.TCPAddr).IP; !ip.IsLoopback() && !*controlAnywhere {
		ctl.refusal = fmt.Sprintf("the control API answers only on a loopback address, and the fake listens on %s: pass -control-anywhere to serve it there", l.Addr())
	}
	first := specs[0]
	opts := []liveconfigtest.Option{
		liveconfigtest.WithHandlerWrap(ctl.wrap),
		liveconfigtest.WithListener(l), liveconfigtest.WithSDKAppID(first.SDKAppID),
		liveconfigtest.WithIdentifier(first.Identifier), liveconfigtest.WithRateLimit(max(first.RateLimit, 0)),
		liveconfigtest.WithRequestLogLimit(*requestLog), liveconfigtest.WithApps(specs[1:]...),
	}
	if first.SecretKey != "" {
		opts = append(opts, liveconfigtest.WithSecretKey(first.SecretKey))
	}
	srv := liveconfigtest.NewServer(opts...)
	defer srv.Close()
	ctl.srv.Store(srv)
	for _, app := range srv.Apps() {
		app.SetTokenLag(*tokenLag)
	}
	fmt.Fprintln(stdout, srv.URL())
	for _, app := range srv.Apps() {
		fmt.Fprintf(stdout, "sdkappid=%d identifier=%s key=%s\n", app.SDKAppID(), app.Identifier(), app.SecretKey())
	}
	kept := "every request"
	if *requestLog > 0 {
		kept = fmt.Sprintf("the last %d requests", *requestLog)
	}
	served := "1 app"
	if len(specs) > 1 {
		served = fmt.Sprintf("%d apps", len(specs))
	}
	controlAt := srv.URL() + controlPrefix
	if ctl.refusal != "" {
		controlAt = "refused on this address (-control-anywhere)"
	}
	fmt.Fprintf(stdout, "serving the fake v4/live_config API for %s until interrupted, keeping %s; control API: %s\n", served, kept, controlAt)
	<-ctx.Done()
	return nil
}

// maxApps bounds -apps: far more than any fleet test needs, and still a few hundred MB at most.
const maxApps = 100_000

// appEntry is one app of an -apps-file.
type appEntry struct {
	SDKAppID   uint64   `json:"sdkappid"`
	Identifier string   `json:"identifier"`
	Key        string   `json:"key"`
	RateLimit  *float64 `json:"rate_limit"`
}

// maxAppsFile bounds an -apps-file: 100,000 apps fit in it.
const maxAppsFile = 16 << 20

// readAppsFile reads the apps of an -apps-file; rateLimit is the default of an app that sets none.
func readAppsFile(path string, rateLimit float64) ([]liveconfigtest.AppSpec, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	dec := json.NewDecoder(io.LimitReader(f, maxAppsFile))
	dec.DisallowUnknownFields()
	var entries []appEntry
	if err := dec.Decode(&entries); err != nil {
		return nil, fmt.Errorf("-apps-file %s: %v", path, err)
	}
	if len(entries) == 0 {
		return nil, fmt.Errorf("-apps-file %s: lists no app", path)
	}
	specs := make([]liveconfigtest.AppSpec, len(entries))
	for i, e := range entries {
		if e.SDKAppID == 0 {
			return nil, fmt.Errorf("-apps-file %s: app %d has no sdkappid", path, i+1)
		}
		specs[i] = liveconfigtest.AppSpec{SDKAppID: e.SDKAppID, Identifier: e.Identifier, SecretKey: e.Key, RateLimit: rateLimit}
		if e.RateLimit != nil {
			if r := *e.RateLimit; math.IsNaN(r) || math.IsInf(r, 0) || r < 0 {
				return nil, fmt.Errorf("-apps-file %s: app %d: rate_limit must be a finite number of requests a second, 0 for none", path, i+1)
			}
			specs[i].RateLimit = *e.RateLimit
			if *e.RateLimit == 0 {
				specs[i].RateLimit = -1
			}
		}
	}
	return specs, nil
}

// distinctApps refuses two apps with one SDKAppID, or an SDKAppID 0, before anything listens.
func distinctApps(specs []liveconfigtest.AppSpec) error {
	seen := make(map[uint64]bool, len(specs))
	for _, s := range specs {
		if s.SDKAppID == 0 {
			return errors.New("-sdkappid and -apps run past the largest SDKAppID")
		}
		if seen[s.SDKAppID] {
			return fmt.Errorf("app %d is listed twice", s.SDKAppID)
		}
		seen[s.SDKAppID] = true
	}
	return nil
}
