#!/usr/bin/env bash
# Load test of the webhook receiver: wrk sends signed Live.CallbackAfterMemberStateChanged webhooks over 64
# connections to three receivers, each pinned to one core (GOMAXPROCS=1, taskset): webhook.NewHandler, the
# same with the in-memory duplicate filter (every body distinct, so each is checked and handled), and a naive
# handler written by hand (net/http, url.Query, the SHA-256 check, json.Unmarshal into the same struct). wrk
# runs on the other core. A round starts the three and loads them in turn, one second at a time, in a rotated
# order, until each has had DURATION seconds: one receiver is loaded at any moment, and a slower or faster
# spell of the machine falls on all three alike rather than on whichever runs then. The script prints each
# round and the medians of the ratios against the naive handler: requests a second, and CPU seconds per
# request (the receiver's own user and system time over the events it handled). Installs wrk with apt-get if
# it is missing.
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

modes=(naive handler dedup)

# start_receivers: serves every mode on core 0, mode k on port+k, and waits until each listens.
start_receivers() {
  local k
  pids=()
  for k in 0 1 2; do
    GOMAXPROCS=1 taskset -c 0 "$work/webhook-load" serve -mode "${modes[$k]}" -addr "127.0.0.1:$((port + k))" \
      > "$work/${modes[$k]}.out" 2> "$work/${modes[$k]}.err" &
    pids[k]=$!
    for _ in $(seq 100); do
      if (exec 3<>"/dev/tcp/127.0.0.1/$((port + k))") 2>/dev/null; then break; fi
      sleep 0.05
    done
  done
}

# load K: loads mode K from core 1 for one second; adds the requests and the seconds wrk measured.
load() {
  local k=$1 out
  out=$(taskset -c 1 wrk -t 2 -c 64 -d 1s -s "$work/load.lua" "http://127.0.0.1:$((port + k))")
  if grep -q "Non-2xx" <<< "$out"; then
    echo "webhook-load: ${modes[$k]} answered errors:" >&2
    echo "$out" >&2
    kill -TERM "${pids[@]}" 2>/dev/null
    exit 1
  fi
  read -r n secs < <(awk '/requests in/ { sub(/,$/, "", $4); s = $4; if (s ~ /ms$/) s = s / 1000; else sub(/s$/, "", s); print $1, s }' <<< "$out")
  requests[k]=$(( ${requests[k]} + n ))
  seconds[k]=$(awk -v a="${seconds[k]}" -v b="$secs" 'BEGIN { print a + b }')
}

# round R: one round; prints "MODE req/s cpu-us/request (handled)" for each mode.
round() {
  local r=$1 slice j k handled cpu
  requests=(0 0 0)
  seconds=(0 0 0)
  start_receivers
  for slice in $(seq "$duration"); do
    # Signed now (a signature is good for a minute), and counting on from the last slice, so that every body
    # is new to the filter: 1e6 a slice leaves room for a million requests a second.
    "$work/webhook-load" wrk-script -first $(( slice * 1000000 )) > "$work/load.lua"
    for j in 0 1 2; do
      load $(( (r + slice + j) % 3 ))
    done
  done
  for k in 0 1 2; do
    kill -TERM "${pids[k]}"
    wait "${pids[k]}"
    handled=$(sed -n 's/.*handled=\([0-9]*\).*/\1/p' "$work/${modes[$k]}.out")
    cpu=$(sed -n 's/.*cpu_seconds=\([0-9.]*\).*/\1/p' "$work/${modes[$k]}.out")
    awk -v m="${modes[$k]}" -v n="${requests[k]}" -v s="${seconds[k]}" -v h="$handled" -v c="$cpu" \
      'BEGIN { printf "%-8s %10.0f req/s %8.2f us CPU/request (%d handled)\n", m, n / s, c * 1e6 / h, h }'
  done
}

for r in $(seq "$rounds"); do
  round "$r"
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
