package webhook

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Account is a user account (Owner_Account, Member_Account, ...). Tencent's documents show accounts both as
// JSON strings and as bare numbers, such as 144115216631667826; Account accepts both and keeps the digits of a
// number exactly, beyond the precision of a float64.
type Account string

// UnmarshalJSON accepts a string, a number or null.
func (a *Account) UnmarshalJSON(b []byte) error {
	switch {
	case len(b) > 0 && b[0] == '"':
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return err
		}
		*a = Account(s)
	case bytes.Equal(b, []byte("null")):
		*a = ""
	case isJSONNumber(b):
		*a = Account(b)
	default:
		return fmt.Errorf("webhook: an account must be a string or a number, not %.20s", b)
	}
	return nil
}

// UnixMilli is a time in milliseconds since the Unix epoch, as in EventTime. The documents show it both as a
// JSON number and as a string of digits; both are accepted.
type UnixMilli int64

// UnmarshalJSON accepts a number, a string of digits, or null.
func (m *UnixMilli) UnmarshalJSON(b []byte) error {
	n, err := lenientInt(b)
	*m = UnixMilli(n)
	return err
}

// Time returns the instant, or the zero time.Time for zero.
func (m UnixMilli) Time() time.Time {
	if m == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(m))
}

// UnixSeconds is a time in seconds since the Unix epoch, as in CreateTime or a gift's Time. A number or a
// string of digits is accepted.
type UnixSeconds int64

// UnmarshalJSON accepts a number, a string of digits, or null.
func (s *UnixSeconds) UnmarshalJSON(b []byte) error {
	n, err := lenientInt(b)
	*s = UnixSeconds(n)
	return err
}

// Time returns the instant, or the zero time.Time for zero.
func (s UnixSeconds) Time() time.Time {
	if s == 0 {
		return time.Time{}
	}
	return time.Unix(int64(s), 0)
}

// lenientInt reads an integer written as a JSON number, a JSON string of digits, or null (zero).
func lenientInt(b []byte) (int64, error) {
	if bytes.Equal(b, []byte("null")) {
		return 0, nil
	}
	if len(b) > 0 && b[0] == '"' {
		var s string
		if err := json.Unmarshal(b, &s); err != nil {
			return 0, err
		}
		if s == "" {
			return 0, nil
		}
		b = []byte(s)
	}
	n, err := strconv.ParseInt(string(b), 10, 64)
	if err != nil {
		return 0, fmt.Errorf("webhook: want an integer, got %.20s", b)
	}
	return n, nil
}

func isJSONNumber(b []byte) bool {
	var n json.Number
	return len(b) > 0 && (b[0] == '-' || (b[0] >= '0' && b[0] <= '9')) && json.Unmarshal(b, &n) == nil
}
