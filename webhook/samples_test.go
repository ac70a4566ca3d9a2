package webhook_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

// samples checks what each of Tencent's documented sample bodies (webhook.SampleBody) decodes to.
var samples = []struct {
	command liveconfig.Command
	check   func(t *testing.T, ev webhook.Event)
}{
	{liveconfig.CommandAfterCreateRoom, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCreateRoom)
		assert.Equal(t, webhook.Account("admin"), e.OperatorAccount)
		assert.Equal(t, time.UnixMilli(1703589922780), e.Time())
		assert.Equal(t, "tandy-test-rest", e.RoomInfo.RoomID)
		assert.Equal(t, webhook.Account("user3"), e.RoomInfo.OwnerAccount)
		assert.Equal(t, 300, e.RoomInfo.MaxMemberCount)
		assert.True(t, e.RoomInfo.IsMessageDisabled)
		assert.Equal(t, "ApplyToTake", e.RoomInfo.TakeSeatMode)
		assert.Equal(t, 16, e.RoomInfo.MaxSeatCount)
		assert.Equal(t, time.Unix(1703589922, 0), e.RoomInfo.CreateTime.Time())
		assert.Equal(t, []int{1, 2}, e.RoomInfo.Category)
		assert.Equal(t, "cover url", e.RoomInfo.CoverURL)
	}},
	{liveconfig.CommandAfterDestroyRoom, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterDestroyRoom)
		assert.Equal(t, "tandy-test-rest", e.RoomID)
		assert.Equal(t, "DestroyByUser", e.EventType)
		assert.Equal(t, webhook.Account("144115216631667826"), e.RoomInfo.OwnerAccount, "a numeric account keeps every digit")
		assert.Equal(t, "background url", e.RoomInfo.BackgroundURL)
		assert.True(t, e.RoomInfo.IsUnlimitedRoomEnabled)
		assert.Equal(t, webhook.RoomStatistic{}, e.Statistic)
	}},
	{liveconfig.CommandAfterUpdateRoomInfo, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterUpdateRoomInfo)
		assert.Equal(t, "live-room", e.RoomInfo.RoomID)
		require.NotNil(t, e.RoomInfo.IsMessageDisabled, "a false that was sent is a change")
		assert.False(t, *e.RoomInfo.IsMessageDisabled)
		assert.Equal(t, "rname-123", *e.RoomInfo.RoomName)
		assert.Nil(t, e.RoomInfo.MaxSeatCount, "a field that was not sent did not change")
		assert.Equal(t, []int{1, 2, 3}, *e.RoomInfo.Category)
	}},
	{liveconfig.CommandAfterSetMetadata, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterSetMetadata)
		assert.Equal(t, []webhook.Metadata{{Key: "key1", Value: "value1"}, {Key: "key2", Value: "value2"}}, e.Metadata)
		assert.Equal(t, "live-room1111", e.RoomID)
	}},
	{liveconfig.CommandAfterDelMetadata, func(t *testing.T, ev webhook.Event) {
		assert.Equal(t, []string{"key1", "key2"}, ev.(*webhook.AfterDelMetadata).Keys)
	}},
	{liveconfig.CommandAfterCreateRoomReachingThreshold, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCreateRoomReachingThreshold)
		assert.Equal(t, [2]int{400, 500}, [2]int{e.CurRoomCount, e.MaxRoomCount})
	}},
	{liveconfig.CommandAfterMemberStateChanged, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterMemberStateChanged)
		assert.Equal(t, "Online", e.EventType)
		assert.Equal(t, "Enter", e.EventCause)
		assert.Equal(t, []webhook.Member{{MemberAccount: "jared"}, {MemberAccount: "tommy"}}, e.MemberList)
	}},
	{liveconfig.CommandAfterChangeOwner, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterChangeOwner)
		assert.Equal(t, [2]webhook.Account{"user2", "user1"}, [2]webhook.Account{e.CurrentOwnerAccount, e.OriginalOwnerAccount})
	}},
	{liveconfig.CommandAfterModifyAdmin, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterModifyAdmin)
		assert.Equal(t, []webhook.Account{"user1", "user2"}, e.AdminAccounts)
		assert.Equal(t, "add", e.OpType)
	}},
	{liveconfig.CommandAfterSeatInfoChanged, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterSeatInfoChanged)
		require.Len(t, e.SeatList, 2)
		assert.Equal(t, webhook.Account("144115233775727695"), e.SeatList[0].MemberAccount)
		assert.Empty(t, e.SeatList[1].MemberAccount, "an empty seat has no member")
	}},
	{liveconfig.CommandAfterCreateBattle, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCreateBattle)
		assert.Equal(t, "4siHsNsWN/T3aub9zKraqPbSEGRX2z6gs3LDFi+d/3M=", e.BattleID)
		assert.Equal(t, []string{"pk-5"}, e.ToRoomIDList)
		assert.Equal(t, int64(60000), e.Duration)
		assert.Equal(t, "extension pk", e.ExtensionInfo)
	}},
	{liveconfig.CommandAfterStartBattle, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterStartBattle)
		assert.Equal(t, webhook.BattleRoom{RoomID: "pk-3", OwnerAccount: "brennan"}, e.FromRoomInfo)
		assert.Equal(t, []webhook.BattleRoom{{RoomID: "pk-5", OwnerAccount: "tandy"}}, e.ToRoomList)
		assert.Equal(t, time.Unix(1739954005, 0), e.StartTime.Time())
	}},
	{liveconfig.CommandAfterEndBattle, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterEndBattle)
		assert.Equal(t, webhook.Account("144115245353757792"), e.FromRoomInfo.OwnerAccount)
		assert.Equal(t, webhook.Account("144115245442327522"), e.ToRoomList[0].OwnerAccount)
		assert.Equal(t, time.Unix(1739956145, 0), e.EndTime.Time())
	}},
	{liveconfig.CommandBeforeSendGift, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.BeforeSendGift)
		assert.Equal(t, webhook.GiftWater{FromAccount: "from", ToAccounts: []webhook.Account{"to1"}, Time: 1703589922, GiftID: "gift1", Count: 1, Coins: 1000}, e.GiftWater)
		assert.True(t, e.Time().IsZero(), "this event has no EventTime")
	}},
	{liveconfig.CommandBeforeSendMsg, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.BeforeSendMsg)
		assert.Equal(t, time.UnixMilli(1670574414123), e.Time(), "EventTime as a string")
		assert.Equal(t, "@TGS#2J4SZEAEL", e.GroupID)
		assert.Equal(t, uint64(123456), e.Random)
		require.Len(t, e.MsgBody, 1)
		assert.JSONEq(t, `{"Text":"red packet"}`, string(e.MsgBody[0].MsgContent))
	}},
	{liveconfig.CommandAfterSendMsg, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterSendMsg)
		assert.Equal(t, uint64(123), e.MsgSeq)
		assert.Equal(t, time.Unix(1490686222, 0), e.MsgTime.Time())
		assert.Equal(t, webhook.Account("jared"), e.FromAccount)
	}},
	{liveconfig.CommandAfterFollowAdd, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterFollowAdd)
		assert.Equal(t, []webhook.Follow{{ToAccount: "UserID_002"}, {ToAccount: "UserID_003"}}, e.FollowList)
	}},
	{liveconfig.CommandAfterFollowDelete, func(t *testing.T, ev webhook.Event) {
		assert.Equal(t, webhook.Account("UserID_001"), ev.(*webhook.AfterFollowDelete).FromAccount)
	}},
	{liveconfig.CommandLiveAfterCloudRecordingChanged, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCloudRecordingChanged) // the Chinese page's word and sample: the same type
		assert.Equal(t, 305, e.EventType)
		assert.Equal(t, "task-1", e.EventInfo.TaskID)
	}},
	{liveconfig.CommandAfterCloudRecordingChanged, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCloudRecordingChanged)
		assert.Equal(t, 3, e.EventGroupID)
		assert.Equal(t, 305, e.EventType)
		assert.Equal(t, time.UnixMilli(1752580150082), e.CallbackTs.Time())
		assert.Equal(t, webhook.Account("635055"), e.EventInfo.RoomID)
		assert.Equal(t, time.Unix(1752580150, 0), e.EventInfo.EventTs.Time())
		assert.Equal(t, webhook.Account("user1"), e.EventInfo.UserID)
		assert.Equal(t, "task-1", e.EventInfo.TaskID)
		assert.Equal(t, 0, e.EventInfo.Payload.Status)
		assert.Zero(t, e.EventTime, "this body has no EventTime")
		assert.Equal(t, time.UnixMilli(1752580150081), e.Time(), "Time falls back to the event's own")
	}},
}

// TestEveryKnownCommandHasATypedEvent ranges over liveconfig.KnownCommands: a command word added there without
// its event type in this package, or without a sample above, fails here. The one word that is not an event,
// the gift check's non-blocking switch, is the exception.
func TestEveryKnownCommandHasATypedEvent(t *testing.T) {
	t.Parallel()
	checked := map[liveconfig.Command]bool{}
	for _, s := range samples {
		checked[s.command] = true
	}
	var sampled []liveconfig.Command
	for _, cmd := range liveconfig.KnownCommands() {
		if cmd == liveconfig.CommandBeforeCallBackNotBlock {
			continue
		}
		ev, err := webhook.ParseEvent(cmd, []byte(`{"CallbackCommand":"`+string(cmd)+`"}`))
		require.NoError(t, err, cmd)
		_, unknown := ev.(*webhook.UnknownEvent)
		assert.False(t, unknown, "%s decodes to no type of its own", cmd)
		assert.Equal(t, cmd, ev.Command())
		_, ok := webhook.SampleBody(cmd)
		assert.True(t, ok, "%s has no documented sample in samples.go", cmd)
		assert.True(t, checked[cmd], "%s's sample is not checked in this test", cmd)
		sampled = append(sampled, cmd)
	}
	assert.Equal(t, sampled, webhook.SampleCommands(), "SampleCommands lists the event words, in KnownCommands' order")
	_, ok := webhook.SampleBody(liveconfig.CommandBeforeCallBackNotBlock)
	assert.False(t, ok, "the switch has no body")
	ev, err := webhook.ParseEvent(liveconfig.CommandBeforeCallBackNotBlock, []byte(`{}`))
	require.NoError(t, err)
	assert.IsType(t, &webhook.UnknownEvent{}, ev, "the non-blocking switch is not an event")
}

// TestBodiesSeenInProduction decodes what Tencent has been seen to send beside what it documents.
func TestBodiesSeenInProduction(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(testConfig())
	require.NoError(t, err)

	d := newDelivery(string(liveconfig.CommandAfterDestroyRoom), `{"CallbackCommand":"Live.CallbackAfterDestroyRoom",
 "Operator_Account":"@TIM#SYSTEM","EventType":"DestroyBySystem","EventTime":1735689600000,
 "RoomInfo":{"RoomId":"live-42","RoomName":"evening show","RoomType":"Live","Owner_Account":"host7"}}`)
	d.query = map[string][]string{"OptPlatform": {"IOS"}}
	ev, err := v.Parse(d.request())
	require.NoError(t, err)
	destroyed := ev.(*webhook.AfterDestroyRoom)
	assert.Equal(t, "live-42", destroyed.RoomID, "the room named only in RoomInfo")
	assert.Equal(t, "live-42", destroyed.RoomInfo.RoomID)
	assert.Equal(t, webhook.Account("@TIM#SYSTEM"), destroyed.OperatorAccount)
	assert.Equal(t, webhook.Account("host7"), destroyed.RoomInfo.OwnerAccount)
	assert.Equal(t, webhook.RoomStatistic{}, destroyed.Statistic, "no Statistic in the body")
	assert.Equal(t, "IOS", destroyed.Request.OptPlatform, "the platform is kept as sent")

	ev, err = webhook.ParseEvent(liveconfig.CommandBeforeSendMsg, []byte(`{"CallbackCommand":"Group.CallbackBeforeSendMsg",
 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"hi"}},{"MsgType":"TIMCustomElem","MsgContent":{},"CloudCustomData":"in-element"}]}`))
	require.NoError(t, err)
	msg := ev.(*webhook.BeforeSendMsg)
	assert.Equal(t, "in-element", msg.MsgBody[1].CloudCustomData)
	assert.Equal(t, "in-element", msg.CustomData(), "found in MsgBody when the top level has none")
	msg.CloudCustomData = "top"
	assert.Equal(t, "top", msg.CustomData())
}

func TestEverySampleReachesTheHandlerTyped(t *testing.T) {
	t.Parallel()
	for _, s := range samples {
		t.Run(string(s.command), func(t *testing.T) {
			t.Parallel()
			var got webhook.Event
			h, err := webhook.NewHandler(testConfig(), func(_ context.Context, ev webhook.Event) error {
				got = ev
				return nil
			})
			require.NoError(t, err)
			body, ok := webhook.SampleBody(s.command)
			require.True(t, ok)
			out := serve(t, h, newDelivery(string(s.command), string(body)).request())
			assert.Equal(t, 200, out.status)
			assert.Equal(t, "OK", out.body.ActionStatus)
			assert.Zero(t, out.body.ErrorCode)
			require.NotNil(t, got)
			assert.Equal(t, s.command, got.Command())
			s.check(t, got)
		})
	}
}

func TestSpellingVariants(t *testing.T) {
	t.Parallel()
	v, err := webhook.NewVerifier(testConfig())
	require.NoError(t, err)

	d := newDelivery("Live.CallbackMemberStateChanged", `{"CallbackCommand":"Live.CallbackMemberStateChanged","RoomId":"r"}`)
	ev, err := v.Parse(d.request())
	require.NoError(t, err)
	assert.IsType(t, &webhook.AfterMemberStateChanged{}, ev, "the spelling of one documentation table")

	d = newDelivery("", `{"CallbackCommand":"Live.CallbackAfterCreateRoom"}`)
	d.query = map[string][]string{"SdkAppid": {"-"}, "SdkAppId": {"1400000001"}, "CallbackCommand": {"-"}, "WebhookCommand": {"Live.CallbackAfterCreateRoom"}}
	ev, err = v.Parse(d.request())
	require.NoError(t, err, "SdkAppId and WebhookCommand spellings")
	assert.IsType(t, &webhook.AfterCreateRoom{}, ev)
	info := ev.(*webhook.AfterCreateRoom).Request
	assert.Equal(t, webhook.RequestInfo{SDKAppID: testApp, ClientIP: "203.0.113.7", OptPlatform: "Android", Signed: true, Token: webhook.TokenCurrent, RequestTime: testNow}, info)

	d = newDelivery("Live.CallbackAfterCreateRoom", `{"RoomInfo":{"RoomId":"r"}}`)
	ev, err = v.Parse(d.request())
	require.NoError(t, err, "a body without CallbackCommand takes the query's")
	assert.Equal(t, "r", ev.(*webhook.AfterCreateRoom).RoomInfo.RoomID)
}

func TestUnknownCommandIsHandedOverAndAcknowledged(t *testing.T) {
	t.Parallel()
	var got webhook.Event
	h, err := webhook.NewHandler(testConfig(), func(_ context.Context, ev webhook.Event) error { got = ev; return nil })
	require.NoError(t, err)
	body := `{"CallbackCommand":"Live.CallbackBeforeSomethingNew","X":1}`
	out := serve(t, h, newDelivery("Live.CallbackBeforeSomethingNew", body).request())
	assert.Equal(t, "OK", out.body.ActionStatus)
	unknown, ok := got.(*webhook.UnknownEvent)
	require.True(t, ok)
	assert.Equal(t, liveconfig.Command("Live.CallbackBeforeSomethingNew"), unknown.Command())
	assert.JSONEq(t, body, string(unknown.Raw))
}
