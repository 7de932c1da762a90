#!/usr/bin/env python3
"""A fast local webhook receiver for bench/webhooks.sh: answers 204 to every POST and
appends "<receive unix time> <event created_at> <webhook-id>" per delivery to a file.
usage: webhook_receiver.py PORT OUTFILE"""
import http.server
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


http.server.ThreadingHTTPServer(("127.0.0.1", port), Handler).serve_forever()
