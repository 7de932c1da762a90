#!/usr/bin/env python3
"""Local webhook receivers for bench/webhooks.sh.

usage: webhook_receiver.py PORT OUTFILE [hang]

Default: answers 204 to every POST and appends "<receive unix time> <event created_at>
<webhook-id>" per delivery to OUTFILE.
hang: a receiver that accepts every connection and never answers (each POST runs into the
sender's timeout); appends "<accept unix time> accepted" per connection."""
import http.server
import socket
import sys
import threading
import time

port, out = int(sys.argv[1]), open(sys.argv[2], "a", buffering=1)
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, as the workers reuse connections

    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("content-length", 0)))
        now = time.time()
        # created_at is the 4th string value of {"id","type","created_at",...}.
        i = body.find(b'"created_at":"')
        created = body[i + 14:i + 38].split(b'"')[0].decode() if i >= 0 else "-"
        with lock:
            out.write(f"{now:.6f} {created} {self.headers.get('webhook-id')}\n")
        self.send_response(204)
        self.end_headers()

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 1024  # the default 5 drops SYNs when many senders connect at once


def hang():
    """Accepts and holds every connection, reading nothing, until the peer gives up."""
    srv = socket.create_server(("127.0.0.1", port), backlog=1024)
    held = []
    while True:
        conn, _ = srv.accept()
        out.write(f"{time.time():.6f} accepted\n")
        held.append(conn)
        if len(held) > 2000:  # the sender has long timed these out
            for c in held[:1000]:
                c.close()
            del held[:1000]


if len(sys.argv) > 3 and sys.argv[3] == "hang":
    hang()
else:
    Server(("127.0.0.1", port), Handler).serve_forever()
