package main

import (
	"bytes"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/tencentyun/tls-sig-api-v2-golang/tencentyun"

	"github.com/go-tuilive/liveconfig"
	"github.com/go-tuilive/liveconfig/liveconfigtest"
)

// Fleet benchmark settings: the 1,000 apps, each call answered after 20 ms, 32 apps at a time.
const (
	benchFleetApps     = 1000
	benchFleetLatency  = 20 * time.Millisecond
	benchFleetParallel = 32
)

// fleetBench is a fake of benchFleetApps apps that answers every call after benchFleetLatency, with a fleet
// file for them in which every app wants a callback configuration and a token.
type fleetBench struct {
	srv  *liveconfigtest.Server
	path string
	env  []string
}

func newFleetBench(b *testing.B) *fleetBench {
	b.Helper()
	srv := liveconfigtest.New(b, liveconfigtest.WithSecretKey(cliKey), liveconfigtest.WithRequestLogLimit(1),
		liveconfigtest.WithApps(liveconfigtest.SequentialApps(liveconfigtest.DefaultSDKAppID+1, benchFleetApps-1)...))
	for _, app := range srv.Apps() {
		app.InjectFault("", liveconfigtest.Fault{Times: liveconfigtest.Always, Delay: benchFleetLatency})
	}
	fb := &fleetBench{srv: srv, path: filepath.Join(b.TempDir(), "fleet.yaml"), env: []string{"PATH=" + os.Getenv("PATH"), "WEBHOOK_TOKEN=bench-token"}}
	var file strings.Builder
	fmt.Fprintf(&file, "defaults:\n  endpoint: %s\n  identifier: administrator\n  callback:\n    url: https://live.example.com/cb\n"+
		"    commands: [Live.CallbackAfterCreateRoom]\n  token: {token_env: WEBHOOK_TOKEN}\napps:\n", srv.URL())
	for i, app := range srv.Apps() {
		fmt.Fprintf(&file, "  - {name: app-%d, sdkappid: %d, secret_key_env: KEY_%d}\n", i, app.SDKAppID(), i)
		fb.env = append(fb.env, fmt.Sprintf("KEY_%d=%s", i, app.SecretKey()))
	}
	if err := os.WriteFile(fb.path, []byte(file.String()), 0o600); err != nil {
		b.Fatal(err)
	}
	return fb
}

// usage is what one run of the tool took.
type usage struct {
	wall, cpu time.Duration // cpu: user and system time of the tool's process
	rss       int64         // peak resident set, bytes
}

func (u usage) add(v usage) usage { return usage{u.wall + v.wall, u.cpu + v.cpu, max(u.rss, v.rss)} }

// run runs the tool once and returns what it took.
func (fb *fleetBench) run(b *testing.B, args ...string) usage {
	b.Helper()
	cmd := exec.Command(binary, args...)
	cmd.Env = fb.env
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	start := time.Now()
	err := cmd.Run()
	took := time.Since(start)
	if err != nil || !strings.Contains(stdout.String(), `"failed":0`) {
		b.Fatalf("%v: %v\n%s", args, err, stderr.String())
	}
	rusage := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	return usage{wall: took, cpu: cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), rss: rusage.Maxrss << 10} // Maxrss: KiB on Linux
}

// BenchmarkFleet measures liveconfig plan and apply over 1,000 apps on a fake that answers each call after
// 20 ms, 32 apps at a time, against the ideal (calls x 20 ms / 32, calls made one at a time) and against a
// floor in the same run: bare net/http making the same calls in the same pattern, 32 apps at a time, with
// UserSigs signed beforehand. It reports the ratios and the tool's peak RSS; it asserts nothing about time.
func BenchmarkFleet(b *testing.B) {
	fb := newFleetBench(b)
	args := func(verb string) []string {
		return []string{verb, "-f", fb.path, "--allow-endpoint", fb.srv.URL(), "--parallel", strconv.Itoa(benchFleetParallel), "-o", "json"}
	}
	ideal := func(callsPerApp int) time.Duration {
		return time.Duration(benchFleetApps*callsPerApp) * benchFleetLatency / benchFleetParallel
	}
	report := func(b *testing.B, u usage, floor time.Duration, calls int) {
		b.ReportMetric(float64(u.wall)/float64(b.N)/float64(ideal(calls)), "x-ideal")
		b.ReportMetric(float64(u.wall)/float64(floor), "x-floor")
		b.ReportMetric(float64(u.rss)/(1<<20), "peak-RSS-MB")
		b.ReportMetric(u.cpu.Seconds()/float64(b.N), "tool-cpu-s")
	}

	b.Run("plan", func(b *testing.B) {
		floor := bareFleetCalls(b, fb.srv, 0)
		var u usage
		b.ResetTimer()
		for range b.N {
			u = u.add(fb.run(b, args("plan")...))
		}
		report(b, u, floor*time.Duration(b.N), 2)
	})
	b.Run("apply", func(b *testing.B) {
		floor := bareFleetCalls(b, fb.srv, 4) // two writes, each read back
		var u usage
		b.ResetTimer()
		for range b.N {
			b.StopTimer()
			fb.srv.Reset() // every app changes: 2 reads, a token and a callback to create, each read back
			for _, app := range fb.srv.Apps() {
				app.InjectFault("", liveconfigtest.Fault{Times: liveconfigtest.Always, Delay: benchFleetLatency})
			}
			b.StartTimer()
			u = u.add(fb.run(b, args("apply")...))
		}
		report(b, u, floor*time.Duration(b.N), 6) // 2 reads, 2 writes, 2 read-backs
	})
}

// bareFleetCalls makes the tool's calls with net/http alone, benchFleetParallel apps at a time, with UserSigs
// signed beforehand (outside the time), and returns how long they took: the floor. For each app, as the tool
// does: two reads at once, then writes calls one after another (reads too here: the fake answers them after
// the same delay, and the fake's state stays as it is).
func bareFleetCalls(b *testing.B, srv *liveconfigtest.Server, writes int) time.Duration {
	b.Helper()
	apps := srv.Apps()
	prefixes := make([]string, len(apps))
	for i, app := range apps {
		sig, err := tencentyun.GenUserSig(int(app.SDKAppID()), app.SecretKey(), app.Identifier(), 3600)
		if err != nil {
			b.Fatal(err)
		}
		prefixes[i] = srv.URL() + "/v4/live_config/" + string(liveconfig.OpGetCallbackToken) + "?sdkappid=" +
			strconv.FormatUint(app.SDKAppID(), 10) + "&identifier=" + app.Identifier() + "&usersig=" + url.QueryEscape(sig)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConnsPerHost = benchFleetParallel
	client := &http.Client{Transport: transport}
	defer transport.CloseIdleConnections()
	jobs := make(chan int)
	var wg sync.WaitGroup
	start := time.Now()
	for range benchFleetParallel {
		wg.Add(1)
		go func() {
			defer wg.Done()
			post := func(i, call int) {
				resp, err := client.Post(prefixes[i]+"&random="+strconv.Itoa(call)+"&contenttype=json", "application/json", strings.NewReader("{}"))
				if err != nil {
					b.Error(err)
					return
				}
				var buf bytes.Buffer
				buf.ReadFrom(resp.Body)
				resp.Body.Close()
			}
			for i := range jobs {
				var reads sync.WaitGroup
				reads.Add(1)
				go func() { defer reads.Done(); post(i, 0) }()
				post(i, 1)
				reads.Wait()
				for call := range writes {
					post(i, 2+call)
				}
			}
		}()
	}
	for i := range apps {
		jobs <- i
	}
	close(jobs)
	wg.Wait()
	return time.Since(start)
}
