// Command webhook-receiver is a complete webhook receiver for Tencent Cloud Live: it verifies each webhook,
// logs it, and refuses gifts worth more than a limit.
//
//	LIVECONFIG_SDKAPPID=1400000001 WEBHOOK_TOKEN=... go run ./examples/webhook-receiver -addr :8080 -gift-limit 5000
//
// Point the app's callback URL at https://your-host/tencent/webhook (behind TLS) with liveconfig's
// EnsureCallback, and enable the same token with SetCallbackToken.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-tuilive/liveconfig/webhook"
)

func main() {
	addr := flag.String("addr", "127.0.0.1:8080", "address to listen on")
	giftLimit := flag.Int64("gift-limit", 5000, "refuse gifts worth more coins than this")
	flag.Parse()
	logger := slog.New(slog.NewTextHandler(os.Stderr, nil))

	appID, err := strconv.ParseUint(os.Getenv("LIVECONFIG_SDKAPPID"), 10, 64)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver: set LIVECONFIG_SDKAPPID to the app's SDKAppID")
		os.Exit(2)
	}
	mux, err := newMux(webhook.Config{SDKAppID: appID, Token: os.Getenv("WEBHOOK_TOKEN"), Logger: logger}, *giftLimit, logger)
	if err != nil {
		fmt.Fprintln(os.Stderr, "webhook-receiver:", err)
		os.Exit(2)
	}
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
	}()
	logger.Info("receiving webhooks", "addr", *addr, "path", "/tencent/webhook")
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		logger.Error("serving", "error", err)
		os.Exit(1)
	}
}

// newMux serves the webhook handler at /tencent/webhook.
func newMux(cfg webhook.Config, giftLimit int64, logger *slog.Logger) (*http.ServeMux, error) {
	h, err := webhook.NewHandler(cfg, func(ctx context.Context, ev webhook.Event) error {
		return handle(ev, giftLimit, logger)
	})
	if err != nil {
		return nil, err
	}
	mux := http.NewServeMux()
	mux.Handle("POST /tencent/webhook", h)
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
		value := ev.GiftWater.Coins * int64(max(ev.GiftWater.Count, 1))
		if value > giftLimit {
			logger.Info("gift refused", "room", ev.RoomID, "from", ev.GiftWater.FromAccount, "coins", value)
			return webhook.Reject(102150, fmt.Sprintf("gifts are limited to %d coins", giftLimit))
		}
		logger.Info("gift allowed", "room", ev.RoomID, "from", ev.GiftWater.FromAccount, "coins", value)
	case *webhook.UnknownEvent:
		logger.Info("event this version does not know", "command", ev.Command())
	default:
		logger.Info("event", "command", ev.Command())
	}
	return nil
}
