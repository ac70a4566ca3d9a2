package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"strings"

	"github.com/go-tuilive/liveconfig"
)

// rotationSteps are what `token rotate` prints around the change: what had to come before it and what comes
// after. The receivers must accept both tokens before the change, since Tencent may sign with the new one at
// once, and after it, since Tencent goes on signing with the old one for a while (it does not say how long).
var rotationSteps = []string{
	"before: every receiver accepts the new token beside the old one (webhook.Config{Token: NEW, PreviousTokens: [OLD]}); a receiver that does not refuses what Tencent now signs with the new token",
	"now: Tencent signs with the new token; for a while it goes on signing some webhooks with the old one",
	"watch liveconfig.webhook.requests by liveconfig.webhook.token (liveconfigotel), or RequestReport.Token: \"previous\" counts the webhooks the old token still signs",
	"after: once no webhook has been signed with the old token for at least the receivers' MaxSkew (60s by default), drop PreviousTokens",
}

// rotateJSON is the JSON of `token rotate`.
type rotateJSON struct {
	RequestID string   `json:"request_id"`
	Changed   bool     `json:"changed"`
	Enabled   bool     `json:"enabled"`
	Steps     []string `json:"steps"`
}

func tokenRotate(fs *flag.FlagSet) action {
	tokenFile := fs.String("token-file", "", "file holding the new callback token; required")
	return clientAction(func(ctx context.Context, c *liveconfig.Client) (view, error) {
		if *tokenFile == "" {
			return view{}, &usageError{"--token-file is required: the file holding the new token"}
		}
		value, err := readSecretFile(ctx, *tokenFile, "--token-file")
		if err != nil {
			return view{}, err
		}
		if err := (liveconfig.CallbackToken{Token: value}).Validate(); err != nil {
			return view{}, err
		}
		current, err := c.GetCallbackToken(ctx)
		switch {
		case errors.Is(err, liveconfig.ErrTokenNotFound):
			return view{}, &cliError{msg: "the app has no callback token to rotate; set the first with 'liveconfig token set'", err: err}
		case err != nil:
			return view{}, err
		case current.Token == value:
			return view{}, &usageError{"the token in " + *tokenFile + " is the app's token already: nothing to rotate; write the new token to the file"}
		}
		res, err := c.SetCallbackToken(ctx, liveconfig.CallbackToken{Token: value, Enabled: current.Enabled})
		if err != nil {
			return view{}, err
		}
		done := resultView(res, fmt.Sprintf("rotated the callback token (enabled: %t)", current.Enabled))
		text := done.text + "\n" + strings.Join(rotationSteps, "\n")
		if !current.Enabled {
			text += "\nnote: the token is not enabled, so Tencent signs nothing with either until 'liveconfig token set --enabled'"
		}
		return view{text: text, json: rotateJSON{RequestID: res.RequestID, Changed: true, Enabled: current.Enabled, Steps: rotationSteps}}, nil
	})
}
