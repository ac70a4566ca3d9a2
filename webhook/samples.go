package webhook

import "github.com/go-tuilive/liveconfig"

// sampleBodies are Tencent's documented sample bodies, as given, including their loose types: one for every
// event word of liveconfig.KnownCommands. SampleBody hands them out; the tests decode each.
var sampleBodies = []struct {
	command liveconfig.Command
	body    string
}{
	{liveconfig.CommandAfterCreateRoom, `{"CallbackCommand":"Live.CallbackAfterCreateRoom","Operator_Account":"admin","EventTime":1703589922780,
 "RoomInfo":{"RoomId":"tandy-test-rest","RoomName":"tandy-test-rest","RoomType":"Live","Owner_Account":"user3",
  "MaxMemberCount":300,"IsMessageDisabled":true,"CustomInfo":"custom123","IsSeatEnabled":true,
  "TakeSeatMode":"ApplyToTake","MaxSeatCount":16,"CreateTime":1703589922,"IsPublicVisible":true,
  "CoverURL":"cover url","Category":[1,2]}}`},
	{liveconfig.CommandAfterDestroyRoom, `{"CallbackCommand":"Live.CallbackAfterDestroyRoom","Operator_Account":"admin","RoomId":"tandy-test-rest",
 "EventType":"DestroyByUser","EventTime":1703589922780,
 "RoomInfo":{"RoomName":"live name","RoomType":"Live","Owner_Account":144115216631667826,"IsSeatEnabled":true,
  "TakeSeatMode":"FreeToTake","MaxMemberCount":400,"MaxSeatCount":4,"Category":[1,2,3],"CustomInfo":"",
  "IsMessageDisabled":false,"CoverURL":"cover url","ActivityStatus":0,"IsPublicVisible":false,"ViewCount":0,
  "BackgroundURL":"background url","IsUnlimitedRoomEnabled":true},
 "Statistic":{"TotalViewers":0,"TotalGiftsSent":0,"TotalGiftCoins":0,"TotalUniqueGiftSenders":0,"TotalLikesReceived":0}}`},
	{liveconfig.CommandAfterUpdateRoomInfo, `{"CallbackCommand":"Live.CallbackAfterUpdateRoomInfo","Operator_Account":"bob","EventTime":1670574414123,
 "RoomInfo":{"RoomId":"live-room","RoomName":"rname-123","MaxMemberCount":300,"IsMessageDisabled":false,
  "CoverURL":"https://xxxx.png","Category":[1,2,3],"ActivityStatus":1,"IsPublicVisible":false,
  "TakeSeatMode":"ApplyToTake","CustomInfo":"custom123"}}`},
	{liveconfig.CommandAfterSetMetadata, `{"CallbackCommand":"Live.CallbackAfterSetMetadata","Operator_Account":"brennanli","RoomId":"live-room1111",
 "Metadata":[{"Key":"key1","Value":"value1"},{"Key":"key2","Value":"value2"}],"EventTime":1739965885831}`},
	{liveconfig.CommandAfterDelMetadata, `{"CallbackCommand":"Live.CallbackAfterDelMetadata","Operator_Account":"brennanli","RoomId":"live-room1111",
 "Keys":["key1","key2"],"EventTime":1739966441121}`},
	{liveconfig.CommandAfterCreateRoomReachingThreshold, `{"CallbackCommand":"Live.CallbackAfterCreateRoomReachingThreshold","Operator_Account":"brennanli",
 "EventTime":1739966441121,"CurRoomCount":400,"MaxRoomCount":500}`},
	{liveconfig.CommandAfterMemberStateChanged, `{"CallbackCommand":"Live.CallbackAfterMemberStateChanged","RoomId":"room_id","EventType":"Online","EventCause":"Enter",
 "MemberList":[{"Member_Account":"jared"},{"Member_Account":"tommy"}],"EventTime":1703589922780}`},
	{liveconfig.CommandAfterChangeOwner, `{"CallbackCommand":"Live.CallbackAfterChangeOwner","RoomId":"room_id","EventTime":1703589922780,
 "Operator_Account":"admin","CurrentOwner_Account":"user2","OriginalOwner_Account":"user1"}`},
	{liveconfig.CommandAfterModifyAdmin, `{"CallbackCommand":"Live.CallbackAfterModifyAdmin","RoomId":"room_id","EventTime":1703589922780,
 "Operator_Account":"admin","Admin_Account":["user1","user2"],"opType":"add"}`},
	{liveconfig.CommandAfterSeatInfoChanged, `{"CallbackCommand":"Mic.CallbackAfterSeatInfoChanged","RoomId":"rid-123","EventTime":1670574414123,
 "SeatList":[{"Index":1,"Member_Account":144115233775727695,"IsTakenDisabled":false,"IsVideoDisabled":false,"IsAudioDisabled":false},{"Index":2}]}`},
	{liveconfig.CommandAfterCreateBattle, `{"CallbackCommand":"Live.CallbackAfterCreateBattle","Operator_Account":"brennanli",
 "BattleId":"4siHsNsWN/T3aub9zKraqPbSEGRX2z6gs3LDFi+d/3M=","FromRoomId":"pk-3","ToRoomIdList":["pk-5"],
 "Timeout":30000,"Duration":60000,"NeedResponse":false,"ExtensionInfo":"extension pk","EventTime":1739954005000}`},
	{liveconfig.CommandAfterStartBattle, `{"CallbackCommand":"Live.CallbackAfterStartBattle","BattleId":"b1","Duration":60000,"CreateTime":1739954005,
 "StartTime":1739954005,"FromRoomInfo":{"RoomId":"pk-3","Owner_Account":"brennan"},
 "ToRoomList":[{"RoomId":"pk-5","Owner_Account":"tandy"}],"EventTime":1739954005000}`},
	{liveconfig.CommandAfterEndBattle, `{"CallbackCommand":"Live.CallbackAfterEndBattle","BattleId":"b1","Duration":30000,"CreateTime":1739956115,
 "StartTime":1739956115,"EndTime":1739956145,"OpType":0,
 "FromRoomInfo":{"RoomId":"pk-3","Score":0,"Owner_Account":144115245353757792},
 "ToRoomList":[{"RoomId":"pk-5","Score":0,"Owner_Account":144115245442327522}],"EventTime":1739956146119}`},
	{liveconfig.CommandBeforeSendGift, `{"CallbackCommand":"Live.CallbackBeforeSendGift","Operator_Account":"brennanli","RoomId":"room_id",
 "GiftWater":{"From_Account":"from","To_Account":["to1"],"Time":1703589922,"GiftId":"gift1","Count":1,"Coins":1000}}`},
	{liveconfig.CommandBeforeSendMsg, `{"CallbackCommand":"Group.CallbackBeforeSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"Live","From_Account":"jared",
 "Operator_Account":"admin","Random":123456,"MsgId":"144115233775727695-1727580296-4026038328",
 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}],
 "CloudCustomData":"your cloud custom data","EventTime":"1670574414123"}`},
	{liveconfig.CommandAfterSendMsg, `{"CallbackCommand":"Group.CallbackAfterSendMsg","GroupId":"@TGS#2J4SZEAEL","Type":"Live","From_Account":"jared",
 "Operator_Account":"admin","Random":123456,"MsgSeq":123,"MsgTime":1490686222,"MsgId":"144115233775727695-1727580296-4026038328",
 "MsgBody":[{"MsgType":"TIMTextElem","MsgContent":{"Text":"red packet"}}],"CloudCustomData":"","EventTime":1670574414123}`},
	{liveconfig.CommandAfterFollowAdd, `{"CallbackCommand":"Follow.CallbackAfterFollowAdd","From_Account":"UserID_001",
 "FollowList":[{"To_Account":"UserID_002"},{"To_Account":"UserID_003"}],"EventTime":1702018343678}`},
	{liveconfig.CommandAfterFollowDelete, `{"CallbackCommand":"Follow.CallbackAfterFollowDelete","From_Account":"UserID_001",
 "FollowList":[{"To_Account":"UserID_002"}],"EventTime":1702018343678}`},
	{liveconfig.CommandLiveAfterCloudRecordingChanged, `{"CallbackCommand":"Live.CallbackAfterCloudRecordingChanged","EventGroupId":3,"EventType":305,"CallbackTs":1752580150082,
  "EventInfo":{"RoomId":"635055","EventTs":1752580150,"EventMsTs":1752580150081,"UserId":"user1","TaskId":"task-1","Payload":{"Status":0}}}`},
	{liveconfig.CommandAfterCloudRecordingChanged, `{"CallbackCommand":"Follow.CallbackAfterCloudRecordingChanged","EventGroupId":3,"EventType":305,"CallbackTs":1752580150082,
  "EventInfo":{"RoomId":"635055","EventTs":1752580150,"EventMsTs":1752580150081,"UserId":"user1","TaskId":"task-1","Payload":{"Status":0}}}`},
}

// SampleBody returns Tencent's documented sample body for the event word cmd, and false for a word this package
// has none for (an unknown one, or liveconfig.CommandBeforeCallBackNotBlock, which is a switch, not an event).
// The bytes are new on each call.
func SampleBody(cmd liveconfig.Command) ([]byte, bool) {
	for _, s := range sampleBodies {
		if s.command == cmd {
			return []byte(s.body), true
		}
	}
	return nil, false
}

// SampleCommands lists the words SampleBody has a body for, in the order of liveconfig.KnownCommands. The slice
// is new on each call.
func SampleCommands() []liveconfig.Command {
	var out []liveconfig.Command
	for _, cmd := range liveconfig.KnownCommands() {
		if _, ok := SampleBody(cmd); ok {
			out = append(out, cmd)
		}
	}
	return out
}
