package fleet_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
)

// FuzzDecode: whatever the bytes, Decode returns a File or an error matching ErrInvalidFile, never panics,
// and every File it returns is one that Plan can carry out: unique names and sdkappids, a Config that
// NewClient takes, a valid callback configuration where one is wanted, and a token source where a token is.
func FuzzDecode(f *testing.F) {
	f.Add(issueFile)
	f.Add("apps:\n" + app)
	f.Add("defaults: &d {identifier: a, region: usa}\napps:\n  - {name: x, sdkappid: 1, secret_key_env: K, callback: {url: 'https://a.example', commands: [Live.CallbackAfterCreateRoom]}}\n")
	f.Add("apps:\n  - &a {name: x, sdkappid: 1}\n  - *a\n")
	f.Add("apps: [{name: x, sdkappid: 1, token: {token_env: T, enabled: false}}]")
	f.Fuzz(func(t *testing.T, text string) {
		file, err := fleet.Decode(strings.NewReader(text), "/etc/fleet")
		if err != nil {
			if !errors.Is(err, fleet.ErrInvalidFile) {
				t.Fatalf("an error that is not ErrInvalidFile: %v", err)
			}
			return
		}
		names, ids := map[string]bool{}, map[uint64]bool{}
		for _, a := range file.Apps {
			if names[a.Name] || ids[a.SDKAppID] || a.Name == "" || a.SDKAppID == 0 {
				t.Fatalf("app %q (%d) is not unique or not named", a.Name, a.SDKAppID)
			}
			names[a.Name], ids[a.SDKAppID] = true, true
			cfg := liveconfig.Config{Region: a.Region, Endpoint: a.Endpoint, SDKAppID: a.SDKAppID, Identifier: a.Identifier, SecretKey: "k"}
			if err := cfg.Validate(); err != nil {
				t.Fatalf("app %q: a Config NewClient would refuse: %v", a.Name, err)
			}
			if (a.SecretKey.Env == "") == (a.SecretKey.File == "") {
				t.Fatalf("app %q: the key is not in exactly one place: %+v", a.Name, a.SecretKey)
			}
			if a.Callback.Want == fleet.Present {
				if err := a.Callback.Config.Validate(); err != nil {
					t.Fatalf("app %q: a callback the API would refuse: %v", a.Name, err)
				}
			}
			if a.Token.Want == fleet.Present && (a.Token.Value.Env == "") == (a.Token.Value.File == "") {
				t.Fatalf("app %q: the token is not in exactly one place: %+v", a.Name, a.Token.Value)
			}
		}
		if len(file.Apps) == 0 {
			t.Fatal("a file without apps decoded")
		}
	})
}
