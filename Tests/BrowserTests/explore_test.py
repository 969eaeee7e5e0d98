"""The built-in explore page in a real headless Chromium, against a real skald with seeded data.

Run by scripts/test (scripts/browser-test sets it up). The server runs with auth_enabled and the
data belongs to tenant "team-a": without the tenant the page shows the server's 401; with it, a log
query shows its lines and the volume histogram, "load more" pages on without repeating a line, a
metric query draws its series, a query with a syntax error shows the server's position in the
editor, the live tail shows a line pushed while it runs, the labels browser lists the seeded labels,
and 5,000 lines render and scroll. Screenshots go to the directory in $SKALD_ARTIFACTS.
"""
import json, os, socket, subprocess, sys, tempfile, time, urllib.request

from selenium import webdriver
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
SKALD = os.environ.get("SKALD_BIN", os.path.join(ROOT, ".build/debug/skald"))
ARTIFACTS = os.environ.get("SKALD_ARTIFACTS", os.path.join(ROOT, ".build/browser-artifacts"))
failures = []


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        failures.append(what)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


TENANT = "team-a"


def push(port, streams):
    body = json.dumps({"streams": streams}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/loki/api/v1/push", data=body,
                                 headers={"Content-Type": "application/json", "X-Scope-OrgID": TENANT})
    assert urllib.request.urlopen(req).status == 204


SCROLL_FRAMES = """
    const done = arguments[arguments.length - 1];
    window.scrollTo(0, 0);
    const times = []; let last = performance.now(); let n = 0;
    function step(t) {
      times.push(t - last); last = t;
      window.scrollBy(0, 2000);
      if (++n < 60) requestAnimationFrame(step); else done(times.sort((a, b) => a - b));
    }
    requestAnimationFrame(step);"""


def p95(frames):
    return frames[int(len(frames) * 0.95) - 1]


def main():
    os.makedirs(ARTIFACTS, exist_ok=True)
    data = tempfile.mkdtemp(prefix="skald-browser-")
    port = free_port()
    config = os.path.join(data, "skald.yaml")
    with open(config, "w") as f:
        f.write(f"auth_enabled: true\nserver:\n  http_listen_port: {port}\ncommon:\n  path_prefix: {data}/data\n"
                "limits_config:\n  reject_old_samples: false\n  max_entries_limit_per_query: 10000\n")
    server = subprocess.Popen([SKALD, "-config.file=" + config], stdout=subprocess.DEVNULL, stderr=open(os.path.join(data, "skald.log"), "w"))
    driver = None
    try:
        deadline = time.time() + 30
        while True:
            try:
                if urllib.request.urlopen(f"http://127.0.0.1:{port}/ready").status == 200:
                    break
            except Exception:
                pass
            if time.time() > deadline:
                raise SystemExit("skald never became ready")
            time.sleep(0.1)
        now = time.time_ns()
        levels = ["info", "info", "info", "warn", "error"]
        streams = []
        for app in ("api", "web"):
            for lvl in ("info", "warn", "error"):
                values = [[str(now - (600 - i) * 1_000_000_000 - k), f"level={lvl} app={app} msg=\"request {i}\" status={200 if lvl == 'info' else 500}"]
                          for k, i in enumerate(range(0, 600, 3)) if levels[i % 5] == lvl or lvl == "info"]
                streams.append({"stream": {"app": app, "level": lvl, "namespace": "default"}, "values": values})
        push(port, streams)
        seeded = sum(len(s["values"]) for s in streams)

        options = Options()
        for a in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--window-size=1280,900"):
            options.add_argument(a)
        options.binary_location = os.environ.get("CHROMIUM", "/usr/bin/chromium")
        driver = webdriver.Chrome(service=Service(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")), options=options)
        wait = WebDriverWait(driver, 15)
        base = f"http://127.0.0.1:{port}"

        # The page loads fast on loopback: the best of three loads with the browser's cache off (the
        # first also pays for the browser's own start).
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        loads = []
        for _ in range(3):
            driver.get(base + "/")
            wait.until(lambda d: d.execute_script("return document.readyState") == "complete")
            loads.append(driver.execute_script("const n = performance.getEntriesByType('navigation')[0]; return n.loadEventEnd - n.startTime;"))
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        check(min(loads) < 200, f"page loads in {min(loads):.0f} ms on loopback, uncached (< 200 ms; loads {[round(x) for x in loads]})")
        check(not driver.find_element(By.ID, "query").get_attribute("value"), "an empty editor to start")

        # Without the tenant the server refuses (auth_enabled), and the page says why.
        editor = driver.find_element(By.ID, "query")
        editor.send_keys('{namespace="default"} |= "request"')
        editor.send_keys(Keys.CONTROL, Keys.ENTER)
        wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
        check("no org id" in driver.find_element(By.ID, "error").text, "no tenant: the server's 401 is shown")

        # A log query as team-a: the lines and the volume histogram.
        tenant = driver.find_element(By.ID, "tenant")
        tenant.send_keys(TENANT)
        tenant.send_keys(Keys.TAB)  # (change event)
        editor.send_keys(Keys.CONTROL, Keys.ENTER)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#lines li.row")) > 0)
        shown = len(driver.execute_script("return window.skald.lines()"))
        check(shown == min(seeded, 1000), f"log query shows its lines ({shown} of {seeded}, limit 1000)")
        check(0 < len(driver.find_elements(By.CSS_SELECTOR, "#lines li.row")) <= shown, "rows are in the page (those near the viewport)")
        wait.until(lambda d: d.find_element(By.ID, "histogram").is_displayed())
        check(driver.find_element(By.ID, "histogram").is_displayed(), "the volume histogram is drawn")
        check("request" in driver.find_element(By.CSS_SELECTOR, "#lines li.row .msg").text, "lines hold the log text")
        small_lines = shown
        small = driver.execute_async_script(SCROLL_FRAMES)
        check(len(driver.find_elements(By.CSS_SELECTOR, "#lines li.row.l-error")) > 0, "error lines are coloured by level")
        check("query=" in driver.current_url, "the URL carries the query (shareable)")
        driver.find_elements(By.CSS_SELECTOR, "#lines li.row")[0].click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#lines li.row .details td"))
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#lines li.row .details td")]
        check("namespace" in cells and "status" in cells, "a line expands to its labels and parsed fields")
        driver.save_screenshot(os.path.join(ARTIFACTS, "log-query.png"))

        # "Load more": 200 at a time, no line twice.
        limit = driver.find_element(By.ID, "limit")
        limit.clear()
        limit.send_keys("200")
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: len(d.execute_script("return window.skald.lines()")) == 200 and d.find_element(By.ID, "more").is_displayed())
        driver.find_element(By.ID, "more").click()
        wait.until(lambda d: len(d.execute_script("return window.skald.lines()")) > 200)
        texts = driver.execute_script("return window.skald.lines()")
        check(len(texts) == 400 and len(set(texts)) == 400, f"load more pages on without repeats ({len(texts)} lines, {len(set(texts))} distinct)")
        limit.clear()
        limit.send_keys("1000")

        # The URL restores the query (and the tenant) on a fresh load.
        url = driver.current_url
        driver.get(base + "/ui/style.css")
        driver.get(url)
        wait.until(lambda d: len(d.find_elements(By.CSS_SELECTOR, "#lines li.row")) > 0)
        check(driver.find_element(By.ID, "query").get_attribute("value") == '{namespace="default"} |= "request"', "a shared URL restores the query and runs it")

        # A metric query: the series are drawn with a legend.
        editor = driver.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys('sum by (level) (count_over_time({namespace="default"}[1m]))')
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#chart svg path"))
        paths = driver.find_elements(By.CSS_SELECTOR, "#chart svg path")
        legend = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#chart .legend span")]
        check(len(paths) == 3 and any('level="error"' in x for x in legend), f"metric query draws 3 series ({len(paths)}; legend {legend})")
        check(not driver.find_element(By.ID, "histogram").is_displayed(), "no stale volume histogram over a metric query")
        driver.save_screenshot(os.path.join(ARTIFACTS, "metric-query.png"))

        # Instant: a table of the series.
        driver.find_element(By.ID, "instant").click()
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.find_element(By.ID, "table").is_displayed())
        cells = [c.text for c in driver.find_elements(By.CSS_SELECTOR, "#table td")]
        check(len(cells) == 6 and '{level="error"}' in cells, f"an instant metric query is a table ({cells})")
        driver.find_element(By.ID, "instant").click()

        # Oldest first, unwrapped.
        editor.clear()
        editor.send_keys('{app="web", level="error"}')
        Select = __import__("selenium.webdriver.support.select", fromlist=["Select"]).Select
        Select(driver.find_element(By.ID, "direction")).select_by_value("forward")
        driver.find_element(By.ID, "wrap").click()
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#lines li.row"))
        got = driver.execute_script("return window.skald.lines()")
        stamps = [int(x.split(" ")[0]) for x in got]
        check(stamps == sorted(stamps) and len(stamps) > 1, f"oldest first ({len(stamps)} lines in ascending time)")
        check("wrap" not in driver.find_element(By.TAG_NAME, "body").get_attribute("class"), "lines unwrapped")
        Select(driver.find_element(By.ID, "direction")).select_by_value("backward")
        driver.find_element(By.ID, "wrap").click()

        # A syntax error: the server's message and its position in the editor.
        editor.clear()
        editor.send_keys('{namespace="default"} |= ')
        editor.send_keys(Keys.CONTROL, Keys.ENTER)
        wait.until(lambda d: d.find_element(By.ID, "error").is_displayed())
        text = driver.find_element(By.ID, "error").text
        check("parse error" in text and "line 1" in text, f"the error is shown ({text.splitlines()[0] if text else ''})")
        check(len(driver.find_elements(By.CSS_SELECTOR, "#highlight .tok-err")) == 1, "the error position is marked in the editor")
        driver.save_screenshot(os.path.join(ARTIFACTS, "error.png"))

        # Live tail: a line pushed while tailing appears; a line whose details are open keeps them
        # open when tailed lines rebuild the list.
        editor.clear()
        editor.send_keys('{app="api"}')
        driver.find_element(By.ID, "tail").click()
        wait.until(lambda d: "tailing" in d.find_element(By.ID, "summary").text)
        push(port, [{"stream": {"app": "api", "level": "info", "namespace": "default"}, "values": [[str(time.time_ns()), "first tailed line"]]}])
        WebDriverWait(driver, 10).until(lambda d: d.execute_script(
            "return [...document.querySelectorAll('#lines li.row .msg')].some(e => e.textContent.includes('first tailed line'))"))
        driver.execute_script("[...document.querySelectorAll('#lines li.row')].find(r => r.textContent.includes('first tailed line')).click()")
        time.sleep(1.0)
        push(port, [{"stream": {"app": "api", "level": "info", "namespace": "default"}, "values": [[str(time.time_ns()), "freshly pushed while tailing"]]}])
        try:
            # (Read in the page: tailed lines rebuild the list, so element handles go stale.)
            WebDriverWait(driver, 10).until(lambda d: d.execute_script(
                "return [...document.querySelectorAll('#lines li.row .msg')].some(e => e.textContent.includes('freshly pushed'))"))
            check(True, "live tail shows a freshly pushed line")
        except Exception:
            check(False, "live tail shows a freshly pushed line")
        still_open = driver.execute_script(
            "const r = [...document.querySelectorAll('#lines li.row')].find(r => r.querySelector('.msg').textContent.includes('first tailed line'));"
            "return !!(r && r.querySelector('.details'))")
        check(still_open, "details opened on a tailed line stay open when new lines arrive")
        driver.find_element(By.ID, "tail").click()  # pause
        check(driver.find_element(By.ID, "tail").text == "Resume", "the tail pauses")
        driver.save_screenshot(os.path.join(ARTIFACTS, "tail.png"))
        driver.find_element(By.ID, "run").click()  # a query ends the tail
        wait.until(lambda d: d.find_element(By.ID, "tail").get_attribute("aria-pressed") == "false")

        # Completion: label names inside a selector, then a label's values.
        editor = driver.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys("{ap")
        wait.until(lambda d: d.find_element(By.ID, "suggest").is_displayed())
        options = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#suggest li")]
        check(options == ["app"], f"label names are completed ({options})")
        editor.send_keys(Keys.ARROW_DOWN, Keys.ENTER)
        shown_values = "return document.getElementById('suggest').hidden ? null : [...document.querySelectorAll('#suggest li')].map(e => e.textContent)"
        wait.until(lambda d: d.find_element(By.ID, "query").get_attribute("value") == '{app="' and d.execute_script(shown_values))
        values = sorted(driver.execute_script(shown_values))
        check(values == ["api", "web"], f"then its values ({values})")
        editor.send_keys(Keys.ARROW_DOWN, Keys.TAB)
        wait.until(lambda d: d.find_element(By.ID, "query").get_attribute("value") == '{app="api"')
        editor.send_keys("}")
        # Keyboard: Ctrl+Enter runs, Tab reaches a line, Enter opens it; "+" filters for a value.
        editor.send_keys(Keys.CONTROL, Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#lines li.row"))
        driver.execute_script("document.querySelector('#lines li.row').focus()")
        driver.switch_to.active_element.send_keys(Keys.ENTER)
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#lines li.row .details"))
        check(True, "a line opens from the keyboard")
        rows = driver.find_elements(By.CSS_SELECTOR, "#lines li.row .details tr")
        level_row = [r for r in rows if r.find_elements(By.TAG_NAME, "td") and r.find_elements(By.TAG_NAME, "td")[1].text == "level"][0]
        level_row.find_elements(By.TAG_NAME, "button")[1].click()  # "−": hide this level
        wait.until(lambda d: '| level!="info"' in d.find_element(By.ID, "query").get_attribute("value"))
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#lines li.row"))
        levels = set(driver.execute_script("return [...document.querySelectorAll('#lines li.row')].map(e => e.className)"))
        check(levels and all("l-info" not in c for c in levels), f"filter out a label's value: the query gains | level!=\"info\" and runs ({sorted(levels)})")
        # History keeps what ran.
        history = [o.get_attribute("value") for o in driver.find_elements(By.CSS_SELECTOR, "#history option")]
        check('{app="api"}' in history and '{namespace="default"} |= "request"' in history, "query history keeps the queries run")
        # Themes, and text contrast in both (WCAG AA: 4.5:1 for text, 3:1 for muted labels).
        contrast = """
            const lum = (c) => { const m = c.match(/\\d+/g).map(Number).slice(0, 3).map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
                                 return 0.2126 * m[0] + 0.7152 * m[1] + 0.0722 * m[2]; };
            const probe = (v) => { const e = document.createElement('span'); e.style.color = `var(${v})`; document.body.append(e); const c = getComputedStyle(e).color; e.remove(); return c; };
            const bg = lum(getComputedStyle(document.body).backgroundColor);
            const ratio = (v) => { const l = lum(probe(v)); return (Math.max(l, bg) + 0.05) / (Math.min(l, bg) + 0.05); };
            return [document.documentElement.dataset.theme, ratio('--fg'), ratio('--muted'), ratio('--err')];"""
        first = driver.execute_script(contrast)
        driver.find_element(By.ID, "theme").click()
        second = driver.execute_script(contrast)
        check(first[0] != second[0], f"the theme switches ({first[0]} -> {second[0]})")
        for t in (first, second):
            check(t[1] >= 4.5 and t[2] >= 4.5 and t[3] >= 4.5, f"{t[0]} theme contrast: text {t[1]:.1f}, muted {t[2]:.1f}, error {t[3]:.1f} (>= 4.5)")
        driver.find_element(By.ID, "theme").click()

        # An absolute range from a shared URL, and auto-refresh picking up a new line.
        t0 = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now / 1e9 - 1200))
        t1 = time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(now / 1e9 + 600))
        driver.get(f"{base}/?query=%7Bapp%3D%22web%22%7D&from={t0}&to={t1}&tenant={TENANT}&limit=1000&direction=backward")
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#lines li.row"))
        check(driver.find_element(By.ID, "range").get_attribute("value") == "absolute" and driver.find_element(By.ID, "from").get_attribute("value") == t0,
              "a shared URL restores an absolute range")
        Select(driver.find_element(By.ID, "refresh")).select_by_value("5")
        push(port, [{"stream": {"app": "web", "level": "info", "namespace": "default"}, "values": [[str(time.time_ns()), "arrived during auto-refresh"]]}])
        try:
            WebDriverWait(driver, 12).until(lambda d: any("arrived during auto-refresh" in x for x in d.execute_script("return window.skald.lines()")))
            check(True, "auto-refresh shows a line pushed meanwhile")
        except Exception:
            check(False, "auto-refresh shows a line pushed meanwhile")
        Select(driver.find_element(By.ID, "refresh")).select_by_value("0")

        # The labels browser.
        driver.find_element(By.ID, "labels-toggle").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#label-names li"))
        names = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#label-names li")]
        check({"app", "level", "namespace"} <= set(names), f"the labels browser lists the labels ({names})")
        [e for e in driver.find_elements(By.CSS_SELECTOR, "#label-names li") if e.text == "app"][0].click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#label-values li"))
        values = [e.text for e in driver.find_elements(By.CSS_SELECTOR, "#label-values li")]
        check(values == ["api", "web"], f"and a label's values ({values})")

        # The status view.
        driver.find_element(By.ID, "tab-status").click()
        wait.until(lambda d: d.find_elements(By.CSS_SELECTOR, "#status-list dd"))
        status = driver.find_element(By.ID, "status-list").text
        check("ready" in status and "yes" in status, "the status view shows the server ready")
        driver.save_screenshot(os.path.join(ARTIFACTS, "status.png"))

        # (The deliberate syntax error's 400s are network entries, not script errors.)
        # 5,000 lines on screen: rendered and scrolled.
        driver.find_element(By.ID, "tab-explore").click()
        push(port, [{"stream": {"app": "bulk", "level": "info", "namespace": "bulk"},
                     "values": [[str(now - 300_000_000_000 + i * 1_000_000), f"bulk line {i} " + "x" * 80] for i in range(5000)]}])
        editor = driver.find_element(By.ID, "query")
        editor.clear()
        editor.send_keys('{namespace="bulk"}')
        limit = driver.find_element(By.ID, "limit")
        limit.clear()
        limit.send_keys("5000")
        began = time.time()
        driver.find_element(By.ID, "run").click()
        wait.until(lambda d: d.execute_script("return window.skald.lines().length") == 5000 and d.find_elements(By.CSS_SELECTOR, "#lines li.row"))
        shown_s = time.time() - began
        frames = driver.execute_async_script(SCROLL_FRAMES)
        check(shown_s < 3, f"5,000 lines on screen in {shown_s:.2f} s (< 3 s, debug server)")
        rendered = len(driver.find_elements(By.CSS_SELECTOR, "#lines li.row"))
        check(rendered < 1000, f"only the rows near the viewport are built ({rendered} of 5000)")
        check(p95(frames) < 50, f"scrolling through them: p95 frame {p95(frames):.1f} ms (< 50 ms; with {small_lines} lines: {p95(small):.1f} ms)")
        driver.save_screenshot(os.path.join(ARTIFACTS, "bulk.png"))

        logs = [e for e in driver.get_log("browser") if e["level"] == "SEVERE" and e.get("source") != "network"]
        check(not logs, f"no script errors in the browser console ({logs[:3]})")
    finally:
        if driver:
            driver.quit()
        server.terminate()
        server.wait()
    print(f"browser tests: {len(failures)} failed; screenshots in {ARTIFACTS}")
    sys.exit(1 if failures else 0)


if __name__ == "__main__":
    main()
