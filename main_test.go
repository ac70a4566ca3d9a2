package liveconfig_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// setup starts a fake and a client for it; edit changes the client's Config first.
func setup(t *testing.T, edit func(*liveconfig.Config), opts ...liveconfigtest.Option) (*liveconfigtest.Server, *liveconfig.Client) {
	t.Helper()
	srv := liveconfigtest.New(t, opts...)
	cfg := srv.Config()
	if edit != nil {
		edit(&cfg)
	}
	client, err := srv.NewClient(cfg) // its connections close with the server
	require.NoError(t, err)
	return srv, client
}

// testCtx bounds a test's calls, so that a bug shows as a failure instead of a hung test binary.
func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

var roomEvents = liveconfig.CallbackConfig{
	URL: "https://example.com/live/callback",
	Commands: []liveconfig.Command{
		liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom, liveconfig.CommandAfterMemberStateChanged,
	},
}
