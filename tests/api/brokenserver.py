#!/usr/bin/env python3
"""A deliberately broken nichematch, to show that a test can fail (docs/operations.md, "Tests").

Use it as NM_BIN; it runs the real binary (NM_REAL_BIN, default build/nichematch) and breaks
it as NM_BROKEN says:

    NM_BIN=tests/api/brokenserver.py NM_BROKEN=silent:HTTP/9.9 \
        python3 tests/api/run.py test_protocol_abuse          # must FAIL

Every command but `serve` is the real binary's. For `serve`, the real server listens on a
free port of its own and this script listens on NICHEMATCH_LISTEN in front of it, passing
bytes both ways, except where NM_BROKEN (comma-separated) says:

  silent:REGEX        a connection whose first bytes match REGEX (Python re, on bytes decoded
                      as latin-1) is read from but never answered nor closed: a server that
                      hangs on that request
  hang-after-sigterm  after SIGTERM, new connections are accepted and never answered (the
                      real server is stopped as usual; this script exits with its exit code)
  drop-header:NAME    the response header NAME is removed from every answer
                      (e.g. drop-header:Access-Control-Allow-Origin)
  openapi-drop:PATH   GET /openapi.json answers the document without paths[PATH]
                      (a route the server serves but does not document)

Signals: SIGTERM and SIGINT are passed to the real server; this script exits when it does.
"""
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))


def real_bin():
    return os.environ.get("NM_REAL_BIN") or os.path.join(REPO, "build", "nichematch")


def modes():
    out = []
    for part in (os.environ.get("NM_BROKEN") or "").split(","):
        part = part.strip()
        if part:
            name, _, arg = part.partition(":")
            out.append((name, arg))
    return out


def die_with_parent():
    """preexec_fn: the real server gets SIGKILL when this script dies (the harness kills
    leftovers with SIGKILL, which this script cannot pass on)."""
    import ctypes
    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Proxy:
    def __init__(self, listen, upstream_port):
        host, _, port = listen.rpartition(":")
        self.upstream = ("127.0.0.1", upstream_port)
        self.sock = socket.create_server((host or "127.0.0.1", int(port)), backlog=1024)
        self.modes = modes()
        self.sigterm = False
        self.hold = []  # sockets never answered

    def serve(self):
        while True:
            try:
                c, _ = self.sock.accept()
            except OSError:
                return
            threading.Thread(target=self.conn, args=(c,), daemon=True).start()

    def silence(self, c):
        self.hold.append(c)
        try:
            while c.recv(65536):
                pass
        except OSError:
            pass

    def conn(self, c):
        if self.sigterm and any(m == "hang-after-sigterm" for m, _ in self.modes):
            return self.silence(c)
        try:
            first = c.recv(65536)
        except OSError:
            c.close()
            return
        for m, arg in self.modes:
            if m == "silent" and re.search(arg, first.decode("latin-1")):
                return self.silence(c)
        try:
            u = socket.create_connection(self.upstream)
        except OSError:
            c.close()
            return
        drop = [arg.lower().encode() for m, arg in self.modes if m == "drop-header"]
        hide = [arg for m, arg in self.modes if m == "openapi-drop"]
        if hide and first.startswith(b"GET /openapi.json "):
            return self.openapi_without(c, u, first, hide)
        u.sendall(first)
        threading.Thread(target=pipe, args=(c, u, []), daemon=True).start()
        pipe(u, c, drop)

    def openapi_without(self, c, u, request, hide):
        """One GET /openapi.json with the paths in hide removed; then the connection closes."""
        import json
        u.sendall(request)
        buf = b""
        while b"\r\n\r\n" not in buf:
            buf += u.recv(65536)
        head, _, body = buf.partition(b"\r\n\r\n")
        m = re.search(rb"(?i)\r\ncontent-length:\s*(\d+)", head)
        while len(body) < int(m.group(1)):
            body += u.recv(65536)
        doc = json.loads(body)
        for path in hide:
            doc["paths"].pop(path, None)
        body = json.dumps(doc).encode()
        head = re.sub(rb"(?i)\r\ncontent-length:\s*\d+", b"\r\nContent-Length: %d" % len(body), head)
        head = re.sub(rb"(?i)\r\nconnection:[^\r]*", b"", head) + b"\r\nConnection: close"
        c.sendall(head + b"\r\n\r\n" + body)
        c.close()
        u.close()

    def close(self):
        self.sock.close()


def pipe(src, dst, drop):
    """Copy src to dst until EOF; with drop, remove those headers from each response head
    (good enough for the test suite's requests: a head arrives within one read)."""
    try:
        while True:
            data = src.recv(65536)
            if not data:
                break
            if drop and data.startswith(b"HTTP/1."):
                head, sep, rest = data.partition(b"\r\n\r\n")
                lines = [l for l in head.split(b"\r\n")
                         if l.split(b":", 1)[0].strip().lower() not in drop]
                data = b"\r\n".join(lines) + sep + rest
            dst.sendall(data)
    except OSError:
        pass
    finally:
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def main(argv):
    if not argv or argv[0] != "serve":
        os.execv(real_bin(), [real_bin()] + argv)
    listen = os.environ.get("NICHEMATCH_LISTEN", "127.0.0.1:8080")
    inner = free_port()
    env = dict(os.environ, NICHEMATCH_LISTEN="127.0.0.1:%d" % inner)
    proxy = Proxy(listen, inner)
    child = subprocess.Popen([real_bin()] + argv, env=env, preexec_fn=die_with_parent)

    def forward(signum, frame):
        proxy.sigterm = True
        child.send_signal(signum)
    signal.signal(signal.SIGTERM, forward)
    signal.signal(signal.SIGINT, forward)
    threading.Thread(target=proxy.serve, daemon=True).start()
    # A signal may land on a proxy thread; the main thread runs the Python handler only
    # between bytecodes, so it polls rather than blocking in waitpid.
    while child.poll() is None:
        time.sleep(0.05)
    code = child.returncode
    proxy.close()
    if proxy.hold and any(m == "hang-after-sigterm" for m, _ in proxy.modes):
        # keep the unanswered connections open a while: a client must see a hang, not a close
        threading.Event().wait(15)
    return code if code >= 0 else 128 - code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
