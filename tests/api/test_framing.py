"""Request framing (RFC 9112 6.1, 6.3): a body whose length two parties could read
differently is refused and the connection closed, so nothing after it on the same
connection is taken as a second request (request smuggling behind a proxy that frames
by Content-Length while we frame by Transfer-Encoding, or the reverse)."""

import re
import socket
import time

from harness import ServerTestCase


def exchange(port, data, timeout=10):
    """Sends raw bytes and reads until the server closes (or `timeout` passes with the
    connection still open). Returns (everything read, closed?)."""
    s = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    buf = b""
    closed = False
    try:
        try:
            s.sendall(data)
        except (BrokenPipeError, ConnectionResetError):
            pass
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            s.settimeout(max(0.05, deadline - time.monotonic()))
            try:
                chunk = s.recv(65536)
            except socket.timeout:
                break
            except ConnectionResetError:
                closed = True
                break
            if not chunk:
                closed = True
                break
            buf += chunk
    finally:
        s.close()
    return buf, closed


def statuses(buf):
    return [int(m) for m in re.findall(rb"HTTP/1\.[01] (\d{3}) ", buf)]


class FramingTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def smuggle(self, framing, body):
        """A POST with the given framing headers, then a pipelined GET /healthz on the same
        connection: the GET must never be answered."""
        key = self.server.admin_key.encode()
        req = (b"POST /v1/brands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
               b"\r\nContent-Type: application/json\r\n" + framing + b"\r\n" + body +
               b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n")
        return exchange(self.server.port, req, timeout=10)

    def test_content_length_with_chunked_is_refused_and_closed(self):
        body = b"2\r\n{}\r\n0\r\n\r\n"
        buf, closed = self.smuggle(b"Content-Length: %d\r\nTransfer-Encoding: chunked\r\n" % len(body), body)
        self.assertEqual(statuses(buf), [400], buf[:400])
        self.assertIn(b"application/problem+json", buf)
        self.assertIn(b"Content-Length and Transfer-Encoding", buf)
        self.assertTrue(closed, "the connection stayed open after an ambiguous body")

    def test_transfer_coding_other_than_chunked_is_refused_and_closed(self):
        for te in (b"gzip, chunked", b"chunked, identity", b"identity", b"xchunked", b"chunked "):
            with self.subTest(te=te):
                buf, closed = self.smuggle(b"Transfer-Encoding: " + te + b"\r\n", b"2\r\n{}\r\n0\r\n\r\n")
                self.assertEqual(statuses(buf), [400], buf[:400])
                self.assertIn(b"application/problem+json", buf)
                self.assertTrue(closed)

    def test_plain_chunked_and_content_length_still_work(self):
        key = self.server.admin_key.encode()
        body = b'{"name":"Framing Co","niches":["fitness"]}'
        chunked = b"%x\r\n" % len(body) + body + b"\r\n0\r\n\r\n"
        for framing, payload in ((b"Transfer-Encoding: chunked\r\n", chunked),
                                 (b"Transfer-Encoding:  Chunked\r\n", chunked),
                                 (b"Content-Length: %d\r\n" % len(body), body)):
            with self.subTest(framing=framing):
                req = (b"POST /v1/brands HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + key +
                       b"\r\nContent-Type: application/json\r\n" + framing + b"\r\n" + payload +
                       b"GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
                buf, _ = exchange(self.server.port, req, timeout=10)
                self.assertEqual(statuses(buf), [201, 200], buf[:600])
