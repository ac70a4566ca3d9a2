package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

// exampleNow is the clock of the examples, so that their signatures stay valid.
var exampleNow = time.Unix(1739966441, 0)

// signedRequest builds a webhook request as Tencent sends it: the command word and the app in the query,
// signed with token at exampleNow.
func signedRequest(command liveconfig.Command, token, body string) *http.Request {
	requestTime := exampleNow.Unix()
	target := "/tencent/webhook?SdkAppid=1400000001&CallbackCommand=" + string(command) +
		"&contenttype=json&ClientIP=203.0.113.7&OptPlatform=Android" +
		"&RequestTime=" + strconv.FormatInt(requestTime, 10) + "&Sign=" + webhook.Sign(token, requestTime)
	return httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
}

func ExampleNewHandler() {
	h, err := webhook.NewHandler(webhook.Config{
		SDKAppID: 1400000001,
		Token:    "webhook-token", // the token enabled with liveconfig's SetCallbackToken
		Now:      func() time.Time { return exampleNow },
	}, func(ctx context.Context, ev webhook.Event) error {
		switch ev := ev.(type) {
		case *webhook.AfterCreateRoom:
			fmt.Printf("room %s created by %s\n", ev.RoomInfo.RoomID, ev.RoomInfo.OwnerAccount)
		case *webhook.BeforeSendGift:
			if ev.GiftWater.Exceeds(5000) { // Coins x Count, safe against overflow
				return webhook.Reject(102150, "gift over the limit") // blocks the gift; the sender sees this
			}
		}
		return nil
	})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/tencent/webhook", h) // no method in the pattern: the handler answers a GET with its own JSON 405

	for _, req := range []*http.Request{
		signedRequest(liveconfig.CommandAfterCreateRoom, "webhook-token", `{"RoomInfo":{"RoomId":"r1","Owner_Account":"host1"}}`),
		signedRequest(liveconfig.CommandBeforeSendGift, "webhook-token", `{"RoomId":"r1","GiftWater":{"GiftId":"car","Count":2,"Coins":3000}}`),
		signedRequest(liveconfig.CommandAfterCreateRoom, "guessed-token", `{}`),
	} {
		rec := httptest.NewRecorder()
		mux.ServeHTTP(rec, req)
		fmt.Print(rec.Code, " ", rec.Body.String())
	}
	// Output:
	// room r1 created by host1
	// 200 {"ActionStatus":"OK","ErrorInfo":"","ErrorCode":0}
	// 200 {"ActionStatus":"FAIL","ErrorInfo":"gift over the limit","ErrorCode":102150}
	// 401 {"ActionStatus":"FAIL","ErrorInfo":"webhook: Sign does not match","ErrorCode":401}
}

func ExampleVerifier_Parse() {
	v, err := webhook.NewVerifier(webhook.Config{SDKAppID: 1400000001, Token: "webhook-token", Now: func() time.Time { return exampleNow }})
	if err != nil {
		panic(err)
	}
	ev, err := v.Parse(signedRequest(liveconfig.CommandAfterMemberStateChanged, "webhook-token",
		`{"RoomId":"r1","EventType":"Online","EventCause":"Enter","MemberList":[{"Member_Account":144115216631667826}],"EventTime":1739966441000}`))
	if err != nil {
		panic(err)
	}
	joined := ev.(*webhook.AfterMemberStateChanged)
	fmt.Println(joined.Command(), joined.RoomID, joined.EventCause, joined.MemberList[0].MemberAccount)
	fmt.Println("signed:", joined.Request.Signed, "at", joined.Time().UTC().Format(time.RFC3339))
	// Output:
	// Live.CallbackAfterMemberStateChanged r1 Enter 144115216631667826
	// signed: true at 2025-02-19T12:00:41Z
}

// A refused request says why, for errors.Is: here a signature made with another token.
func ExampleVerifier_Parse_refused() {
	v, err := webhook.NewVerifier(webhook.Config{SDKAppID: 1400000001, Token: "webhook-token", Now: func() time.Time { return exampleNow }})
	if err != nil {
		panic(err)
	}
	_, err = v.Parse(signedRequest(liveconfig.CommandAfterCreateRoom, "guessed-token", `{}`))
	var refused *webhook.RequestError
	if errors.As(err, &refused) {
		fmt.Println(refused.Status, errors.Is(err, webhook.ErrBadSignature), errors.Is(err, webhook.ErrUnauthenticated))
	}
	// Output:
	// 401 true true
}

func ExampleGiftWater_Exceeds() {
	for _, gift := range []webhook.GiftWater{
		{Count: 5, Coins: 1000},                // worth 5000: at the limit
		{Count: 2, Coins: 3000},                // worth 6000
		{Count: 2, Coins: 4611686018427387904}, // the product overflows
		{Count: -1, Coins: 1000},               // a negative count
	} {
		fmt.Println(gift.Exceeds(5000))
	}
	// Output:
	// false
	// true
	// true
	// true
}
