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

# Second set: template functions, label filter forms, formatting and parsing corners.
MORE_LOG = [
    (API + ' | json | line_format "{{.path | trimPrefix \\"/api\\" | upper}} {{.msg | title}}"', 10, "backward"),
    (API + ' | json | line_format "{{.user_name | repeat 2}} {{.msg | substr 0 4}} {{.msg | trunc -3}}"', 10, "backward"),
    (API + ' | json | line_format "{{.latency | replace \\"ms\\" \\"\\" | int | mul 2}} {{add .status 1}} {{sub .bytes 1}}"', 10, "forward"),
    (API + ' | json | line_format "{{ printf \\"%-8s|%6.2f|%x\\" .level (float64 .status) (int .user_id) }}"', 10, "backward"),
    (API + ' | json | line_format "{{ if and (eq .level \\"error\\") (ge (int .status) 500) }}BAD{{ else if contains \\"timeout\\" .msg }}SLOW{{ else }}ok{{ end }}"', 20, "backward"),
    (API + ' | json | line_format "{{ .msg | hasPrefix \\"user\\" }} {{ .msg | hasSuffix \\"miss\\" }} {{ len .msg }}"', 10, "forward"),
    (API + ' | json | line_format "{{ .path | regexReplaceAllLiteral \\"[0-9]+\\" \\"ID\\" }} {{ .path | b64enc }}"', 10, "backward"),
    (API + ' | json | line_format "{{ .msg | urlencode }} {{ .bytes | toString }}"', 10, "backward"),
    (API + ' | json | line_format "{{ divf .bytes 3 }} {{ mod .bytes 7 }} {{ max .status 300 }} {{ min .status 300 }}"', 10, "forward"),
    (API + ' | json | line_format "{{ .latency | duration }} {{ unixEpoch (toDate \\"2006-01-02\\" \\"2023-11-14\\") }}"', 5, "backward"),
    (API + ' | json | line_format "{{ __timestamp__ | unixEpochMillis }} {{ __timestamp__ | date \\"15:04\\" }}"', 5, "forward"),
    (API + ' | json | line_format "{{ range $k, $v := .tags }}{{ $k }}{{ end }}"', 5, "backward"),
    (API + ' | json | line_format "{{ .missing }}|{{ .level | default \\"x\\" }}|{{ \\"\\" | default \\"empty\\" }}"', 5, "backward"),
    (API + ' | json | label_format path="{{ .path | lower }}", n="{{ len .msg }}" | n > 11', 10, "backward"),
    (API + ' | json | label_format msg="{{ .msg | replace \\" \\" \\"_\\" }}" | msg =~ "user_.*"', 10, "forward"),
    (API + ' | json | status >= 200 and status < 300 or level = "error"', 10, "backward"),
    (API + ' | json | (status = 500 or status = 502) and path != "/health"', 10, "forward"),
    (API + ' | json | bytes > 40KB', 10, "backward"),
    (API + ' | json | bytes <= 1KiB', 10, "backward"),
    (API + ' | json | latency >= 0.5s', 10, "forward"),
    (API + ' | json | latency < 1m and latency > 850ms', 10, "backward"),
    (API + ' | json | user_id != 3, user_id < 5', 10, "backward"),
    (API + ' | json | level !~ "info|debug"', 10, "forward"),
    (API + ' | json | msg =~ ".*(timeout|miss)"', 10, "backward"),
    (API + ' | json | keep_me = ""', 5, "backward"),
    (API + ' | json | status == 2e2', 5, "backward"),
    (WEB + ' | logfmt | duration > 1s | line_format "{{.method}} {{.duration}}"', 10, "forward"),
    (WEB + ' | logfmt level, d="duration"', 10, "backward"),
    (WEB + ' | logfmt | size >= 800KB or size < 10KB', 10, "backward"),
    (WEB + ' | logfmt | label_format level="{{ .level }}-{{ .status }}" | level=~"error-.*"', 10, "backward"),
    (WEB + ' |= "status=5" | logfmt | drop method, path', 10, "forward"),
    (DB + ' |~ "from (10|172)\\\\."', 10, "backward"),
    (DB + ' != "INFO" |= "from"', 10, "backward"),
    (DB + ' | regexp "^(?P<lvl>\\\\w+) (?P<what>[a-z ]+?) from (?P<addr>\\\\S+)" | lvl="WARN"', 10, "forward"),
    (DB + ' | pattern "<lvl> <_> from <addr> <_>" | addr = ip("10.0.0.0/8")', 10, "backward"),
    (DB + ' | pattern "<lvl> <_> from <addr> <_>" | addr != ip("fe80::/10")', 10, "backward"),
    (NGINX + ' ' + ACCESS + ' | line_format "{{.method}} {{.status}} {{.size | int | div 1000}}KB"', 10, "backward"),
    (NGINX + ' | regexp "\\"(?P<method>[A-Z]+) (?P<path>\\\\S+)" | method="DELETE"', 10, "forward"),
    (WORKER + ' | decolorize | regexp "^(?P<lvl>[A-Z]+) (?P<job>job-[0-9])"', 10, "backward"),
    (WORKER + ' | json job | job=~"job-[0-3]"', 10, "forward"),
    (WORKER + ' | logfmt | level="warn"', 10, "backward"),
    ('{app=~"api|web"} |= "error" | json | __error__="" | level="error"', 10, "backward"),
]

MORE_METRIC = [
    f'sum by (level) (rate({API} | json | __error__="" [5m]))', f'avg by (path) (avg_over_time({API} | json | unwrap latency_ms [10m]))',
    f'sum by (method) (sum_over_time({WEB} | logfmt | unwrap duration_seconds(duration) [10m]))',
    f'max by (pod) (max_over_time({API} | json | unwrap bytes | __error__="" [10m]))',
    f'quantile_over_time(0.5, {WEB} | logfmt | unwrap size | __error__="" [10m]) by (status)',
    f'count_over_time({API} | json | status >= 500 [10m]) > 1',
    f'sum(count_over_time({API}[5m])) / on() sum(count_over_time({WEB}[5m]))',
    f'sum by (pod) (count_over_time({API}[5m])) - sum by (pod) (count_over_time({API} |= "error" [5m]))',
    f'sum(count_over_time({{env="prod"}}[5m])) by (app) > bool 5',
    f'topk(1, sum by (app) (bytes_over_time({{env=~".+"}}[10m])))', f'bottomk(2, sum by (path) (count_over_time({NGINX} {ACCESS} [10m])))',
    f'sum by (status) (count_over_time({NGINX} {ACCESS} | status != "200" [10m]))',
    f'rate({WORKER} | decolorize |= "ERROR" [10m])', f'sum(count_over_time({WORKER} | unpack [10m]))',
    f'sum by (job) (count_over_time({WORKER} | json | __error__="" [30m]))',
    f'stddev by (pod) (count_over_time({API}[5m]))', f'count by (env) (count_over_time({{env=~".+"}}[5m]))',
    f'sum without (env, pod) (count_over_time({API}[5m]))', f'avg(count_over_time({API}[5m])) * 60',
    f'label_replace(sum by (path) (count_over_time({API} | json [10m])), "area", "$1", "path", "/(api|health|login).*")',
    f'absent_over_time({API} |= "never-there" [5m])', f'min_over_time({API} | json | unwrap user_id [5m]) by (pod, user_name)',
    f'sum(count_over_time({API}[2m] offset 5m)) by (pod)', f'vector(2) * sum(count_over_time({API}[5m]))',
    f'sum(count_over_time({API}[5m])) and vector(1)', f'1 - sum(rate({API} |= "error" [5m])) / sum(rate({API}[5m]))',
]

MORE_BAD = [
    '{app="api"} | json | line_format "{{ .x | nope }}"', 'sum by (pod) (count_over_time({app="api"}[5m]) ', '{app="api"} |= "a" | logfmt |',
    'sum(rate({app="api"}[5x]))', '{app="api"} | label_format a=b, a=c', 'count_over_time({app="api"} | json | unwrap status [5m])',
    'sum_over_time({app="api"}[5m])', 'topk(0, count_over_time({app="api"}[5m]))', 'quantile_over_time(0.5, {app="api"}[5m])',
    '{app="api"} | regexp "(?P<1a>x)"', '{app="api"} | json a="b[', 'label_replace(vector(1), "1x", "a", "b", "c")',
    'sum(count_over_time({app="api"}[5m])) by (a) by (b)', '{app="api"} | pattern "<a><b>"', '{app="api"} |= ip("300.1.1.1")',
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
    for q, limit, d in MORE_LOG:
        out.append(log(q, limit, d))
    for q in MORE_METRIC:
        out.append(rng(q))
    for q in MORE_BAD:
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


def stats_requests():
    """`index/stats` requests, recorded from a Loki with a TSDB index after a flush (loki.yaml with
    `store: tsdb`, `schema: v12`; with boltdb-shipper, Loki 2.8 answers zeros): selectors over the whole hour, and refusals."""
    span = {"start": str(T0 * 10**9), "end": str(END * 10**9)}
    out = []
    for q in [API, WEB, '{env="prod"}', '{app=~".+"}', '{app=~"api|db"}', '{app="api", pod="api-2"}',
              '{app!="api", env=~"prod|dev"}', '{app="nope"}', '{env!="prod"}', '{app="api"', '{}']:
        out.append(("/loki/api/v1/index/stats", dict(span, query=q)))
    out.append(("/loki/api/v1/index/stats", {"query": API, "start": str(END * 10**9), "end": str(T0 * 10**9)}))
    return out
