#!/usr/bin/env bash
# Counts the machine instructions one call costs, the client's and the floor's, with valgrind's callgrind.
# Unlike wall time, the count does not depend on what else the machine is doing: repeated runs agree within
# about 1 %, where times on a shared machine move by 10 to 25 %. It measures work, not waiting, and includes
# the in-process server's share, as the time benchmarks do. Takes about five minutes; needs valgrind.
#
#   scripts/instructions.sh [repeats]
#
# Each benchmark runs twice under callgrind, for a short and a long count of iterations (200 and 1,200 calls,
# 2,000 and 12,000 webhooks); the difference divided by the difference of the counts is the cost of one
# iteration, with the start-up and set-up cancelled out. GOMAXPROCS=1 because
# callgrind runs one thread at a time, and with more Ps the idle ones spin for work a varying number of
# times; asyncpreemptoff because callgrind cannot follow Go's preemption signal.
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "scripts/instructions.sh needs valgrind (apt-get install valgrind)" >&2; exit 1; }
repeats=${1:-3}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
go test -c -o "$dir/liveconfig.test" .
go test -c -o "$dir/webhook.test" ./webhook

# count BINARY BENCH N: the instructions of the whole process.
count() {
  GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1 valgrind --tool=callgrind --callgrind-out-file=/dev/null \
    "$1" -test.run '^$' -test.bench "$2" -test.benchtime "$3x" 2>&1 | awk '/Collected/ { print $4 }'
}

# per_call BINARY BENCH SHORT: the instructions of one iteration, from runs of SHORT and 6 x SHORT iterations.
per_call() {
  local short long
  short=$(count "$1" "$2" "$3")
  long=$(count "$1" "$2" $((6 * $3)))
  echo $(((long - short) / (5 * $3)))
}

# compare BINARY BENCH_A BENCH_B SHORT: one line with both counts and their ratio.
compare() {
  local a b
  a=$(per_call "$1" "$2" "$4")
  b=$(per_call "$1" "$3" "$4")
  awk -v na="$2" -v nb="$3" -v a="$a" -v b="$b" \
    'BEGIN { printf "%-40s %9d  %-36s %9d  ratio %.3f\n", na, a, nb, b, a / b }'
}

echo "instructions per call (whole round trip, server included)"
for _ in $(seq "$repeats"); do
  compare "$dir/liveconfig.test" 'BenchmarkClient/GetCallback$' 'BenchmarkPlainResty/Sequential$' 200
  compare "$dir/liveconfig.test" 'BenchmarkClient/GetCallback$' 'BenchmarkBareNetHTTP/Sequential$' 200
  compare "$dir/webhook.test" 'BenchmarkWebhook/Handler$' 'BenchmarkWebhook/JSONUnmarshal$' 2000
done
