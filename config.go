package liveconfig

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/go-tuilive/liveconfig/internal/secretrule"
)

// Config says which app a Client drives and how. SDKAppID, Identifier, SecretKey and one of Region or Endpoint
// are required; every other field has a default.
//
// A Config prints without its SecretKey: String, GoString (%#v), LogValue (log/slog) and MarshalJSON (JSON
// loggers such as zap, logrus or slog's JSON handler) leave it out, so a Config can be logged. One case cannot
// be covered: fmt prints a Config that is an unexported field of a caller's struct field by field, SecretKey
// included, without calling any of these methods. Log such a struct through a method of its own, or keep the
// Config in an exported field.
type Config struct {
	// Region is where the app lives. Required unless Endpoint is set.
	Region Region
	// SDKAppID is the app's id from the console. Required. Values above 2^31 exist.
	SDKAppID uint64
	// Identifier is an App administrator account, commonly "administrator". Required: a Chat UserID of at
	// most MaxIdentifierLength (32) bytes, without white space, control or format characters.
	Identifier string
	// SecretKey is the app's key from the console, used to sign the admin UserSig. Required; never printed.
	// It may hold no white space, control or format character (a key read from a file or variable has them
	// trimmed first by this module's tools), and is not the mark "[redacted]" it is printed as.
	SecretKey string

	// Endpoint is a base URL, "http(s)://host[:port][/path]", that replaces the region's domain: a test
	// server, a proxy, or "https://" + Region.BackupHost(). Optional. Refused (not normalized) with a query,
	// a fragment, credentials, an empty path segment ("//") or a "." or ".." one, also percent-encoded.
	Endpoint string
	// HTTPClient carries the requests: the Client sends them through a resty client wrapped around a copy of
	// it, so its Transport, connection pool and TLS settings are used. Optional: the default keeps a pool of
	// keep-alive connections (TLS 1.2 or later, verification on). A caller's client is never mutated; the
	// copy's only change is that redirects are not followed, and no Timeout is set on it (see Timeout). Its
	// own Timeout, if set, must be more than ServerTimeout, as Timeout must.
	HTTPClient *http.Client
	// RateLimit is the client-side limit in requests per second, shared by every call of one Client.
	// 0 means the documented 200 per second; a negative value turns the client-side limit off; NaN and
	// infinities are refused.
	RateLimit float64
	// Limiter, when set, replaces RateLimit: every attempt waits on it. A *rate.Limiter satisfies it; so
	// does a limiter shared across processes.
	Limiter Limiter
	// Timeout bounds each attempt (connect, send, answer). 0 means DefaultTimeout (5 s); otherwise it must
	// be more than ServerTimeout (3 s), the server's own processing timeout. The whole call is bounded by ctx.
	Timeout time.Duration
	// Retry says which failures are tried again and how long to wait between attempts.
	Retry RetryPolicy
	// UserSigTTL is the validity of the admin UserSig the client signs. 0 means DefaultUserSigTTL (one hour);
	// otherwise between MinUserSigTTL and MaxUserSigTTL. The client signs once per validity period and renews
	// when a fifth of the validity is left (at least 10 s, at most 10 min), so no request carries a UserSig
	// about to expire.
	UserSigTTL time.Duration
	// Logger receives one debug line per attempt with op, attempt, code, request id and latency, never a
	// URL, a UserSig or a key. Nil means no logging.
	Logger *slog.Logger
	// Observer is told of every call and attempt, for metrics and tracing (see Observer). Nil means none.
	Observer Observer
}

// MaxIdentifierLength is the longest Config.Identifier, in bytes: the admin identifier is a Chat UserID, of at
// most 32 bytes.
const MaxIdentifierLength = 32

// Defaults applied by NewClient.
const (
	DefaultRateLimit = 200.0           // requests per second, the documented per-app limit
	DefaultTimeout   = 5 * time.Second // per attempt; more than ServerTimeout
)

// ServerTimeout is the API's own processing timeout. Config.Timeout must be longer, or an attempt could be
// abandoned while the server is still within its time and may yet apply it.
const ServerTimeout = 3 * time.Second

// String describes c without its SecretKey.
func (c Config) String() string {
	return fmt.Sprintf("liveconfig.Config{Region:%q SDKAppID:%d Identifier:%q SecretKey:%s Endpoint:%q}",
		string(c.Region), c.SDKAppID, c.Identifier, secretrule.Printed(c.SecretKey), redactEndpoint(c.Endpoint))
}

// GoString is String, so that %#v does not print the SecretKey either.
func (c Config) GoString() string { return c.String() }

// MarshalJSON encodes what String prints, so that a JSON logger does not print the SecretKey either:
// {"Region":...,"SDKAppID":...,"Identifier":...,"SecretKey":"[redacted]","Endpoint":...}. It is for logs,
// not for storing a Config: the key does not survive it.
func (c Config) MarshalJSON() ([]byte, error) {
	return json.Marshal(struct {
		Region     Region
		SDKAppID   uint64
		Identifier string
		SecretKey  string
		Endpoint   string
	}{c.Region, c.SDKAppID, c.Identifier, secretrule.Encoded(c.SecretKey), redactEndpoint(c.Endpoint)})
}

// LogValue lets log/slog print c without its SecretKey.
func (c Config) LogValue() slog.Value {
	return slog.GroupValue(
		slog.String("region", string(c.Region)),
		slog.Uint64("sdkappid", c.SDKAppID),
		slog.String("identifier", c.Identifier),
		slog.String("endpoint", redactEndpoint(c.Endpoint)),
	)
}

// Validate returns the [*ConfigError] that NewClient would return for c, or nil: a tool that reads many
// Configs from a file can check each one before it builds any Client. It sends and signs nothing.
func (c Config) Validate() error {
	_, err := c.validate()
	return err
}

// validate checks the Config and returns the URL that "/v4/live_config/{op}" is appended to.
func (c *Config) validate() (base string, err error) {
	switch {
	case c.SDKAppID == 0:
		return "", &ConfigError{Field: "SDKAppID", Reason: "is required"}
	case c.SDKAppID > math.MaxInt:
		return "", &ConfigError{Field: "SDKAppID", Reason: "is too large for this platform's int"}
	case strings.TrimSpace(c.Identifier) == "":
		return "", &ConfigError{Field: "Identifier", Reason: "is required (an App administrator account)"}
	case len(c.Identifier) > MaxIdentifierLength:
		return "", &ConfigError{Field: "Identifier", Reason: fmt.Sprintf("must be at most %d bytes (a Chat UserID), not %d", MaxIdentifierLength, len(c.Identifier))}
	case !utf8.ValidString(c.Identifier) || strings.ContainsFunc(c.Identifier, hidesText):
		return "", &ConfigError{Field: "Identifier", Reason: "must be valid UTF-8 without spaces, control or format characters"}
	case c.SecretKey == "":
		return "", &ConfigError{Field: "SecretKey", Reason: "is required"}
	case secretrule.Problem(c.SecretKey) != "":
		return "", &ConfigError{Field: "SecretKey", Reason: secretrule.Problem(c.SecretKey)}
	case c.Timeout < 0:
		return "", &ConfigError{Field: "Timeout", Reason: "must not be negative"}
	case c.Timeout > 0 && c.Timeout <= ServerTimeout:
		return "", &ConfigError{Field: "Timeout", Reason: fmt.Sprintf("must be more than the server's own %v, not %v", ServerTimeout, c.Timeout)}
	case c.HTTPClient != nil && c.HTTPClient.Timeout > 0 && c.HTTPClient.Timeout <= ServerTimeout:
		return "", &ConfigError{Field: "HTTPClient", Reason: fmt.Sprintf("Timeout must be 0 or more than the server's own %v, not %v: set Config.Timeout for each attempt instead", ServerTimeout, c.HTTPClient.Timeout)}
	case math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0):
		return "", &ConfigError{Field: "RateLimit", Reason: "must be a finite number of requests per second"}
	case c.UserSigTTL != 0 && (c.UserSigTTL < MinUserSigTTL || c.UserSigTTL > MaxUserSigTTL):
		return "", &ConfigError{Field: "UserSigTTL", Reason: fmt.Sprintf("must be between %v and %v", MinUserSigTTL, MaxUserSigTTL)}
	}
	if err := c.Retry.validate(); err != nil {
		return "", err
	}
	if c.Endpoint != "" {
		return endpointBase(c.Endpoint)
	}
	if c.Region == "" {
		return "", &ConfigError{Field: "Region", Reason: "is required when Endpoint is not set"}
	}
	if !c.Region.Valid() {
		return "", &ConfigError{Field: "Region", Reason: fmt.Sprintf("unknown region %q (want one of %s)", string(c.Region), regionNames())}
	}
	return "https://" + c.Region.Host(), nil
}

func endpointBase(endpoint string) (string, error) {
	u, err := url.Parse(endpoint)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", &ConfigError{Field: "Endpoint", Reason: "must be an http or https URL with a host"}
	}
	if u.RawQuery != "" || u.ForceQuery || u.Fragment != "" || strings.ContainsAny(endpoint, "?#") {
		return "", &ConfigError{Field: "Endpoint", Reason: "must not have a query or fragment"}
	}
	if strings.Contains(u.EscapedPath(), "//") {
		return "", &ConfigError{Field: "Endpoint", Reason: "must not have an empty path segment (//)"}
	}
	if slices.ContainsFunc(strings.Split(u.Path, "/"), func(seg string) bool { return seg == "." || seg == ".." }) {
		return "", &ConfigError{Field: "Endpoint", Reason: "must not have a . or .. path segment (also written %2e)"}
	}
	if u.User != nil { // it would be printed with the Client and in transport errors
		return "", &ConfigError{Field: "Endpoint", Reason: "must not carry credentials; give a proxy's through HTTPClient's Transport"}
	}
	return strings.TrimSuffix(u.String(), "/"), nil
}

func (c *Config) timeout() time.Duration {
	if c.Timeout == 0 {
		return DefaultTimeout
	}
	return c.Timeout
}

func (c *Config) userSigTTL() time.Duration {
	if c.UserSigTTL == 0 {
		return DefaultUserSigTTL
	}
	return c.UserSigTTL
}

// regionHint is the advice for 70016 and 70020 (key or app not found), which usually mean the app lives in
// another region than the one called.
func (c *Config) regionHint() string {
	if c.Endpoint != "" {
		return "the app may live in another region than the one Config.Endpoint points at"
	}
	return "the app may live in another region than Config.Region (" + string(c.Region) + ")"
}

// limiter returns the limiter the Config asks for, or nil for none.
func (c *Config) limiter() Limiter {
	switch {
	case c.Limiter != nil:
		return c.Limiter
	case c.RateLimit < 0:
		return nil
	case c.RateLimit == 0:
		return newTokenBucket(DefaultRateLimit)
	default:
		return newTokenBucket(c.RateLimit)
	}
}
