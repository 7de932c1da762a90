"""No secret in clear in the idempotency store (issue 10, item 4).

POST /v1/keys, /v1/webhooks and /v1/inbound-sources answer 201 with a secret shown once (the
API key, a signing secret). Sent with an Idempotency-Key, the whole reply used to be stored
for 24 h, secret included, and replayed to anyone repeating the request with the same key.
Now the record keeps that member as null; a replay answers the same status, Location and body
with the secret null (docs/api-decisions.md).

The test dumps the whole test database (pg_dump --data-only) and looks for each secret:
- an API key must appear nowhere (api_keys holds its SHA-256 and a short prefix);
- a webhook or inbound secret may appear only in its own row (webhook_endpoints.secret,
  inbound_sources.secret: needed in clear to sign and verify, docs/security.md), never in
  idempotency_keys or any other table.
"""
import os
import re
import secrets
import shutil
import subprocess
import unittest

from apihelpers import body_of
from harness import ServerTestCase


def pg_dump_bin():
    for cand in (shutil.which("pg_dump"), "/usr/lib/postgresql/15/bin/pg_dump"):
        if cand and os.access(cand, os.X_OK):
            return cand
    raise unittest.SkipTest("pg_dump not found")


def tables_containing(dump, needle):
    """Names of the tables whose COPY data in a pg_dump --data-only text contains needle."""
    found, table = set(), None
    for line in dump.splitlines():
        m = re.match(r"COPY (\S+) \(", line)
        if m:
            table = m.group(1).split(".")[-1]
            continue
        if line == "\\.":
            table = None
            continue
        if needle in line:
            found.add(table or "<outside COPY data>")
    return found


CREATES = (
    # path, body, secret member, the table allowed to hold the secret in clear
    ("/v1/keys", {"role": "read", "name": "idem-test"}, "key", None),
    ("/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "events": ["brand.created"]}, "secret",
     "webhook_endpoints"),
    ("/v1/inbound-sources", {"name": "crm-idem"}, "secret", "inbound_sources"),
)


class IdempotencySecretTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1",
                  "NICHEMATCH_WEBHOOK_WORKERS": "0"}

    def create_twice(self, path, body, member):
        """Creates with an Idempotency-Key, then repeats the request; returns both replies."""
        h = {"Idempotency-Key": "idem-" + secrets.token_hex(8)}
        first = self.request("POST", path, body, headers=h)
        self.assertEqual(first.status, 201, body_of(first))
        secret = first.json.get(member)
        self.assertIsInstance(secret, str, body_of(first))
        self.assertGreater(len(secret), 16)
        again = self.request("POST", path, body, headers=h)
        return first, again, secret

    def test_secrets_not_stored_nor_replayed(self):
        found = []
        for path, body, member, own_table in CREATES:
            with self.subTest(path=path):
                first, again, secret = self.create_twice(path, body, member)
                found.append((path, secret, own_table))
                # The replay: same status, Location and resource; the secret is null.
                self.assertEqual(again.status, 201, body_of(again))
                self.assertEqual((again.headers.get("Idempotent-Replayed") or "").lower(), "true")
                self.assertEqual(again.headers.get("Location"), first.headers.get("Location"))
                self.assertNotIn(secret.encode(), again.body, "the replay reveals the secret")
                self.assertIn(member, again.json)
                self.assertIsNone(again.json[member], body_of(again))
                expect = dict(first.json, **{member: None})
                self.assertEqual(again.json, expect)
        # The key is real (not redacted at creation) and only one resource was created each.
        key = found[0][1]
        self.assertEqual(self.request("GET", "/v1/creators", key=key).status, 200)
        self.assertEqual(self.server.psql("SELECT count(*) FROM api_keys WHERE name = 'idem-test'"),
                         [("1",)])
        self.assertEqual(self.server.psql("SELECT count(*) FROM inbound_sources"), [("1",)])

        out = subprocess.run([pg_dump_bin(), "--data-only", "--no-owner", "-d", self.server.db_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        dump = out.stdout
        self.assertIn("COPY public.idempotency_keys", dump)
        self.assertGreaterEqual(
            int(self.server.psql("SELECT count(*) FROM idempotency_keys WHERE status = 201")[0][0]),
            3)
        for path, secret, own_table in found:
            with self.subTest(path=path):
                allowed = {own_table} if own_table else set()
                where = tables_containing(dump, secret)
                self.assertEqual(where - allowed, set(),
                                 "the secret of %s is in clear in %s" % (path, sorted(where)))

    def test_replay_of_a_failed_create_is_unchanged(self):
        """Problem replies carry no secret and replay as they were (422 here)."""
        h = {"Idempotency-Key": "idem-" + secrets.token_hex(8)}
        first = self.request("POST", "/v1/keys", {"role": "nobody"}, headers=h)
        self.assertProblem(first, 422, "role")
        again = self.request("POST", "/v1/keys", {"role": "nobody"}, headers=h)
        self.assertProblem(again, 422, "role")
        self.assertEqual(again.json, first.json)

    def test_migration_redacts_records_written_before(self):
        """Migration 0014 removes the secrets from records stored by earlier versions."""
        srv = self.server
        clear_key = "nm_live_" + secrets.token_hex(20)
        clear_secret = "whsec_" + secrets.token_hex(20)
        srv.psql("DELETE FROM schema_migrations WHERE version = 14")
        srv.psql(
            "INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash, "
            "status, content_type, location, body) VALUES "
            "(1, 'old-key', 'POST', '/v1/keys', 'h', 201, 'application/json; charset=utf-8', "
            "'/v1/keys/9', '{\"id\":9,\"role\":\"read\",\"key\":\"%s\"}'), "
            "(1, 'old-hook', 'POST', '/v1/webhooks', 'h', 201, 'application/json; charset=utf-8', "
            "'/v1/webhooks/9', '{\"id\":9,\"secret\":\"%s\"}'), "
            "(1, 'old-src', 'POST', '/v1/inbound-sources', 'h', 201, "
            "'application/json; charset=utf-8', '/v1/inbound-sources/9', "
            "'{\"id\":9,\"secret\":\"%s\"}')" % (clear_key, clear_secret, clear_secret))
        srv.cli("migrate")
        rows = srv.psql("SELECT idem_key, body::jsonb FROM idempotency_keys "
                        "WHERE idem_key LIKE 'old-%' ORDER BY idem_key")
        self.assertEqual(len(rows), 3)
        for idem_key, body in rows:
            self.assertNotIn(clear_key, body)
            self.assertNotIn(clear_secret, body)
        self.assertIn('"key": null', dict(rows)["old-key"])
        self.assertIn('"secret": null', dict(rows)["old-hook"])


if __name__ == "__main__":
    unittest.main()


SECRETS_KEY = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="


def sign_inbound(secret, body):
    """Standard Webhooks headers for body, with the suite's independent signer."""
    import time
    from test_webhooks import signature
    mid, ts = "msg_" + secrets.token_hex(8), str(int(time.time()))
    return {"webhook-id": mid, "webhook-timestamp": ts, "webhook-signature": signature(secret, mid, ts, body),
            "Content-Type": "application/json"}


class SealedSecretsTests(ServerTestCase):
    """With NICHEMATCH_SECRETS_KEY set (as scripts/run.sh and production set it), no table holds
    a key or a secret in clear: webhook and inbound secrets are sealed (AES-256-GCM), and still
    sign deliveries and verify inbound events. Secrets stored before the key was set are sealed
    at the next start. Without the key this test fails on the dump (secrets in their rows)."""
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1",
                  "NICHEMATCH_WEBHOOK_WORKERS": "0", "NICHEMATCH_SECRETS_KEY": SECRETS_KEY}

    def dump(self):
        out = subprocess.run([pg_dump_bin(), "--data-only", "--no-owner", "-d", self.server.db_url],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=120)
        self.assertEqual(out.returncode, 0, out.stderr)
        return out.stdout

    def test_no_secret_in_clear_in_any_table(self):
        made = []
        for path, body, member, _ in CREATES:
            b = dict(body)
            if path == "/v1/inbound-sources":
                b["name"] = "crm-sealed"
            r = self.request("POST", path, b, headers={"Idempotency-Key": "seal-" + secrets.token_hex(6)})
            self.assertEqual(r.status, 201, body_of(r))
            made.append((path, r.json[member]))
        dump = self.dump()
        for path, secret in made:
            self.assertEqual(tables_containing(dump, secret), set(), "%s: secret in clear" % path)
            # nor its base64 body, in case a column held it without the prefix
            self.assertEqual(tables_containing(dump, secret.split("_", 1)[1]), set(), path)
        rows = self.server.psql("SELECT secret FROM webhook_endpoints UNION ALL SELECT secret FROM inbound_sources")
        self.assertTrue(rows and all(r[0].startswith("enc1:") for r in rows), rows)
        # The sealed inbound secret still verifies a signed event, and a wrong one still fails.
        secret = made[2][1]
        body = b'{"type":"creator.upsert","data":{"platform":"instagram","handle":"sealed_one","followers":12000}}'
        h = sign_inbound(secret, body)
        r = self.request("POST", "/v1/inbound/crm-sealed", raw=body, headers=h, key=None)
        self.assertEqual(r.status, 200, body_of(r))
        h = sign_inbound("whsec_" + "A" * 32, body)
        self.assertEqual(self.request("POST", "/v1/inbound/crm-sealed", raw=body, headers=h, key=None).status, 401)

    def test_secrets_stored_in_clear_are_sealed_at_start(self):
        self.server.psql("INSERT INTO inbound_sources (name, secret) VALUES ('crm-legacy', "
                         "'whsec_bGVnYWN5bGVnYWN5bGVnYWN5bGVnYWN5bGVn')")
        self.server.restart()
        rows = self.server.psql("SELECT secret FROM inbound_sources WHERE name = 'crm-legacy'")
        self.assertTrue(rows[0][0].startswith("enc1:"), rows)
        self.assertNotIn("bGVnYWN5bGVnYWN5", self.dump())
