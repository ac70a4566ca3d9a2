package webhook

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
)

// Why a request is refused. A *RequestError wraps one; match with errors.Is. The finer reasons also match the
// broader one they belong to: errors.Is(err, ErrStale) and errors.Is(err, ErrUnauthenticated) both hold for a
// stale RequestTime.
var (
	ErrMethodNotAllowed = errors.New("webhook: method is not POST")
	ErrForeignApp       = errors.New("webhook: SdkAppid is not this app's") // the wrong app
	ErrBodyTooLarge     = errors.New("webhook: body larger than the limit")

	ErrUnauthenticated = errors.New("webhook: signature missing, stale or wrong")
	ErrUnsigned        = errors.New("webhook: Sign or RequestTime missing")             // is ErrUnauthenticated
	ErrStale           = errors.New("webhook: RequestTime outside the accepted window") // is ErrUnauthenticated
	ErrBadSignature    = errors.New("webhook: Sign does not match")                     // is ErrUnauthenticated

	ErrMalformed = errors.New("webhook: body or command word is not well-formed")
	ErrNotJSON   = errors.New("webhook: body is not a JSON object") // is ErrMalformed
)

// refusals is the one table of refusal reasons: the broader reason each also matches, the HTTP status the
// handler answers it with, and its name in a RequestReport.
var refusals = map[error]struct {
	broader error
	status  int
	name    string
}{
	ErrMethodNotAllowed: {nil, http.StatusMethodNotAllowed, "method_not_allowed"},
	ErrForeignApp:       {nil, http.StatusForbidden, "foreign_app"},
	ErrBodyTooLarge:     {nil, http.StatusRequestEntityTooLarge, "body_too_large"},
	ErrUnauthenticated:  {nil, http.StatusUnauthorized, "unauthenticated"},
	ErrUnsigned:         {ErrUnauthenticated, http.StatusUnauthorized, "unsigned"},
	ErrStale:            {ErrUnauthenticated, http.StatusUnauthorized, "stale"},
	ErrBadSignature:     {ErrUnauthenticated, http.StatusUnauthorized, "bad_signature"},
	ErrMalformed:        {nil, http.StatusBadRequest, "malformed"},
	ErrNotJSON:          {ErrMalformed, http.StatusBadRequest, "not_json"},
}

// RequestError is a refused webhook request. It never holds the token or the signature.
type RequestError struct {
	Status int    // the HTTP status the handler answers
	Err    error  // one of the Err* reasons above
	Detail string // what exactly was wrong
}

// Error is the reason, then what exactly was wrong, when that says more:
// "webhook: RequestTime outside the accepted window: RequestTime 1739966441 is more than 1m0s from now".
func (e *RequestError) Error() string {
	reason := e.Err.Error()
	if e.Detail == "" || strings.HasSuffix(reason, e.Detail) {
		return reason
	}
	return reason + ": " + e.Detail
}

// Unwrap returns the reason.
func (e *RequestError) Unwrap() error { return e.Err }

// Is reports whether target is the broader reason e's reason belongs to (its own is found through Unwrap).
func (e *RequestError) Is(target error) bool {
	broader := refusals[e.Err].broader
	return broader != nil && broader == target
}

// refuse builds the refusal of reason, with the status of the table.
func refuse(reason error, format string, args ...any) *RequestError {
	return &RequestError{Status: refusals[reason].status, Err: reason, Detail: fmt.Sprintf(format, args...)}
}
