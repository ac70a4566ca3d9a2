package liveconfig_test

import (
	"encoding/json"
	"errors"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/go-tuilive/liveconfig"
)

// wellFormed is the shape of a command word as the API documents it: the oracle the parser is checked against.
var wellFormed = regexp.MustCompile(`^[A-Z][A-Za-z]*\.Callback[A-Za-z]+$`)

// FuzzEnvelope feeds arbitrary answers to the decoder: it must never panic, must accept only a consistent
// success envelope, and must turn a non-zero ErrorCode into an *APIError.
func FuzzEnvelope(f *testing.F) {
	f.Add(200, []byte(`{"ActionStatus":"OK","ErrorCode":0,"RequestId":"Id-1","Response":{"Url":"https://a","CallbackCommandList":["Live.CallbackAfterCreateRoom"]}}`))
	f.Add(200, []byte(`{"ActionStatus":"FAIL","ErrorCode":100301,"ErrorInfo":"none","RequestId":"Id-2"}`))
	f.Add(502, []byte(`<html>502</html>`))
	f.Add(200, []byte(`{"ActionStatus":"OK","ErrorCode":"0"}`))
	f.Add(200, []byte(`null`))
	f.Add(200, []byte(`{"ActionStatus":"FAIL","ErrorCode":70003,"ErrorInfo":"bad fuzz-usersig-0123456789ab","RequestId":"fuzz%2Dusersig-0123456789abcdef"}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		cfg, err := liveconfig.DecodeEnvelope(status, body)
		var probe struct {
			ActionStatus string
			ErrorCode    int
		}
		decodes := json.Unmarshal(body, &probe) == nil
		var apiErr *liveconfig.APIError
		switch {
		case err == nil:
			if status != 200 || !decodes || probe.ErrorCode != 0 || probe.ActionStatus != "OK" || cfg == nil {
				t.Fatalf("accepted status %d body %q", status, body)
			}
		case errors.As(err, &apiErr):
			if apiErr.Code == 0 || strings.Contains(err.Error(), "\n") {
				t.Fatalf("APIError %q for status %d body %q", err, status, body)
			}
		}
		if err != nil && strings.Contains(err.Error(), liveconfig.FuzzUserSig[:16]) {
			t.Fatalf("the UserSig reached the error: %q", err)
		}
	})
}

// FuzzCallbackConfig checks validation against the documented rules: an http(s) URL with a host, and
// well-formed command words.
func FuzzCallbackConfig(f *testing.F) {
	f.Add("https://example.com/cb", "Live.CallbackAfterCreateRoom")
	f.Add("http://10.0.0.1:8080/x?y=1", "Group.CallbackBeforeSendMsg")
	f.Add("HTTPS://EXAMPLE.COM", "Live.CallbackX")
	f.Add("ftp://example.com", "live.CallbackX")
	f.Add("https://", "")
	f.Add("https://a b", "Live.Callback")
	f.Add("https://user:pw@[::1]:99999/#x", "Live.CallbackY")
	f.Add("https://example.com/\u202e", "Live.CallbackY")
	f.Fuzz(func(t *testing.T, rawURL, word string) {
		cfg := liveconfig.CallbackConfig{URL: rawURL, Commands: []liveconfig.Command{liveconfig.Command(word)}}
		err := cfg.Validate()
		if err != nil {
			if !errors.Is(err, liveconfig.ErrInvalidParameter) {
				t.Fatalf("Validate returned an untyped error: %v", err)
			}
			if !strings.Contains(err.Error(), "URL") && wellFormed.MatchString(word) && urlOK(rawURL) {
				t.Fatalf("refused a valid configuration %q %q: %v", rawURL, word, err)
			}
			return
		}
		if !wellFormed.MatchString(word) {
			t.Fatalf("accepted the malformed word %q", word)
		}
		if !urlOK(rawURL) {
			t.Fatalf("accepted the URL %q", rawURL)
		}
		if !cfg.Equal(cfg) {
			t.Fatal("a configuration differs from itself")
		}
	})
}

// tencentHost is the host rule of Tencent's callback URL documentation: labels of 1 to 63 letters, digits
// and '-', joined by dots.
var tencentHost = regexp.MustCompile(`^[A-Za-z0-9-]{1,63}(\.[A-Za-z0-9-]{1,63})*$`)

// urlOK is the oracle for callback URLs, written apart from the code it checks.
func urlOK(s string) bool {
	lower := strings.ToLower(s)
	if !strings.HasPrefix(lower, "http://") && !strings.HasPrefix(lower, "https://") || !utf8.ValidString(s) {
		return false
	}
	for _, r := range s {
		if unicode.IsSpace(r) || unicode.IsControl(r) || unicode.In(r, unicode.Cf) {
			return false
		}
	}
	u, err := url.Parse(s)
	if err != nil || u.User != nil || strings.Contains(s, "#") || !tencentHost.MatchString(u.Hostname()) {
		return false
	}
	port, err := strconv.Atoi(u.Port())
	return u.Port() == "" || err == nil && port >= 1 && port <= 65535
}

// FuzzParseCommand checks the parser against the documented shape.
func FuzzParseCommand(f *testing.F) {
	for _, c := range liveconfig.KnownCommands() {
		f.Add(string(c))
	}
	f.Add(" Live.CallbackX ")
	f.Add("Live.Callback")
	f.Add("Ü.CallbackX")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := liveconfig.ParseCommand(s)
		if want := wellFormed.MatchString(strings.TrimSpace(s)); (err == nil) != want {
			t.Fatalf("ParseCommand(%q) error %v, want well-formed %t", s, err, want)
		}
		if err == nil && c.Validate() != nil {
			t.Fatalf("a parsed command does not validate: %q", c)
		}
	})
}

// FuzzParseRegion checks that only the documented names and codes parse, each to a region with hosts.
func FuzzParseRegion(f *testing.F) {
	for _, s := range []string{"china", "singapore", "sgp", "USA", " kr ", "germany", "ind", "idn", "japan", "mars", ""} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := liveconfig.ParseRegion(s)
		if err != nil {
			if !errors.Is(err, liveconfig.ErrInvalidParameter) {
				t.Fatalf("untyped error %v", err)
			}
			return
		}
		if !r.Valid() || r.Host() == "" || r.BackupHost() == "" {
			t.Fatalf("ParseRegion(%q) = %q, which has no hosts", s, r)
		}
	})
}
