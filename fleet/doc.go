// Package fleet manages the callback configuration and callback token of many apps as desired state, from
// one YAML file kept in git: Load reads the file, Plan says what would change, and Apply makes every app match,
// app by app, in parallel. The liveconfig command's plan and apply subcommands are a thin layer over it.
//
// The file:
//
//	defaults:                       # optional; any key an app may have but name and sdkappid
//	  identifier: administrator
//	  callback:
//	    url: https://live.example.com/tencent/webhook
//	    commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]
//	apps:
//	  - name: prod-singapore        # unique; 1 to 64 letters, digits, '-', '_'
//	    sdkappid: 1400000001        # unique
//	    region: singapore           # or endpoint: https://...
//	    secret_key_env: PROD_SG_KEY # or secret_key_file: /run/secrets/prod-sg-key
//	    token:
//	      token_file: /run/secrets/prod-sg-webhook-token   # or token_env: NAME
//	      enabled: true             # the default
//	  - name: old-staging
//	    sdkappid: 1400000002
//	    region: china
//	    secret_key_file: staging.key  # relative to the file's folder
//	    callback: absent            # there must be no callback configuration
//	    token: absent               # there must be no token
//
// An app inherits every key of defaults that it does not set. Inside callback and token the keys are
// inherited one by one (an app may set only its own url); setting one key of a pair (region or endpoint,
// secret_key_env or secret_key_file, token_env or token_file) replaces both of the defaults' pair, and
// absent or unmanaged replaces the whole part. A part that is not set after inheritance, or is set to
// unmanaged, is unmanaged: read and reported, never changed.
//
// Decoding is strict: an unknown key, a key given twice, a second YAML document, a merge key (<<), a bad
// value, a duplicate app name or sdkappid, and a secret in the file (secret_key:, a token value) are
// [*FileError]s with their line, every one found reported at once. Secrets are read only when an app is
// planned, from the variable or file named, and never appear in a Report.
//
// A fleet file is data that whoever can change it controls (a pull request), while the keys it names are the
// caller's. So an app's endpoint must be https:// on a Tencent API host (a region's Host or BackupHost) unless
// the caller allows it through [Options].AllowEndpoints (the command line's --allow-endpoint); otherwise Plan
// and Apply refuse the run with [ErrEndpointNotAllowed] before any secret is read. The UserSigs they sign are
// valid for [UserSigTTL] (5 minutes), and secret_key_file and token_file must name regular files.
//
// [Plan] reads both parts of every app (two calls, made at once) and says, for each, create, update, delete, none or
// unmanaged. [Apply] does the same, then sends the changes: a new or changed token before the callback, so
// that the first webhook is already signed, and on removal the callback before the token. It reads every
// part it changed back: one that another writer changed in between is a conflict (CallbackChange.Conflict,
// TokenChange.Conflict, with what is there now), and the app fails with [ErrConflict]; nothing is retried. One app's failure
// never stops another; a second Apply sends no change. Both run Options.Parallel apps at a time (8 by
// default), each app with its own Client and rate limit, every Client on one shared connection pool. When ctx
// ends, no app is started, and an app in flight stops after the call it is making (see [Options]).
package fleet
