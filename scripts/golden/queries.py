"""The golden-conformance requests: (path, params) pairs over the dataset of dataset.py. Times are
fixed (the dataset's hour from T0), so the answers never depend on when they run."""
T0 = 1_700_000_000
END = T0 + 3600
MID = T0 + 1800


def log(q, limit=20, direction="backward", start=T0, end=END):
    return ("/loki/api/v1/query_range",
            {"query": q, "limit": str(limit), "direction": direction, "start": str(start * 10**9), "end": str(end * 10**9)})


def rng(q, step=300, start=T0, end=END):
    return ("/loki/api/v1/query_range", {"query": q, "step": str(step), "start": str(start), "end": str(end)})


def inst(q, t=MID, limit=20):
    return ("/loki/api/v1/query", {"query": q, "time": str(t), "limit": str(limit)})


API, WEB, DB, NGINX, WORKER = '{app="api"}', '{app="web"}', '{app="db"}', '{app="nginx"}', '{app="worker"}'
ACCESS = r'| pattern `<ip> - - [<_>] "<method> <path> <_>" <status> <size>`'

LOG_QUERIES = [
    # selectors and direction
    (API, 10, "backward"), (API, 10, "forward"), ('{app="api", pod="api-2"}', 5, "backward"),
    ('{app=~"api|web"}', 15, "backward"), ('{app!="api", env="prod"}', 10, "forward"), ('{app=~"w.*"}', 10, "backward"),
    ('{env!~"prod|dev"}', 10, "backward"), ('{app="api", pod=~"api-[12]", env!="dev"}', 7, "forward"),
    ('{app="nope"}', 10, "backward"), (WEB, 1, "backward"),
    # line filters
    (API + ' |= "error"', 10, "backward"), (API + ' != "info"', 10, "forward"), (API + r' |~ "status\":5\\d\\d"', 10, "backward"),
    (API + r' !~ "\"level\":\"(info|debug)\""', 10, "backward"), (DB + ' |= "ERROR" |= "10.0"', 10, "backward"),
    (DB + ' |~ "(?i)error"', 10, "backward"), (DB + ' |= `connection from`', 10, "forward"), (WEB + ' |= "GET" != "/health"', 10, "backward"),
    (WEB + ' |~ "status=(404|500)"', 10, "forward"), (DB + ' |= ""', 5, "backward"),
    # ip filters
    (DB + ' |= ip("10.0.0.0/16")', 10, "backward"), (DB + ' != ip("192.168.1.100")', 10, "forward"),
    (DB + ' |= ip("2001:db8::/32")', 10, "backward"), (DB + ' |= ip("10.0.1.1-10.0.2.20")', 10, "forward"),
    (NGINX + ' |= ip("192.168.1.0/24")', 10, "backward"),
    # json
    (API + ' | json', 5, "backward"), (API + ' | json | status >= 500', 10, "backward"), (API + ' | json | level="error"', 10, "forward"),
    (API + ' | json | latency > 500ms', 10, "backward"), (API + ' | json | bytes > 40000', 10, "forward"),
    (API + ' | json status, p="path"', 10, "backward"), (API + ' | json u="user.name"', 10, "forward"),
    (API + ' | json tag="tags[1]"', 10, "backward"), (API + ' | json | user_name="ann"', 10, "backward"),
    (API + ' | json | status >= 500 and latency < 100ms', 10, "backward"), (API + ' | json | status == 404 or status == 301', 10, "forward"),
    (API + ' | json | path =~ "/api/.*" | status != 200', 10, "backward"), (API + ' | json | user_id > 15, level != "info"', 10, "backward"),
    (API + ' | json | msg = "cache miss" | bytes <= 1000', 10, "forward"),
    # logfmt
    (WEB + ' | logfmt', 5, "backward"), (WEB + ' | logfmt | status >= 500', 10, "backward"), (WEB + ' | logfmt | duration > 2s', 10, "forward"),
    (WEB + ' | logfmt | size > 500KB', 10, "backward"), (WEB + ' | logfmt | level="error" or status=404', 10, "backward"),
    (WEB + ' | logfmt | method="GET", path=~"/api.*"', 10, "forward"), (WEB + ' | logfmt | caller != ""', 10, "backward"),
    (WEB + ' | logfmt | msg="slow request" | duration >= 1500ms', 10, "backward"),
    # regexp and pattern
    (DB + ' | regexp "(?P<level>[A-Z]+) (?P<rest>.*)"', 10, "backward"),
    (DB + ' | regexp "from (?P<ip>\\\\S+)" | ip != ""', 10, "forward"),
    (NGINX + ' ' + ACCESS, 10, "backward"), (NGINX + ' ' + ACCESS + ' | status="500"', 10, "backward"),
    (NGINX + ' ' + ACCESS + ' | method="POST" | size > 5000', 10, "forward"),
    # parse errors and broken lines
    (WORKER + ' | json', 10, "forward"), (WORKER + ' | json | __error__!=""', 10, "backward"), (WORKER + ' | json | __error__=""', 10, "backward"),
    (WORKER + ' | logfmt', 10, "forward"), (WORKER + ' | logfmt | __error__=""', 10, "backward"), (WORKER + ' | unpack', 10, "backward"),
    (WORKER + ' | decolorize', 10, "forward"), (WORKER + ' | json | attempt > 1', 10, "backward"),
    (WORKER + ' | json | level="error" or __error__ != ""', 10, "backward"),
    # templates
    (API + ' | json | line_format "{{.level}} {{.path}} {{.status}}"', 10, "backward"),
    (API + ' | json | line_format "{{.level | ToUpper}} {{printf \\"%05d\\" .bytes}}"', 10, "forward"),
    (API + ' | json | line_format "{{if eq .status \\"500\\"}}FAIL{{else}}ok{{end}} {{.user_name}}"', 10, "backward"),
    (API + ' | json | line_format "{{.missing | default \\"none\\"}} {{len .path}} {{.path | replace \\"/\\" \\"_\\"}}"', 10, "backward"),
    (API + ' | json | line_format "{{div .bytes 1000}}KB {{.latency | trimSuffix \\"ms\\"}}"', 10, "forward"),
    (API + ' | json | line_format "{{ __line__ | trunc 20 }}"', 5, "backward"),
    (API + ' | json | line_format "{{ __timestamp__ | date \\"2006-01-02T15:04:05.000Z07:00\\" }}"', 5, "backward"),
    (API + ' | json | label_format lvl=level, code="{{.status}}"', 10, "backward"),
    (API + ' | json | label_format code="{{.status}}" | code="503"', 10, "forward"),
    (WEB + ' | logfmt | line_format "{{.method}} {{.path}} in {{.duration}}" |= "POST"', 10, "backward"),
    (WEB + ' | logfmt | label_format level="{{.level | upper}}", method=path', 10, "backward"),
    (DB + ' | regexp "(?P<level>[A-Z]+) (?P<rest>.*)" | line_format "{{.rest | regexReplaceAll \\"[0-9]+\\" \\"N\\"}}"', 10, "backward"),
    # drop, keep
    (API + ' | json | drop tags_0, tags_1, user_id', 10, "backward"), (API + ' | json | drop level="info", msg', 10, "forward"),
]

METRIC_RANGE = [
    f'count_over_time({API}[5m])', f'rate({API}[5m])', f'bytes_rate({WEB}[5m])', f'bytes_over_time({DB}[10m])',
    f'sum by (pod) (count_over_time({API}[5m]))', f'sum(count_over_time({API} |= "error" [5m]))',
    f'sum by (level) (count_over_time({API} | json [5m]))', f'sum by (status) (rate({WEB} | logfmt [10m]))',
    f'avg_over_time({API} | json | unwrap bytes [5m])', f'max_over_time({API} | json | unwrap duration(latency) [5m])',
    f'min_over_time({API} | json | unwrap duration_seconds(latency) [10m]) by (pod)', f'sum_over_time({WEB} | logfmt | unwrap bytes(size) [10m])',
    f'quantile_over_time(0.9, {API} | json | unwrap bytes [10m]) by (pod)', f'stddev_over_time({API} | json | unwrap bytes [10m])',
    f'stdvar_over_time({API} | json | unwrap status [10m])', f'first_over_time({API} | json | unwrap status [10m]) by (pod)',
    f'last_over_time({API} | json | unwrap status [10m]) by (pod)', f'absent_over_time({{app="nope"}}[5m])',
    f'count_over_time({API}[5m] offset 10m)', f'sum(rate({API}[1m]))', f'rate({WEB} |~ "status=5.." [5m])',
    f'topk(2, sum by (path) (count_over_time({API} | json [10m])))', f'bottomk(1, sum by (pod) (count_over_time({API}[10m])))',
    f'avg by (env) (count_over_time({{env=~".+"}}[5m]))', f'max(count_over_time({{env="prod"}}[5m]))', f'min by (app) (count_over_time({{env="prod"}}[5m]))',
    f'count(count_over_time({{env=~".+"}}[5m]))', f'stddev(count_over_time({{env="prod"}}[5m]))', f'stdvar by (env) (count_over_time({{env=~".+"}}[5m]))',
    f'sort(sum by (app) (count_over_time({{env=~".+"}}[10m])))', f'sort_desc(sum by (app) (count_over_time({{env=~".+"}}[10m])))',
    f'sum(rate({API} |= "error" [5m])) / sum(rate({API}[5m]))', f'sum by (pod) (count_over_time({API}[5m])) > 10',
    f'sum by (pod) (count_over_time({API}[5m])) > bool 10', f'sum by (pod) (count_over_time({API}[5m])) * 2 - 1',
    f'sum by (pod) (count_over_time({API} |= "error" [5m])) and sum by (pod) (count_over_time({API}[5m])) > 9',
    f'sum by (pod) (count_over_time({API} |= "error" [5m])) or sum by (pod) (count_over_time({API} |= "warn" [5m]))',
    f'sum by (pod) (count_over_time({API}[5m])) unless sum by (pod) (count_over_time({API} |= "nothing-matches" [5m]))',
    f'sum by (pod, level) (count_over_time({API} | json [10m])) / on (pod) group_left sum by (pod) (count_over_time({API}[10m]))',
    f'sum by (pod) (count_over_time({API}[10m])) / ignoring (level) sum by (pod) (count_over_time({API}[10m]))',
    'vector(1)', 'vector(1) + vector(1)', '2 * 3 + 1',
    f'label_replace(sum by (pod) (count_over_time({API}[5m])), "n", "$1", "pod", "api-(.*)")',
    f'sum by (path) (count_over_time({NGINX} {ACCESS} [10m]))', f'sum by (ip) (count_over_time({DB} | regexp "from (?P<ip>[0-9.]+)" [30m]))',
    f'sum(count_over_time({WORKER} | json | __error__="" [10m]))', f'sum by (__error__) (count_over_time({WORKER} | json [10m]))',
    f'count_over_time({WORKER} | logfmt | __error__ != "" [10m])', f'rate({DB} |= ip("10.0.0.0/8") [10m])',
    f'sum(count_over_time({API} | json | status >= 500 [5m])) by (path)', f'avg(avg_over_time({WEB} | logfmt | unwrap duration(duration) [5m]))',
    f'sum without (pod) (count_over_time({API}[5m]))', f'sum by (pod) (bytes_over_time({API}[5m])) / 1024',
    f'max_over_time({WEB} | logfmt | unwrap status [5m]) by (method)',
    f'count_over_time({API}[5m]) == 5', f'-sum(count_over_time({API}[5m]))', f'sum(count_over_time({API}[5m])) % 7',
    f'sum(count_over_time({API}[5m])) ^ 2', f'sum(count_over_time({{env=~".+"}}[1h]))',
]

INSTANT = [
    f'count_over_time({API}[5m])', f'sum by (level) (count_over_time({API} | json [30m]))', f'topk(3, sum by (path) (rate({API} | json [30m])))',
    'vector(1) + vector(1)', f'sum(bytes_over_time({{env=~".+"}}[30m]))', f'quantile_over_time(0.5, {API} | json | unwrap latency_ms [30m])',
    f'quantile_over_time(0.99, {API} | json | unwrap duration(latency) [30m]) by (pod)', f'count(sum by (path) (count_over_time({API} | json [30m])))',
    f'sum by (pod) (count_over_time({API}[30m])) / sum(count_over_time({API}[30m]))', f'sort_desc(sum by (app) (count_over_time({{env=~".+"}}[30m])))',
]

INSTANT_LOG = [API + ' |= "error"', WEB + ' | logfmt | status >= 500']

BAD = [
    '{app="api"', '{app="api"} |= ', 'sum(rate({app="api"}[5m])) by', '{}', '{app=~"("}', 'rate({app="api"}[5m]) +',
    'count_over_time({app="api"})', '{app="api"} | json | status > "abc"', 'sum(count_over_time({app="worker"} | json [5m]))',
    '{app="api"} | line_format "{{.a"', 'topk(x, count_over_time({app="api"}[5m]))', '{app="api"} | unwrap bytes',
    'rate({app="api"} | json | unwrap bytes [5m])', '{name=""}', 'sum by (level) (count_over_time({app="api"} | json | unwrap level [5m]))',
    '{app="api"} |~ "a{1000000}"', 'quantile_over_time(2, {app="api"} | json | unwrap bytes [5m])',
]


def requests():
    out = []
    for q, limit, d in LOG_QUERIES:
        out.append(log(q, limit, d))
    for q in METRIC_RANGE:
        out.append(rng(q))
    for q in INSTANT:
        out.append(inst(q))
    for q in INSTANT_LOG:
        out.append(inst(q, limit=5))
    for q in BAD:
        out.append(rng(q))
    # steps, ranges and edges
    out.append(rng(f'count_over_time({API}[1m])', step=60, start=T0 + 600, end=T0 + 1200))
    out.append(rng(f'count_over_time({API}[90s])', step=45, start=T0 + 600, end=T0 + 900))
    out.append(rng(f'rate({API}[5m])', step=7, start=T0 + 300, end=T0 + 360))
    out.append(rng(f'count_over_time({API}[5m])', step=300, start=T0 - 600, end=T0 + 300))
    out.append(rng(f'sum(count_over_time({API}[5m]))', step=300, start=END + 600, end=END + 1200))
    out.append(log(API, limit=3, start=T0 + 100, end=T0 + 200))
    out.append(log(API, limit=3, direction="forward", start=T0 + 100, end=T0 + 200))
    # metadata
    span = {"start": str(T0 * 10**9), "end": str(END * 10**9)}
    out.append(("/loki/api/v1/labels", dict(span)))
    out.append(("/loki/api/v1/label/app/values", dict(span)))
    out.append(("/loki/api/v1/label/pod/values", dict(span)))
    out.append(("/loki/api/v1/label/nope/values", dict(span)))
    out.append(("/loki/api/v1/series", dict(span, **{"match[]": API})))
    out.append(("/loki/api/v1/series", dict(span, **{"match[]": '{env=~"prod|dev"}'})))
    out.append(("/loki/api/v1/series", dict(span, **{"match[]": '{app="nope"}'})))
    return out
