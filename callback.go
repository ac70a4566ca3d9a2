package liveconfig

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// CallbackConfig is an app's webhook configuration: where Tencent sends webhooks, and for which command
// words. An app has at most one.
type CallbackConfig struct {
	// URL receives the webhooks. It must be an http:// or https:// URL (https recommended) whose host is
	// letters, digits, '-' and dots with labels of at most 63 characters, as Tencent requires (an IPv4
	// address is allowed), with no user info, no fragment, a port from 1 to 65535 if any, and no white space,
	// control, format or bidirectional characters. A changed URL takes effect about two minutes later.
	URL string
	// Commands are the command words to send. At least one; duplicates are sent once.
	Commands []Command
}

// callbackBody is the wire form of a CallbackConfig.
type callbackBody struct {
	URL      string    `json:"Url"`
	Commands []Command `json:"CallbackCommandList"`
}

// Validate returns an [*InputError] (errors.Is(err, ErrInvalidParameter)) when cfg could not be sent: the URL
// breaks one of the rules on CallbackConfig.URL (the Reason says which), there is no command word, or a word
// is not well-formed. Well-formed words this package does not know are valid.
func (cfg CallbackConfig) Validate() error { return cfg.validate("") }

func (cfg CallbackConfig) validate(op Op) error {
	if reason := callbackURLProblem(cfg.URL); reason != "" {
		return &InputError{Op: op, Field: "URL", Reason: reason}
	}
	if len(cfg.Commands) == 0 {
		return &InputError{Op: op, Field: "Commands", Reason: "needs at least one command word"}
	}
	for _, c := range cfg.Commands {
		if reason := commandShapeProblem(string(c)); reason != "" {
			return &InputError{Op: op, Field: "Commands", Reason: fmt.Sprintf("command word %q %s", string(c), reason)}
		}
	}
	return nil
}

// MaxCallbackURLLength is the longest callback URL this package sends, in bytes. Tencent documents none; 2,048
// is what browsers and proxies commonly accept, and a webhook URL needs far less (one of 2 MB came back as
// 60003).
const MaxCallbackURLLength = 2048

// callbackURLProblem says why s cannot be a callback URL, or "" when it can. The rules are Tencent's (http or
// https; a host of letters, digits, '-' and dots, labels of at most 63 characters, which admits an IPv4
// address) and this package's own, for URLs that would break delivery or mislead whoever reads them: no user
// info (it would be stored and printed in clear), no fragment (never sent), a port from 1 to 65535, and no
// white space, control, format or bidirectional characters that hide what the URL says.
func callbackURLProblem(s string) string {
	if len(s) > MaxCallbackURLLength {
		return fmt.Sprintf("must be at most %d bytes, not %d", MaxCallbackURLLength, len(s))
	}
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") {
		return "must start with http:// or https://"
	}
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if strings.ContainsFunc(s, hidesText) {
		return "must not contain spaces, control, format or bidirectional characters"
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || u.Hostname() == "":
		return "must be an http or https URL with a host"
	case u.User != nil:
		return "must not carry a user name or password (it would be stored and shown in clear)"
	case u.Fragment != "" || strings.Contains(s, "#"):
		return "must not have a fragment (#...): it is never sent"
	}
	if port := u.Port(); port != "" {
		if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
			return "must have a port from 1 to 65535"
		}
	}
	if reason := callbackHostProblem(u.Hostname()); reason != "" {
		return reason
	}
	return ""
}

// hidesText reports whether r is white space, a control character or a format character (the bidirectional
// overrides such as U+202E among them), any of which can make a URL read as something it is not.
func hidesText(r rune) bool {
	return unicode.IsSpace(r) || unicode.IsControl(r) || unicode.Is(unicode.Cf, r)
}

// callbackHostProblem applies Tencent's host rule: letters, digits, '-' and dots, labels of 1 to 63 characters.
func callbackHostProblem(host string) string {
	for _, label := range strings.Split(host, ".") {
		if len(label) == 0 || len(label) > 63 {
			return "must have a host whose dot-separated labels are 1 to 63 characters long"
		}
		for i := 0; i < len(label); i++ {
			if c := label[i]; c != '-' && !isASCIILetters(label[i:i+1]) && (c < '0' || c > '9') {
				return "must have a host of letters, digits, '-' and dots (Tencent's rule; an IPv4 address passes, an IPv6 one does not)"
			}
		}
	}
	return ""
}

// Equal reports whether cfg and other configure the same thing: equal URLs and the same set of command words,
// in any order and with any duplicates.
func (cfg CallbackConfig) Equal(other CallbackConfig) bool {
	if cfg.URL != other.URL {
		return false
	}
	a, b := uniqueSorted(cfg.Commands), uniqueSorted(other.Commands)
	return slices.Equal(a, b)
}

// Diff returns the command words that to has and cfg lacks (added), and those cfg has and to lacks
// (removed), each once, in the order of to and of cfg. Both are empty when the two have the same words.
func (cfg CallbackConfig) Diff(to CallbackConfig) (added, removed []Command) {
	return missingFrom(to.Commands, cfg.Commands), missingFrom(cfg.Commands, to.Commands)
}

// missingFrom returns the words of cmds that other lacks, each once, in their order.
func missingFrom(cmds, other []Command) []Command {
	var out []Command
	for _, c := range cmds {
		if !slices.Contains(other, c) && !slices.Contains(out, c) {
			out = append(out, c)
		}
	}
	return out
}

func uniqueSorted(cmds []Command) []Command {
	out := slices.Clone(cmds)
	slices.Sort(out)
	return slices.Compact(out)
}

// wire returns the body to send: the commands without duplicates, in their first order.
func (cfg CallbackConfig) wire() callbackBody {
	seen := make(map[Command]struct{}, len(cfg.Commands))
	cmds := make([]Command, 0, len(cfg.Commands))
	for _, c := range cfg.Commands {
		if _, dup := seen[c]; !dup {
			seen[c] = struct{}{}
			cmds = append(cmds, c)
		}
	}
	return callbackBody{URL: cfg.URL, Commands: cmds}
}

// CreateCallback creates the app's callback configuration (set_callback). It fails with ErrCallbackExists
// when one exists already: set_callback does not overwrite (use UpdateCallback or EnsureCallback).
//
// Creating is not idempotent, so a retry after an attempt that may have been applied (100001, a timeout, a
// connection lost after sending) can meet ErrCallbackExists caused by that very attempt. In that case only,
// CreateCallback reads the configuration back: if it equals cfg the create succeeded; otherwise the error
// stands. Invalid cfg fails with an [*InputError] before anything is sent.
//
// https://trtc.io/document/64420 (Create Callback Configuration)
func (c *Client) CreateCallback(ctx context.Context, cfg CallbackConfig) (*Result, error) {
	if err := cfg.validate(OpSetCallback); err != nil {
		return nil, err
	}
	return c.createCallback(ctx, cfg)
}

// createCallback is CreateCallback for a cfg already validated.
func (c *Client) createCallback(ctx context.Context, cfg CallbackConfig) (*Result, error) {
	o, err := c.do(ctx, OpSetCallback, cfg.wire(), nil)
	if err == nil {
		return &Result{RequestID: o.requestID, Changed: true}, nil
	}
	var exists *APIError
	if !errors.As(err, &exists) || !errors.Is(exists, ErrCallbackExists) || !o.mayHaveApplied {
		return nil, err
	}
	current, _, getErr := c.getCallback(ctx)
	if getErr != nil {
		return nil, fmt.Errorf("%w (an earlier attempt may have created it; reading it back failed: %w)", err, getErr)
	}
	if !current.Equal(cfg) {
		return nil, err
	}
	return &Result{RequestID: exists.RequestID, Changed: true}, nil
}

// UpdateCallback replaces the app's callback configuration with cfg (update_callback): the URL and the whole
// command list. It fails with ErrCallbackNotFound when the app has none (use CreateCallback or
// EnsureCallback). Invalid cfg fails with an [*InputError] before anything is sent.
//
// https://trtc.io/document/64419 (Update Callback Configuration)
func (c *Client) UpdateCallback(ctx context.Context, cfg CallbackConfig) (*Result, error) {
	if err := cfg.validate(OpUpdateCallback); err != nil {
		return nil, err
	}
	return c.updateCallback(ctx, cfg)
}

// updateCallback is UpdateCallback for a cfg already validated.
func (c *Client) updateCallback(ctx context.Context, cfg CallbackConfig) (*Result, error) {
	return c.mutate(ctx, OpUpdateCallback, cfg.wire())
}

// GetCallback returns the app's callback configuration (get_callback), or ErrCallbackNotFound when it has
// none.
//
// https://trtc.io/document/64418 (Query Callback Configuration)
func (c *Client) GetCallback(ctx context.Context) (*CallbackConfig, error) {
	cfg, _, err := c.getCallback(ctx)
	return cfg, err
}

func (c *Client) getCallback(ctx context.Context) (*CallbackConfig, string, error) {
	var body callbackBody
	o, err := c.do(ctx, OpGetCallback, nil, &body)
	if err != nil {
		return nil, "", err
	}
	cmds := body.Commands
	if cmds == nil {
		cmds = []Command{}
	}
	return &CallbackConfig{URL: body.URL, Commands: cmds}, o.requestID, nil
}

// DeleteCallback removes the app's callback configuration (delete_callback), which stops all webhooks. The
// server reports no error when there was none, so neither does DeleteCallback.
//
// https://trtc.io/document/64421 (Delete Callback Configuration)
func (c *Client) DeleteCallback(ctx context.Context) (*Result, error) {
	return c.mutate(ctx, OpDeleteCallback, nil)
}

// ensureRounds bounds how often EnsureCallback re-reads after losing a race with another writer.
const ensureRounds = 3

// EnsureCallback makes the app's callback configuration equal cfg, whatever it was: it reads the current one,
// creates it when there is none, updates it when it differs, and sends no change when it is equal (see
// [CallbackConfig.Equal]; Result.Changed is false then). When another writer creates or deletes the
// configuration in between (ErrCallbackExists, ErrCallbackNotFound), it reads again, up to three times, and
// then returns that error. Costs one read and at most one write per round.
func (c *Client) EnsureCallback(ctx context.Context, cfg CallbackConfig) (*Result, error) {
	if err := cfg.validate(opEnsureCallback); err != nil {
		return nil, err
	}
	var lastErr error
	for range ensureRounds {
		current, requestID, err := c.getCallback(ctx)
		switch {
		case errors.Is(err, ErrCallbackNotFound):
			res, err := c.createCallback(ctx, cfg)
			if errors.Is(err, ErrCallbackExists) {
				lastErr = err
				continue // created by someone else meanwhile
			}
			return res, err
		case err != nil:
			return nil, err
		case current.Equal(cfg):
			return &Result{RequestID: requestID, Changed: false}, nil
		}
		res, err := c.updateCallback(ctx, cfg)
		if errors.Is(err, ErrCallbackNotFound) {
			lastErr = err
			continue // deleted by someone else meanwhile
		}
		return res, err
	}
	return nil, lastErr
}
