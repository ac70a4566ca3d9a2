package main

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/go-tuilive/liveconfig"
)

// commonFlags are the flags every subcommand takes.
type commonFlags struct {
	output        string
	sdkAppID      string
	identifier    string
	region        string
	endpoint      string
	secretKeyFile string
	timeout       time.Duration
}

func (c *commonFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&c.output, "o", "text", "output format: text or json")
	fs.StringVar(&c.output, "output", "text", "output format: text or json")
	fs.StringVar(&c.sdkAppID, "sdkappid", "", "the app's SDKAppID (default $LIVECONFIG_SDKAPPID)")
	fs.StringVar(&c.identifier, "identifier", "", "an App administrator account (default $LIVECONFIG_IDENTIFIER)")
	fs.StringVar(&c.region, "region", "", "china, singapore, usa, korea, germany, india, indonesia or japan (default $LIVECONFIG_REGION)")
	fs.StringVar(&c.endpoint, "endpoint", "", "base URL replacing the region's domain (default $LIVECONFIG_ENDPOINT)")
	fs.StringVar(&c.secretKeyFile, "secret-key-file", "", "file holding the secret key (default $LIVECONFIG_SECRET_KEY, or $LIVECONFIG_SECRET_KEY_FILE)")
	fs.DurationVar(&c.timeout, "timeout", 30*time.Second, "bound on the whole command")
}

func (c *commonFlags) check() error {
	if c.output != "text" && c.output != "json" {
		return &usageError{fmt.Sprintf("-o must be text or json, not %q", c.output)}
	}
	if c.timeout <= 0 {
		return &usageError{"--timeout must be positive"}
	}
	return nil
}

// clientConfig builds the client's Config from the flags, then the environment.
func (c *commonFlags) clientConfig(getenv func(string) string) (liveconfig.Config, error) {
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
	if cfg.SecretKey, err = c.secretKey(getenv); err != nil {
		return cfg, err
	}
	return cfg, nil
}

// secretKey reads the key from --secret-key-file, $LIVECONFIG_SECRET_KEY or $LIVECONFIG_SECRET_KEY_FILE, in that
// order.
func (c *commonFlags) secretKey(getenv func(string) string) (string, error) {
	if c.secretKeyFile != "" {
		return readSecretFile(c.secretKeyFile, "--secret-key-file")
	}
	if key := getenv("LIVECONFIG_SECRET_KEY"); key != "" {
		return key, nil
	}
	if path := getenv("LIVECONFIG_SECRET_KEY_FILE"); path != "" {
		return readSecretFile(path, "LIVECONFIG_SECRET_KEY_FILE")
	}
	return "", &usageError{"the secret key is missing: set LIVECONFIG_SECRET_KEY or LIVECONFIG_SECRET_KEY_FILE, or pass --secret-key-file"}
}

// readSecretFile reads a secret, dropping the line break an editor leaves at the end. Errors name the file,
// never its content.
func readSecretFile(path, what string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", &usageError{fmt.Sprintf("%s: %v", what, errors.Unwrap(err))}
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, 64<<10))
	if err != nil {
		return "", &usageError{fmt.Sprintf("%s: reading %s failed", what, path)}
	}
	secret := strings.TrimRight(string(data), "\r\n")
	if secret == "" {
		return "", &usageError{fmt.Sprintf("%s: %s is empty", what, path)}
	}
	return secret, nil
}

// commandList is a --command flag: it repeats and takes comma-separated lists.
type commandList []liveconfig.Command

func (l *commandList) String() string {
	words := make([]string, len(*l))
	for i, c := range *l {
		words[i] = string(c)
	}
	return strings.Join(words, ",")
}

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
