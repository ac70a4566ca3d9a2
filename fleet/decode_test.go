package fleet_test

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
)

// issueFile is the file of the documentation, as a user writes it.
const issueFile = `defaults:
  identifier: administrator
  callback:
    url: https://live.example.com/tencent/webhook
    commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]
apps:
  - name: prod-singapore
    sdkappid: 1400000001
    region: singapore
    secret_key_env: PROD_SG_KEY
    token:
      token_file: /run/secrets/prod-sg-webhook-token
      enabled: true
  - name: old-staging
    sdkappid: 1400000002
    region: china
    secret_key_file: staging.key
    callback: absent
    token: absent
`

func decode(t *testing.T, text string) (*fleet.File, error) {
	t.Helper()
	return fleet.Decode(strings.NewReader(text), "/etc/fleet")
}

func TestDecodeTheDocumentedFile(t *testing.T) {
	t.Parallel()
	f, err := decode(t, issueFile)
	require.NoError(t, err)
	require.Len(t, f.Apps, 2)
	want := liveconfig.CallbackConfig{URL: "https://live.example.com/tencent/webhook",
		Commands: []liveconfig.Command{liveconfig.CommandAfterCreateRoom, liveconfig.CommandAfterDestroyRoom}}

	sg := f.Apps[0]
	assert.Equal(t, "prod-singapore", sg.Name)
	assert.Equal(t, uint64(1400000001), sg.SDKAppID)
	assert.Equal(t, 7, sg.Line)
	assert.Equal(t, liveconfig.RegionSingapore, sg.Region)
	assert.Equal(t, "administrator", sg.Identifier, "inherited")
	assert.Equal(t, fleet.Secret{Env: "PROD_SG_KEY", Line: 10}, sg.SecretKey)
	assert.Equal(t, fleet.CallbackSpec{Want: fleet.Present, Config: want}, sg.Callback, "inherited")
	assert.Equal(t, fleet.TokenSpec{Want: fleet.Present, Value: fleet.Secret{File: "/run/secrets/prod-sg-webhook-token", Line: 12}, Enabled: true}, sg.Token)

	old := f.Apps[1]
	assert.Equal(t, liveconfig.RegionChina, old.Region)
	assert.Equal(t, "/etc/fleet/staging.key", old.SecretKey.File, "relative to the file's folder")
	assert.Equal(t, fleet.Absent, old.Callback.Want, "absent replaces the defaults' callback")
	assert.Equal(t, fleet.Absent, old.Token.Want)
}

func TestInheritance(t *testing.T) {
	t.Parallel()
	f, err := decode(t, `defaults:
  region: singapore
  identifier: administrator
  secret_key_env: SHARED_KEY
  callback:
    url: https://default.example/cb
    commands: [Live.CallbackAfterCreateRoom]
  token:
    token_env: SHARED_TOKEN
    enabled: false
apps:
  - {name: a, sdkappid: 1}
  - name: b
    sdkappid: 2
    endpoint: http://127.0.0.1:9000
    secret_key_file: /keys/b
    identifier: ops
    callback: {url: https://b.example/cb}
    token: {token_file: b.token}
  - name: c
    sdkappid: 3
    callback: {commands: [Live.CallbackAfterDestroyRoom]}
    token: {enabled: true}
  - name: d
    sdkappid: 4
    callback: unmanaged
    token: unmanaged
`)
	require.NoError(t, err)
	a, b, c, d := f.Apps[0], f.Apps[1], f.Apps[2], f.Apps[3]

	assert.Equal(t, liveconfig.RegionSingapore, a.Region)
	assert.Equal(t, "SHARED_KEY", a.SecretKey.Env)
	assert.Equal(t, "https://default.example/cb", a.Callback.Config.URL)
	assert.Equal(t, fleet.TokenSpec{Want: fleet.Present, Value: fleet.Secret{Env: "SHARED_TOKEN", Line: 9}, Enabled: false}, a.Token)

	assert.Equal(t, liveconfig.Region(""), b.Region, "an endpoint replaces the defaults' region")
	assert.Equal(t, "http://127.0.0.1:9000", b.Endpoint)
	assert.Equal(t, fleet.Secret{File: "/keys/b", Line: 16}, b.SecretKey, "a file replaces the defaults' variable")
	assert.Equal(t, "ops", b.Identifier)
	assert.Equal(t, "https://b.example/cb", b.Callback.Config.URL, "the app's own url")
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandAfterCreateRoom}, b.Callback.Config.Commands, "the defaults' commands")
	assert.Equal(t, fleet.Secret{File: "/etc/fleet/b.token", Line: 19}, b.Token.Value)
	assert.False(t, b.Token.Enabled, "enabled inherited key by key")

	assert.Equal(t, "https://default.example/cb", c.Callback.Config.URL)
	assert.Equal(t, []liveconfig.Command{liveconfig.CommandAfterDestroyRoom}, c.Callback.Config.Commands)
	assert.Equal(t, "SHARED_TOKEN", c.Token.Value.Env)
	assert.True(t, c.Token.Enabled)

	assert.Equal(t, fleet.Unmanaged, d.Callback.Want, "unmanaged undoes a default")
	assert.Equal(t, fleet.Unmanaged, d.Token.Want)

	f, err = decode(t, "apps:\n  - {name: x, sdkappid: 9, region: usa, identifier: admin, secret_key_env: K}\n")
	require.NoError(t, err)
	assert.Equal(t, fleet.Unmanaged, f.Apps[0].Callback.Want, "no callback key: unmanaged")
	assert.Equal(t, fleet.Unmanaged, f.Apps[0].Token.Want)

	f, err = decode(t, "apps:\n  - {name: x, sdkappid: 9, region: usa, identifier: admin, secret_key_env: K, token: {token_env: T}}\n")
	require.NoError(t, err)
	assert.True(t, f.Apps[0].Token.Enabled, "a token is enabled unless the file says otherwise")

	_, err = decode(t, "shared: &admin\n  identifier: admin\napps: []\n")
	assert.Error(t, err, "an unknown top-level key, even one holding an anchor")
}

// app is a valid app line to build bad files around.
const app = "  - {name: ok, sdkappid: 1, region: usa, identifier: admin, secret_key_env: K}\n"

func TestStrictDecoding(t *testing.T) {
	t.Parallel()
	tests := map[string]struct {
		text string
		line int
		want string
	}{
		"empty":              {"", 0, "is empty"},
		"not yaml":           {"apps: [\n", 0, "is not YAML"},
		"two documents":      {"apps: []\n---\napps: []\n", 2, "more than one YAML document"},
		"no apps key":        {"defaults: {}\n", 1, "has no apps list"},
		"no app":             {"apps: []\n", 1, "lists no app"},
		"apps not a list":    {"apps: {a: 1}\n", 1, "must be a list of apps"},
		"unknown top key":    {"apps:\n" + app + "extra: 1\n", 3, `extra: is not a key of the file (known: defaults, apps)`},
		"unknown app key":    {"apps:\n  - name: x\n    sdkappid: 1\n    regoin: usa\n", 4, `apps[0].regoin: is not a key of apps[0] (known: name, sdkappid, region, endpoint`},
		"duplicate key":      {"apps:\n  - name: x\n    name: y\n", 3, `apps[0].name: is given twice (first on line 2)`},
		"duplicate name":     {"apps:\n" + app + app, 3, `"ok" is the name of the app on line 2 too`},
		"duplicate sdkappid": {"apps:\n" + app + strings.Replace(app, "name: ok", "name: other", 1), 3, "1 is the sdkappid of the app on line 2 too"},
		"bad name":           {"apps:\n  - {name: 'prod sg', sdkappid: 1}\n", 2, `"prod sg" must be 1 to 64 letters, digits, '-' or '_'`},
		"long name":          {"apps:\n  - {name: " + strings.Repeat("a", 65) + ", sdkappid: 1}\n", 2, "must be 1 to 64"},
		"no name":            {"apps:\n  - {sdkappid: 1, region: usa, identifier: a, secret_key_env: K}\n", 2, "apps[0]: needs a name"},
		"no sdkappid":        {"apps:\n  - {name: x, region: usa, identifier: a, secret_key_env: K}\n", 2, "needs an sdkappid"},
		"zero sdkappid":      {"apps:\n  - {name: x, sdkappid: 0}\n", 2, `"0" is not a positive whole number`},
		"negative sdkappid":  {"apps:\n  - {name: x, sdkappid: -5}\n", 2, "is not a positive whole number"},
		"huge sdkappid":      {"apps:\n  - {name: x, sdkappid: 99999999999999999999}\n", 2, "is not a positive whole number"},
		"list as sdkappid":   {"apps:\n  - {name: x, sdkappid: [1]}\n", 2, "must be a single value, not a list"},
		"empty region":       {"apps:\n  - name: x\n    region:\n", 3, "apps[0].region: needs a value"},
		"unknown region":     {"apps:\n  - {name: x, sdkappid: 1, region: mars}\n", 2, `unknown region "mars"`},
		"region and endpoint": {"apps:\n  - {name: x, sdkappid: 1, region: usa, endpoint: 'https://a.example', identifier: a, secret_key_env: K}\n", 2,
			"sets both region and endpoint"},
		"bad endpoint": {"apps:\n  - name: x\n    sdkappid: 1\n    identifier: a\n    secret_key_env: K\n    endpoint: ftp://a.example\n", 6,
			"endpoint must be an http or https URL"},
		"no region":         {"apps:\n  - {name: x, sdkappid: 1, identifier: a, secret_key_env: K}\n", 2, "needs a region or an endpoint"},
		"no identifier":     {"apps:\n  - {name: x, sdkappid: 1, region: usa, secret_key_env: K}\n", 2, "needs an identifier"},
		"blank identifier":  {"apps:\n  - {name: x, sdkappid: 1, region: usa, identifier: ' ', secret_key_env: K}\n", 2, "must not be blank"},
		"no key":            {"apps:\n  - {name: x, sdkappid: 1, region: usa, identifier: a}\n", 2, "needs secret_key_env or secret_key_file"},
		"both keys":         {"apps:\n  - {name: x, sdkappid: 1, region: usa, identifier: a, secret_key_env: K, secret_key_file: k}\n", 2, "sets both secret_key_env and secret_key_file"},
		"bad env name":      {"apps:\n  - {name: x, sdkappid: 1, region: usa, identifier: a, secret_key_env: 'MY KEY'}\n", 2, "is not an environment variable name"},
		"defaults name":     {"defaults: {name: x}\napps:\n" + app, 1, "defaults.name: is each app's own"},
		"defaults sdkappid": {"defaults: {sdkappid: 1}\napps:\n" + app, 1, "defaults.sdkappid: is each app's own"},
		"defaults both":     {"defaults: {region: usa, endpoint: 'https://a.example'}\napps:\n" + app, 1, "defaults: sets both region and endpoint"},
		"merge key":         {"defaults: &d {identifier: a}\napps:\n  - <<: *d\n    name: x\n", 3, "merge keys (<<) are not supported"},
		"callback scalar":   {"apps:\n" + strings.Replace(app, "}", ", callback: gone}", 1), 2, `must be absent, unmanaged or a mapping, not "gone"`},
		"callback no url":   {"apps:\n" + strings.Replace(app, "}", ", callback: {commands: [Live.CallbackAfterCreateRoom]}}", 1), 2, "callback: needs a url"},
		"callback no commands": {"apps:\n" + strings.Replace(app, "}", ", callback: {url: 'https://a.example'}}", 1), 2,
			"callback: needs commands"},
		"callback bad url": {"apps:\n" + strings.Replace(app, "}", ", callback: {url: 'https://a.example/#x', commands: [Live.CallbackAfterCreateRoom]}}", 1), 2,
			"url must not have a fragment"},
		"callback no words": {"apps:\n" + strings.Replace(app, "}", ", callback: {url: 'https://a.example', commands: []}}", 1), 2,
			"commands needs at least one command word"},
		"callback bad word": {"apps:\n" + strings.Replace(app, "}", ", callback: {url: 'https://a.example', commands: [not-a-word]}}", 1), 2,
			"callback.commands:"},
		"too many commands": {"apps:\n" + strings.Replace(app, "}", ", callback: {url: 'https://a.example', commands: ["+
			strings.TrimSuffix(strings.Repeat("Live.CallbackAfterCreateRoom, ", 257), ", ")+"]}}", 1), 2, "lists 257 command words; at most 256"},
		"commands scalar": {"apps:\n" + strings.Replace(app, "}", ", callback: {url: 'https://a.example', commands: Live.CallbackAfterCreateRoom}}", 1), 2,
			"must be a list of command words"},
		"callback unknown key": {"apps:\n" + strings.Replace(app, "}", ", callback: {uri: 'https://a.example'}}", 1), 2, "callback.uri: is not a key"},
		"token no source":      {"apps:\n" + strings.Replace(app, "}", ", token: {enabled: true}}", 1), 2, "token: needs token_env or token_file"},
		"token both sources":   {"apps:\n" + strings.Replace(app, "}", ", token: {token_env: T, token_file: t}}", 1), 2, "sets both token_env and token_file"},
		"token enabled yes":    {"apps:\n" + strings.Replace(app, "}", ", token: {token_env: T, enabled: 'yes'}}", 1), 2, "enabled: must be true or false"},
		"token enabled number": {"apps:\n" + strings.Replace(app, "}", ", token: {token_env: T, enabled: 1}}", 1), 2, "must be true or false"},
		"token null":           {"apps:\n" + strings.Replace(app, "}", ", token: }", 1), 2, "must be absent, unmanaged or a mapping"},
	}
	for name, tt := range tests {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			_, err := decode(t, tt.text)
			require.Error(t, err)
			assert.ErrorIs(t, err, fleet.ErrInvalidFile)
			var fe *fleet.FileError
			require.ErrorAs(t, err, &fe)
			assert.Contains(t, err.Error(), tt.want)
			assert.Equal(t, tt.line, fe.Line, "%v", err)
		})
	}
}

// TestSecretsAreRefusedWithWhereToPutThem: a key or token in the file is an error that says what to write
// instead, and the error does not repeat the secret.
func TestSecretsAreRefusedWithWhereToPutThem(t *testing.T) {
	t.Parallel()
	const secret = "s3cr3t-value-in-the-file"
	for name, text := range map[string]string{
		"secret_key":          "apps:\n  - {name: x, sdkappid: 1, secret_key: " + secret + "}\n",
		"key":                 "apps:\n  - {name: x, sdkappid: 1, key: " + secret + "}\n",
		"secret_key defaults": "defaults:\n  secret_key: " + secret + "\napps:\n" + app,
		"token literal":       "apps:\n" + strings.Replace(app, "}", ", token: "+secret+"}", 1),
		"token: token":        "apps:\n" + strings.Replace(app, "}", ", token: {token: "+secret+"}}", 1),
		"token: value":        "apps:\n" + strings.Replace(app, "}", ", token: {value: "+secret+", enabled: true}}", 1),
	} {
		_, err := decode(t, text)
		require.Error(t, err, name)
		assert.ErrorIs(t, err, fleet.ErrInvalidFile, name)
		assert.NotContains(t, err.Error(), secret, name)
		if strings.HasPrefix(name, "token") {
			assert.Contains(t, err.Error(), "token_env: VARIABLE or token_file: PATH", name)
		} else {
			assert.Contains(t, err.Error(), "secret_key_env: VARIABLE or secret_key_file: PATH", name)
		}
	}
}

func TestEveryProblemIsReportedAtOnce(t *testing.T) {
	t.Parallel()
	_, err := decode(t, "apps:\n  - {name: 'a b', sdkappid: 1}\n  - {name: c, sdkappid: x}\n  - {name: d, regoin: usa}\n")
	require.Error(t, err)
	lines := strings.Split(err.Error(), "\n")
	require.Len(t, lines, 3, "%v", err)
	assert.Contains(t, lines[0], "fleet file:2: apps[0].name")
	assert.Contains(t, lines[1], "fleet file:3: apps[1].sdkappid")
	assert.Contains(t, lines[2], "fleet file:4: apps[2].regoin")

	var many strings.Builder
	many.WriteString("apps:\n")
	for i := range 30 {
		fmt.Fprintf(&many, "  - {name: 'bad %d', sdkappid: %d}\n", i, i+1)
	}
	_, err = decode(t, many.String())
	lines = strings.Split(err.Error(), "\n")
	assert.Len(t, lines, 21)
	assert.Contains(t, lines[20], "and 10 more problems")
}

func TestLoadNamesTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "fleet.yaml")
	require.NoError(t, os.WriteFile(path, []byte(issueFile), 0o600))
	f, err := fleet.Load(path)
	require.NoError(t, err)
	assert.Equal(t, path, f.Path)
	assert.Equal(t, filepath.Join(dir, "staging.key"), f.Apps[1].SecretKey.File)

	require.NoError(t, os.WriteFile(path, []byte("apps:\n  - {name: x, sdkappid: -1}\n"), 0o600))
	_, err = fleet.Load(path)
	assert.EqualError(t, err, path+`:2: apps[0].sdkappid: "-1" is not a positive whole number`)

	_, err = fleet.Load(filepath.Join(dir, "missing.yaml"))
	assert.ErrorIs(t, err, fleet.ErrInvalidFile)
	assert.Contains(t, err.Error(), "no such file")
}

func TestSelect(t *testing.T) {
	t.Parallel()
	f, err := decode(t, issueFile)
	require.NoError(t, err)
	all, err := f.Select()
	require.NoError(t, err)
	assert.Len(t, all.Apps, 2)
	one, err := f.Select("old-staging")
	require.NoError(t, err)
	require.Len(t, one.Apps, 1)
	assert.Equal(t, "old-staging", one.Apps[0].Name)
	_, err = f.Select("old-staging", "nope")
	assert.ErrorIs(t, err, fleet.ErrInvalidFile)
	assert.Contains(t, err.Error(), `no app is named "nope"`)
}

func TestSecretRead(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	path := filepath.Join(dir, "key")
	require.NoError(t, os.WriteFile(path, []byte("from-file\n"), 0o600))
	env := map[string]string{"SET": " from-env ", "EMPTY": ""}
	getenv := func(k string) string { return env[k] }

	got, err := fleet.Secret{File: path}.Read(getenv)
	require.NoError(t, err)
	assert.Equal(t, "from-file", got)
	got, err = fleet.Secret{Env: "SET"}.Read(getenv)
	require.NoError(t, err)
	assert.Equal(t, "from-env", got)
	for _, s := range []fleet.Secret{{Env: "EMPTY"}, {Env: "UNSET"}, {File: filepath.Join(dir, "missing")}} {
		_, err := s.Read(getenv)
		assert.ErrorIs(t, err, fleet.ErrSecretUnavailable)
		var se *fleet.SecretError
		require.True(t, errors.As(err, &se))
		assert.Contains(t, err.Error(), s.String())
	}

	lookup := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	_, err = fleet.Secret{Env: "EMPTY"}.Lookup(lookup)
	assert.EqualError(t, err, "fleet: environment variable EMPTY is empty", "set, but empty")
	env["BLANK"] = " \n"
	_, err = fleet.Secret{Env: "BLANK"}.Lookup(lookup)
	assert.EqualError(t, err, "fleet: environment variable BLANK is empty")
	_, err = fleet.Secret{Env: "UNSET"}.Lookup(lookup)
	assert.EqualError(t, err, "fleet: environment variable UNSET is not set")
	got, err = fleet.Secret{Env: "SET"}.Lookup(lookup)
	require.NoError(t, err)
	assert.Equal(t, "from-env", got)
}

// TestTheREADMEsFileDecodes keeps the README's fleet file one that Load takes.
func TestTheREADMEsFileDecodes(t *testing.T) {
	t.Parallel()
	readme, err := os.ReadFile("../README.md")
	require.NoError(t, err)
	_, block, ok := strings.Cut(string(readme), "```yaml\n# fleet.yaml\n")
	require.True(t, ok, "the README has a fleet file")
	block, _, _ = strings.Cut(block, "```")
	f, err := decode(t, block)
	require.NoError(t, err)
	require.Len(t, f.Apps, 3)
	de := f.Apps[1]
	assert.Equal(t, "https://eu.live.example.com/tencent/webhook", de.Callback.Config.URL)
	assert.Len(t, de.Callback.Config.Commands, 2, "the defaults' commands")
	assert.Equal(t, fleet.Absent, f.Apps[2].Token.Want)
}

// TestAFileOverTheCapIsRefusedWithItsSize: a fleet file over MaxFileBytes is refused before it is decoded,
// saying how large it is and what the cap is; from a reader, that it is larger.
func TestAFileOverTheCapIsRefusedWithItsSize(t *testing.T) {
	t.Parallel()
	path := filepath.Join(t.TempDir(), "big.yaml")
	big := "# " + strings.Repeat("x", fleet.MaxFileBytes) + "\napps: []\n"
	require.NoError(t, os.WriteFile(path, []byte(big), 0o600))
	_, err := fleet.Load(path)
	require.ErrorIs(t, err, fleet.ErrInvalidFile)
	assert.EqualError(t, err, fmt.Sprintf("%s: is %d bytes, over the 8 MiB (8388608 bytes) a fleet file may have; split the fleet into several files", path, len(big)))
	_, err = fleet.Decode(strings.NewReader(big), "")
	assert.EqualError(t, err, "fleet file: is larger, over the 8 MiB (8388608 bytes) a fleet file may have; split the fleet into several files")
}

func TestNonUTF8InputNamesTheLine(t *testing.T) {
	t.Parallel()
	_, err := fleet.Decode(strings.NewReader("apps:\n  - name: caf\xe9\n"), "")
	require.ErrorIs(t, err, fleet.ErrInvalidFile)
	assert.EqualError(t, err, "fleet file:2: is not UTF-8: column 14 holds a byte that is not valid UTF-8")
}

// TestAProblemReachedThroughAnAliasIsReportedWhereTheAppUsesIt: a bad value shared with an alias is reported
// for each app that has it: at the app's own line, with the anchor's line beside it.
func TestAProblemReachedThroughAnAliasIsReportedWhereTheAppUsesIt(t *testing.T) {
	t.Parallel()
	_, err := fleet.Decode(strings.NewReader(`apps:
  - name: a
    sdkappid: 1400000001
    region: singapore
    identifier: administrator
    secret_key_env: K
    callback: &cb
      url: "https://x.example/cb#frag"
      commands: [Live.CallbackAfterCreateRoom]
  - name: b
    sdkappid: 1400000002
    region: singapore
    identifier: administrator
    secret_key_env: K
    callback: *cb
  - &c {name: c, sdkappid: 1400000003, region: mars, identifier: administrator, secret_key_env: K}
`), "")
	require.Error(t, err)
	var lines []string
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		lines = append(lines, e.Error())
	}
	assert.ElementsMatch(t, []string{
		"fleet file:8: apps[0].callback: url must not have a fragment (#...): it is never sent",
		"fleet file:15: apps[1].callback: url must not have a fragment (#...): it is never sent (in the anchor's value, line 8)",
		`fleet file:16: apps[2].region: unknown region "mars" (want one of china, singapore, usa, korea, germany, india, indonesia, japan)`,
	}, lines)
}

// TestEveryProblemOfAnAppIsReported: a url and a command word both wrong are two problems, each at its line.
func TestEveryProblemOfAnAppIsReported(t *testing.T) {
	t.Parallel()
	_, err := fleet.Decode(strings.NewReader(`apps:
  - name: a
    sdkappid: 1400000001
    region: singapore
    identifier: administrator
    secret_key_env: K
    callback:
      url: "https://x.example/cb#frag"
      commands: [Foo.Bar]
`), "")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "fleet file:8: apps[0].callback: url must not have a fragment")
	assert.Contains(t, err.Error(), `fleet file:9: apps[0].callback.commands: command word "Foo.Bar"`)
}
