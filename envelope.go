package liveconfig

import (
	"encoding/json"
	"fmt"
	"net/http"
	"reflect"
	"strconv"
	"strings"

	"github.com/go-tuilive/liveconfig/internal/text"
)

// envelope is the frame of every answer. Response points at the endpoint's result, if it has one, so the
// answer is decoded in one pass.
type envelope struct {
	ActionStatus string
	ErrorInfo    string
	ErrorCode    int
	RequestID    string `json:"RequestId"`
	Response     any
}

// decodeAnswer turns one answer of endpoint op, its HTTP status and its whole body, into a result, decoded
// into out (a pointer, or nil for none), or an error. With out, an OK answer must carry a Response. It is a pure function of the answer: the errors it returns carry the
// server's text as it came, and the caller redacts them. The JSON is decoded whatever the Content-Type says:
// some Tencent endpoints label it otherwise.
func decodeAnswer(op Op, status int, body []byte, out any) (envelope, error) {
	env := envelope{}
	var slot reflect.Value // a **T for out's *T: json sets the *T only when the answer has a Response
	if out != nil {
		slot = reflect.New(reflect.TypeOf(out))
		env.Response = slot.Interface()
	}
	switch {
	case status != http.StatusOK:
		return env, &ResponseError{Op: op, StatusCode: status, Reason: "answer is not the API's (" + describeBody(body) + ")"}
	case len(body) == 0:
		return env, &ResponseError{Op: op, StatusCode: status, Reason: "body is empty"}
	}
	if err := json.Unmarshal(body, &env); err != nil {
		return envelope{}, &ResponseError{Op: op, StatusCode: status, Reason: "body is not a JSON envelope"}
	}
	switch {
	case env.ErrorCode != 0:
		return env, &APIError{Op: op, Code: env.ErrorCode, Info: text.OneLine(env.ErrorInfo), RequestID: env.RequestID}
	case env.ActionStatus != "OK":
		return env, &ResponseError{Op: op, StatusCode: status, RequestID: env.RequestID,
			Reason: fmt.Sprintf("ActionStatus is %q with ErrorCode 0", text.Truncate(env.ActionStatus, 16))}
	case out != nil && slot.Elem().IsNil(): // an OK answer without a Response is not an empty result
		return env, &ResponseError{Op: op, StatusCode: status, RequestID: env.RequestID,
			Reason: "the answer is OK but has no Response"}
	}
	if out != nil {
		reflect.ValueOf(out).Elem().Set(slot.Elem().Elem())
	}
	return env, nil
}

// tooLargeError reports an answer whose body passed maxResponseBytes.
func tooLargeError(op Op, status int) error {
	return &ResponseError{Op: op, StatusCode: status, Reason: "body is larger than 1 MiB"}
}

// describeBody names what kind of body a failed answer had, without quoting it.
func describeBody(data []byte) string {
	trimmed := strings.TrimSpace(string(data[:min(len(data), 64)]))
	switch {
	case len(data) == 0:
		return "empty body"
	case strings.HasPrefix(trimmed, "<"):
		return "HTML body"
	case json.Valid(data):
		return "JSON body"
	}
	return "body of " + strconv.Itoa(len(data)) + " bytes"
}
