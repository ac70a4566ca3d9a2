package main

import (
	"context"
	"flag"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/internal/secretfile"
	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// takeOutput finds -o / --output (also -output, and the name=value forms) anywhere on the command line, so
// that the format holds for every outcome, usage errors included, and returns the other arguments. A bad or
// missing value is a usage error, reported as text.
func takeOutput(args []string) (format string, rest []string, err error) {
	format = "text"
	for i := 0; i < len(args); i++ {
		arg := args[i]
		if arg == "--" {
			return format, append(rest, args[i:]...), nil
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(arg, "-"), "=")
		if !strings.HasPrefix(arg, "-") || (name != "o" && name != "output") {
			rest = append(rest, arg)
			continue
		}
		if !hasValue {
			if i+1 == len(args) {
				return "text", nil, &usageError{"-o needs a value: text or json"}
			}
			i++
			value = args[i]
		}
		if value != "text" && value != "json" {
			return "text", nil, &usageError{fmt.Sprintf("-o must be text or json, not %q", value)}
		}
		format = value
	}
	return format, rest, nil
}

// commonFlags are the flags of every subcommand that calls the API.
type commonFlags struct {
	sdkAppID      string
	identifier    string
	region        string
	endpoint      string
	secretKeyFile string
	timeout       time.Duration
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.sdkAppID, "sdkappid", "", "the app's SDKAppID (default $LIVECONFIG_SDKAPPID)")
	fs.StringVar(&c.identifier, "identifier", "", "an App administrator account (default $LIVECONFIG_IDENTIFIER)")
	fs.StringVar(&c.region, "region", "", "china, singapore, usa, korea, germany, india, indonesia or japan (default $LIVECONFIG_REGION)")
	fs.StringVar(&c.endpoint, "endpoint", "", "base URL replacing the region's domain (default $LIVECONFIG_ENDPOINT)")
	fs.StringVar(&c.secretKeyFile, "secret-key-file", "", "file holding the secret key (default $LIVECONFIG_SECRET_KEY, or $LIVECONFIG_SECRET_KEY_FILE)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "bound on the whole command")
}

func (c *commonFlags) check() error {
	if c.timeout <= 0 {
		return &usageError{fmt.Sprintf("--timeout must be positive, not %v", c.timeout)}
	}
	return nil
}

// regionSource names, in this tool's terms, where the region the command called came from.
func (c *commonFlags) regionSource(getenv func(string) string) string {
	if c.endpoint != "" || getenv("LIVECONFIG_ENDPOINT") != "" {
		return "the one --endpoint (or LIVECONFIG_ENDPOINT) points at"
	}
	return "--region (or LIVECONFIG_REGION)"
}

// clientConfig builds the client's Config from the flags, then the environment. Reading a key file ends when
// ctx does.
func (c *commonFlags) clientConfig(ctx context.Context, getenv func(string) string) (liveconfig.Config, error) {
	pick := func(flagValue, env string) string {
		if flagValue != "" {
			return flagValue
		}
		return getenv(env)
	}
	var cfg liveconfig.Config
	appID := pick(c.sdkAppID, "LIVECONFIG_SDKAPPID")
	if appID == "" {
		return cfg, &usageError{"the SDKAppID is missing: set LIVECONFIG_SDKAPPID or pass --sdkappid"}
	}
	id, err := strconv.ParseUint(appID, 10, 64)
	if err != nil || id == 0 {
		return cfg, &usageError{fmt.Sprintf("the SDKAppID %q is not a positive number", appID)}
	}
	cfg.SDKAppID = id
	if cfg.Identifier = pick(c.identifier, "LIVECONFIG_IDENTIFIER"); cfg.Identifier == "" {
		return cfg, &usageError{"the administrator account is missing: set LIVECONFIG_IDENTIFIER or pass --identifier"}
	}
	cfg.Endpoint = pick(c.endpoint, "LIVECONFIG_ENDPOINT")
	if name := pick(c.region, "LIVECONFIG_REGION"); name != "" {
		if cfg.Region, err = liveconfig.ParseRegion(name); err != nil {
			return cfg, err
		}
	} else if cfg.Endpoint == "" {
		return cfg, &usageError{"the region is missing: set LIVECONFIG_REGION or pass --region"}
	}
	if cfg.SecretKey, err = c.secretKey(ctx, getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// secretKey reads the key from --secret-key-file, else $LIVECONFIG_SECRET_KEY or $LIVECONFIG_SECRET_KEY_FILE;
// both variables set at once is a usage error, since which one was meant cannot be known.
func (c *commonFlags) secretKey(ctx context.Context, getenv func(string) string) (string, error) {
	if c.secretKeyFile != "" {
		return readSecretFile(ctx, c.secretKeyFile, "--secret-key-file")
	}
	key, path := secretrule.Trim(getenv("LIVECONFIG_SECRET_KEY")), getenv("LIVECONFIG_SECRET_KEY_FILE")
	switch {
	case key != "" && path != "":
		return "", &usageError{"both LIVECONFIG_SECRET_KEY and LIVECONFIG_SECRET_KEY_FILE are set: unset one (--secret-key-file, if given, wins over both)"}
	case key != "":
		return key, nil
	case path != "":
		return readSecretFile(ctx, path, "LIVECONFIG_SECRET_KEY_FILE")
	}
	return "", &usageError{"the secret key is missing: set LIVECONFIG_SECRET_KEY or LIVECONFIG_SECRET_KEY_FILE, or pass --secret-key-file"}
}

// readSecretFile reads a secret as every command of the module does (see internal/secretfile), until ctx
// ends (--timeout, or Ctrl-C): a FIFO that nobody writes, or a terminal, must not hold the tool. Errors name
// the file, never its content.
func readSecretFile(ctx context.Context, path, what string) (string, error) {
	secret, err := untilDone(ctx, func() (string, error) { return secretfile.Read(path) })
	switch {
	case ctx.Err() != nil:
		return "", fmt.Errorf("%s %s: not read to its end (a FIFO nobody writes?): %w", what, path, ctx.Err())
	case err != nil:
		return "", &usageError{fmt.Sprintf("%s %s: %v", what, path, err)}
	}
	return secret, nil
}

// untilDone runs read on a goroutine of its own and returns what it returns, or ctx's error as soon as ctx
// ends. A read that blocks is left behind: the tool exits soon after.
func untilDone[T any](ctx context.Context, read func() (T, error)) (T, error) {
	type result struct {
		value T
		err   error
	}
	done := make(chan result, 1)
	go func() {
		v, err := read()
		done <- result{v, err}
	}()
	select {
	case r := <-done:
		return r.value, r.err
	case <-ctx.Done():
		var zero T
		return zero, ctx.Err()
	}
}

// commandList is a --command flag: it repeats and takes comma-separated lists.
type commandList []liveconfig.Command

func (l *commandList) String() string { return strings.Join(words(*l), ",") }

func (l *commandList) Set(value string) error {
	for _, word := range strings.Split(value, ",") {
		if strings.TrimSpace(word) == "" {
			continue
		}
		c, err := liveconfig.ParseCommand(word)
		if err != nil {
			return err
		}
		*l = append(*l, c)
	}
	return nil
}
