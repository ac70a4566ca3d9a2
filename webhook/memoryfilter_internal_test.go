package webhook

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/go-tuilive/liveconfig"
)

func TestHashWebhookTellsAppsCommandsAndBodiesApart(t *testing.T) {
	t.Parallel()
	f := NewMemoryFilter(4)
	const cmd liveconfig.Command = "Live.CallbackAfterCreateRoom"
	body := []byte(`{"RoomInfo":{"RoomId":"r"}}`)
	h := f.hashWebhook(1400000001, cmd, body)
	assert.Equal(t, h, f.hashWebhook(1400000001, cmd, []byte(string(body))), "the same webhook, the same hash")

	others := map[string][2]uint64{
		"another app":          f.hashWebhook(1400000002, cmd, body),
		"app 0":                f.hashWebhook(0, cmd, body),
		"the largest app":      f.hashWebhook(1<<64-1, cmd, body),
		"another command word": f.hashWebhook(1400000001, "Live.CallbackAfterDestroyRoom", body),
		"another body":         f.hashWebhook(1400000001, cmd, []byte(`{"RoomInfo":{"RoomId":"s"}}`)),
		"the body as command":  f.hashWebhook(1400000001, liveconfig.Command(body), []byte(cmd)),
		"an empty body":        f.hashWebhook(1400000001, cmd, nil),
	}
	for name, other := range others {
		assert.NotEqual(t, h[0], other[0], "%s: first half", name)
		assert.NotEqual(t, h[1], other[1], "%s: second half", name)
	}

	g := NewMemoryFilter(4)
	assert.NotEqual(t, h, g.hashWebhook(1400000001, cmd, body), "each filter has its own seeds")
}
