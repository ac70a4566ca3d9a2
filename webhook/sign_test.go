package webhook_test

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/go-tuilive/liveconfig/webhook"
)

func TestSignKnownAnswer(t *testing.T) {
	t.Parallel()
	// The known answer published with the signature's definition.
	assert.Equal(t, "17773bc39a671d7b9aa835458704d2a6db81360a5940292b587d6d760d484061", webhook.Sign("xxxxyyyy", 1669872112))
}

func TestSignDependsOnTokenAndTime(t *testing.T) {
	t.Parallel()
	base := webhook.Sign("xxxxyyyy", 1669872112)
	assert.NotEqual(t, base, webhook.Sign("xxxxyyyz", 1669872112))
	assert.NotEqual(t, base, webhook.Sign("xxxxyyyy", 1669872113))
	assert.Len(t, base, 64)
}
