#!/usr/bin/env bash
# Load test of the webhook receiver: wrk sends signed Live.CallbackAfterMemberStateChanged webhooks over 64
# connections to three receivers in turn, each pinned to one core (GOMAXPROCS=1, taskset): webhook.NewHandler,
# the same with the in-memory duplicate filter (every body distinct, so each is checked and handled), and a
# naive handler written by hand (net/http, url.Query, the SHA-256 check, json.Unmarshal into the same struct).
# wrk runs on the other core. Each round runs the three in a rotated order; the script prints every run and
# the medians of the ratios against the naive handler: requests a second, and CPU seconds per request (the
# receiver's own user and system time over the events it handled). Installs wrk with apt-get if it is missing.
#
#   scripts/webhook-load.sh            # 3 rounds of 20 s each (about 3 minutes)
#   ROUNDS=5 DURATION=10 scripts/webhook-load.sh
set -euo pipefail
cd "$(dirname "$0")/.."
rounds=${ROUNDS:-3}
duration=${DURATION:-20}
port=${PORT:-18089}

if ! command -v wrk >/dev/null 2>&1; then
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ "$(nproc)" -lt 2 ]; then
  echo "webhook-load: needs 2 cores, one for the receiver and one for wrk" >&2
  exit 1
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
go build -o "$work/webhook-load" ./webhook/internal/cmd/webhook-load

# run MODE: serves MODE on core 0 while wrk loads it from core 1; prints "MODE req/s cpu-us/request".
run() {
  local mode=$1 pid out
  GOMAXPROCS=1 taskset -c 0 "$work/webhook-load" serve -mode "$mode" -addr "127.0.0.1:$port" > "$work/$mode.out" 2> "$work/$mode.err" &
  pid=$!
  for _ in $(seq 100); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then break; fi
    sleep 0.05
  done
  "$work/webhook-load" wrk-script > "$work/load.lua"
  out=$(taskset -c 1 wrk -t 2 -c 64 -d "${duration}s" -s "$work/load.lua" "http://127.0.0.1:$port")
  kill -TERM "$pid"
  wait "$pid"
  if grep -q "Non-2xx" <<< "$out"; then
    echo "webhook-load: $mode answered errors:" >&2
    echo "$out" >&2
    exit 1
  fi
  local rps handled cpu
  rps=$(awk '/^Requests\/sec:/ { print $2 }' <<< "$out")
  handled=$(sed -n 's/.*handled=\([0-9]*\).*/\1/p' "$work/$mode.out")
  cpu=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$work/$mode.out")
  awk -v m="$mode" -v r="$rps" -v h="$handled" -v c="$cpu" 'BEGIN { printf "%-8s %10.0f req/s %8.2f us CPU/request (%d handled)\n", m, r, c * 1e6 / h, h }'
}

modes=(naive handler dedup)
for round in $(seq "$rounds"); do
  for k in 0 1 2; do
    run "${modes[$(( (round + k) % 3 ))]}"
  done
done | tee "$work/results.txt"

echo
awk '
  { rps[$1, ++n[$1]] = $2; cpu[$1, n[$1]] = $4 }
  function median(kind, mode,   i, j, t, v, c) {
    c = n[mode]
    for (i = 1; i <= c; i++) v[i] = (kind == "rps" ? rps[mode, i] : cpu[mode, i])
    for (i = 2; i <= c; i++) for (j = i; j > 1 && v[j-1] > v[j]; j--) { t = v[j]; v[j] = v[j-1]; v[j-1] = t }
    return c % 2 ? v[(c+1)/2] : (v[c/2] + v[c/2+1]) / 2
  }
  END {
    print "Medians against the naive handler. Targets: req/s >= 0.95x, CPU/request <= 1.10x"
    for (k = 1; k <= 2; k++) {
      m = (k == 1 ? "handler" : "dedup")
      printf "%-8s req/s %.3fx   CPU/request %.3fx\n", m, median("rps", m) / median("rps", "naive"), median("cpu", m) / median("cpu", "naive")
    }
  }' "$work/results.txt"
