#!/usr/bin/env python3
"""Records golden answers from a real Loki 2.8 (see docs/conformance.md): pushes dataset.json,
waits until it is queryable, runs every request of queries.py and writes
Tests/EndToEndTests/Golden/answers.json — request, status and body (JSON bodies parsed, `stats`
dropped). Usage: record.py http://127.0.0.1:3199 [dataset.json] [answers.json]
With --stats (a Loki whose index is TSDB: loki.yaml with `store: tsdb`, `schema: v12`; see docs/conformance.md): pushes, flushes, waits until `index/stats`
counts every stream, and records queries.stats_requests() into
Tests/EndToEndTests/Golden/stats-answers.json instead."""
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
    stats = "--stats" in sys.argv
    args = [a for a in sys.argv[1:] if a != "--stats"]
    base = args[0]
    dataset = args[1] if len(args) > 1 else "Tests/EndToEndTests/Golden/dataset.json"
    out = args[2] if len(args) > 2 else ("Tests/EndToEndTests/Golden/stats-answers.json" if stats else "Tests/EndToEndTests/Golden/answers.json")
    body = open(dataset, "rb").read()
    req = urllib.request.Request(base + "/loki/api/v1/push", data=body, headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req) as r:
        assert r.status == 204, r.status
    time.sleep(2)
    if stats:
        # Loki's index answers only for flushed chunks: flush, then wait for all six streams.
        urllib.request.urlopen(urllib.request.Request(base + "/flush", data=b"", method="POST")).read()
        span = {"start": str(queries.T0 * 10**9), "end": str(queries.END * 10**9)}
        for _ in range(120):
            status, text = call(base, "/loki/api/v1/index/stats", dict(span, query='{app=~".+"}'))
            if status == 200 and json.loads(text).get("streams") == 6:
                break
            time.sleep(1)
    answers = []
    for path, params in (queries.stats_requests() if stats else queries.requests()):
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
