package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/webhook"
)

// maxBodyFile is the largest --body-file webhook send reads: what a receiver accepts by default.
const maxBodyFile = webhook.DefaultMaxBodyBytes

// sendJSON is the JSON of `webhook send`: what the receiver answered, and how long it took.
type sendJSON struct {
	HTTPStatus   int     `json:"http_status"`
	ActionStatus string  `json:"action_status"`
	ErrorCode    int     `json:"error_code"`
	ErrorInfo    string  `json:"error_info"`
	LatencyMS    float64 `json:"latency_ms"`
}

func webhookSend(fs *flag.FlagSet) action {
	target := fs.String("url", "", "the receiver's URL, as the callback configuration would hold it; required")
	command := fs.String("command", "", "the command word to send; required ('liveconfig webhook samples' lists those with a sample body)")
	bodyFile := fs.String("body-file", "", "file holding the event's JSON body (default: Tencent's documented sample for --command)")
	tokenFile := fs.String("token-file", "", "file holding the callback token to sign with")
	unsigned := fs.Bool("unsigned", false, "send without RequestTime and Sign, as for an app with no token enabled")
	sdkAppID := fs.String("sdkappid", "", "the app's SDKAppID; required")
	timeout := fs.Duration("timeout", webhook.AnswerBudget, "how long to wait for the answer (Tencent waits 2s)")
	return action{run: func(ctx context.Context, _ *liveconfig.Client) (view, error) {
		switch {
		case *target == "" || *command == "" || *sdkAppID == "":
			return view{}, &usageError{"--url, --command and --sdkappid are required"}
		case (*tokenFile == "") == !*unsigned:
			return view{}, &usageError{"give exactly one of --token-file and --unsigned"}
		case *timeout <= 0:
			return view{}, &usageError{fmt.Sprintf("--timeout must be positive, not %v", *timeout)}
		}
		id, err := strconv.ParseUint(*sdkAppID, 10, 64)
		if err != nil || id == 0 {
			return view{}, &usageError{fmt.Sprintf("--sdkappid must be the app's SDKAppID, a positive number, not %q", *sdkAppID)}
		}
		ctx, cancel := context.WithTimeout(ctx, *timeout) // reading the files counts too
		defer cancel()
		d := webhook.Delivery{SDKAppID: id, Command: liveconfig.Command(*command)}
		if *bodyFile != "" {
			if d.Body, err = readBodyFile(ctx, *bodyFile); err != nil {
				return view{}, err
			}
		}
		if *tokenFile != "" {
			if d.Token, err = readSecretFile(ctx, *tokenFile, "--token-file"); err != nil {
				return view{}, err
			}
		}
		start := time.Now()
		ans, err := webhook.Send(ctx, &http.Client{}, *target, d)
		latency := time.Since(start)
		switch {
		case errors.Is(err, webhook.ErrInvalidDelivery): // refused before anything was sent
			return view{}, &usageError{strings.TrimPrefix(err.Error(), "webhook: ")}
		case err != nil && ctx.Err() == context.Canceled:
			return view{}, &interruptedError{err}
		case err != nil && ctx.Err() != nil:
			return view{}, &cliError{msg: fmt.Sprintf("no answer within --timeout %v: %v", *timeout, strings.TrimPrefix(err.Error(), "webhook: ")), err: err}
		case err != nil:
			return view{}, &cliError{msg: strings.TrimPrefix(err.Error(), "webhook: "), err: err}
		}
		text := fmt.Sprintf("HTTP %d in %v: %s", ans.HTTPStatus, latency.Round(time.Microsecond), printable(ans.ActionStatus))
		if ans.ErrorCode != 0 || ans.ErrorInfo != "" {
			text += fmt.Sprintf(", ErrorCode %d: %s", ans.ErrorCode, printable(ans.ErrorInfo))
		}
		return view{text: text, json: sendJSON{HTTPStatus: ans.HTTPStatus, ActionStatus: ans.ActionStatus, ErrorCode: ans.ErrorCode,
			ErrorInfo: ans.ErrorInfo, LatencyMS: float64(latency.Microseconds()) / 1000}}, nil
	}}
}

func webhookSamples(fs *flag.FlagSet) action {
	command := fs.String("command", "", "print the sample body of this command word instead of the list")
	return action{run: func(context.Context, *liveconfig.Client) (view, error) {
		if *command != "" {
			body, ok := webhook.SampleBody(liveconfig.Command(*command))
			if !ok {
				return view{}, &usageError{fmt.Sprintf("no sample body for %q; 'liveconfig webhook samples' lists them", *command)}
			}
			return view{text: string(body), json: sampleJSON{Command: *command, Body: body}}, nil
		}
		list := words(webhook.SampleCommands())
		return view{text: strings.Join(list, "\n"), json: commandsJSON{Commands: list}}, nil
	}}
}

// sampleJSON is the JSON of `webhook samples --command WORD`: the body as JSON, not as a string.
type sampleJSON struct {
	Command string          `json:"command"`
	Body    json.RawMessage `json:"body"`
}

// readBodyFile reads a webhook body of at most maxBodyFile bytes, or ends when ctx does.
func readBodyFile(ctx context.Context, path string) ([]byte, error) {
	body, err := untilDone(ctx, func() ([]byte, error) {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		data, err := io.ReadAll(io.LimitReader(f, maxBodyFile+1))
		if err == nil && len(data) > maxBodyFile {
			err = fmt.Errorf("is over %d bytes", maxBodyFile)
		}
		return data, err
	})
	switch {
	case ctx.Err() != nil:
		return nil, fmt.Errorf("--body-file %s: not read to its end (a FIFO nobody writes?): %w", path, ctx.Err())
	case err != nil:
		var pathErr *os.PathError
		if errors.As(err, &pathErr) {
			err = pathErr.Err // the path is said once, here
		}
		return nil, &usageError{fmt.Sprintf("--body-file %s: %v", path, err)}
	}
	return body, nil
}
