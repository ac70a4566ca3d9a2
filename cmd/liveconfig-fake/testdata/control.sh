#!/usr/bin/env bash
# Drives liveconfig-fake from a shell, as a test in any language would: start it, wait on its health, inject a
# fault, run a client (the liveconfig command) through it, read the requests back and see the retry, read the
# state, and deliver a webhook to a receiver (examples/webhook-receiver) and see its answer.
#
#   FAKE=path/to/liveconfig-fake CLI=path/to/liveconfig RECEIVER=path/to/webhook-receiver bash control.sh
# It prints "ok" and exits 0 when every step saw what it should.
set -euo pipefail
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "control.sh: $*" >&2; exit 1; }

# want TEXT PATTERN: TEXT matches the extended regular expression PATTERN.
want() { grep -Eq -- "$2" <<<"$1" || fail "expected /$2/ in: $1"; }

"$FAKE" -addr 127.0.0.1:0 -sdkappid 1400000001 -key shell-test-key > "$work/fake.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do [ -s "$work/fake.out" ] && break; sleep 0.05; done
base=$(head -n 1 "$work/fake.out")
[[ $base == http://* ]] || fail "no base URL: $(cat "$work/fake.out")"
for _ in $(seq 100); do curl -fsS "$base/_fake/health" > /dev/null 2>&1 && break; sleep 0.05; done
want "$(curl -fsS "$base/_fake/health")" '"status":"ok"'
app="$base/_fake/apps/1400000001"

# A 100001 on the next set_callback: the client retries past it.
curl -fsS -X POST -d '{"endpoint":"set_callback","code":100001}' "$app/faults" > /dev/null
export LIVECONFIG_SDKAPPID=1400000001 LIVECONFIG_IDENTIFIER=administrator LIVECONFIG_SECRET_KEY=shell-test-key LIVECONFIG_ENDPOINT="$base"
"$CLI" callback create --url http://127.0.0.1:1/tencent/webhook --command Live.CallbackAfterCreateRoom > /dev/null
requests=$(curl -fsS "$base/_fake/requests?since=0")
# The create answered 100001, then its retry 0 (each request object ends with its code).
want "$requests" '"endpoint":"set_callback".*"code":100001\}.*"endpoint":"set_callback".*"code":0\}'
next=$(grep -Eo '"next":[0-9]+' <<<"$requests" | cut -d: -f2)
want "$(curl -fsS "$base/_fake/requests?since=$next")" '"requests":\[\]'
want "$(curl -fsS "$app")" '"commands":\["Live.CallbackAfterCreateRoom"\]'
if grep -q shell-test-key <<<"$(curl -fsS "$app")$requests"; then fail "a control answer holds the key"; fi

# A receiver with the app's token; the fake delivers to it as Tencent would.
LIVECONFIG_SECRET_KEY= WEBHOOK_TOKEN=shell-token "$RECEIVER" -addr 127.0.0.1:0 > "$work/receiver.out" 2>&1 &
pids+=($!)
for _ in $(seq 100); do grep -q "receiving webhooks" "$work/receiver.out" 2>/dev/null && break; sleep 0.05; done
receiver=$(grep -Eo 'addr=127\.0\.0\.1:[0-9]+' "$work/receiver.out" | head -n 1 | cut -d= -f2)
[ -n "$receiver" ] || fail "the receiver did not start: $(cat "$work/receiver.out")"
curl -fsS -X PUT -d '{"callback":{"url":"http://'"$receiver"'/tencent/webhook","commands":["Live.CallbackAfterCreateRoom","Live.CallbackBeforeSendGift"]},"token":{"token":"shell-token","enabled":true}}' "$app" > /dev/null
want "$(curl -fsS -X POST -d '{"command":"Live.CallbackAfterCreateRoom"}' "$app/deliver")" '"http_status":200,"action_status":"OK","error_code":0'
want "$(curl -fsS -X POST -d '{"command":"Live.CallbackBeforeSendGift","body":{"RoomId":"r1","GiftWater":{"Coins":9000,"Count":1}}}' "$app/deliver")" '"error_code":102150'
grep -q 'msg="room created"' "$work/receiver.out" || fail "the receiver did not handle the webhook: $(cat "$work/receiver.out")"
echo ok
