#!/usr/bin/env bash
# Reproduces BENCHMARKS.md: runs every benchmark ten times, summarises them with benchstat and prints the
# ratios the targets are stated in. The client, a plain resty call and the bare net/http floor run in the same
# process; BenchmarkPaired and BenchmarkRealisticLatency make their calls in turn, call by call, so their
# ratios hold even when the machine's speed drifts. Takes about eight minutes.
# scripts/instructions.sh counts instructions instead of time.
#
#   scripts/bench.sh [output-dir]
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-bench-results}
mkdir -p "$out"
benchstat="go run golang.org/x/perf/cmd/benchstat@v0.0.0-20260908200009-22c9c6c9d4da"

go test -run '^$' -bench 'Client|BareNetHTTP|PlainResty|Paired|NaiveSignPerCall|TLS|UserSig' -benchmem -count 10 . | tee "$out/client.txt"
(cd liveconfigotel && go test -run '^$' -bench 'Observed' -benchmem -benchtime 20000x -count 8 .) | tee "$out/otel.txt"
# A round of the realistic benchmark takes 40 ms; 3 s gives about 75 rounds sequentially.
go test -run '^$' -bench 'RealisticLatency' -benchmem -benchtime 3s -count 10 . | tee -a "$out/client.txt"
go test -run '^$' -bench 'Webhook' -benchmem -count 10 ./webhook | tee "$out/webhook.txt"
go test -run '^$' -bench 'RateLimited' -benchtime 1x -count 3 . | tee "$out/ratelimit.txt"

echo
$benchstat "$out/client.txt" "$out/webhook.txt"
echo

# ratio NAME_A NAME_B FIELD: the ratio of the medians of FIELD ("ns/op" or "allocs/op") of two benchmarks.
ratio() {
  cat "$out/client.txt" "$out/webhook.txt" | awk -v a="$1" -v b="$2" -v field="$3" '
    function median(list, n,   i, j, t) {
      for (i = 2; i <= n; i++) for (j = i; j > 1 && list[j-1] > list[j]; j--) { t = list[j]; list[j] = list[j-1]; list[j-1] = t }
      return n % 2 ? list[(n+1)/2] : (list[n/2] + list[n/2+1]) / 2
    }
    { name = $1; sub(/-[0-9]+$/, "", name)
      for (i = 2; i < NF; i++) if ($(i+1) == field) { if (name == a) av[++na] = $i; if (name == b) bv[++nb] = $i } }
    END { if (na && nb) printf "%-58s %-10s %.3f\n", a " / " b, field, median(av, na) / median(bv, nb) }'
}

# metric NAME FIELD: the median of a metric that one benchmark reports, such as BenchmarkPaired's client/bare.
metric() {
  awk -v a="$1" -v field="$2" '
    { name = $1; sub(/-[0-9]+$/, "", name)
      if (name == a) for (i = 2; i < NF; i++) if ($(i+1) == field) v[++n] = $i }
    END { if (!n) exit
      for (i = 2; i <= n; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
      printf "%-58s %-10s %.3f\n", a, field, n % 2 ? v[(n+1)/2] : (v[n/2] + v[n/2+1]) / 2 }' "$out/client.txt" "$out/otel.txt"
}

echo "Ratios of medians. Targets: client/resty <= 1.10 time, <= 1.15 allocs; client/bare <= 1.35 time,"
echo "<= 1.40 allocs; realistic client/bare <= 1.02; webhook/unmarshal <= 1.50 time"
metric BenchmarkRealisticLatency/Sequential client/bare
metric BenchmarkRealisticLatency/Parallel client/bare
metric BenchmarkPaired/Sequential client/resty
metric BenchmarkPaired/Parallel client/resty
metric BenchmarkPaired/Sequential client/bare
metric BenchmarkPaired/Parallel client/bare
echo "OpenTelemetry: observed/unobserved, target on no-op providers <= 1.03"
metric BenchmarkObserved/Noop/Sequential otel-noop/client
metric BenchmarkObserved/Noop/Parallel otel-noop/client
metric BenchmarkObserved/SDK/Sequential otel-sdk/client
metric BenchmarkObserved/SDK/Parallel otel-sdk/client
ratio BenchmarkClient/GetCallback BenchmarkPlainResty/Sequential ns/op
ratio BenchmarkClient/GetCallback BenchmarkPlainResty/Sequential allocs/op
ratio BenchmarkClient/GetCallbackParallel BenchmarkPlainResty/Parallel ns/op
ratio BenchmarkClient/GetCallbackParallel BenchmarkPlainResty/Parallel allocs/op
ratio BenchmarkClient/GetCallback BenchmarkBareNetHTTP/Sequential ns/op
ratio BenchmarkClient/GetCallback BenchmarkBareNetHTTP/Sequential allocs/op
ratio BenchmarkClient/GetCallbackParallel BenchmarkBareNetHTTP/Parallel ns/op
ratio BenchmarkClient/GetCallbackParallel BenchmarkBareNetHTTP/Parallel allocs/op
ratio BenchmarkNaiveSignPerCall BenchmarkBareNetHTTP/Sequential ns/op
ratio BenchmarkWebhook/Handler BenchmarkWebhook/JSONUnmarshal ns/op
ratio BenchmarkWebhook/Handler BenchmarkWebhook/JSONUnmarshal allocs/op
