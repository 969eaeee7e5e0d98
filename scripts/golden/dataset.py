#!/usr/bin/env python3
"""Writes the golden-conformance dataset: one Loki push body (JSON) with a fixed, seeded mix of
streams — JSON, logfmt, plain text with addresses, an access log, ANSI colours, broken lines —
over one hour from T0. The same body is pushed to real Loki (scripts/golden/record.py) and to Skald
(Tests/EndToEndTests/GoldenConformanceTests.swift)."""
import json
import random
import sys

T0 = 1_700_000_000 * 10**9  # 2023-11-14T22:13:20Z
SPAN = 3600 * 10**9


def main(out):
    rnd = random.Random(20261122)
    streams = {}

    def add(labels, ts, line):
        streams.setdefault(labels, []).append([str(ts), line])

    levels = ["info", "info", "info", "warn", "error", "debug"]
    paths = ["/api/users", "/api/orders", "/health", "/api/items/42", "/login"]
    # JSON API logs, two pods.
    for pod in ["api-1", "api-2"]:
        t = T0 + rnd.randrange(10**9)
        while t < T0 + SPAN:
            status = rnd.choice([200, 200, 200, 201, 204, 301, 404, 500, 502, 503])
            rec = {
                "level": rnd.choice(levels),
                "status": status,
                "latency": f"{rnd.randrange(1, 900)}ms",
                "path": rnd.choice(paths),
                "bytes": rnd.randrange(0, 50000),
                "user": {"id": rnd.randrange(1, 20), "name": rnd.choice(["ann", "bob", "cy"])},
                "tags": ["a", rnd.choice(["b", "c"])],
                "msg": rnd.choice(["request served", "upstream timeout", "cache miss", "user login"]),
            }
            add(f'{{app="api", env="prod", pod="{pod}"}}', t, json.dumps(rec, separators=(",", ":")))
            t += rnd.randrange(5, 40) * 10**9 + rnd.randrange(10**9)
    # logfmt web logs.
    t = T0 + rnd.randrange(10**9)
    while t < T0 + SPAN:
        status = rnd.choice([200, 200, 302, 404, 500])
        msg = rnd.choice(["ok", "not found", "server error", "slow request"])
        line = (f'level={rnd.choice(levels)} method={rnd.choice(["GET", "POST", "PUT"])} path={rnd.choice(paths)} '
                f'status={status} duration={rnd.randrange(1, 3000)}ms size={rnd.randrange(1, 900)}KB msg="{msg}"')
        if rnd.random() < 0.1:
            line += " caller=handler.go:42"
        add('{app="web", env="prod", team="frontend"}', t, line)
        t += rnd.randrange(3, 30) * 10**9 + rnd.randrange(10**9)
    # Plain text with addresses.
    t = T0 + rnd.randrange(10**9)
    while t < T0 + SPAN:
        ip = rnd.choice(["10.0.1.5", "10.0.2.17", "192.168.1.100", "172.16.0.3", "2001:db8::1", "fe80::42"])
        kind = rnd.choice(["ERROR connection from {ip} failed", "INFO accepted connection from {ip}",
                           "WARN slow query from {ip} took {d}ms", "INFO checkpoint complete"])
        add('{app="db", env="dev"}', t, kind.format(ip=ip, d=rnd.randrange(100, 5000)))
        t += rnd.randrange(10, 60) * 10**9 + rnd.randrange(10**9)
    # Access log (pattern).
    t = T0 + rnd.randrange(10**9)
    while t < T0 + SPAN:
        ip = f"192.168.{rnd.randrange(0, 3)}.{rnd.randrange(1, 255)}"
        method = rnd.choice(["GET", "POST", "DELETE"])
        status = rnd.choice([200, 200, 404, 500])
        add('{app="nginx", env="prod"}', t,
            f'{ip} - - [14/Nov/2023:22:13:20 +0000] "{method} {rnd.choice(paths)} HTTP/1.1" {status} {rnd.randrange(100, 9000)}')
        t += rnd.randrange(5, 45) * 10**9 + rnd.randrange(10**9)
    # A worker with broken JSON, broken logfmt, packed lines and colours.
    t = T0 + rnd.randrange(10**9)
    i = 0
    while t < T0 + SPAN:
        kind = i % 5
        if kind == 0:
            line = json.dumps({"level": rnd.choice(levels), "job": f"job-{i % 7}", "attempt": i % 3})
        elif kind == 1:
            line = '{"level": "error", "job": "broken'
        elif kind == 2:
            line = f"\x1b[31mERROR\x1b[0m job-{i % 7} failed after {i % 3} attempts"
        elif kind == 3:
            line = json.dumps({"_entry": f"packed line {i}", "level": "info", "pod": "w-1"})
        else:
            line = f'level=warn job=job-{i % 7} msg="retrying" =bad'
        add('{app="worker", env="staging"}', t, line)
        t += rnd.randrange(20, 90) * 10**9 + rnd.randrange(10**9)
        i += 1
    body = {"streams": [{"stream": parse(k), "values": v} for k, v in sorted(streams.items())]}
    with open(out, "w") as f:
        json.dump(body, f, separators=(",", ":"))
    print(f"{sum(len(v) for v in streams.values())} lines in {len(streams)} streams -> {out}", file=sys.stderr)


def parse(labels):
    out = {}
    for part in labels.strip("{}").split(", "):
        k, v = part.split("=", 1)
        out[k] = v.strip('"')
    return out


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "dataset.json")
