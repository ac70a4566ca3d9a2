package fleet

import (
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"

	"github.com/go-tuilive/liveconfig"
)

// ErrEndpointNotAllowed: an app's endpoint is neither a Tencent API host nor one that Options.AllowEndpoints
// names (the error is a [*FileError] wrapping it, or several joined). Plan and Apply refuse the whole run
// with it before any secret is read or anything is sent, so that a fleet file changed by a pull request
// cannot send a UserSig signed with a CI secret to a server of its author's.
var ErrEndpointNotAllowed = errors.New("fleet: endpoint not allowed")

// tencentHosts are the hosts an endpoint may name without being allowed: every region's Host and BackupHost.
var tencentHosts = func() []string {
	var hosts []string
	for _, r := range liveconfig.Regions() {
		hosts = append(hosts, r.Host(), r.BackupHost())
	}
	return hosts
}()

// allowance is one entry of Options.AllowEndpoints, parsed.
type allowance struct {
	scheme, host, port, path string // host lower-cased; port made explicit; path without a trailing '/'
}

// parseAllowance parses an entry of Options.AllowEndpoints: an http or https URL with a host, an optional
// port and path, and nothing else.
func parseAllowance(s string) (allowance, error) {
	u, err := url.Parse(s)
	switch {
	case err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Hostname() == "":
		return allowance{}, fmt.Errorf("%q is not an http or https URL with a host", s)
	case u.User != nil || u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return allowance{}, fmt.Errorf("%q must be scheme://host[:port][/path], without credentials, query or fragment", s)
	case hasDotSegment(u.Path):
		return allowance{}, fmt.Errorf("%q must not have a . or .. path segment", s)
	}
	return allowance{scheme: u.Scheme, host: strings.ToLower(u.Hostname()), port: portOf(u),
		path: strings.TrimSuffix(u.EscapedPath(), "/")}, nil
}

// allows reports whether the endpoint u is within a: the same scheme, host and port, and a path at or
// below a's.
func (a allowance) allows(u *url.URL) bool {
	if u.Scheme != a.scheme || strings.ToLower(u.Hostname()) != a.host || portOf(u) != a.port {
		return false
	}
	p := strings.TrimSuffix(u.EscapedPath(), "/")
	return p == a.path || strings.HasPrefix(p, a.path+"/")
}

// portOf is u's port, or its scheme's default when it names none.
func portOf(u *url.URL) string {
	if p := u.Port(); p != "" {
		return p
	}
	if u.Scheme == "https" {
		return "443"
	}
	return "80"
}

// hasDotSegment reports whether a path has a "." or ".." segment, which a server may resolve to a path
// outside the one allowed.
func hasDotSegment(p string) bool {
	return slices.ContainsFunc(strings.Split(p, "/"), func(s string) bool { return s == "." || s == ".." })
}

// endpointAllowed says why endpoint may not be used, or "" when it may: it is https on a Tencent API host
// (port 443, no path), or within one of allowed.
func endpointAllowed(endpoint string, allowed []allowance) string {
	u, err := url.Parse(endpoint)
	if err != nil {
		return "is not a URL"
	}
	if hasDotSegment(u.Path) {
		return "has a . or .. path segment"
	}
	if u.Scheme == "https" && slices.Contains(tencentHosts, strings.ToLower(u.Hostname())) &&
		portOf(u) == "443" && strings.TrimSuffix(u.EscapedPath(), "/") == "" {
		return ""
	}
	for _, a := range allowed {
		if a.allows(u) {
			return ""
		}
	}
	return "is not a Tencent API host (https:// and a region's Host or BackupHost); allow it with --allow-endpoint URL on the command line, or Options.AllowEndpoints in Go"
}

// checkEndpoints returns every app of f whose endpoint allowed does not cover, as [*FileError]s joined.
// An app with a region always passes.
func checkEndpoints(f *File, allowed []allowance) error {
	var errs []error
	for i := range f.Apps {
		app := &f.Apps[i]
		if app.Endpoint == "" {
			continue
		}
		if why := endpointAllowed(app.Endpoint, allowed); why != "" {
			errs = append(errs, &FileError{Path: f.Path, Line: app.EndpointLine, Where: "app " + app.Name + ": endpoint",
				Reason: fmt.Sprintf("%q %s", app.Endpoint, why), Err: ErrEndpointNotAllowed})
		}
	}
	return errors.Join(errs...)
}
