package liveconfig_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/go-tuilive/liveconfig"
)

func TestKnownCommands(t *testing.T) {
	t.Parallel()
	known := liveconfig.KnownCommands()
	assert.Contains(t, known, liveconfig.Command("Follow.CallbackAfterCloudRecordingChanged"),
		"the recording word is spelled with Follow., as Tencent's documents give it")
	seen := map[liveconfig.Command]bool{}
	for _, c := range known {
		assert.NoError(t, c.Validate(), c)
		assert.True(t, c.Known(), c)
		assert.False(t, seen[c], "duplicate %s", c)
		seen[c] = true
	}
	assert.Equal(t, liveconfig.Command("Mic.CallbackAfterSeatInfoChanged"), liveconfig.CommandAfterSeatInfoChanged)
	assert.Equal(t, liveconfig.Command("Live.CallbackBeforeCallBackNotBlock"), liveconfig.CommandBeforeCallBackNotBlock)
	known[0] = "changed"
	assert.Equal(t, liveconfig.CommandAfterCreateRoom, liveconfig.KnownCommands()[0], "the list is a copy")
}

func TestParseCommand(t *testing.T) {
	t.Parallel()
	for _, ok := range []string{"Live.CallbackAfterCreateRoom", " Group.CallbackBeforeSendMsg ", "Live.CallbackMemberStateChanged", "X.CallbackY"} {
		c, err := liveconfig.ParseCommand(ok)
		assert.NoError(t, err, ok)
		assert.NoError(t, c.Validate())
	}
	assert.False(t, liveconfig.Command("Live.CallbackMemberStateChanged").Known(), "well-formed but not a constant")
	for _, bad := range []string{"", "Live", "Live.", ".CallbackX", "live.CallbackX", "Live.Callback", "Live.CallbackX1",
		"Live.Group.CallbackX", "Li ve.CallbackX", "Live.Callback_X", "Live.callbackX", "Ünï.CallbackX"} {
		_, err := liveconfig.ParseCommand(bad)
		assert.ErrorIs(t, err, liveconfig.ErrInvalidParameter, bad)
	}
}

func TestOps(t *testing.T) {
	t.Parallel()
	ops := liveconfig.Ops()
	assert.Len(t, ops, 7, "the seven endpoints of v4/live_config")
	var mutating []liveconfig.Op
	for _, op := range ops {
		assert.True(t, op.Valid(), op)
		if op.Mutates() {
			mutating = append(mutating, op)
		}
	}
	assert.Equal(t, []liveconfig.Op{liveconfig.OpSetCallback, liveconfig.OpUpdateCallback, liveconfig.OpDeleteCallback,
		liveconfig.OpSetCallbackToken, liveconfig.OpDeleteCallbackToken}, mutating, "all but the two reads change state")
	assert.False(t, liveconfig.Op("set_calback").Valid())
	assert.False(t, liveconfig.Op("set_calback").Mutates())
	ops[0] = "changed"
	assert.Equal(t, liveconfig.OpSetCallback, liveconfig.Ops()[0], "the list is a copy")
}
