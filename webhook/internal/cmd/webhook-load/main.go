// Command webhook-load is the receiver side of scripts/webhook-load.sh: it serves signed
// Live.CallbackAfterMemberStateChanged webhooks with webhook.NewHandler or with a naive handler written by hand,
// and writes the wrk script that sends them.
//
//	webhook-load serve -mode handler|dedup|naive -addr 127.0.0.1:8080
//	webhook-load wrk-script [-first N] > load.lua
//
// serve answers until SIGTERM or SIGINT, then prints one line: the mode, the events handled and the CPU
// seconds the process used (user and system), from which the script works out the CPU per request.
package main

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/signal"
	"runtime/pprof"
	"strconv"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/go-tuilive/liveconfig/webhook"
)

// The app and token both sides use. The token is a test value, not a credential of any app.
const (
	appID = 1400000001
	token = "webhook-load-token-3f9a1c"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: webhook-load serve -mode handler|dedup|naive -addr HOST:PORT | webhook-load wrk-script [-first N]")
		os.Exit(2)
	}
	var err error
	switch os.Args[1] {
	case "serve":
		err = serve(os.Args[2:])
	case "wrk-script":
		err = writeWrkScript(os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-load:", err)
		os.Exit(1)
	}
}

func serve(args []string) error {
	flags := flag.NewFlagSet("serve", flag.ContinueOnError)
	mode := flags.String("mode", "handler", "handler, dedup (the handler with the in-memory duplicate filter) or naive")
	addr := flags.String("addr", "127.0.0.1:8080", "address to listen on")
	profile := flags.String("cpuprofile", "", "write a CPU profile of the run to this file")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *profile != "" {
		f, err := os.Create(*profile)
		if err != nil {
			return err
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return err
		}
		defer pprof.StopCPUProfile()
	}
	var handled atomic.Int64
	h, err := receiver(*mode, &handled)
	if err != nil {
		return err
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: h, ReadHeaderTimeout: 5 * time.Second, IdleTimeout: time.Minute}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	go func() {
		<-ctx.Done()
		srv.Close()
	}()
	fmt.Fprintf(os.Stderr, "webhook-load: %s receiver on http://%s\n", *mode, l.Addr())
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	var usage syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &usage); err != nil {
		return err
	}
	cpu := time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
	fmt.Printf("%s handled=%d cpu_seconds=%.3f\n", *mode, handled.Load(), cpu.Seconds())
	return nil
}

// receiver returns the handler of mode; every one counts the events it hands to its function in handled.
func receiver(mode string, handled *atomic.Int64) (http.Handler, error) {
	handle := func(_ context.Context, ev webhook.Event) error {
		if e, ok := ev.(*webhook.AfterMemberStateChanged); ok && len(e.MemberList) > 0 {
			handled.Add(1)
		}
		return nil
	}
	cfg := webhook.Config{SDKAppID: appID, Token: token}
	switch mode {
	case "handler":
		return webhook.NewHandler(cfg, handle)
	case "dedup":
		cfg.Duplicates = webhook.NewMemoryFilter(0)
		return webhook.NewHandler(cfg, handle)
	case "naive":
		return naive{handled: handled}, nil
	}
	return nil, fmt.Errorf("unknown mode %q", mode)
}

// naive is a receiver as one would write it by hand with net/http: url.Query, the SHA-256 check of
// Tencent's documentation, json.Unmarshal into the same struct.
type naive struct{ handled *atomic.Int64 }

var okAnswer = []byte(`{"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}` + "\n")

func (n naive) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if r.Method != http.MethodPost || q.Get("SdkAppid") != strconv.Itoa(appID) {
		http.Error(w, "refused", http.StatusForbidden)
		return
	}
	requestTime, err := strconv.ParseInt(q.Get("RequestTime"), 10, 64)
	if err != nil || time.Since(time.Unix(requestTime, 0)).Abs() > time.Minute {
		http.Error(w, "stale", http.StatusUnauthorized)
		return
	}
	sum := sha256.Sum256([]byte(token + q.Get("RequestTime")))
	if subtle.ConstantTimeCompare([]byte(hex.EncodeToString(sum[:])), []byte(q.Get("Sign"))) != 1 {
		http.Error(w, "bad signature", http.StatusUnauthorized)
		return
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
	if err != nil {
		http.Error(w, "unreadable", http.StatusBadRequest)
		return
	}
	var ev webhook.AfterMemberStateChanged
	if err := json.Unmarshal(body, &ev); err != nil {
		http.Error(w, "not JSON", http.StatusBadRequest)
		return
	}
	if len(ev.MemberList) > 0 {
		n.handled.Add(1)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write(okAnswer)
}

// writeWrkScript prints the Lua script, signed now, its counters starting after -first.
func writeWrkScript(args []string) error {
	flags := flag.NewFlagSet("wrk-script", flag.ContinueOnError)
	first := flags.Int64("first", 0, "the counter of each wrk thread starts after this, so that runs of wrk against one receiver send distinct bodies (below 1e12)")
	if err := flags.Parse(args); err != nil {
		return err
	}
	if *first < 0 || *first >= 1e12 {
		return fmt.Errorf("-first %d is not in [0, 1e12)", *first)
	}
	_, err := io.WriteString(os.Stdout, wrkScript(time.Now().Unix(), *first))
	return err
}

// requestPath is the path and query of a webhook signed at requestTime.
func requestPath(requestTime int64) string {
	return fmt.Sprintf("/tencent/webhook?SdkAppid=%d&CallbackCommand=Live.CallbackAfterMemberStateChanged&contenttype=json"+
		"&ClientIP=203.0.113.7&OptPlatform=RESTAPI&RequestTime=%d&Sign=%s", appID, requestTime, webhook.Sign(token, requestTime))
}

// bodyBeforeEventTime is every webhook's body up to its EventTime, which the sender appends, then "}".
const bodyBeforeEventTime = `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_load","EventType":"Online",` +
	`"EventCause":"Enter","MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"},` +
	`{"Member_Account":144115233775727695}],"EventTime":`

// wrkScript is the Lua script wrk sends with: POSTs signed at requestTime (valid for a minute either way), each
// body a member-state change whose EventTime is a counter (from first on), so that no two are alike (the
// duplicate filter would otherwise answer all but the first without decoding).
func wrkScript(requestTime, first int64) string {
	return `-- written by webhook-load wrk-script; signed at ` + strconv.FormatInt(requestTime, 10) + `
local counter = ` + strconv.FormatInt(first, 10) + `
local path = "` + requestPath(requestTime) + `"
local headers = {["Content-Type"] = "application/json"}
local before = '` + bodyBeforeEventTime + `'

local threads = 0

function setup(thread)
  threads = threads + 1
  thread:set("id", threads)
end

function request()
  counter = counter + 1
  return wrk.format("POST", path, headers, before .. string.format("%.0f", id * 1e12 + counter) .. '}')
end
`
}
