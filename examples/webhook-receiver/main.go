// Command webhook-receiver is a complete webhook receiver for Tencent Cloud Live: it verifies each webhook,
// logs it, and refuses gifts worth more than a limit.
//
//	LIVECONFIG_SDKAPPID=1400000001 WEBHOOK_TOKEN=... go -C examples/webhook-receiver run . -addr :8080 -gift-limit 5000
//
// For an app that has no callback token enabled yet, pass -allow-unsigned instead of WEBHOOK_TOKEN. To rotate
// the token, start every replica with WEBHOOK_TOKEN set to the new token and -previous-token-file naming a file
// with the old one, then run 'liveconfig token rotate' (README, "Rotating the token"). Such a file is read
// before the receiver listens, at most 64 KiB of it; Ctrl-C ends a read that waits (a FIFO nobody writes).
//
// A webhook delivered again (Tencent retries "after" events on timeout) or replayed is handled once: by an
// in-memory filter, or with -redis host:port by one that every replica shares. With the app's admin
// credentials in the environment (LIVECONFIG_IDENTIFIER, LIVECONFIG_SECRET_KEY, LIVECONFIG_REGION or
// LIVECONFIG_ENDPOINT), it reads the app's callback configuration at start and logs it; with -redis, that call
// waits on the app's rate limit shared through Redis, as every API call of a fleet should.
//
// Point the app's callback URL at https://your-host/tencent/webhook (behind TLS) with liveconfig's
// EnsureCallback, and enable the same token with SetCallbackToken.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/redis/go-redis/v9"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigredis"
	"github.com/go-tuilive/liveconfig/webhook"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Getenv, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(1)
	}
}

// run receives webhooks until ctx ends. It says it is receiving only once it listens.
func run(ctx context.Context, args []string, getenv func(string) string, logOut io.Writer) error {
	fs := flag.NewFlagSet("webhook-receiver", flag.ContinueOnError)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on")
	giftLimit := fs.Int64("gift-limit", 5000, "refuse gifts worth more coins than this (Coins x Count)")
	allowUnsigned := fs.Bool("allow-unsigned", false, "accept webhooks without a signature, for an app with no token enabled (WEBHOOK_TOKEN may then be empty)")
	var previousFiles []string
	fs.Func("previous-token-file", "a file holding a token the app had before WEBHOOK_TOKEN, still accepted while Tencent goes on signing with it after a rotation; repeat it for more", func(path string) error {
		previousFiles = append(previousFiles, path)
		return nil
	})
	redisAddr := fs.String("redis", "", "Redis host:port every replica shares, for the duplicate filter and the app's rate limit (default: an in-memory filter)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	var previous []string
	for _, path := range previousFiles {
		token, err := readTokenFile(ctx, path)
		if err != nil {
			return fmt.Errorf("-previous-token-file %s: %w", path, err)
		}
		previous = append(previous, token)
	}
	logger := slog.New(slog.NewTextHandler(logOut, nil))
	appID, err := strconv.ParseUint(getenv("LIVECONFIG_SDKAPPID"), 10, 64)
	switch {
	case err != nil:
		return errors.New("set LIVECONFIG_SDKAPPID to the app's SDKAppID")
	case *giftLimit < 0:
		return errors.New("-gift-limit must not be negative")
	}
	cfg := webhook.Config{SDKAppID: appID, Token: getenv("WEBHOOK_TOKEN"), PreviousTokens: previous, AllowUnsigned: *allowUnsigned,
		Logger: logger, Duplicates: webhook.NewMemoryFilter(0)}
	var rdb *redis.Client
	if *redisAddr != "" {
		redis.SetLogger(redisLogger{logger}) // go-redis's own lines, at Debug, not on stderr beside the receiver's
		rdb = redis.NewClient(liveconfigredis.ClientOptions(*redisAddr))
		defer rdb.Close()
		cfg.Duplicates = liveconfigredis.NewFilter(rdb, liveconfigredis.FilterOptions{})
	}
	if getenv("LIVECONFIG_SECRET_KEY") != "" {
		logCallback(ctx, appID, getenv, rdb, logger)
	}
	mux, err := newMux(cfg, *giftLimit, logger)
	if err != nil {
		return fmt.Errorf("%w (or pass -allow-unsigned)", err)
	}
	l, err := net.Listen("tcp", *addr)
	if err != nil {
		return err
	}
	srv := newServer(mux)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	logger.Info("receiving webhooks", "addr", l.Addr().String(), "path", "/tencent/webhook", "signed", cfg.Token != "",
		"previous_tokens", len(cfg.PreviousTokens))
	if err := srv.Serve(l); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// maxTokenFile is the most a token file may hold: a token is at most 128 characters.
const maxTokenFile = 64 << 10

// readTokenFile returns the token in the file at path, without the white space around it. It gives up when ctx
// ends, so that a FIFO nobody writes (or a slow network file system) cannot keep the receiver from starting
// or from being stopped with Ctrl-C; the read it leaves behind ends with the process.
func readTokenFile(ctx context.Context, path string) (string, error) {
	type result struct {
		token string
		err   error
	}
	done := make(chan result, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			done <- result{err: err}
			return
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxTokenFile+1))
		switch {
		case err != nil:
			done <- result{err: err}
		case len(data) > maxTokenFile:
			done <- result{err: errors.New("is larger than 64 KiB, so not a token")}
		default:
			done <- result{token: strings.TrimSpace(string(data))}
		}
	}()
	select {
	case r := <-done:
		return r.token, r.err
	case <-ctx.Done():
		return "", fmt.Errorf("not read: %w", context.Cause(ctx))
	}
}

// redisLogger passes go-redis's own log lines (such as a pool's failed dials) to the receiver's logger at
// Debug: the duplicate filter and the limiter already log an outage, once.
type redisLogger struct{ log *slog.Logger }

func (l redisLogger) Printf(ctx context.Context, format string, v ...any) {
	l.log.DebugContext(ctx, "redis: "+fmt.Sprintf(format, v...))
}

// logCallback reads the app's callback configuration and logs it, or why it could not. With rdb, the call
// waits on the app's rate limit shared through Redis.
func logCallback(ctx context.Context, appID uint64, getenv func(string) string, rdb *redis.Client, logger *slog.Logger) {
	cfg := liveconfig.Config{SDKAppID: appID, Identifier: getenv("LIVECONFIG_IDENTIFIER"),
		SecretKey: getenv("LIVECONFIG_SECRET_KEY"), Endpoint: getenv("LIVECONFIG_ENDPOINT"), Logger: logger}
	if name := getenv("LIVECONFIG_REGION"); name != "" {
		region, err := liveconfig.ParseRegion(name)
		if err != nil {
			logger.Warn("not reading the callback configuration", "error", err)
			return
		}
		cfg.Region = region
	}
	if rdb != nil {
		cfg.Limiter = liveconfigredis.NewLimiter(rdb, appID, liveconfigredis.LimiterOptions{Logger: logger})
	}
	client, err := liveconfig.NewClient(cfg)
	if err != nil {
		logger.Warn("not reading the callback configuration", "error", err)
		return
	}
	defer client.CloseIdleConnections()
	callback, err := client.GetCallback(ctx)
	if err != nil {
		logger.Warn("could not read the callback configuration", "error", err)
		return
	}
	logger.Info("callback configuration", "url", callback.URL, "commands", len(callback.Commands))
}

// newServer bounds every phase of a connection, so that a client that sends slowly, or not at all, cannot
// hold one open: Tencent sends a webhook of a few KiB in one go and waits 2 s for the answer.
func newServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       10 * time.Second,
		WriteTimeout:      10 * time.Second,
		IdleTimeout:       60 * time.Second,
	}
}

// newMux serves the webhook handler at /tencent/webhook. It is mounted without a method in the pattern, so that
// a GET gets the handler's own JSON 405 rather than the router's plain-text one.
func newMux(cfg webhook.Config, giftLimit int64, logger *slog.Logger) (*http.ServeMux, error) {
	h, err := webhook.NewHandler(cfg, func(ctx context.Context, ev webhook.Event) error {
		return handle(ev, giftLimit, logger)
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("/tencent/webhook", h)
	return mux, nil
}

// handle logs each event and refuses gifts over the limit.
func handle(ev webhook.Event, giftLimit int64, logger *slog.Logger) error {
	switch ev := ev.(type) {
	case *webhook.AfterCreateRoom:
		logger.Info("room created", "room", ev.RoomInfo.RoomID, "owner", ev.RoomInfo.OwnerAccount, "at", ev.Time())
	case *webhook.AfterDestroyRoom:
		logger.Info("room destroyed", "room", ev.RoomID, "cause", ev.EventType, "viewers", ev.Statistic.TotalViewers)
	case *webhook.AfterMemberStateChanged:
		logger.Info("members changed", "room", ev.RoomID, "state", ev.EventType, "cause", ev.EventCause, "count", len(ev.MemberList))
	case *webhook.BeforeSendGift:
		if ev.GiftWater.Exceeds(giftLimit) { // Coins x Count, safe against overflow and negative values
			logger.Info("gift refused", "room", ev.RoomID, "from", ev.GiftWater.FromAccount,
				"coins", ev.GiftWater.Coins, "count", ev.GiftWater.Count)
			return webhook.Reject(102150, fmt.Sprintf("gifts are limited to %d coins", giftLimit))
		}
		value, _ := ev.GiftWater.Value()
		logger.Info("gift allowed", "room", ev.RoomID, "from", ev.GiftWater.FromAccount, "coins", value)
	case *webhook.UnknownEvent:
		logger.Info("event this version does not know", "command", ev.Command())
	default:
		logger.Info("event", "command", ev.Command())
	}
	return nil
}
