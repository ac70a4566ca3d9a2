package liveconfig_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// TestSoak makes 10,000 mixed calls from 64 goroutines through one Client against the fake, which fails about
// one request in ten at random (none of those faults applies a change, so every change is some call's success).
// Every goroutine writes values of its own, so each change the server applied can be traced to the call that
// made it: the test checks that the successes and the changes match one for one, that the final state is what
// the changes imply, that goroutines return to their baseline and that the heap does not grow per call.
func TestSoak(t *testing.T) {
	if testing.Short() {
		t.Skip("soak test: run without -short")
	}
	const workers, calls = 64, 10_000
	srv := liveconfigtest.New(t, liveconfigtest.WithRateLimit(0), liveconfigtest.WithRequestLogLimit(100))
	for _, f := range []liveconfigtest.Fault{
		{Code: 100001, Chance: 0.03}, {Drop: true, Chance: 0.02}, {Raw: liveconfigtest.HTML502(), Chance: 0.02},
		{Code: 60007, Chance: 0.01}, {Code: 100002, Chance: 0.01}, {Code: 70001, Chance: 0.01},
	} {
		f.Times = liveconfigtest.Always
		srv.InjectFault("", f)
	}
	cfg := srv.Config()
	cfg.RateLimit = -1
	client, err := liveconfig.NewClient(cfg)
	require.NoError(t, err)
	baseline := userGoroutines()

	var done atomic.Int64
	var heapAt1000 atomic.Uint64
	var mu sync.Mutex
	var applied []string // what each successful write changed, as "kind value"
	failures := map[string]int{}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < calls; i += workers {
				change, err := soakCall(client, w, i)
				mu.Lock()
				if err == nil && change != "" {
					applied = append(applied, change)
				}
				if err != nil {
					failures[errorKind(err)]++
				}
				mu.Unlock()
				if done.Add(1) == 1000 {
					heapAt1000.Store(heapInUse())
				}
			}
		}()
	}
	wg.Wait()
	client.CloseIdleConnections()

	t.Logf("failures by kind: %v; changes: %d", failures, len(applied))
	assert.Zero(t, failures["untyped"], "every failure is one of the package's typed errors")
	assert.Zero(t, failures["deadline"], "no call ran into its deadline")

	changes := srv.Changes()
	var logged []string
	for _, ch := range changes {
		logged = append(logged, describeChange(t, ch.Op, ch.Body))
	}
	slices.Sort(applied)
	slices.Sort(logged)
	assert.Equal(t, applied, logged, "the successful writes are exactly the changes the server applied")

	wantCallback, wantToken := replay(t, changes)
	gotCallback, hasCallback := srv.Callback()
	gotToken, hasToken := srv.Token()
	assert.Equal(t, wantCallback, optional(gotCallback, hasCallback), "final callback configuration")
	assert.Equal(t, wantToken, optional(gotToken, hasToken), "final token")

	// Polled by hand: assert.Eventually would run the check in a goroutine of its own.
	settled := false
	for deadline := time.Now().Add(5 * time.Second); !settled && time.Now().Before(deadline); time.Sleep(10 * time.Millisecond) {
		settled = userGoroutines() <= baseline
	}
	if !settled {
		buf := make([]byte, 1<<20)
		t.Errorf("goroutines did not return to the baseline of %d:\n%s", baseline, buf[:runtime.Stack(buf, true)])
	}
	// The change log holds about 6,000 bodies; anything the client kept per call would show far above that.
	grown := int64(heapInUse()) - int64(heapAt1000.Load())
	t.Logf("heap after 1,000 calls: %d bytes; grown by %d bytes over the next %d", heapAt1000.Load(), grown, calls-1000)
	assert.Less(t, grown, int64(2<<20+(calls-1000)*256), "heap grew by %d bytes over the last %d calls", grown, calls-1000)
}

// soakCall makes call number i of worker w and says what it changed, as describeChange would write it.
func soakCall(c *liveconfig.Client, w, i int) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	cfg := liveconfig.CallbackConfig{URL: fmt.Sprintf("https://w%d.example/cb/%d", w, i%3),
		Commands: []liveconfig.Command{liveconfig.KnownCommands()[i%19], liveconfig.CommandAfterCreateRoom}}
	token := liveconfig.CallbackToken{Token: fmt.Sprintf("token-%d-%d", w, i), Enabled: i%2 == 0}
	switch i % 10 {
	case 0, 1:
		_, err := c.GetCallback(ctx)
		return "", ignoreState(err)
	case 2:
		_, err := c.GetCallbackToken(ctx)
		return "", ignoreState(err)
	case 3, 4:
		res, err := c.EnsureCallback(ctx, cfg)
		if err != nil || !res.Changed {
			return "", ignoreState(err)
		}
		return callbackChange(cfg), nil
	case 5:
		_, err := c.CreateCallback(ctx, cfg)
		return callbackChange(cfg), ignoreState(err)
	case 6:
		_, err := c.UpdateCallback(ctx, cfg)
		return callbackChange(cfg), ignoreState(err)
	case 7:
		_, err := c.DeleteCallback(ctx)
		return "delete_callback", err
	case 8:
		_, err := c.SetCallbackToken(ctx, token)
		return fmt.Sprintf("token %s %t", token.Token, token.Enabled), err
	default:
		_, err := c.DeleteCallbackToken(ctx)
		return "delete_token", err
	}
}

// stateError marks an answer about the state (exists, does not exist): a success of the API, not a fault.
type stateError struct{ error }

func ignoreState(err error) error {
	if errors.Is(err, liveconfig.ErrCallbackExists) || errors.Is(err, liveconfig.ErrCallbackNotFound) || errors.Is(err, liveconfig.ErrTokenNotFound) {
		return stateError{err}
	}
	return err
}

func errorKind(err error) string {
	var apiErr *liveconfig.APIError
	var respErr *liveconfig.ResponseError
	var tErr *liveconfig.TransportError
	var state stateError
	switch {
	case errors.As(err, &state):
		return "state"
	case errors.Is(err, context.DeadlineExceeded):
		return "deadline"
	case errors.As(err, &apiErr):
		return fmt.Sprintf("api %d", apiErr.Code)
	case errors.As(err, &respErr):
		return fmt.Sprintf("http %d", respErr.StatusCode)
	case errors.As(err, &tErr):
		return "transport"
	}
	return "untyped"
}

func callbackChange(cfg liveconfig.CallbackConfig) string {
	words := make([]string, len(cfg.Commands))
	for i, c := range cfg.Commands {
		words[i] = string(c)
	}
	slices.Sort(words)
	return "callback " + cfg.URL + " " + strings.Join(slices.Compact(words), ",")
}

// describeChange writes a change the server logged the way soakCall writes a success.
func describeChange(t *testing.T, op liveconfig.Op, body json.RawMessage) string {
	switch op {
	case liveconfig.OpSetCallback, liveconfig.OpUpdateCallback:
		var b struct {
			Url                 string
			CallbackCommandList []liveconfig.Command
		}
		require.NoError(t, json.Unmarshal(body, &b))
		return callbackChange(liveconfig.CallbackConfig{URL: b.Url, Commands: b.CallbackCommandList})
	case liveconfig.OpSetCallbackToken:
		var b struct {
			Token         string
			IsTokenEnable bool
		}
		require.NoError(t, json.Unmarshal(body, &b))
		return fmt.Sprintf("token %s %t", b.Token, b.IsTokenEnable)
	case liveconfig.OpDeleteCallbackToken:
		return "delete_token"
	}
	return string(op)
}

// replay applies the logged changes, in order, to an empty app.
func replay(t *testing.T, changes []liveconfigtest.Change) (callback, token string) {
	for _, ch := range changes {
		d := describeChange(t, ch.Op, ch.Body)
		switch {
		case strings.HasPrefix(d, "callback "):
			callback = d
		case d == "delete_callback":
			callback = ""
		case strings.HasPrefix(d, "token "):
			token = d
		case d == "delete_token":
			token = ""
		}
	}
	return callback, token
}

// optional writes the fake's state the way replay does.
func optional[T liveconfig.CallbackConfig | liveconfig.CallbackToken](v T, ok bool) string {
	if !ok {
		return ""
	}
	switch v := any(v).(type) {
	case liveconfig.CallbackConfig:
		return callbackChange(v)
	case liveconfig.CallbackToken:
		return fmt.Sprintf("token %s %t", v.Token, v.Enabled)
	}
	return ""
}

// userGoroutines counts the goroutines a stack dump shows. runtime.NumGoroutine also counts goroutines the
// runtime starts for itself on first use (for cleanups of network descriptors), which never end.
func userGoroutines() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "\ngoroutine ") + 1
}

func heapInUse() uint64 {
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}
