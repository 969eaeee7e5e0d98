#!/usr/bin/env python3
"""Records golden answers from a real Loki 2.8 (see docs/conformance.md): pushes dataset.json,
waits until it is queryable, runs every request of queries.py and writes
Tests/EndToEndTests/Golden/answers.json — request, status and body (JSON bodies parsed, `stats`
dropped). Usage: record.py http://127.0.0.1:3199 [dataset.json] [answers.json]"""
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request

sys.path.insert(0, __import__("os").path.dirname(__file__))
import queries  # noqa: E402


def call(base, path, params):
    url = base + path + "?" + urllib.parse.urlencode(params)
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def main():
    base = sys.argv[1]
    dataset = sys.argv[2] if len(sys.argv) > 2 else "Tests/EndToEndTests/Golden/dataset.json"
    out = sys.argv[3] if len(sys.argv) > 3 else "Tests/EndToEndTests/Golden/answers.json"
    body = open(dataset, "rb").read()
    req = urllib.request.Request(base + "/loki/api/v1/push", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        assert r.status == 204, r.status
    time.sleep(2)
    answers = []
    for path, params in queries.requests():
        status, text = call(base, path, params)
        try:
            parsed = json.loads(text)
            if isinstance(parsed, dict) and isinstance(parsed.get("data"), dict):
                parsed["data"].pop("stats", None)
            answer = {"json": parsed}
        except ValueError:
            answer = {"text": text.strip()}
        answers.append({"path": path, "params": params, "status": status, **answer})
    with open(out, "w") as f:
        json.dump({"recordedWith": "Loki 2.8.11 (built from its public source with Debian's Go 1.19)",
                   "answers": answers}, f, indent=1, sort_keys=True)
    bad = sum(1 for a in answers if a["status"] != 200)
    print(f"{len(answers)} answers ({bad} not 200) -> {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
