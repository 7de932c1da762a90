"""Rotating NICHEMATCH_SECRETS_KEY (docs/security.md §10): start with the new key and the old
one in NICHEMATCH_SECRETS_KEY_PREVIOUS; the start-up pass seals every stored secret (webhook
secrets, a rotated endpoint's previous secret, inbound secrets) again under the new key, so
that the old key can then be dropped. Signing and verifying work throughout."""
import json
import time

from harness import ServerTestCase
from test_security_secrets import sign_inbound
from test_webhooks import Receiver, signature_ok

KEY_A = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY="
KEY_B = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff"


class SecretsKeyRotationTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0", "NICHEMATCH_WEBHOOK_ALLOW_PRIVATE": "1",
                  "NICHEMATCH_SECRETS_KEY": KEY_A}

    def stored(self):
        return dict(((t, r[0]), r[1]) for t, q in (
            ("webhook", "SELECT id, secret FROM webhook_endpoints"),
            ("webhook_previous", "SELECT id, previous_secret FROM webhook_endpoints WHERE previous_secret IS NOT NULL"),
            ("source", "SELECT id, secret FROM inbound_sources")) for r in self.server.psql(q))

    def inbound_ok(self, secret, handle):
        body = json.dumps({"type": "creator.upsert", "data": {"platform": "instagram", "handle": handle,
                                                               "followers": 12000}}).encode()
        r = self.request("POST", "/v1/inbound/crm-rot", raw=body, headers=sign_inbound(secret, body), key=None)
        return r.status == 200

    def delivery_verifies(self, rcv, secret):
        """POST .../test, then the delivery reaches rcv signed with secret."""
        before = len(rcv.snapshot())
        r = self.request("POST", "/v1/webhooks/%d/test" % self.wh["id"])
        self.assertIn(r.status, (200, 201, 202), r)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            got = rcv.snapshot()[before:]
            if got:
                return signature_ok(secret, got[0]["headers"], got[0]["body"])
            time.sleep(0.1)
        self.fail("no delivery within 20 s")

    def test_rotation_reseals_everything_under_the_new_key(self):
        rcv = Receiver()
        self.wh = self.request("POST", "/v1/webhooks", {"url": rcv.url, "events": ["brand.created"]}).json
        rot = self.request("POST", "/v1/webhooks/%d/rotate-secret" % self.wh["id"], {})
        self.assertIn(rot.status, (200, 201), rot)
        new_secret = rot.json["secret"]
        src = self.request("POST", "/v1/inbound-sources", {"name": "crm-rot"})
        self.assertEqual(src.status, 201, src)
        src_secret = src.json["secret"]
        under_a = self.stored()
        self.assertEqual(len(under_a), 3, under_a)  # secret, previous_secret, source secret
        self.assertTrue(all(v.startswith("enc1:") for v in under_a.values()), under_a)

        # 1. new key, old key as previous: every value is sealed again, all still work
        self.server.restart(env={"NICHEMATCH_SECRETS_KEY": KEY_B, "NICHEMATCH_SECRETS_KEY_PREVIOUS": KEY_A})
        self.assertIn("sealed 3 secret(s)", self.server.log_text())
        under_b = self.stored()
        self.assertEqual(set(under_b), set(under_a))
        for k in under_a:
            self.assertTrue(under_b[k].startswith("enc1:"), k)
            self.assertNotEqual(under_b[k], under_a[k], "%s was not sealed again" % (k,))
        self.assertTrue(self.inbound_ok(src_secret, "rot_one"))
        self.assertTrue(self.delivery_verifies(rcv, new_secret))

        # 2. the old key dropped: nothing depends on it any more; a second start reseals nothing
        self.server.restart(env={"NICHEMATCH_SECRETS_KEY_PREVIOUS": None})
        self.assertEqual(self.stored(), under_b)
        self.assertTrue(self.inbound_ok(src_secret, "rot_two"))
        self.assertTrue(self.delivery_verifies(rcv, new_secret))
        self.assertFalse(self.inbound_ok("whsec_" + "A" * 32, "rot_bad"))

        # 3. back to the old key alone: it can open none of them (they really moved to B),
        #    and the start says so instead of failing
        self.server.restart(env={"NICHEMATCH_SECRETS_KEY": KEY_A})
        self.assertIn("3 stored secret(s) are sealed by a key", self.server.log_text())
        self.assertFalse(self.inbound_ok(src_secret, "rot_three"))
        self.assertEqual(self.stored(), under_b)

    def test_previous_without_a_key_refuses_to_start(self):
        self.server.stop()
        self.server.extra_env.pop("NICHEMATCH_SECRETS_KEY")
        self.server.extra_env["NICHEMATCH_SECRETS_KEY_PREVIOUS"] = KEY_A
        try:
            with self.assertRaises(Exception):
                self.server.start(timeout=5)
            self.assertIn("NICHEMATCH_SECRETS_KEY_PREVIOUS needs NICHEMATCH_SECRETS_KEY", self.server.log_text())
        finally:
            self.server.extra_env.pop("NICHEMATCH_SECRETS_KEY_PREVIOUS")
            self.server.extra_env["NICHEMATCH_SECRETS_KEY"] = KEY_A
            self.server.start()
