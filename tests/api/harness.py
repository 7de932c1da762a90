"""Black-box test harness for the nichematch HTTP API (Python 3 standard library only).

Environment:
  NM_BIN          the server binary (default: <repo>/build/nichematch)
  NM_TEST_DB_URL  libpq URL of a PostgreSQL database to connect to for CREATE DATABASE
                  (scripts/test.sh exports the throwaway cluster's `postgres` database). When
                  unset, the harness starts a throwaway cluster itself with scripts/pg.sh and
                  removes it at exit.
  NM_TEST_LOG_DIR where server logs go (default: <repo>/.data/test-logs, emptied by run.py)
  NM_TEST_KEEP_DB set to 1 to keep each test class's database after it ends

Typical use:

    from harness import ServerTestCase

    class BrandTests(ServerTestCase):
        server_env = {"NICHEMATCH_RATE_LIMIT": "0"}   # optional extra env for this class

        def test_create(self):
            r = self.server.request("POST", "/v1/brands", {"name": "Acme", "niches": ["fitness"]})
            self.assertEqual(r.status, 201, r.body)
            self.assertIn("location", r.headers)

One Server per test class (setUpClass), each with a database of its own.
"""

import atexit
import csv
import io
import json
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import http.client
from urllib.parse import urlsplit, urlunsplit

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))

SANITIZER_MARKERS = ("ERROR: AddressSanitizer", "runtime error:", "LeakSanitizer")

# Sentinel: "use the server's admin key" (the default for Server.request's key argument).
ADMIN = object()


def nm_bin():
    return os.path.abspath(os.environ.get("NM_BIN") or os.path.join(REPO, "build", "nichematch"))


_own_cluster = None
_admin_key_lock = threading.Lock()
_live = set()  # servers started and not yet stopped: killed at exit so that none is left behind


@atexit.register
def _kill_leftovers():
    for srv in list(_live):
        if srv.proc is not None and srv.proc.poll() is None:
            srv.proc.kill()
            srv.proc.wait()


def base_db_url():
    """The maintenance database URL (NM_TEST_DB_URL), starting a throwaway cluster if unset."""
    global _own_cluster
    url = os.environ.get("NM_TEST_DB_URL")
    if url:
        return url
    if _own_cluster is None:
        d = tempfile.mkdtemp(prefix="nm-harness-pg.")
        pg = os.path.join(REPO, "scripts", "pg.sh")
        out = subprocess.run([pg, "start", d, "--fast"], stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True)
        if out.returncode != 0:
            shutil.rmtree(d, ignore_errors=True)
            raise RuntimeError("could not start a throwaway PostgreSQL cluster:\n" + out.stderr)
        _own_cluster = d
        os.environ["NM_TEST_DB_URL"] = out.stdout.strip()
        atexit.register(lambda: subprocess.run([pg, "destroy", d], stdout=subprocess.DEVNULL))
    return os.environ["NM_TEST_DB_URL"]


def db_url_for(base, dbname):
    """The URL `base` with its database replaced by dbname (URI or key=value conninfo)."""
    if base.startswith(("postgresql://", "postgres://")):
        p = urlsplit(base)
        return urlunsplit((p.scheme, p.netloc, "/" + dbname, p.query, p.fragment))
    return base + " dbname=" + dbname


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def psql(url, sql, **variables):
    """Run SQL with psql against url and return the rows of the last statement as tuples of
    strings (None for NULL). Variables are passed with -v and used as :'name' in the SQL."""
    null = "\x01NULL\x01"
    cmd = ["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "--csv", "-t", "-P", "null=" + null, "-d", url]
    for k, v in variables.items():
        cmd += ["-v", "%s=%s" % (k, v)]
    if variables:
        # psql interpolates :'name' only in input it reads, not in -c; every statement's rows
        # are printed then, so send a single statement.
        stdin = sql if sql.rstrip().endswith(";") else sql + ";"
    else:
        cmd += ["-c", sql]
        stdin = None
    out = subprocess.run(cmd, input=stdin, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                         timeout=60)
    if out.returncode != 0:
        raise AssertionError("psql failed (%d): %s\nSQL: %s" % (out.returncode, out.stderr.strip(), sql))
    rows = []
    for row in csv.reader(io.StringIO(out.stdout)):
        rows.append(tuple(None if c == null else c for c in row))
    return rows


def check_sanitizers(text, what):
    for m in SANITIZER_MARKERS:
        if m in text:
            i = text.index(m)
            raise AssertionError("%s: sanitizer report (%r):\n%s" % (what, m, text[max(0, i - 2000):i + 6000]))


class Response:
    """.status, .headers (case-insensitive, .get_all for repeats), .body (bytes), .text,
    .json (parsed JSON or None)."""

    def __init__(self, status, reason, headers, body):
        self.status = status
        self.reason = reason
        self.headers = headers
        self.body = body
        self.json = None
        if body:
            try:
                self.json = json.loads(body.decode("utf-8"))
            except (ValueError, UnicodeDecodeError):
                self.json = None

    @property
    def text(self):
        return self.body.decode("utf-8", "replace")

    @property
    def content_type(self):
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def __repr__(self):
        return "<Response %d %s %r>" % (self.status, self.content_type, self.body[:300])


class Server:
    """A nichematch server on a free port of 127.0.0.1 with a fresh database of its own."""

    def __init__(self, env=None, migrate=True, start=True, base_url=None, share_db_with=None,
                 preexec_fn=None):
        """base_url: the maintenance database URL of a cluster to create this server's
        database in (default: base_db_url(), the shared test cluster). Tests that stop and
        start PostgreSQL under a running server pass a cluster of their own here.
        share_db_with: another Server whose database this one uses too (a second
        instance against one database); that database is then neither created nor
        dropped by this Server, and its log goes to a file of its own.
        preexec_fn: run in the `serve` child before exec (subprocess.Popen's), e.g. to
        lower a resource limit for that process only."""
        self.bin = nm_bin()
        self.preexec_fn = preexec_fn
        if not os.access(self.bin, os.X_OK):
            raise RuntimeError("NM_BIN %s is not an executable (build it first)" % self.bin)
        self.extra_env = dict(env or {})
        self.owns_db = share_db_with is None
        if self.owns_db:
            self.dbname = "nm_" + secrets.token_hex(6)
            self.base_url = base_url or base_db_url()
            psql(self.base_url, 'CREATE DATABASE "%s"' % self.dbname)
            log_name = "server-%s.log" % self.dbname
        else:
            self.dbname = share_db_with.dbname
            self.base_url = share_db_with.base_url
            log_name = "server-%s-%s.log" % (self.dbname, secrets.token_hex(3))
        self.db_url = db_url_for(self.base_url, self.dbname)
        log_dir = os.environ.get("NM_TEST_LOG_DIR") or _log_dir()
        os.makedirs(log_dir, exist_ok=True)
        self.log_path = os.path.join(log_dir, log_name)
        self.proc = None
        self.port = None
        self.host = "127.0.0.1"
        self._admin_key = None if self.owns_db else share_db_with._admin_key
        if migrate:
            self.cli("migrate")
        if start:
            self.start()

    # --- environment and CLI -------------------------------------------------------------
    def env(self, **more):
        e = dict(os.environ)
        # No balancer in front of test servers: SIGTERM stops at once, as before the drain.
        e.setdefault("NICHEMATCH_DRAIN_SECONDS", "0")
        e["DATABASE_URL"] = self.db_url
        if self.port is not None:
            e["NICHEMATCH_LISTEN"] = "%s:%d" % (self.host, self.port)
        e.update(self.extra_env)
        e.update(more)
        return e

    def cli(self, *args, check=True, input=None, env=None, timeout=120):
        """Run `NM_BIN args...` against this server's database; returns CompletedProcess
        (text). With check, a non-zero exit or a sanitizer report raises AssertionError."""
        e = self.env(**(env or {}))
        out = subprocess.run([self.bin] + list(args), env=e, input=input, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=timeout, cwd=REPO)
        check_sanitizers(out.stderr, "nichematch %s" % " ".join(args))
        if check and out.returncode != 0:
            raise AssertionError("nichematch %s exited %d\nstdout: %s\nstderr: %s" %
                                 (" ".join(args), out.returncode, out.stdout, out.stderr))
        return out

    def key(self, role, brand=None, name=None):
        args = ["keys", "create", "--role", role]
        if brand is not None:
            args += ["--brand", str(brand)]
        if name is not None:
            args += ["--name", name]
        out = self.cli(*args)
        lines = out.stdout.splitlines()
        if len(lines) != 1 or not lines[0].strip():
            raise AssertionError("keys create must print the key alone on one line, got %r" % out.stdout)
        return lines[0].strip()

    @property
    def admin_key(self):
        # Tests call this from several threads at once: one key, created once.
        with _admin_key_lock:
            if self._admin_key is None:
                self._admin_key = self.key("admin", name="harness")
        return self._admin_key

    def psql(self, sql, **variables):
        return psql(self.db_url, sql, **variables)

    # --- process -------------------------------------------------------------------------
    @property
    def url(self):
        return "http://%s:%d" % (self.host, self.port)

    def start(self, timeout=15):
        if self.proc is not None and self.proc.poll() is None:
            raise RuntimeError("server already running")
        last_err = None
        for attempt in range(3):
            if self.port is None or attempt > 0:
                self.port = free_port()
            self._log_offset = os.path.getsize(self.log_path) if os.path.exists(self.log_path) else 0
            log = open(self.log_path, "ab")
            try:
                self.proc = subprocess.Popen([self.bin, "serve"], env=self.env(), stdin=subprocess.DEVNULL,
                                             stdout=log, stderr=log, cwd=REPO, preexec_fn=self.preexec_fn)
            finally:
                log.close()
            _live.add(self)
            try:
                self._wait_healthy(timeout)
                return self
            except RuntimeError as e:
                last_err = e
                if self.proc.poll() is None:
                    self.proc.kill()
                    self.proc.wait()
                text = self.log_text(since_start=True).lower()
                if "address already in use" in text or "bind" in text:
                    continue  # lost the race for the port; try another
                break
        raise last_err

    def _wait_healthy(self, timeout):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError("nichematch serve exited with %s before it was healthy; its stderr:\n%s"
                                   % (self.proc.returncode, self.log_text(since_start=True)[-8000:]))
            try:
                c = http.client.HTTPConnection(self.host, self.port, timeout=2)
                c.request("GET", "/healthz")
                r = c.getresponse()
                r.read()
                c.close()
                if r.status == 200:
                    return
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.05)
        raise RuntimeError("nichematch serve was not healthy on port %d within %ss; its stderr:\n%s"
                           % (self.port, timeout, self.log_text(since_start=True)[-8000:]))

    def running(self):
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig=signal.SIGTERM, timeout=20, sanitizers=True):
        """Send sig, wait for the exit and return the exit code (negative: killed by a signal).
        Raises AssertionError if it does not exit in time or its stderr has a sanitizer report."""
        if self.proc is None:
            return None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                raise AssertionError("nichematch serve did not exit within %ss of %s; stderr tail:\n%s"
                                     % (timeout, signal.Signals(sig).name, self.log_text()[-4000:]))
        code = self.proc.returncode
        _live.discard(self)
        if sanitizers:
            check_sanitizers(self.log_text(), "nichematch serve")
        return code

    def restart(self, timeout=15, env=None, **stop_kw):
        """Stop (returning the exit code) and start again on the same database and port.
        env: changes to the extra environment from now on (a value of None removes it)."""
        code = self.stop(**stop_kw)
        for k, v in (env or {}).items():
            if v is None:
                self.extra_env.pop(k, None)
            else:
                self.extra_env[k] = v
        self.start(timeout=timeout)
        return code

    def drop(self):
        """Drop this server's database (the server must be stopped); a Server made with
        share_db_with leaves the database to its owner."""
        if os.environ.get("NM_TEST_KEEP_DB") == "1" or not self.owns_db:
            return
        try:
            psql(self.base_url, 'DROP DATABASE IF EXISTS "%s" WITH (FORCE)' % self.dbname)
        except AssertionError as e:
            sys.stderr.write("harness: %s\n" % e)

    def close(self):
        try:
            return self.stop()
        finally:
            self.drop()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()

    # --- logs ----------------------------------------------------------------------------
    def log_text(self, since_start=False):
        try:
            with open(self.log_path, "rb") as f:
                if since_start:
                    f.seek(getattr(self, "_log_offset", 0))
                return f.read().decode("utf-8", "replace")
        except FileNotFoundError:
            return ""

    def log_lines(self):
        """The JSON objects the server logged, in order (lines that are not JSON are skipped)."""
        out = []
        for line in self.log_text().splitlines():
            line = line.strip()
            if line.startswith("{"):
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    # --- HTTP ----------------------------------------------------------------------------
    def request(self, method, path, body=None, headers=None, key=ADMIN, raw=None,
                content_type=None, timeout=30):
        """One HTTP request on a new connection.

        body: a dict/list (sent as JSON) or str/bytes; raw: bytes, or an iterable of bytes sent
        chunked (Transfer-Encoding: chunked); content_type overrides the Content-Type.
        key: ADMIN (default) for the admin key, None for no Authorization header, or a key.
        """
        h = {}
        data = None
        if raw is not None:
            data = raw
            h["Content-Type"] = content_type or "application/json"
        elif body is not None:
            if isinstance(body, (dict, list)):
                data = json.dumps(body).encode()
            elif isinstance(body, str):
                data = body.encode()
            else:
                data = body
            h["Content-Type"] = content_type or "application/json"
        elif content_type is not None:
            h["Content-Type"] = content_type
        if key is ADMIN:
            key = self.admin_key
        if key is not None:
            h["Authorization"] = "Bearer " + key
        chunked = data is not None and not isinstance(data, (bytes, bytearray, str))
        for k, v in (headers or {}).items():
            for existing in list(h):
                if existing.lower() == k.lower():
                    del h[existing]
            if v is not None:
                h[k] = v
        c = http.client.HTTPConnection(self.host, self.port, timeout=timeout)
        try:
            try:
                c.request(method, path, body=data, headers=h, encode_chunked=chunked)
            except (BrokenPipeError, ConnectionResetError):
                # libmicrohttpd 0.9.75 answers a request it rejects from its headers alone
                # (401, 413 on Content-Length, 400 on the query...) at once and closes the
                # connection without reading the body, so a client still sending gets EPIPE.
                # The answer is already on the wire: read it, as curl does. If there is none,
                # getresponse() below raises. A connection reset before anything was sent
                # leaves no socket to read from: that is the reset itself.
                if c.sock is None:
                    raise
            r = c.getresponse()
            payload = r.read()
            return Response(r.status, r.reason, r.headers, payload)
        finally:
            c.close()

    def get(self, path, **kw):
        return self.request("GET", path, **kw)

    def post(self, path, body=None, **kw):
        return self.request("POST", path, body, **kw)


def _log_dir():
    return os.path.join(REPO, ".data", "test-logs")


class ServerTestCase(unittest.TestCase):
    """A test class sharing one Server (cls.server / self.server) across its tests.

    Set `server_env` (dict) on the subclass for extra environment, `server_preexec` (a
    staticmethod) for Server's preexec_fn, `migrate = False` to skip the migration before
    start. tearDownClass stops the server with SIGTERM and asserts exit code 0 and no sanitizer
    report."""

    server_env = None
    server_preexec = None
    migrate = True
    server = None

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        cls.server = Server(env=cls.server_env, migrate=cls.migrate, preexec_fn=cls.server_preexec)

    @classmethod
    def tearDownClass(cls):
        srv, cls.server = cls.server, None
        if srv is not None:
            try:
                code = srv.stop()
                if code != 0:
                    raise AssertionError("nichematch serve exited %s after SIGTERM (want 0); log: %s\n%s"
                                         % (code, srv.log_path, srv.log_text()[-4000:]))
            finally:
                srv.drop()
        super().tearDownClass()

    def request(self, *a, **kw):
        return self.server.request(*a, **kw)

    def assertStatus(self, resp, status):
        self.assertEqual(resp.status, status, "want %d, got %r" % (status, resp))

    def assertProblem(self, resp, status, field=None):
        """resp is an RFC 9457 problem with this status; with field, errors[] names it."""
        self.assertEqual(resp.status, status, "want %d, got %r" % (status, resp))
        self.assertEqual(resp.content_type, "application/problem+json", repr(resp))
        p = resp.json
        self.assertIsInstance(p, dict, "problem body is not a JSON object: %r" % resp)
        for member, typ in (("type", str), ("title", str), ("status", int), ("detail", str)):
            self.assertIn(member, p, "problem lacks %r: %r" % (member, p))
            self.assertIsInstance(p[member], typ, "problem %r has the wrong type: %r" % (member, p))
        self.assertEqual(p["status"], status, repr(p))
        if field is not None:
            errors = p.get("errors")
            self.assertIsInstance(errors, list, "problem has no errors[]: %r" % p)
            fields = [e.get("field") for e in errors if isinstance(e, dict)]
            self.assertIn(field, fields, "errors[] does not name %r: %r" % (field, p))
            for e in errors:
                self.assertIsInstance(e.get("message"), str, "error without message: %r" % e)
        return p


if __name__ == "__main__":
    # Utility: python3 tests/api/harness.py fetch PATH OUTFILE
    # starts a server on a fresh database, GETs PATH (no auth), writes the body to OUTFILE and
    # exits non-zero unless the answer was 200 and the server stopped cleanly.
    if len(sys.argv) == 4 and sys.argv[1] == "fetch":
        srv = Server()
        try:
            r = srv.request("GET", sys.argv[2], key=None)
            with open(sys.argv[3], "wb") as f:
                f.write(r.body)
        finally:
            code = srv.close()
        if r.status != 200:
            sys.exit("GET %s answered %d: %s" % (sys.argv[2], r.status, r.text[:2000]))
        if code != 0:
            sys.exit("server exited %s after SIGTERM" % code)
        sys.exit(0)
    sys.exit("usage: harness.py fetch PATH OUTFILE")
