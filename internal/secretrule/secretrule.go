// Package secretrule is the one rule for what a secret key or a callback token may be, and what is trimmed
// from one read from a file, a variable or a flag. The client, the webhook Config, the command line and fleet
// all apply it, so that a value one of them takes is a value every other one takes.
package secretrule

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// RedactionMark is what this module prints, logs and encodes in place of a secret. As a value it is refused:
// it is a secret that went through a log or a JSON encoding, not one.
const RedactionMark = "[redacted]"

// Printed is what a String or GoString method prints for secret: `""` when it is empty, so that an unset
// secret shows as unset, and RedactionMark otherwise.
func Printed(secret string) string {
	if secret == "" {
		return `""`
	}
	return RedactionMark
}

// Encoded is what a MarshalJSON method encodes for secret: "" when it is empty, RedactionMark otherwise.
func Encoded(secret string) string {
	if secret == "" {
		return ""
	}
	return RedactionMark
}

// bom is the UTF-8 byte order mark some editors put at the start of a file.
const bom = "\uFEFF"

// Trim returns a secret read from a file, an environment variable or a command-line flag without what is
// not part of it: a UTF-8 byte order mark at the start and white space around it (the line break an editor
// leaves, a stray CR or space). A secret given in Go is not trimmed; Problem refuses its stray white space.
func Trim(s string) string {
	return strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(s), bom))
}

// Problem says why s cannot be a key or a token, or returns "" when it can: it is the redaction mark, is not
// valid UTF-8, or holds white space, a control or a format character (a byte order mark, a zero-width
// space), named with its position, never with the value around it.
func Problem(s string) string {
	if s == RedactionMark {
		return "is the mark " + RedactionMark + ", printed in place of a secret, not a secret: it went through a log or a JSON encoding"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	n := 0
	for _, r := range s {
		n++
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r) {
			return fmt.Sprintf("must not hold white space, control or format characters: character %d is %s", n, name(r))
		}
	}
	return ""
}

// name names a character for a message: its code point, and a name for the common ones.
func name(r rune) string {
	names := map[rune]string{' ': "a space", '\t': "a tab", '\n': "a line feed", '\r': "a carriage return",
		'\uFEFF': "a byte order mark", '\u200B': "a zero-width space", '\u00A0': "a no-break space"}
	if n, ok := names[r]; ok {
		return fmt.Sprintf("%s (U+%04X)", n, r)
	}
	return fmt.Sprintf("U+%04X", r)
}
