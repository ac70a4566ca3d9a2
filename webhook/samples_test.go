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

// The bodies below are Tencent's documented samples, as given, including their loose types.
var samples = []struct {
	command liveconfig.Command
	body    string
	check   func(t *testing.T, ev webhook.Event)
}{
	{liveconfig.CommandAfterCreateRoom, `{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"admin","EventTime":1703589922780,
 "RoomInfo":{"RoomId":"tandy-test-rest","RoomName":"tandy-test-rest","RoomType":"Live","Owner_Account":"user3",
  "MaxMemberCount":300,"IsMessageDisabled":true,"CustomInfo":"custom123","IsSeatEnabled":true,
  "TakeSeatMode":"ApplyToTake","MaxSeatCount":16,"CreateTime":1703589922,"IsPublicVisible":true,
  "CoverURL":"cover url","Category":[1,2]}}`, func(t *testing.T, ev webhook.Event) {
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
	{liveconfig.CommandAfterDestroyRoom, `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Operator_Account":"admin","RoomId":"tandy-test-rest",
 "EventType":"DestroyByUser","EventTime":1703589922780,
 "RoomInfo":{"RoomName":"live name","RoomType":"Live","Owner_Account":144115216631667826,"IsSeatEnabled":true,
  "TakeSeatMode":"FreeToTake","MaxMemberCount":400,"MaxSeatCount":4,"Category":[1,2,3],"CustomInfo":"",
  "IsMessageDisabled":false,"CoverURL":"cover url","ActivityStatus":0,"IsPublicVisible":false,"ViewCount":0,
  "BackgroundURL":"background url","IsUnlimitedRoomEnabled":true},
 "Statistic":{"TotalViewers":0,"TotalGiftsSent":0,"TotalGiftCoins":0,"TotalUniqueGiftSenders":0,"TotalLikesReceived":0}}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterDestroyRoom)
		assert.Equal(t, "tandy-test-rest", e.RoomID)
		assert.Equal(t, "DestroyByUser", e.EventType)
		assert.Equal(t, webhook.Account("144115216631667826"), e.RoomInfo.OwnerAccount, "a numeric account keeps every digit")
		assert.Equal(t, "background url", e.RoomInfo.BackgroundURL)
		assert.True(t, e.RoomInfo.IsUnlimitedRoomEnabled)
		assert.Equal(t, webhook.RoomStatistic{}, e.Statistic)
	}},
	{liveconfig.CommandAfterUpdateRoomInfo, `{"CallbackCommand":"Live.CallbackAfterUpdateRoomInfo","Operator_Account":"bob","EventTime":1670574414123,
 "RoomInfo":{"RoomId":"live-room","RoomName":"rname-123","MaxMemberCount":300,"IsMessageDisabled":false,
  "CoverURL":"https://xxxx.png","Category":[1,2,3],"ActivityStatus":1,"IsPublicVisible":false,
  "TakeSeatMode":"ApplyToTake","CustomInfo":"custom123"}}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterUpdateRoomInfo)
		assert.Equal(t, "live-room", e.RoomInfo.RoomID)
		require.NotNil(t, e.RoomInfo.IsMessageDisabled, "a false that was sent is a change")
		assert.False(t, *e.RoomInfo.IsMessageDisabled)
		assert.Equal(t, "rname-123", *e.RoomInfo.RoomName)
		assert.Nil(t, e.RoomInfo.MaxSeatCount, "a field that was not sent did not change")
		assert.Equal(t, []int{1, 2, 3}, *e.RoomInfo.Category)
	}},
	{liveconfig.CommandAfterSetMetadata, `{"CallbackCommand":"Live.CallbackAfterSetMetadata","Operator_Account":"brennanli","RoomId":"live-room1111",
 "Metadata":[{"Key":"key1","Value":"value1"},{"Key":"key2","Value":"value2"}],"EventTime":1739965885831}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterSetMetadata)
		assert.Equal(t, []webhook.Metadata{{Key: "key1", Value: "value1"}, {Key: "key2", Value: "value2"}}, e.Metadata)
		assert.Equal(t, "live-room1111", e.RoomID)
	}},
	{liveconfig.CommandAfterDelMetadata, `{"CallbackCommand":"Live.CallbackAfterDelMetadata","Operator_Account":"brennanli","RoomId":"live-room1111",
 "Keys":["key1","key2"],"EventTime":1739966441121}`, func(t *testing.T, ev webhook.Event) {
		assert.Equal(t, []string{"key1", "key2"}, ev.(*webhook.AfterDelMetadata).Keys)
	}},
	{liveconfig.CommandAfterCreateRoomReachingThreshold, `{"CallbackCommand":"Live.CallbackAfterCreateRoomReachingThreshold","Operator_Account":"brennanli",
 "EventTime":1739966441121,"CurRoomCount":400,"MaxRoomCount":500}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCreateRoomReachingThreshold)
		assert.Equal(t, [2]int{400, 500}, [2]int{e.CurRoomCount, e.MaxRoomCount})
	}},
	{liveconfig.CommandAfterMemberStateChanged, `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_id","EventType":"Online","EventCause":"Enter",
 "MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"}],"EventTime":1703589922780}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterMemberStateChanged)
		assert.Equal(t, "Online", e.EventType)
		assert.Equal(t, "Enter", e.EventCause)
		assert.Equal(t, []webhook.Member{{MemberAccount: "jared"}, {MemberAccount: "tommy"}}, e.MemberList)
	}},
	{liveconfig.CommandAfterChangeOwner, `{"CallbackCommand":"Live.CallbackAfterChangeOwner","RoomId":"room_id","EventTime":1703589922780,
 "Operator_Account":"admin","CurrentOwner_Account":"user2","OriginalOwner_Account":"user1"}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterChangeOwner)
		assert.Equal(t, [2]webhook.Account{"user2", "user1"}, [2]webhook.Account{e.CurrentOwnerAccount, e.OriginalOwnerAccount})
	}},
	{liveconfig.CommandAfterModifyAdmin, `{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"room_id","EventTime":1703589922780,
 "Operator_Account":"admin","Admin_Account":["user1","user2"],"opType":"add"}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterModifyAdmin)
		assert.Equal(t, []webhook.Account{"user1", "user2"}, e.AdminAccounts)
		assert.Equal(t, "add", e.OpType)
	}},
	{liveconfig.CommandAfterSeatInfoChanged, `{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","RoomId":"rid-123","EventTime":1670574414123,
 "SeatList":[{"Index":1,"Member_Account":144115233775727695,"IsTakenDisabled":false,"IsVideoDisabled":false,"IsAudioDisabled":false},{"Index":2}]}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterSeatInfoChanged)
		require.Len(t, e.SeatList, 2)
		assert.Equal(t, webhook.Account("144115233775727695"), e.SeatList[0].MemberAccount)
		assert.Empty(t, e.SeatList[1].MemberAccount, "an empty seat has no member")
	}},
	{liveconfig.CommandAfterCreateBattle, `{"CallbackCommand":"Live.CallbackAfterCreateBattle","Operator_Account":"brennanli",
 "BattleId":"4siHsNsWN/T3aub9zKraqPbSEGRX2z6gs3LDFi+d/3M=","FromRoomId":"pk-3","ToRoomIdList":["pk-5"],
 "Timeout":30000,"Duration":60000,"NeedResponse":false,"ExtensionInfo":"extension pk","EventTime":1739954005000}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCreateBattle)
		assert.Equal(t, "4siHsNsWN/T3aub9zKraqPbSEGRX2z6gs3LDFi+d/3M=", e.BattleID)
		assert.Equal(t, []string{"pk-5"}, e.ToRoomIDList)
		assert.Equal(t, int64(60000), e.Duration)
		assert.Equal(t, "extension pk", e.ExtensionInfo)
	}},
	{liveconfig.CommandAfterStartBattle, `{"CallbackCommand":"Live.CallbackAfterStartBattle","BattleId":"b1","Duration":60000,"CreateTime":1739954005,
 "StartTime":1739954005,"FromRoomInfo":{"RoomId":"pk-3","Owner_Account":"brennan"},
 "ToRoomList":[{"RoomId":"pk-5","Owner_Account":"tandy"}],"EventTime":1739954005000}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterStartBattle)
		assert.Equal(t, webhook.BattleRoom{RoomID: "pk-3", OwnerAccount: "brennan"}, e.FromRoomInfo)
		assert.Equal(t, []webhook.BattleRoom{{RoomID: "pk-5", OwnerAccount: "tandy"}}, e.ToRoomList)
		assert.Equal(t, time.Unix(1739954005, 0), e.StartTime.Time())
	}},
	{liveconfig.CommandAfterEndBattle, `{"CallbackCommand":"Live.CallbackAfterEndBattle","BattleId":"b1","Duration":30000,"CreateTime":1739956115,
 "StartTime":1739956115,"EndTime":1739956145,"OpType":0,
 "FromRoomInfo":{"RoomId":"pk-3","Score":0,"Owner_Account":144115245353757792},
 "ToRoomList":[{"RoomId":"pk-5","Score":0,"Owner_Account":144115245442327522}],"EventTime":1739956146119}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterEndBattle)
		assert.Equal(t, webhook.Account("144115245353757792"), e.FromRoomInfo.OwnerAccount)
		assert.Equal(t, webhook.Account("144115245442327522"), e.ToRoomList[0].OwnerAccount)
		assert.Equal(t, time.Unix(1739956145, 0), e.EndTime.Time())
	}},
	{liveconfig.CommandBeforeSendGift, `{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":"brennanli","RoomId":"room_id",
 "GiftWater":{"From_Account":"from","To_Account":["to1"],"Time":1703589922,"GiftId":"gift1","Count":1,"Coins":1000}}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.BeforeSendGift)
		assert.Equal(t, webhook.GiftWater{FromAccount: "from", ToAccounts: []webhook.Account{"to1"}, Time: 1703589922, GiftID: "gift1", Count: 1, Coins: 1000}, e.GiftWater)
		assert.True(t, e.Time().IsZero(), "this event has no EventTime")
	}},
	{liveconfig.CommandBeforeSendMsg, `{"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"Live","From_Account":"jared",
 "Operator_Account":"admin","Random":123456,"MsgId":"144115233775727695-1727580296-4026038328",
 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}],
 "CloudCustomData":"your cloud custom data","EventTime":"1670574414123"}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.BeforeSendMsg)
		assert.Equal(t, time.UnixMilli(1670574414123), e.Time(), "EventTime as a string")
		assert.Equal(t, "@TGS#2J4SZEAEL", e.GroupID)
		assert.Equal(t, uint64(123456), e.Random)
		require.Len(t, e.MsgBody, 1)
		assert.JSONEq(t, `{"Text":"red packet"}`, string(e.MsgBody[0].MsgContent))
	}},
	{liveconfig.CommandAfterSendMsg, `{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"Live","From_Account":"jared",
 "Operator_Account":"admin","Random":123456,"MsgSeq":123,"MsgTime":1490686222,"MsgId":"144115233775727695-1727580296-4026038328",
 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}],"CloudCustomData":"","EventTime":1670574414123}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterSendMsg)
		assert.Equal(t, uint64(123), e.MsgSeq)
		assert.Equal(t, time.Unix(1490686222, 0), e.MsgTime.Time())
		assert.Equal(t, webhook.Account("jared"), e.FromAccount)
	}},
	{liveconfig.CommandAfterFollowAdd, `{"CallbackCommand":"Follow.CallbackAfterFollowAdd","From_Account":"UserID_001",
 "FollowList":[{"To_Account":"UserID_002"},{"To_Account":"UserID_003"}],"EventTime":1702018343678}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterFollowAdd)
		assert.Equal(t, []webhook.Follow{{ToAccount: "UserID_002"}, {ToAccount: "UserID_003"}}, e.FollowList)
	}},
	{liveconfig.CommandAfterFollowDelete, `{"CallbackCommand":"Follow.CallbackAfterFollowDelete","From_Account":"UserID_001",
 "FollowList":[{"To_Account":"UserID_002"}],"EventTime":1702018343678}`, func(t *testing.T, ev webhook.Event) {
		assert.Equal(t, webhook.Account("UserID_001"), ev.(*webhook.AfterFollowDelete).FromAccount)
	}},
	{liveconfig.CommandLiveAfterCloudRecordingChanged, `{"CallbackCommand":"Live.CallbackAfterCloudRecordingChanged","EventGroupId":3,"EventType":305,"CallbackTs":1752580150082,
  "EventInfo":{"RoomId":"635055","EventTs":1752580150,"EventMsTs":1752580150081,"UserId":"user1","TaskId":"task-1","Payload":{"Status":0}}}`, func(t *testing.T, ev webhook.Event) {
		e := ev.(*webhook.AfterCloudRecordingChanged) // the Chinese page's word and sample: the same type
		assert.Equal(t, 305, e.EventType)
		assert.Equal(t, "task-1", e.EventInfo.TaskID)
	}},
	{liveconfig.CommandAfterCloudRecordingChanged, `{"CallbackCommand":"Follow.CallbackAfterCloudRecordingChanged","EventGroupId":3,"EventType":305,"CallbackTs":1752580150082,
  "EventInfo":{"RoomId":"635055","EventTs":1752580150,"EventMsTs":1752580150081,"UserId":"user1","TaskId":"task-1","Payload":{"Status":0}}}`, func(t *testing.T, ev webhook.Event) {
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
	sampled := map[liveconfig.Command]bool{}
	for _, s := range samples {
		sampled[s.command] = true
	}
	for _, cmd := range liveconfig.KnownCommands() {
		if cmd == liveconfig.CommandBeforeCallBackNotBlock {
			continue
		}
		ev, err := webhook.ParseEvent(cmd, []byte(`{"CallbackCommand":"`+string(cmd)+`"}`))
		require.NoError(t, err, cmd)
		_, unknown := ev.(*webhook.UnknownEvent)
		assert.False(t, unknown, "%s decodes to no type of its own", cmd)
		assert.Equal(t, cmd, ev.Command())
		assert.True(t, sampled[cmd], "%s has no documented sample in this test", cmd)
	}
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
			out := serve(t, h, newDelivery(string(s.command), s.body).request())
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
