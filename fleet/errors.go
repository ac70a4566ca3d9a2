package fleet

import (
	"errors"
	"strconv"
	"strings"
)

// Sentinel errors. Match them with errors.Is.
var (
	// ErrInvalidFile: the fleet file is not one this package can carry out (the error is a [*FileError], or
	// several joined). Nothing was sent.
	ErrInvalidFile = errors.New("fleet: invalid fleet file")
	// ErrSecretUnavailable: an app's secret key or token could not be read (the error is a [*SecretError]).
	// Nothing was sent for that app.
	ErrSecretUnavailable = errors.New("fleet: secret unavailable")
	// ErrNotStarted: the run was stopped (its ctx ended) before the app was started. Nothing was sent for it.
	ErrNotStarted = errors.New("fleet: not started: the run was stopped first")
	// ErrConflict: Apply read a part back after changing it and found something else: another writer changed
	// it in between (the API has no compare-and-set). The part's Conflict says so, and what is there now;
	// nothing was retried. Run again, once the other writer is done, to make it match.
	ErrConflict = errors.New("fleet: conflict: another writer changed the part between this run's write and its read-back")
	// ErrStopped: the run was stopped while the app was in flight, after its call in flight finished and
	// before its next one; the report's parts say what was applied.
	ErrStopped = errors.New("fleet: stopped before the app was done")
)

// FileError is one problem of a fleet file. errors.Is(err, ErrInvalidFile) holds for it.
type FileError struct {
	Path   string // the file, or "" when it was read from an io.Reader
	Line   int    // 1-based; 0 when the problem has no one line
	Where  string // the key, for example "apps[2].callback.url"; "" for the file as a whole
	Reason string
	// Err is the sentinel the problem is an instance of, when there is one: ErrEndpointNotAllowed. Nil
	// otherwise.
	Err error
}

// Error returns one line, for example "fleet.yaml:12: apps[2].callback.url: must start with http:// or
// https://".
func (e *FileError) Error() string {
	var b strings.Builder
	if e.Path != "" {
		b.WriteString(e.Path)
	} else {
		b.WriteString("fleet file")
	}
	if e.Line > 0 {
		b.WriteString(":")
		b.WriteString(strconv.Itoa(e.Line))
	}
	b.WriteString(": ")
	if e.Where != "" {
		b.WriteString(e.Where)
		b.WriteString(": ")
	}
	b.WriteString(e.Reason)
	return b.String()
}

// Is reports whether target is ErrInvalidFile.
func (e *FileError) Is(target error) bool { return target == ErrInvalidFile }

// Unwrap returns Err.
func (e *FileError) Unwrap() error { return e.Err }

// SecretError reports a secret that could not be read. It names where the secret was looked for, never a
// value. errors.Is(err, ErrSecretUnavailable) holds for it.
type SecretError struct {
	App    string // the app's name
	What   string // "secret key" or "token"
	Secret Secret
	Reason string // for example "is not set"
}

// Error returns one line, for example "fleet: prod-singapore: secret key: environment variable PROD_SG_KEY
// is not set".
func (e *SecretError) Error() string {
	var b strings.Builder
	b.WriteString("fleet: ")
	if e.App != "" {
		b.WriteString(e.App + ": ")
	}
	if e.What != "" {
		b.WriteString(e.What + ": ")
	}
	b.WriteString(e.Secret.String() + " " + e.Reason)
	return b.String()
}

// Is reports whether target is ErrSecretUnavailable.
func (e *SecretError) Is(target error) bool { return target == ErrSecretUnavailable }
