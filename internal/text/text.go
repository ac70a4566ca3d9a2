// Package text shapes text that comes from outside (a server's message, a command word from a request) before
// it goes into an error: on one line, and no longer than a reader needs.
package text

import "strings"

// OneLine folds s's runs of white space, line breaks included, into single spaces, and trims its ends.
func OneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

// Truncate returns s cut to its first n bytes, with "..." added when anything was cut.
func Truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}
