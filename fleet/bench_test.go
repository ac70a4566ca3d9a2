package fleet_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/go-tuilive/liveconfig/fleet"
)

// BenchmarkLoad decodes and checks a fleet file of 1,000 apps.
func BenchmarkLoad(b *testing.B) {
	var file strings.Builder
	file.WriteString("defaults:\n  region: singapore\n  identifier: administrator\n  callback:\n    url: https://live.example.com/cb\n" +
		"    commands: [Live.CallbackAfterCreateRoom, Live.CallbackAfterDestroyRoom]\n  token: {token_env: WEBHOOK_TOKEN}\napps:\n")
	for i := range 1000 {
		fmt.Fprintf(&file, "  - name: app-%d\n    sdkappid: %d\n    secret_key_file: keys/app-%d\n", i, 1400000000+i, i)
	}
	text := file.String()
	b.SetBytes(int64(len(text)))
	b.ReportAllocs()
	for b.Loop() {
		f, err := fleet.Decode(strings.NewReader(text), "/etc/fleet")
		if err != nil || len(f.Apps) != 1000 {
			b.Fatal(err)
		}
	}
}

// BenchmarkPlanPerApp plans apps on the fake in this process, with no latency: what one app costs the
// tool, its signing included (one UserSig per app and run), and the fake's side.
func BenchmarkPlanPerApp(b *testing.B) {
	const n = 200
	fx := newFixture(b, n)
	f := fx.file(b, defaultCallback, func(i int) string { return fmt.Sprintf("    token: {token_env: TOKEN_%d}\n", i) })
	opts := fx.options()
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		rep, err := fleet.Plan(context.Background(), f, opts)
		if err != nil || rep.Summary().Failed != 0 {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(b.N*n), "ns/app")
}
