package fleet

import (
	"fmt"
	"os"
	"slices"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/secretfile"
	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// File is a fleet file, decoded and checked, with its defaults applied to every app. Load and Decode return
// one; it holds no secret, only where each secret is.
type File struct {
	// Path is the file's path as given to Load, or "" for Decode.
	Path string
	// Apps are the apps in the order the file lists them.
	Apps []App
}

// App is one app of a File: how to reach it, and what its callback configuration and token should be.
type App struct {
	Name     string // unique in the file: letters, digits, '-' and '_'
	SDKAppID uint64 // unique in the file
	Line     int    // where the app starts in the file

	Region       liveconfig.Region // one of Region and Endpoint is set
	Endpoint     string
	EndpointLine int    // where the endpoint is set, in the app or in defaults; 0 without an endpoint
	Identifier   string // the App administrator account
	SecretKey    Secret // where the app's secret key is

	Callback CallbackSpec
	Token    TokenSpec
}

// Want is what a File asks of one part of an app: its callback configuration or its token.
type Want int

const (
	// Unmanaged: the file says nothing of the part. It is read and reported, never changed.
	Unmanaged Want = iota
	// Present: the part must exist and be as the file says.
	Present
	// Absent: the part must not exist.
	Absent
)

// String returns "unmanaged", "present" or "absent".
func (w Want) String() string {
	switch w {
	case Present:
		return "present"
	case Absent:
		return "absent"
	}
	return "unmanaged"
}

// CallbackSpec is what a File asks of an app's callback configuration. Config is set when Want is Present.
type CallbackSpec struct {
	Want   Want
	Config liveconfig.CallbackConfig
}

// TokenSpec is what a File asks of an app's callback token. Value and Enabled are set when Want is Present;
// Enabled is true unless the file says enabled: false.
type TokenSpec struct {
	Want    Want
	Value   Secret
	Enabled bool
}

// Secret says where a secret is kept: in an environment variable (Env) or a file (File, made absolute against
// the fleet file's folder when the fleet file gave it relative). It holds no secret itself, so it prints and
// logs safely.
type Secret struct {
	Env  string
	File string
	Line int // where the fleet file names it
}

// String says where the secret is, for example "environment variable PROD_SG_KEY".
func (s Secret) String() string {
	if s.Env != "" {
		return "environment variable " + s.Env
	}
	return "file " + s.File
}

// Read returns the secret, without the white space around it (the line break an editor leaves at the end of a
// file). getenv looks environment variables up (os.LookupEnv when nil); as it cannot tell a variable that is
// set but empty from one that is not set, both are "is not set" through it: Lookup tells them apart. It
// returns a [*SecretError] when the variable is unset or empty, or the file is missing, empty, larger than 64
// KiB or not a regular file (a FIFO, a device: a fleet file is data, and must not make the run wait or read a
// device); the error names where the secret was looked for, never what was found.
func (s Secret) Read(getenv func(string) string) (string, error) {
	var lookup func(string) (string, bool)
	if getenv != nil {
		lookup = func(name string) (string, bool) {
			v := getenv(name)
			return v, v != ""
		}
	}
	return s.Lookup(lookup)
}

// Lookup is Read with lookupEnv (os.LookupEnv when nil), which tells a variable that is set but empty, or
// only white space ("is empty"), from one that is not set ("is not set").
func (s Secret) Lookup(lookupEnv func(string) (string, bool)) (string, error) {
	if s.Env == "" {
		value, err := secretfile.ReadRegular(s.File)
		if err != nil {
			return "", &SecretError{Secret: s, Reason: err.Error()}
		}
		return value, nil
	}
	if lookupEnv == nil {
		lookupEnv = os.LookupEnv
	}
	value, ok := lookupEnv(s.Env)
	value = secretrule.Trim(value)
	switch {
	case !ok:
		return "", &SecretError{Secret: s, Reason: "is not set"}
	case value == "":
		return "", &SecretError{Secret: s, Reason: "is empty"}
	}
	return value, nil
}

// Select returns a File of only the apps named, in the file's order, or a [*FileError] naming the first name
// the file does not have. No names selects every app.
func (f *File) Select(names ...string) (*File, error) {
	if len(names) == 0 {
		return f, nil
	}
	for _, name := range names {
		if !slices.ContainsFunc(f.Apps, func(a App) bool { return a.Name == name }) {
			return nil, &FileError{Path: f.Path, Reason: fmt.Sprintf("no app is named %q", name)}
		}
	}
	out := &File{Path: f.Path}
	for _, app := range f.Apps {
		if slices.Contains(names, app.Name) {
			out.Apps = append(out.Apps, app)
		}
	}
	return out, nil
}

// config returns the liveconfig.Config of the app, with its secret key.
func (a *App) config(key string) liveconfig.Config {
	return liveconfig.Config{Region: a.Region, Endpoint: a.Endpoint, SDKAppID: a.SDKAppID, Identifier: a.Identifier, SecretKey: key}
}
