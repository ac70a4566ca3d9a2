package liveconfig

import (
	"fmt"
	"slices"
	"strings"
)

// Command is a callback command word: the name of one webhook event, as listed in a callback configuration's
// CallbackCommandList and sent back in each webhook's CallbackCommand. A well-formed word has the shape
// Group.CallbackName, for example "Live.CallbackAfterCreateRoom". Tencent adds words over time, so this client
// accepts and sends any well-formed word, known to it or not.
type Command string

// The command words Tencent documents for Live (TUILiveKit). Each constant is "Command" followed by the part of
// the word after "Callback".
const (
	// Room events.
	CommandAfterCreateRoom                  Command = "Live.CallbackAfterCreateRoom"
	CommandAfterDestroyRoom                 Command = "Live.CallbackAfterDestroyRoom"
	CommandAfterUpdateRoomInfo              Command = "Live.CallbackAfterUpdateRoomInfo"
	CommandAfterSetMetadata                 Command = "Live.CallbackAfterSetMetadata"
	CommandAfterDelMetadata                 Command = "Live.CallbackAfterDelMetadata"
	CommandAfterCreateRoomReachingThreshold Command = "Live.CallbackAfterCreateRoomReachingThreshold"

	// Member events. One documentation table spells the first "Live.CallbackMemberStateChanged"; the samples
	// and set_callback use the spelling below.
	CommandAfterMemberStateChanged Command = "Live.CallbackAfterMemberStateChanged"
	CommandAfterChangeOwner        Command = "Live.CallbackAfterChangeOwner"
	CommandAfterModifyAdmin        Command = "Live.CallbackAfterModifyAdmin"

	// Seat events.
	CommandAfterSeatInfoChanged Command = "Mic.CallbackAfterSeatInfoChanged"

	// Battle (PK) events.
	CommandAfterCreateBattle Command = "Live.CallbackAfterCreateBattle"
	CommandAfterStartBattle  Command = "Live.CallbackAfterStartBattle"
	CommandAfterEndBattle    Command = "Live.CallbackAfterEndBattle"

	// CommandBeforeSendGift is a blocking check: the receiver's answer lets a gift through or refuses it.
	CommandBeforeSendGift Command = "Live.CallbackBeforeSendGift"
	// CommandBeforeCallBackNotBlock is a switch, not an event: subscribing to it makes the gift check fail
	// open, so a gift goes through when the receiver does not answer in time.
	CommandBeforeCallBackNotBlock Command = "Live.CallbackBeforeCallBackNotBlock"

	// Message events (Chat group rules).
	CommandBeforeSendMsg Command = "Group.CallbackBeforeSendMsg"
	CommandAfterSendMsg  Command = "Group.CallbackAfterSendMsg"

	// Follow events.
	CommandAfterFollowAdd    Command = "Follow.CallbackAfterFollowAdd"
	CommandAfterFollowDelete Command = "Follow.CallbackAfterFollowDelete"

	// CommandAfterCloudRecordingChanged reports a change of a cloud recording task (added in 2026), as the
	// English page spells it (647/78428): "Follow." although it is a recording event. The Chinese page of the
	// same week (269/129603, its CallbackCommand and its sample) spells it CommandLiveAfterCloudRecordingChanged.
	// Which one set_callback takes cannot be told from the documents: subscribe this one, which this package
	// has known longest, and the other if set_callback refuses it or no recording webhook comes; a receiver
	// decodes both to webhook.AfterCloudRecordingChanged.
	CommandAfterCloudRecordingChanged Command = "Follow.CallbackAfterCloudRecordingChanged"
	// CommandLiveAfterCloudRecordingChanged is the recording event as the Chinese page spells it; see
	// CommandAfterCloudRecordingChanged.
	CommandLiveAfterCloudRecordingChanged Command = "Live.CallbackAfterCloudRecordingChanged"
)

var knownCommands = [...]Command{
	CommandAfterCreateRoom,
	CommandAfterDestroyRoom,
	CommandAfterUpdateRoomInfo,
	CommandAfterSetMetadata,
	CommandAfterDelMetadata,
	CommandAfterCreateRoomReachingThreshold,
	CommandAfterMemberStateChanged,
	CommandAfterChangeOwner,
	CommandAfterModifyAdmin,
	CommandAfterSeatInfoChanged,
	CommandAfterCreateBattle,
	CommandAfterStartBattle,
	CommandAfterEndBattle,
	CommandBeforeSendGift,
	CommandBeforeCallBackNotBlock,
	CommandBeforeSendMsg,
	CommandAfterSendMsg,
	CommandAfterFollowAdd,
	CommandAfterFollowDelete,
	CommandAfterCloudRecordingChanged,
	CommandLiveAfterCloudRecordingChanged,
}

// KnownCommands returns every command word this version of the package has a constant for, grouped as
// Tencent's documentation groups them. The slice is new on each call.
func KnownCommands() []Command { return slices.Clone(knownCommands[:]) }

// Known reports whether c is one of the Command constants.
func (c Command) Known() bool { return slices.Contains(knownCommands[:], c) }

// Validate returns nil when c is a well-formed command word (Group.CallbackName: a capital letter then letters,
// a dot, "Callback", then one or more letters), known or not. Otherwise it returns an error for which
// errors.Is(err, ErrInvalidParameter) holds.
func (c Command) Validate() error {
	if reason := commandShapeProblem(string(c)); reason != "" {
		return &InputError{Field: "CallbackCommandList", Reason: fmt.Sprintf("command word %q %s", string(c), reason)}
	}
	return nil
}

// ParseCommand trims s and returns it as a Command when it is well-formed (see [Command.Validate]).
func ParseCommand(s string) (Command, error) {
	c := Command(strings.TrimSpace(s))
	if err := c.Validate(); err != nil {
		return "", err
	}
	return c, nil
}

// commandShapeProblem says why s is not of the shape ^[A-Z][A-Za-z]*\.Callback[A-Za-z]+$, or "" when it is.
func commandShapeProblem(s string) string {
	if s == "" {
		return "is empty"
	}
	group, name, ok := strings.Cut(s, ".")
	if !ok || group == "" || !isASCIILetters(group) || group[0] < 'A' || group[0] > 'Z' {
		return "must start with a capitalised group name and a dot, as in Live.CallbackAfterCreateRoom"
	}
	rest, ok := strings.CutPrefix(name, "Callback")
	if !ok || rest == "" || !isASCIILetters(rest) {
		return "must continue with Callback and a name of letters, as in Live.CallbackAfterCreateRoom"
	}
	return ""
}

func isASCIILetters(s string) bool {
	for i := 0; i < len(s); i++ {
		b := s[i]
		if (b < 'a' || b > 'z') && (b < 'A' || b > 'Z') {
			return false
		}
	}
	return true
}
