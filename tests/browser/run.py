#!/usr/bin/env python3
"""Browser tests of the dashboard (docs/dashboard.md): starts a throwaway database and the
real server through tests/api/harness.py, writes the CSV the flow imports, then runs
tests/browser/run.mjs (playwright-core driving Debian's headless Chromium).

Environment: as tests/api/harness.py (NM_BIN, NM_TEST_DB_URL, NM_TEST_LOG_DIR), plus
  NM_CHROMIUM      the browser (default /usr/bin/chromium)
  NM_SHOT_DIR      where screenshots go (default docs/screenshots)
  CI=true          a missing browser or playwright-core is a failure, not a skip

Exit status: 0 passed, 1 failed, 77 skipped (no browser or no node_modules, outside CI).
"""
import csv
import datetime
import http.server
import io
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(REPO, "tests", "api"))

from harness import Server  # noqa: E402

SKIP = 77
XSS_IMG = "<img src=x onerror=alert(1)>"
XSS_SCRIPT = '"><script>alert(2)</script>'


def ci():
    return os.environ.get("CI", "").lower() in ("true", "1", "yes")


def skip_or_fail(reason):
    if ci():
        print("browser: FAILED: %s (CI=true: the browser stage may not be skipped)" % reason)
        return 1
    print("browser: skipped: %s" % reason)
    return SKIP


def as_of(days):
    """data_as_of `days` days and an hour before now (whole days: exactly `days`)."""
    t = datetime.datetime.now(datetime.timezone.utc) - datetime.timedelta(days=days, hours=1)
    return t.strftime("%Y-%m-%dT%H:%M:%SZ")


def creators_csv():
    """~260 fitness creators (enough for a 200-row run), two with markup in their text,
    and one row the importer rejects. Data ages and samples vary (issue 16): most were
    measured in the last 90 days, every 10th 210 days ago (stale: medium confidence and a
    data_stale explanation in matches), every 25th 400 days ago (low), every 7th says how
    many posts were sampled (every 14th only 3: thin)."""
    rnd = random.Random(20261204)
    ages = random.Random(16)  # apart, so the other columns are what they were
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\r\n")
    w.writerow(["platform", "handle", "display_name", "followers", "engagement_rate", "categories",
                "hashtags", "country", "price_per_post_cents", "bio", "last_post_at", "data_as_of",
                "sample_posts"])
    first = ["Ava", "Mia", "Leo", "Noah", "Zoe", "Kai", "Ivy", "Max", "Ruby", "Finn"]
    last = ["Strong", "Runs", "Lifts", "Moves", "Fit", "Pace", "Stride", "Core"]
    for i in range(260):
        name = "%s %s" % (rnd.choice(first), rnd.choice(last))
        w.writerow(["instagram", "fit_%03d" % i, name, rnd.randint(11000, 95000),
                    "%.4f" % rnd.uniform(0.01, 0.09), "fitness|nutrition", "#fitness #protein",
                    rnd.choice(["US", "US", "GB"]), rnd.choice(["", 15000, 30000, 50000]),
                    "Coach sharing workouts and meal prep.", "2026-11-%02dT10:00:00Z" % rnd.randint(1, 30),
                    as_of(400 if i % 25 == 24 else 210 if i % 10 == 9 else ages.randint(0, 80)),
                    (3 if i % 14 == 0 else 30) if i % 7 == 0 else ""])
    # Markup in user-controlled fields: shown as text, never run. Strong numbers so they
    # rank on the first page of matches too.
    w.writerow(["instagram", "xss_img", XSS_IMG, 40000, "0.12", "fitness", "#fitness", "US", 10000,
                XSS_SCRIPT, "2026-12-01T10:00:00Z", "", ""])
    w.writerow(["instagram", "xss_script", XSS_SCRIPT, 42000, "0.11", "fitness", "#fitness", "US", 10000,
                XSS_IMG, "2026-12-01T10:00:00Z", "", ""])
    # Two big fitness accounts, above every brand's follower range here: the single-account
    # alternative a budget plan is compared with.
    w.writerow(["instagram", "big_fit_one", "Big Fit One", 320000, "0.021", "fitness", "#fitness", "US", 150000,
                "Fitness for everyone.", "2026-12-01T10:00:00Z", "", ""])
    w.writerow(["instagram", "big_fit_two", "Big Fit Two", 450000, "0.018", "fitness", "#fitness", "GB", 250000,
                "Fitness for everyone.", "2026-12-01T10:00:00Z", "", ""])
    w.writerow(["instagram", "bad_row", "Bad Row", "lots", "0.05", "fitness", "", "US", "", "", "", "", ""])
    return out.getvalue()


class Hook(http.server.BaseHTTPRequestHandler):
    """A webhook receiver for the alerts check: answers 200 to every delivery."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


def main():
    chromium = os.environ.get("NM_CHROMIUM", "/usr/bin/chromium")
    if not os.access(chromium, os.X_OK):
        return skip_or_fail("no browser at %s (apt-get install chromium)" % chromium)
    if not os.path.isdir(os.path.join(REPO, "web", "node_modules", "playwright-core")):
        return skip_or_fail("web/node_modules has no playwright-core (scripts/build-web.sh installs it)")
    dist = os.path.join(REPO, "web", "dist")
    if not os.path.isfile(os.path.join(dist, "index.html")):
        return skip_or_fail("the dashboard is not built (scripts/build-web.sh)")
    node = shutil.which("node")
    if not node:
        return skip_or_fail("no node")

    work = tempfile.mkdtemp(prefix="nm-browser.")
    try:
        csv_path = os.path.join(work, "creators.csv")
        with open(csv_path, "w", encoding="utf-8", newline="") as f:
            f.write(creators_csv())
        hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
        threading.Thread(target=hook.serve_forever, daemon=True).start()
        # ALLOW_PRIVATE: the receiver is on the loopback (development and tests only).
        with Server(env={"NICHEMATCH_WEB_DIR": dist, "NICHEMATCH_RATE_LIMIT": "0",
                         "NICHEMATCH_AUTH_FAIL_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1"}) as srv:
            key = srv.key("admin", name="browser test")
            env = dict(os.environ)
            env.update({
                "NM_BASE_URL": srv.url,
                "NM_KEY": key,
                "NM_CSV": csv_path,
                "NM_CHROMIUM": chromium,
                "NM_SHOT_DIR": os.environ.get("NM_SHOT_DIR") or os.path.join(REPO, "docs", "screenshots"),
                "NM_XSS_IMG": XSS_IMG,
                "NM_XSS_SCRIPT": XSS_SCRIPT,
                "NM_HOOK_URL": "http://127.0.0.1:%d/hooks/nichematch" % hook.server_address[1],
            })
            rc = subprocess.run([node, os.path.join(HERE, "run.mjs")], env=env, cwd=REPO,
                                timeout=600).returncode
            log = srv.log_text()
            if key in log:
                print("browser: FAILED: the API key appears in the server log")
                rc = rc or 1
        hook.shutdown()
        return 0 if rc == 0 else 1
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
