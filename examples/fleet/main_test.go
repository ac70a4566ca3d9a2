package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestFleetOnTheFake(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out))
	for _, want := range []string{
		"1. plan: 100 apps, 100 to change, 0 unchanged, 0 failed",
		"app-0 would: callback create, token create",
		"2. apply: 100 apps, 99 changed, 0 unchanged, 1 failed",
		"app-7 failed: liveconfig: get_callback: 70009",
		"3. apply with app-7's key fixed: 100 apps, 1 changed, 99 unchanged, 0 failed",
		"4. plan after retiring app-42's webhooks: 100 apps, 1 to change, 99 unchanged, 0 failed",
		"app-42 would: callback delete, token delete",
		"6. plan: 100 apps, 0 to change, 100 unchanged, 0 failed",
	} {
		assert.Contains(t, out.String(), want)
	}
	assert.NotContains(t, out.String(), "a-shared-webhook-token")
}
