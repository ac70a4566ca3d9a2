"""Drives liveconfig-fake from Python's standard library, as a receiver's test in Python would: start it, wait on
its health, inject a fault, run a client (the liveconfig command) through it, read the requests back and see the
retry, read the state, and deliver a webhook to a receiver (examples/webhook-receiver) and see its answer.

    FAKE=... CLI=... RECEIVER=... python3 control.py

It prints "ok" and exits 0 when every step saw what it should.
"""
import json
import os
import re
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request


def call(method, url, body=None):
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(url, data=data, method=method)
    try:
        with urllib.request.urlopen(req, timeout=5) as resp:
            return resp.status, json.load(resp)
    except urllib.error.HTTPError as err:
        return err.code, json.load(err)


def wait_for(check, what):
    for _ in range(200):
        try:
            if check():
                return
        except OSError:
            pass
        time.sleep(0.05)
    sys.exit(f"control.py: {what} did not come")


def main():
    procs = []
    try:
        procs.append(subprocess.Popen([os.environ["FAKE"], "-addr", "127.0.0.1:0", "-sdkappid", "1400000001", "-key", "python-test-key"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True))
        base = procs[0].stdout.readline().strip()
        assert base.startswith("http://"), base
        wait_for(lambda: call("GET", base + "/_fake/health")[0] == 200, "health")
        app = base + "/_fake/apps/1400000001"

        status, _ = call("POST", app + "/faults", {"endpoint": "set_callback", "code": 100001})
        assert status == 201, status
        env = dict(os.environ, LIVECONFIG_SDKAPPID="1400000001", LIVECONFIG_IDENTIFIER="administrator",
                   LIVECONFIG_SECRET_KEY="python-test-key", LIVECONFIG_ENDPOINT=base)
        subprocess.run([os.environ["CLI"], "callback", "create", "--url", "http://127.0.0.1:1/tencent/webhook",
                        "--command", "Live.CallbackAfterCreateRoom"], env=env, check=True, stdout=subprocess.DEVNULL)
        _, got = call("GET", base + "/_fake/requests?since=0")
        codes = [(r["endpoint"], r["code"]) for r in got["requests"]]
        assert codes == [("set_callback", 100001), ("set_callback", 0)], codes
        _, newer = call("GET", f"{base}/_fake/requests?since={got['next']}")
        assert newer["requests"] == [], newer
        _, state = call("GET", app)
        assert state["callback"]["commands"] == ["Live.CallbackAfterCreateRoom"], state
        assert "python-test-key" not in json.dumps([got, state])

        # A fault on one endpoint, cleared for that endpoint alone.
        call("POST", app + "/faults", {"endpoint": "get_callback", "code": 70403, "always": True})
        get = [os.environ["CLI"], "callback", "get"]
        assert subprocess.run(get, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL).returncode == 3
        status, _ = call("DELETE", app + "/faults?endpoint=get_callback")
        assert status == 200, status
        subprocess.run(get, env=env, check=True, stdout=subprocess.DEVNULL)

        log = tempfile.NamedTemporaryFile("w+")
        procs.append(subprocess.Popen([os.environ["RECEIVER"], "-addr", "127.0.0.1:0"], stdout=log, stderr=log,
                                      env=dict(os.environ, LIVECONFIG_SDKAPPID="1400000001", WEBHOOK_TOKEN="python-token")))
        wait_for(lambda: "receiving webhooks" in open(log.name).read(), "the receiver")
        receiver = re.search(r"addr=(127\.0\.0\.1:\d+)", open(log.name).read()).group(1)
        call("PUT", app, {"callback": {"url": f"http://{receiver}/tencent/webhook",
                                       "commands": ["Live.CallbackAfterCreateRoom", "Live.CallbackBeforeSendGift"]},
                          "token": {"token": "python-token", "enabled": True}})
        status, answer = call("POST", app + "/deliver", {"command": "Live.CallbackAfterCreateRoom"})
        assert (status, answer["error_code"], answer["action_status"]) == (200, 0, "OK"), (status, answer)
        status, answer = call("POST", app + "/deliver", {"command": "Live.CallbackBeforeSendGift",
                                                         "body": {"RoomId": "r1", "GiftWater": {"Coins": 9000, "Count": 1}}})
        assert (status, answer["error_code"]) == (200, 102150), (status, answer)
        assert 'msg="room created"' in open(log.name).read()
        print("ok")
    finally:
        for p in procs:
            p.kill()
            p.wait()


if __name__ == "__main__":
    main()
