package liveconfig

import (
	"context"
	"errors"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"net"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// retrySample is an error that the rule of the same name must decide, with what follows it.
type retrySample struct {
	err            error
	reason         RetryReason
	retryable      bool // IsRetryable
	mayHaveApplied bool
}

// retrySamples holds a sample for every rule of retryRules, by the rule's name.
var retrySamples = map[string]retrySample{
	"UserSig expired or revoked": {err: &APIError{Code: codeUserSigRevoked}, reason: RetryUserSigRenewal},
	"rate-limit code":            {err: &APIError{Code: 60007}, reason: RetryRateLimited, retryable: true},
	"internal error code":        {err: &APIError{Code: 70500}, reason: RetryInternal, retryable: true, mayHaveApplied: true},
	"any other code":             {err: &APIError{Code: codeSigFailureLimit}}, // a rate-limit code that a retry makes worse
	"HTTP 429":                   {err: &ResponseError{StatusCode: 429}, reason: RetryRateLimited, retryable: true},
	"HTTP 5xx":                   {err: &ResponseError{StatusCode: 502}, reason: RetryServerError, retryable: true, mayHaveApplied: true},
	"any other answer":           {err: &ResponseError{StatusCode: 200, Reason: "body is not JSON"}},
	"cancelled":                  {err: &TransportError{Err: fmt.Errorf("reading: %w", context.Canceled)}, mayHaveApplied: true},
	"no answer in time": {err: &TransportError{Err: attemptTimeoutError{}}, reason: RetryTimeout, retryable: true,
		mayHaveApplied: true},
	"connection failed or broke": {err: &TransportError{Err: &net.OpError{Op: "dial", Err: errors.New("refused")}},
		reason: RetryTransport, retryable: true}, // never sent: nothing applied
	"anything else": {err: errors.New("liveconfig: signing the UserSig: bad key")},
}

func TestEveryRetryRuleHasASampleThatItDecides(t *testing.T) {
	t.Parallel()
	names := map[string]bool{}
	for _, rule := range retryRules {
		require.False(t, names[rule.name], "rule names are unique: %s", rule.name)
		names[rule.name] = true
		sample, ok := retrySamples[rule.name]
		if !assert.True(t, ok, "retrySamples has a sample for the rule %q", rule.name) {
			continue
		}
		for _, err := range []error{sample.err, fmt.Errorf("wrapped: %w", sample.err)} {
			got := retryDecision(err)
			assert.Equal(t, rule.name, got.name, "%v", err)
			assert.Equal(t, sample.reason, got.reason, "%s: reason", rule.name)
			assert.Equal(t, sample.retryable, IsRetryable(err), "%s: IsRetryable", rule.name)
			assert.Equal(t, sample.mayHaveApplied, got.mayHaveApplied(err), "%s: may have applied", rule.name)
			assert.Equal(t, sample.reason == RetryRateLimited, got.rateLimited, "%s: waits as rate-limited", rule.name)
		}
	}
	for name := range retrySamples {
		assert.True(t, names[name], "the sample %q has a rule", name)
	}
	assert.False(t, IsRetryable(nil))
}

// TestEveryRetryReasonIsARulesReason: a RetryReason constant declared anywhere in the package is given by a
// rule, so that a new reason cannot be declared and left unused (or given silently as another).
func TestEveryRetryReasonIsARulesReason(t *testing.T) {
	t.Parallel()
	pkgs, err := parser.ParseDir(token.NewFileSet(), ".", nil, 0)
	require.NoError(t, err)
	var declared []string
	for _, pkg := range pkgs {
		for _, file := range pkg.Files {
			for _, decl := range file.Decls {
				gen, ok := decl.(*ast.GenDecl)
				if !ok || gen.Tok != token.CONST {
					continue
				}
				for _, spec := range gen.Specs {
					vs := spec.(*ast.ValueSpec)
					if id, ok := vs.Type.(*ast.Ident); ok && id.Name == "RetryReason" {
						for _, name := range vs.Names {
							declared = append(declared, name.Name)
						}
					}
				}
			}
		}
	}
	require.Len(t, declared, 6, "the RetryReason constants were found")
	given := map[RetryReason]bool{}
	for _, rule := range retryRules {
		given[rule.reason] = true
	}
	reasons := map[string]RetryReason{"RetryInternal": RetryInternal, "RetryRateLimited": RetryRateLimited, "RetryServerError": RetryServerError,
		"RetryTimeout": RetryTimeout, "RetryTransport": RetryTransport, "RetryUserSigRenewal": RetryUserSigRenewal}
	for _, name := range declared {
		reason, ok := reasons[name]
		if assert.True(t, ok, "%s is in this test's table too", name) {
			assert.True(t, given[reason], "a rule gives %s", name)
		}
	}
}
