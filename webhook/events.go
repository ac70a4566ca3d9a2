package webhook

import (
	"encoding/json"
	"math"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// Event is one decoded webhook. Its dynamic type is a pointer to one of the event structs of this package,
// one per command word (*AfterCreateRoom, *BeforeSendGift, ...), or *UnknownEvent for a word this package
// does not know. Use a type switch.
type Event interface {
	// Command is the event's command word, as the request named it.
	Command() liveconfig.Command
}

// withBase is what every event of this package has besides Event: access to its Base, to fill it in.
type withBase interface {
	Event
	base() *Base
}

// Base is what every event has: its command word, its time when the body carries one, and facts about the
// HTTP request it came in.
type Base struct {
	CallbackCommand liveconfig.Command `json:"CallbackCommand"`
	// EventTime is when the event happened, in milliseconds; zero when the body has none (BeforeSendGift).
	EventTime UnixMilli `json:"EventTime"`
	// Request describes the webhook request; it is not part of the body.
	Request RequestInfo `json:"-"`
}

// Command returns the event's command word.
func (b *Base) Command() liveconfig.Command { return b.CallbackCommand }

// Time returns EventTime as a time.Time: the zero time when the body has none.
func (b *Base) Time() time.Time { return b.EventTime.Time() }

func (b *Base) base() *Base { return b }

// RequestInfo is what the query of a webhook request said besides the command word.
type RequestInfo struct {
	SDKAppID    uint64
	ClientIP    string     // the client's address, when Tencent sent one
	OptPlatform string     // the platform as sent, or "": opaque, its case varies (iOS, IOS, macOS, Mac)
	Signed      bool       // whether Sign was present and verified
	Token       TokenMatch // which token Sign was made with: TokenCurrent or TokenPrevious; "" when unsigned
	RequestTime time.Time  // when Tencent signed the request; zero when unsigned
}

// UnknownEvent is a webhook whose command word this package does not know. It is handed to the handler and
// answered OK, never refused: refusing would veto "before" events the package has not heard of.
type UnknownEvent struct {
	Base
	Raw json.RawMessage // the whole body
}

// RoomInfo describes a room, as AfterCreateRoom and AfterDestroyRoom carry it.
type RoomInfo struct {
	RoomID                 string      `json:"RoomId"`
	RoomName               string      `json:"RoomName"`
	RoomType               string      `json:"RoomType"` // Live
	OwnerAccount           Account     `json:"Owner_Account"`
	MaxMemberCount         int         `json:"MaxMemberCount"`
	IsMessageDisabled      bool        `json:"IsMessageDisabled"`
	CustomInfo             string      `json:"CustomInfo"`
	IsSeatEnabled          bool        `json:"IsSeatEnabled"`
	TakeSeatMode           string      `json:"TakeSeatMode"` // None, FreeToTake or ApplyToTake
	MaxSeatCount           int         `json:"MaxSeatCount"`
	CreateTime             UnixSeconds `json:"CreateTime"`
	IsPublicVisible        bool        `json:"IsPublicVisible"`
	CoverURL               string      `json:"CoverURL"`
	BackgroundURL          string      `json:"BackgroundURL"`
	Category               []int       `json:"Category"`
	ActivityStatus         int         `json:"ActivityStatus"`
	ViewCount              int         `json:"ViewCount"`
	IsUnlimitedRoomEnabled bool        `json:"IsUnlimitedRoomEnabled"`
}

// RoomInfoUpdate holds the room fields an AfterUpdateRoomInfo changed: a nil pointer means the field was not
// in the body, so it did not change.
type RoomInfoUpdate struct {
	RoomID            string  `json:"RoomId"`
	RoomName          *string `json:"RoomName"`
	MaxMemberCount    *int    `json:"MaxMemberCount"`
	IsMessageDisabled *bool   `json:"IsMessageDisabled"`
	CustomInfo        *string `json:"CustomInfo"`
	TakeSeatMode      *string `json:"TakeSeatMode"`
	MaxSeatCount      *int    `json:"MaxSeatCount"`
	IsPublicVisible   *bool   `json:"IsPublicVisible"`
	CoverURL          *string `json:"CoverURL"`
	BackgroundURL     *string `json:"BackgroundURL"`
	Category          *[]int  `json:"Category"`
	ActivityStatus    *int    `json:"ActivityStatus"`
}

// AfterCreateRoom: a room was created (Live.CallbackAfterCreateRoom).
type AfterCreateRoom struct {
	Base
	OperatorAccount Account  `json:"Operator_Account"`
	RoomInfo        RoomInfo `json:"RoomInfo"`
}

// AfterDestroyRoom: a room was destroyed (Live.CallbackAfterDestroyRoom). The documented sample names the room
// at the top level; bodies seen from production name it in RoomInfo, carry "@TIM#SYSTEM" as the operator of
// a DestroyBySystem, and have no Statistic. RoomID and RoomInfo.RoomID are both set from whichever the body
// has, and Statistic is zero when the body has none.
type AfterDestroyRoom struct {
	Base
	OperatorAccount Account       `json:"Operator_Account"`
	RoomID          string        `json:"RoomId"`
	EventType       string        `json:"EventType"` // DestroyByUser or DestroyBySystem
	RoomInfo        RoomInfo      `json:"RoomInfo"`
	Statistic       RoomStatistic `json:"Statistic"`
}

func (e *AfterDestroyRoom) complete() {
	if e.RoomID == "" {
		e.RoomID = e.RoomInfo.RoomID
	}
	if e.RoomInfo.RoomID == "" {
		e.RoomInfo.RoomID = e.RoomID
	}
}

// RoomStatistic sums up a room's life.
type RoomStatistic struct {
	TotalViewers           int `json:"TotalViewers"`
	TotalGiftsSent         int `json:"TotalGiftsSent"`
	TotalGiftCoins         int `json:"TotalGiftCoins"`
	TotalUniqueGiftSenders int `json:"TotalUniqueGiftSenders"`
	TotalLikesReceived     int `json:"TotalLikesReceived"`
}

// AfterUpdateRoomInfo: a room's information changed (Live.CallbackAfterUpdateRoomInfo).
type AfterUpdateRoomInfo struct {
	Base
	OperatorAccount Account        `json:"Operator_Account"`
	RoomInfo        RoomInfoUpdate `json:"RoomInfo"`
}

// Metadata is one key of a room's metadata.
type Metadata struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

// AfterSetMetadata: room metadata was set (Live.CallbackAfterSetMetadata).
type AfterSetMetadata struct {
	Base
	OperatorAccount Account    `json:"Operator_Account"`
	RoomID          string     `json:"RoomId"`
	Metadata        []Metadata `json:"Metadata"`
}

// AfterDelMetadata: room metadata keys were deleted (Live.CallbackAfterDelMetadata).
type AfterDelMetadata struct {
	Base
	OperatorAccount Account  `json:"Operator_Account"`
	RoomID          string   `json:"RoomId"`
	Keys            []string `json:"Keys"`
}

// AfterCreateRoomReachingThreshold: the app's number of rooms neared its limit
// (Live.CallbackAfterCreateRoomReachingThreshold).
type AfterCreateRoomReachingThreshold struct {
	Base
	OperatorAccount Account `json:"Operator_Account"`
	CurRoomCount    int     `json:"CurRoomCount"`
	MaxRoomCount    int     `json:"MaxRoomCount"`
}

// Member is one member in a member list.
type Member struct {
	MemberAccount Account `json:"Member_Account"`
}

// AfterMemberStateChanged: members entered or left a room (Live.CallbackAfterMemberStateChanged; one document
// spells it Live.CallbackMemberStateChanged, which decodes to this type too).
type AfterMemberStateChanged struct {
	Base
	RoomID     string   `json:"RoomId"`
	EventType  string   `json:"EventType"`  // Online or Offline
	EventCause string   `json:"EventCause"` // Enter, Leave, HeartbeatInterrupt, HeartbeatRecover or, on newer pages, Kicked
	MemberList []Member `json:"MemberList"`
}

// AfterChangeOwner: a room got a new owner (Live.CallbackAfterChangeOwner).
type AfterChangeOwner struct {
	Base
	RoomID               string  `json:"RoomId"`
	OperatorAccount      Account `json:"Operator_Account"`
	CurrentOwnerAccount  Account `json:"CurrentOwner_Account"`
	OriginalOwnerAccount Account `json:"OriginalOwner_Account"`
}

// AfterModifyAdmin: room administrators were added or removed (Live.CallbackAfterModifyAdmin).
type AfterModifyAdmin struct {
	Base
	RoomID          string    `json:"RoomId"`
	OperatorAccount Account   `json:"Operator_Account"`
	AdminAccounts   []Account `json:"Admin_Account"`
	OpType          string    `json:"opType"` // add or delete
}

// Seat is one seat of a room.
type Seat struct {
	Index           int     `json:"Index"`
	MemberAccount   Account `json:"Member_Account"` // empty for an empty seat
	IsTakenDisabled bool    `json:"IsTakenDisabled"`
	IsVideoDisabled bool    `json:"IsVideoDisabled"`
	IsAudioDisabled bool    `json:"IsAudioDisabled"`
}

// AfterSeatInfoChanged: seats changed (Mic.CallbackAfterSeatInfoChanged).
type AfterSeatInfoChanged struct {
	Base
	RoomID   string `json:"RoomId"`
	SeatList []Seat `json:"SeatList"`
}

// AfterCreateBattle: a battle (PK) was proposed (Live.CallbackAfterCreateBattle).
type AfterCreateBattle struct {
	Base
	OperatorAccount Account  `json:"Operator_Account"`
	BattleID        string   `json:"BattleId"`
	FromRoomID      string   `json:"FromRoomId"`
	ToRoomIDList    []string `json:"ToRoomIdList"`
	Timeout         int64    `json:"Timeout"`  // milliseconds
	Duration        int64    `json:"Duration"` // milliseconds
	NeedResponse    bool     `json:"NeedResponse"`
	ExtensionInfo   string   `json:"ExtensionInfo"`
}

// BattleRoom is one room of a battle.
type BattleRoom struct {
	RoomID       string  `json:"RoomId"`
	OwnerAccount Account `json:"Owner_Account"`
	Score        int64   `json:"Score"`
}

// AfterStartBattle: a battle started (Live.CallbackAfterStartBattle).
type AfterStartBattle struct {
	Base
	BattleID     string       `json:"BattleId"`
	Duration     int64        `json:"Duration"` // milliseconds
	CreateTime   UnixSeconds  `json:"CreateTime"`
	StartTime    UnixSeconds  `json:"StartTime"`
	FromRoomInfo BattleRoom   `json:"FromRoomInfo"`
	ToRoomList   []BattleRoom `json:"ToRoomList"`
}

// AfterEndBattle: a battle ended (Live.CallbackAfterEndBattle).
type AfterEndBattle struct {
	Base
	BattleID     string       `json:"BattleId"`
	Duration     int64        `json:"Duration"` // milliseconds
	CreateTime   UnixSeconds  `json:"CreateTime"`
	StartTime    UnixSeconds  `json:"StartTime"`
	EndTime      UnixSeconds  `json:"EndTime"`
	OpType       int          `json:"OpType"` // 0 time up, 1 all hosts left, 2 never started
	FromRoomInfo BattleRoom   `json:"FromRoomInfo"`
	ToRoomList   []BattleRoom `json:"ToRoomList"`
}

// GiftWater is one gift being sent.
type GiftWater struct {
	FromAccount Account     `json:"From_Account"`
	ToAccounts  []Account   `json:"To_Account"`
	Time        UnixSeconds `json:"Time"`
	GiftID      string      `json:"GiftId"`
	Count       int         `json:"Count"`
	Coins       int64       `json:"Coins"` // the value of one gift
}

// Value returns what the whole gift is worth, Coins × Count, with a Count of 0 counted as 1. ok is false when
// Coins or Count is negative or the product does not fit an int64: a limit check must then refuse the gift,
// since a wrapped product would pass any limit.
func (g GiftWater) Value() (coins int64, ok bool) {
	count := int64(max(g.Count, 1))
	if g.Coins < 0 || g.Count < 0 || (g.Coins > 0 && count > math.MaxInt64/g.Coins) {
		return 0, false
	}
	return g.Coins * count, true
}

// Exceeds reports whether the gift is worth more than limit coins, or cannot be valued (see Value). It is
// the check a gift limit needs, safe against overflow and negative values.
func (g GiftWater) Exceeds(limit int64) bool {
	value, ok := g.Value()
	return !ok || value > limit
}

// BeforeSendGift asks whether a gift may be sent (Live.CallbackBeforeSendGift). Answer nil to let it through
// or Reject(code, info) to block it; codes 102100 to 102200 reach the sending client. No answer within 2 s
// blocks the gift, unless the app also subscribed Live.CallbackBeforeCallBackNotBlock.
type BeforeSendGift struct {
	Base
	OperatorAccount Account   `json:"Operator_Account"`
	RoomID          string    `json:"RoomId"`
	GiftWater       GiftWater `json:"GiftWater"`
}

// MsgElement is one element of a message body; MsgContent's shape depends on MsgType (TIMTextElem,
// TIMCustomElem, ...). Some messages carry their CloudCustomData here rather than, or as well as, at the top
// level of the event.
type MsgElement struct {
	MsgType         string          `json:"MsgType"`
	MsgContent      json.RawMessage `json:"MsgContent"`
	CloudCustomData string          `json:"CloudCustomData"`
}

// BeforeSendMsg asks whether a group message may be sent (Group.CallbackBeforeSendMsg), under the Chat rules:
// answer nil to allow it, Reject(1, info) to refuse it, Reject(2, info) to drop it silently. If no answer
// comes in time, the message is delivered.
type BeforeSendMsg struct {
	Base
	GroupID         string       `json:"GroupId"`
	Type            string       `json:"Type"`
	FromAccount     Account      `json:"From_Account"`
	OperatorAccount Account      `json:"Operator_Account"`
	Random          uint64       `json:"Random"`
	MsgID           string       `json:"MsgId"`
	MsgBody         []MsgElement `json:"MsgBody"`
	CloudCustomData string       `json:"CloudCustomData"` // see CustomData: it may be in MsgBody instead
}

// CustomData returns the message's CloudCustomData wherever it came: at the top level, or else in the first
// element of MsgBody that has one. It is "" when the message has none.
func (m *BeforeSendMsg) CustomData() string {
	if m.CloudCustomData != "" {
		return m.CloudCustomData
	}
	for _, el := range m.MsgBody {
		if el.CloudCustomData != "" {
			return el.CloudCustomData
		}
	}
	return ""
}

// AfterSendMsg: a group message was sent (Group.CallbackAfterSendMsg).
type AfterSendMsg struct {
	BeforeSendMsg
	MsgSeq  uint64      `json:"MsgSeq"`
	MsgTime UnixSeconds `json:"MsgTime"`
}

// Follow is one followed account.
type Follow struct {
	ToAccount Account `json:"To_Account"`
}

// AfterFollowAdd: an account followed others (Follow.CallbackAfterFollowAdd).
type AfterFollowAdd struct {
	Base
	FromAccount Account  `json:"From_Account"`
	FollowList  []Follow `json:"FollowList"`
}

// AfterFollowDelete: an account unfollowed others (Follow.CallbackAfterFollowDelete).
type AfterFollowDelete struct {
	Base
	FromAccount Account  `json:"From_Account"`
	FollowList  []Follow `json:"FollowList"`
}

// AfterCloudRecordingChanged: a cloud recording task changed (Follow.CallbackAfterCloudRecordingChanged, or
// Live.CallbackAfterCloudRecordingChanged as one of Tencent's pages spells it; Command says which came). Its
// body has another shape than the Live events: no EventTime (Time returns EventInfo's instead), and the
// details in EventInfo.
type AfterCloudRecordingChanged struct {
	Base
	EventGroupID int                `json:"EventGroupId"`
	EventType    int                `json:"EventType"`
	CallbackTs   UnixMilli          `json:"CallbackTs"` // when Tencent sent the webhook, in milliseconds
	EventInfo    RecordingEventInfo `json:"EventInfo"`
}

// Time returns when the recording changed: EventInfo.EventMsTs, or else CallbackTs.
func (e *AfterCloudRecordingChanged) Time() time.Time {
	if e.EventInfo.EventMsTs != 0 {
		return e.EventInfo.EventMsTs.Time()
	}
	return e.CallbackTs.Time()
}

// RecordingEventInfo describes a recording task's change.
type RecordingEventInfo struct {
	RoomID    Account          `json:"RoomId"` // a string in the documents; a number is kept as its digits
	EventTs   UnixSeconds      `json:"EventTs"`
	EventMsTs UnixMilli        `json:"EventMsTs"`
	UserID    Account          `json:"UserId"`
	TaskID    string           `json:"TaskId"`
	Payload   RecordingPayload `json:"Payload"`
}

// RecordingPayload is the recording task's new state.
type RecordingPayload struct {
	Status int `json:"Status"`
}

// completer is an event that fills in what its body may carry in more than one place, after decoding.
type completer interface{ complete() }

// memberStateChangedAlias is the spelling one documentation table gives.
const memberStateChangedAlias liveconfig.Command = "Live.CallbackMemberStateChanged"

// newEvent returns an empty event of the type for cmd, or nil for a word this package does not know.
func newEvent(cmd liveconfig.Command) withBase {
	switch cmd {
	case liveconfig.CommandAfterCreateRoom:
		return &AfterCreateRoom{}
	case liveconfig.CommandAfterDestroyRoom:
		return &AfterDestroyRoom{}
	case liveconfig.CommandAfterUpdateRoomInfo:
		return &AfterUpdateRoomInfo{}
	case liveconfig.CommandAfterSetMetadata:
		return &AfterSetMetadata{}
	case liveconfig.CommandAfterDelMetadata:
		return &AfterDelMetadata{}
	case liveconfig.CommandAfterCreateRoomReachingThreshold:
		return &AfterCreateRoomReachingThreshold{}
	case liveconfig.CommandAfterMemberStateChanged, memberStateChangedAlias:
		return &AfterMemberStateChanged{}
	case liveconfig.CommandAfterChangeOwner:
		return &AfterChangeOwner{}
	case liveconfig.CommandAfterModifyAdmin:
		return &AfterModifyAdmin{}
	case liveconfig.CommandAfterSeatInfoChanged:
		return &AfterSeatInfoChanged{}
	case liveconfig.CommandAfterCreateBattle:
		return &AfterCreateBattle{}
	case liveconfig.CommandAfterStartBattle:
		return &AfterStartBattle{}
	case liveconfig.CommandAfterEndBattle:
		return &AfterEndBattle{}
	case liveconfig.CommandBeforeSendGift:
		return &BeforeSendGift{}
	case liveconfig.CommandBeforeSendMsg:
		return &BeforeSendMsg{}
	case liveconfig.CommandAfterSendMsg:
		return &AfterSendMsg{}
	case liveconfig.CommandAfterFollowAdd:
		return &AfterFollowAdd{}
	case liveconfig.CommandAfterFollowDelete:
		return &AfterFollowDelete{}
	case liveconfig.CommandAfterCloudRecordingChanged, liveconfig.CommandLiveAfterCloudRecordingChanged:
		return &AfterCloudRecordingChanged{}
	}
	return nil
}
