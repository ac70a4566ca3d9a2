package liveconfig_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

func TestCreateThatMayHaveBeenApplied(t *testing.T) {
	t.Parallel()
	other := liveconfig.CallbackConfig{URL: "https://other.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	tests := []struct {
		name    string
		seed    *liveconfig.CallbackConfig
		fault   liveconfigtest.Fault
		wantErr error
		reads   int
	}{
		{"applied, then 100001", nil, liveconfigtest.Fault{Apply: true, Code: 100001}, nil, 1},
		{"applied, then the connection dropped", nil, liveconfigtest.Fault{Apply: true, Drop: true}, nil, 1},
		{"applied, then an HTML 502", nil, liveconfigtest.Fault{Apply: true, Raw: liveconfigtest.HTML502()}, nil, 1},
		{"another configuration was there", &other, liveconfigtest.Fault{Code: 100001}, liveconfig.ErrCallbackExists, 1},
		{"no ambiguity, configuration there", &other, liveconfigtest.Fault{}, liveconfig.ErrCallbackExists, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			srv.SetCallback(tt.seed)
			srv.InjectFault(liveconfig.OpSetCallback, tt.fault)
			res, err := c.CreateCallback(testCtx(t), roomEvents)
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				stored, _ := srv.Callback()
				assert.Equal(t, *tt.seed, stored, "the configuration someone else made stays")
			} else {
				require.NoError(t, err)
				assert.True(t, res.Changed)
				stored, _ := srv.Callback()
				assert.Equal(t, roomEvents, stored)
			}
			assert.Len(t, srv.AllRequestsTo(liveconfig.OpGetCallback), tt.reads)
		})
	}
}

func TestCreateThatMayHaveBeenAppliedAndCannotBeReadBack(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	srv.InjectFault(liveconfig.OpSetCallback, liveconfigtest.Fault{Apply: true, Code: 100001})
	srv.InjectFault(liveconfig.OpGetCallback, liveconfigtest.Fault{Code: 70009, Times: liveconfigtest.Always})
	_, err := c.CreateCallback(testCtx(t), roomEvents)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackExists)
	assert.ErrorIs(t, err, liveconfig.ErrAuth)
	assert.ErrorContains(t, err, "may have created it")
}

func TestEnsureCallback(t *testing.T) {
	t.Parallel()
	reordered := liveconfig.CallbackConfig{URL: roomEvents.URL, Commands: []liveconfig.Command{
		liveconfig.CommandAfterMemberStateChanged, liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom,
		liveconfig.CommandAfterCreateRoom,
	}}
	other := liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
	tests := []struct {
		name                string
		seed                *liveconfig.CallbackConfig
		faults              map[liveconfig.Op]liveconfigtest.Fault
		changed             bool
		creates, updates    int
		reads               int
		wantStoredAsAsked   bool
		wantStoredUnchanged *liveconfig.CallbackConfig
	}{
		{name: "absent: created", changed: true, creates: 1, reads: 1, wantStoredAsAsked: true},
		{name: "equal in another order with duplicates: nothing sent", seed: &reordered, reads: 1, wantStoredUnchanged: &reordered},
		{name: "different: updated", seed: &other, changed: true, updates: 1, reads: 1, wantStoredAsAsked: true},
		{name: "created by someone else after the read: read again, then updated", seed: &other,
			faults:  map[liveconfig.Op]liveconfigtest.Fault{liveconfig.OpGetCallback: {Code: 100301}},
			changed: true, creates: 1, updates: 1, reads: 2, wantStoredAsAsked: true},
		{name: "deleted by someone else after the read: read again", seed: &other,
			faults:  map[liveconfig.Op]liveconfigtest.Fault{liveconfig.OpUpdateCallback: {Code: 100301}},
			changed: true, updates: 2, reads: 2, wantStoredAsAsked: true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			srv.SetCallback(tt.seed)
			for op, f := range tt.faults {
				srv.InjectFault(op, f)
			}
			res, err := c.EnsureCallback(testCtx(t), roomEvents)
			require.NoError(t, err)
			assert.Equal(t, tt.changed, res.Changed)
			assert.NotEmpty(t, res.RequestID)
			assert.Len(t, srv.AllRequestsTo(liveconfig.OpSetCallback), tt.creates)
			assert.Len(t, srv.AllRequestsTo(liveconfig.OpUpdateCallback), tt.updates)
			assert.Len(t, srv.AllRequestsTo(liveconfig.OpGetCallback), tt.reads)
			stored, _ := srv.Callback()
			if tt.wantStoredAsAsked {
				assert.True(t, stored.Equal(roomEvents))
			}
			if tt.wantStoredUnchanged != nil {
				assert.Equal(t, *tt.wantStoredUnchanged, stored)
			}
		})
	}
}

func TestEnsureCallbackGivesUpAfterBoundedRaces(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	srv.SetCallback(&liveconfig.CallbackConfig{URL: "https://old.example/cb", Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}})
	srv.InjectFault(liveconfig.OpUpdateCallback, liveconfigtest.Fault{Code: 100301, Times: liveconfigtest.Always})
	_, err := c.EnsureCallback(testCtx(t), roomEvents)
	assert.ErrorIs(t, err, liveconfig.ErrCallbackNotFound)
	assert.Len(t, srv.AllRequestsTo(liveconfig.OpGetCallback), 3)
}

func TestInvalidInputSendsNothing(t *testing.T) {
	t.Parallel()
	ok := liveconfig.CommandAfterCreateRoom
	callbacks := map[string]liveconfig.CallbackConfig{
		"empty URL":              {URL: "", Commands: []liveconfig.Command{ok}},
		"ftp URL":                {URL: "ftp://example.com/cb", Commands: []liveconfig.Command{ok}},
		"no scheme":              {URL: "example.com/cb", Commands: []liveconfig.Command{ok}},
		"no host":                {URL: "https:///cb", Commands: []liveconfig.Command{ok}},
		"space in URL":           {URL: "https://example.com/a b", Commands: []liveconfig.Command{ok}},
		"fragment":               {URL: "https://example.com/cb#x", Commands: []liveconfig.Command{ok}},
		"empty fragment":         {URL: "https://example.com/cb#", Commands: []liveconfig.Command{ok}},
		"URL over 2,048 bytes":   {URL: "https://example.com/" + strings.Repeat("a", liveconfig.MaxCallbackURLLength-19), Commands: []liveconfig.Command{ok}},
		"port out of range":      {URL: "https://[::1]:99999/", Commands: []liveconfig.Command{ok}},
		"port 0":                 {URL: "https://example.com:0/cb", Commands: []liveconfig.Command{ok}},
		"port 65536":             {URL: "https://example.com:65536/cb", Commands: []liveconfig.Command{ok}},
		"user info":              {URL: "https://user:pass@example.com/cb", Commands: []liveconfig.Command{ok}},
		"user name only":         {URL: "https://user@example.com/cb", Commands: []liveconfig.Command{ok}},
		"no-break space":         {URL: "https://example.com/a\u00a0b", Commands: []liveconfig.Command{ok}},
		"line separator":         {URL: "https://example.com/a\u2028b", Commands: []liveconfig.Command{ok}},
		"right-to-left override": {URL: "https://example.com/\u202ebc.exe", Commands: []liveconfig.Command{ok}},
		"zero-width space":       {URL: "https://exa\u200bmple.com/cb", Commands: []liveconfig.Command{ok}},
		"invalid UTF-8":          {URL: "https://example.com/\xff", Commands: []liveconfig.Command{ok}},
		"IPv6 host":              {URL: "https://[::1]:8443/cb", Commands: []liveconfig.Command{ok}},
		"underscore in host":     {URL: "https://my_host.example.com/cb", Commands: []liveconfig.Command{ok}},
		"label of 64":            {URL: "https://" + strings.Repeat("a", 64) + ".example.com/cb", Commands: []liveconfig.Command{ok}},
		"empty label":            {URL: "https://example..com/cb", Commands: []liveconfig.Command{ok}},
		"Unicode host":           {URL: "https://bücher.example/cb", Commands: []liveconfig.Command{ok}},
		"no commands":            {URL: "https://example.com/cb"},
		"empty command":          {URL: "https://example.com/cb", Commands: []liveconfig.Command{""}},
		"no group":               {URL: "https://example.com/cb", Commands: []liveconfig.Command{"CallbackAfterCreateRoom"}},
		"lower-case group":       {URL: "https://example.com/cb", Commands: []liveconfig.Command{"live.CallbackAfterCreateRoom"}},
		"no Callback":            {URL: "https://example.com/cb", Commands: []liveconfig.Command{"Live.AfterCreateRoom"}},
		"nothing after Callback": {URL: "https://example.com/cb", Commands: []liveconfig.Command{"Live.Callback"}},
		"digits":                 {URL: "https://example.com/cb", Commands: []liveconfig.Command{"Live.CallbackAfter2"}},
		"trailing space":         {URL: "https://example.com/cb", Commands: []liveconfig.Command{"Live.CallbackAfterCreateRoom "}},
	}
	for name, cfg := range callbacks {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			ctx := testCtx(t)
			for op, call := range map[string]func() error{
				"set_callback":    func() error { _, err := c.CreateCallback(ctx, cfg); return err },
				"update_callback": func() error { _, err := c.UpdateCallback(ctx, cfg); return err },
				"ensure_callback": func() error { _, err := c.EnsureCallback(ctx, cfg); return err },
			} {
				err := call()
				assertInputError(t, err)
				assert.Contains(t, err.Error(), op)
			}
			assert.Empty(t, srv.AllRequests())
		})
	}
	for name, tok := range map[string]string{"empty": "", "129 characters": strings.Repeat("x", 129),
		"line break": "tok\nen", "escape sequence": "tok\x1b[2Jen", "bidirectional override": "tok\u202een",
		"invalid UTF-8": "tok\xffen"} {
		t.Run("token "+name, func(t *testing.T) {
			t.Parallel()
			srv, c := setup(t, nil)
			_, err := c.SetCallbackToken(testCtx(t), liveconfig.CallbackToken{Token: tok, Enabled: true})
			assertInputError(t, err)
			assert.Empty(t, srv.AllRequests())
		})
	}
}

func TestTokenLengthIsCountedInCharacters(t *testing.T) {
	t.Parallel()
	srv, c := setup(t, nil)
	_, err := c.SetCallbackToken(testCtx(t), liveconfig.CallbackToken{Token: strings.Repeat("密", 128), Enabled: true})
	require.NoError(t, err)
	stored, _ := srv.Token()
	assert.Equal(t, strings.Repeat("密", 128), stored.Token)
}

func assertInputError(t *testing.T, err error) {
	t.Helper()
	assert.ErrorIs(t, err, liveconfig.ErrInvalidParameter)
	var apiErr *liveconfig.APIError
	assert.False(t, errors.As(err, &apiErr), "a client-side refusal is not a server answer")
	var inputErr *liveconfig.InputError
	assert.True(t, errors.As(err, &inputErr))
}

func TestCallbackURLsThatPass(t *testing.T) {
	t.Parallel()
	for _, u := range []string{
		"https://live.example.com/tencent/webhook",
		"http://10.0.0.7:8080/cb",
		"https://a-b.example.com:443/x?y=1&z=2",
		"HTTPS://EXAMPLE.COM",
		"https://example.com",
		"https://example.com:65535/回调",
		"https://" + strings.Repeat("a", 63) + ".example.com/cb",
		"https://example.com/" + strings.Repeat("a", liveconfig.MaxCallbackURLLength-20), // 2,048 bytes exactly
	} {
		cfg := liveconfig.CallbackConfig{URL: u, Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom}}
		assert.NoError(t, cfg.Validate(), u)
	}
}

func TestDiffListsTheWordsAddedAndRemoved(t *testing.T) {
	t.Parallel()
	from := liveconfig.CallbackConfig{URL: "https://a.example", Commands: []liveconfig.Command{
		liveconfig.CommandAfterCreateRoom, liveconfig.CommandBeforeSendGift, liveconfig.CommandBeforeSendGift}}
	to := liveconfig.CallbackConfig{URL: "https://b.example", Commands: []liveconfig.Command{
		liveconfig.CommandAfterDestroyRoom, liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom}}
	added, removed := from.Diff(to)
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandAfterDestroyRoom}, added, "each once")
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandBeforeSendGift}, removed)
	added, removed = from.Diff(from)
	assert.Empty(t, added)
	assert.Empty(t, removed)
}
