package fleet

import (
	"errors"

	"github.com/go-tuilive/liveconfig"
)

// or returns the app's value when it sets one, else the default.
func or[T any](app, def field[T]) field[T] {
	if app.set {
		return app
	}
	return def
}

// either returns the pair of mutually exclusive keys (region or endpoint, a variable or a file) that the app
// sets, or else the defaults' pair: an app that sets one of the two replaces both of the defaults.
func either[T, U any](app1 field[T], app2 field[U], def1 field[T], def2 field[U]) (field[T], field[U]) {
	if app1.set || app2.set {
		return app1, app2
	}
	return def1, def2
}

// exclusive reports a layer that sets both keys of a pair.
func (d *decoder) exclusive(l *layer) {
	pairs := []struct {
		a, b       bool
		line       int
		what, keys string
	}{
		{l.region.set, l.endpoint.set, l.endpoint.line, "", "region and endpoint"},
		{l.keyEnv.set, l.keyFile.set, l.keyFile.line, "", "secret_key_env and secret_key_file"},
		{l.tokenEnv.set, l.tokenFile.set, l.tokenFile.line, ".token", "token_env and token_file"},
	}
	for _, p := range pairs {
		if p.a && p.b {
			d.fail(p.line, l.where+p.what, "sets both %s; give one of the two", p.keys)
			l.ok = false
		}
	}
}

// app merges an app's layer over the defaults and checks the result. It reports each problem and returns
// false when there is one.
func (d *decoder) app(def, l layer) (App, bool) {
	d.exclusive(&l)
	if !l.ok || !def.ok {
		return App{}, false
	}
	before := len(d.problems) + d.more
	app := App{Name: l.name.value, SDKAppID: l.sdkAppID.value, Line: l.line}
	if !l.name.set {
		d.fail(l.line, l.where, "needs a name")
	}
	if !l.sdkAppID.set {
		d.fail(l.line, l.where, "needs an sdkappid")
	}
	region, endpoint := either(l.region, l.endpoint, def.region, def.endpoint)
	identifier := or(l.identifier, def.identifier)
	keyEnv, keyFile := either(l.keyEnv, l.keyFile, def.keyEnv, def.keyFile)
	app.Region, app.Endpoint, app.Identifier = region.value, endpoint.value, identifier.value
	if endpoint.set {
		app.EndpointLine = endpoint.line
	}
	app.SecretKey = Secret{Env: keyEnv.value, File: keyFile.value, Line: max(keyEnv.line, keyFile.line)}
	switch {
	case !region.set && !endpoint.set:
		d.fail(l.line, l.where, "needs a region or an endpoint, here or in defaults")
	case !identifier.set:
		d.fail(l.line, l.where, "needs an identifier (an App administrator account), here or in defaults")
	case !keyEnv.set && !keyFile.set:
		d.fail(l.line, l.where, "needs secret_key_env or secret_key_file, here or in defaults")
	default:
		d.checkConfig(app.config("placeholder"), l, map[string]field[string]{
			"Region": {line: region.line, anchor: region.anchor}, "Endpoint": endpoint, "Identifier": identifier,
			"SDKAppID": {line: l.sdkAppID.line, anchor: l.sdkAppID.anchor},
		})
	}
	app.Callback = d.callbackSpec(def, l)
	app.Token = d.tokenSpec(def, l)
	return app, len(d.problems)+d.more == before
}

// checkConfig reports what liveconfig.NewClient would refuse in cfg, at the line of the key it comes from.
func (d *decoder) checkConfig(cfg liveconfig.Config, l layer, lines map[string]field[string]) {
	err := cfg.Validate()
	var cfgErr *liveconfig.ConfigError
	if !errors.As(err, &cfgErr) {
		return
	}
	f := lines[cfgErr.Field]
	if f.line == 0 {
		f.line = l.line
	}
	d.failAt(f.line, f.anchor, l.where, "%s %s", keyFor[cfgErr.Field], cfgErr.Reason)
}

// keyFor names a Config field by the fleet file's key for it.
var keyFor = map[string]string{"Region": "region", "Endpoint": "endpoint", "Identifier": "identifier", "SDKAppID": "sdkappid"}

func (d *decoder) callbackSpec(def, l layer) CallbackSpec {
	want, url, commands := l.callback, l.url, l.commands
	switch {
	case !l.callback.set:
		want, url, commands = def.callback, def.url, def.commands
	case l.callback.value == Present && def.callback.value == Present && def.callback.set:
		url, commands = or(l.url, def.url), or(l.commands, def.commands)
	}
	spec := CallbackSpec{Want: want.value}
	if want.value != Present {
		return spec
	}
	spec.Config = liveconfig.CallbackConfig{URL: url.value, Commands: commands.value}
	where := l.where + ".callback"
	switch {
	case !url.set:
		d.fail(want.line, where, "needs a url, here or in defaults")
	case !commands.set:
		d.fail(want.line, where, "needs commands, here or in defaults")
	default:
		var input *liveconfig.InputError
		if err := spec.Config.Validate(); errors.As(err, &input) {
			line, anchor := url.line, url.anchor
			if input.Field == "Commands" {
				line, anchor = commands.line, commands.anchor
			}
			d.failAt(line, anchor, where, "%s %s", map[string]string{"URL": "url", "Commands": "commands"}[input.Field], input.Reason)
		}
	}
	return spec
}

func (d *decoder) tokenSpec(def, l layer) TokenSpec {
	want, env, file, enabled := l.token, l.tokenEnv, l.tokenFile, l.enabled
	switch {
	case !l.token.set:
		want, env, file, enabled = def.token, def.tokenEnv, def.tokenFile, def.enabled
	case l.token.value == Present && def.token.value == Present && def.token.set:
		env, file = either(l.tokenEnv, l.tokenFile, def.tokenEnv, def.tokenFile)
		enabled = or(l.enabled, def.enabled)
	}
	spec := TokenSpec{Want: want.value}
	if want.value != Present {
		return spec
	}
	spec.Value = Secret{Env: env.value, File: file.value, Line: max(env.line, file.line)}
	spec.Enabled = !enabled.set || enabled.value
	if !env.set && !file.set {
		d.fail(want.line, l.where+".token", "needs token_env or token_file, here or in defaults")
	}
	return spec
}
