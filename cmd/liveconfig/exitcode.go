package main

import (
	"errors"
	"flag"
	"strings"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/fleet"
)

// Exit codes: the contract scripts rely on.
const (
	exitOK       = 0
	exitFailure  = 1 // the server failed, or the network did
	exitUsage    = 2 // usage error or invalid input: nothing was sent
	exitAuth     = 3 // credentials or permissions refused
	exitConflict = 4 // the configuration or token exists, or does not

	exitInterrupted = 130 // the user interrupted the tool (Ctrl-C), as shells report 128 + SIGINT
)

// usageError is a mistake in the command line.
type usageError struct{ msg string }

func (e *usageError) Error() string { return e.msg }

// interruptedError is a command stopped by the user; err is how the call in flight ended.
type interruptedError struct{ err error }

// Error says what was interrupted and, for a change that had been sent, that its outcome on the server is
// unknown and how to find it out.
func (e *interruptedError) Error() string {
	msg := "interrupted: " + strings.TrimPrefix(e.err.Error(), "liveconfig: ")
	var t *liveconfig.TransportError
	if errors.As(e.err, &t) && t.Op.Mutates() && t.Attempts > 0 {
		read := "liveconfig callback get"
		if t.Op == liveconfig.OpSetCallbackToken || t.Op == liveconfig.OpDeleteCallbackToken {
			read = "liveconfig token get"
		}
		msg += "; the change was sent, and whether the server applied it is unknown: read it back (" + read + ") before trying again"
	}
	return msg
}
func (e *interruptedError) Unwrap() error { return e.err }

func exitCode(err error) int {
	var usage *usageError
	var input *liveconfig.InputError
	var interrupted *interruptedError
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &interrupted):
		return exitInterrupted
	case errors.Is(err, flag.ErrHelp):
		return exitOK
	case errors.As(err, &usage), errors.As(err, &input), errors.Is(err, liveconfig.ErrInvalidConfig),
		errors.Is(err, fleet.ErrInvalidFile), errors.Is(err, fleet.ErrSecretUnavailable):
		return exitUsage
	case errors.Is(err, liveconfig.ErrAuth):
		return exitAuth
	case errors.Is(err, liveconfig.ErrCallbackExists), errors.Is(err, liveconfig.ErrCallbackNotFound),
		errors.Is(err, liveconfig.ErrTokenNotFound), errors.Is(err, fleet.ErrConflict):
		return exitConflict
	}
	return exitFailure
}
