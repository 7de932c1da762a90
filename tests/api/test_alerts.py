"""Match alerts (issue 15, docs/webhooks.md "match.new_candidate"): a brand with
`alerts: {"top_n": N}` gets match.new_candidate for each creator written since its latest
run (import, POST /v1/creators, inbound CRM event) that would rank inside the run's top N;
once per (brand, creator) until the score moves by more than 1.0 point.

Deliveries are received by a real HTTP receiver; each one's Standard Webhooks signature is
verified with the test's own signer (test_webhooks) and its body validated against the
schema /openapi.json publishes for the event (test_crm_webhooks)."""
import json
import secrets
import time

from harness import ServerTestCase
from apihelpers import body_of, poll
from test_webhooks import BASE_ENV, signature
from test_crm_webhooks import CrmHooks

EVENT = "match.new_candidate"
RECENT = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 3 * 86400))


def pool_row(i):
    """A middling vegan creator: the run's results the newcomers are compared with."""
    return {"platform": "instagram", "handle": "alert_pool_%02d" % i, "followers": 20000 + 900 * i,
            "engagement_rate": 0.02 + 0.001 * i, "categories": ["vegan"], "last_post_at": RECENT}


def star_row(handle, followers=48000):
    """A creator who beats every pool creator for a vegan brand."""
    return {"platform": "instagram", "handle": handle, "followers": followers, "engagement_rate": 0.09,
            "categories": ["vegan", "food"], "hashtags": ["vegan", "veganrecipes"],
            "bio": "Vegan recipes every day", "last_post_at": RECENT, "email": handle + "@example.com",
            "profile_url": "https://instagram.com/" + handle, "display_name": "Star " + handle,
            "country": "US", "price_per_post_cents": 30000}


def weak_row(handle):
    """Matches a vegan brand, but below the 5th result of its run."""
    return {"platform": "instagram", "handle": handle, "followers": 10500, "engagement_rate": 0.001,
            "categories": ["vegan"]}


class AlertTests(CrmHooks, ServerTestCase):
    server_env = BASE_ENV

    def passes(self):
        """The alert passes the server has logged so far (their creator counts)."""
        out = []
        for line in self.server.log_text().splitlines():
            if '"match alerts pass"' in line:
                try:
                    out.append(json.loads(line))
                except ValueError:
                    pass
        return out

    def settle(self, rcv, before, min_creators=1):
        """Returns once the alert thread has logged a pass over at least min_creators written
        after `before` passes, and every delivery it caused has arrived (a sentinel event
        after it, judged on events rather than a sleep)."""
        got = poll(lambda: [p for p in self.passes()[before:] if p.get("creators", 0) >= min_creators],
                   30, 0.05)
        self.assertTrue(got, "no alert pass logged within 30 s: %r" % self.passes()[before:])
        self.assertEqual(got[-1].get("status"), "ok", got)
        self.sentinel(rcv)

    def alerts_of(self, rcv):
        return [e for e in self.events_of(rcv, {EVENT})]

    def setup_brands(self, rcv):
        ep = self.endpoint(rcv.url, events=[EVENT])
        a = self.make_brand(name="Alert A", niches=["vegan"], external_id="crm-a", alerts={"top_n": 5})
        b = self.make_brand(name="Alert B", niches=["vegan"], external_id="crm-b", alerts={"top_n": 5})
        off = self.make_brand(name="Alert Off", niches=["vegan"], external_id="crm-off")
        self.assertEqual((a["alerts"], off["alerts"]), ({"top_n": 5}, None))
        return ep, a, b, off

    def test_alerts_follow_the_brands_freshness_filters(self):
        """A brand whose runs leave out data older than 30 days is not alerted about a creator
        measured 200 days ago (its run could not show it); a brand without the filter is."""
        rcv = self.receiver()
        self.endpoint(rcv.url, events=[EVENT])
        fresh = self.make_brand(name="Alert Fresh", niches=["vegan"], alerts={"top_n": 5},
                                max_data_age_days=30)
        any_age = self.make_brand(name="Alert Any", niches=["vegan"], alerts={"top_n": 5})
        self.import_rows([pool_row(i) for i in range(12)])
        for br in (fresh, any_age):
            self.assertStatus(self.request("POST", "/v1/brands/%d/matches" % br["id"], {}), 201)
        before = len(self.passes())
        old = time.strftime("%Y-%m-%dT00:00:00Z", time.gmtime(time.time() - 200 * 86400))
        self.import_rows([dict(star_row("alert_old_data"), data_as_of=old)])
        self.settle(rcv, before, 1)
        got = sorted(e["data"]["brand_id"] for e in self.alerts_of(rcv)
                     if e["data"]["creator"]["handle"] == "alert_old_data")
        self.assertEqual(got, [any_age["id"]])

    def test_import_alerts_each_alerting_brand_once(self):
        rcv = self.receiver()
        ep, a, b, off = self.setup_brands(rcv)
        self.import_rows([pool_row(i) for i in range(12)] + [star_row("alert_declined")])
        declined = self.request("GET", "/v1/creators?handle=alert_declined").json["data"][0]
        for br in (a, b, off):
            r = self.request("PUT", "/v1/brands/%d/creators/%d/status" % (br["id"], declined["id"]),
                             {"status": "declined"})
            self.assertStatus(r, 200)
        runs = {}
        for br in (a, b, off):
            r = self.request("POST", "/v1/brands/%d/matches" % br["id"], {})
            self.assertStatus(r, 201)
            runs[br["id"]] = r.json
        top5 = [x["score"] for x in runs[a["id"]]["data"][:5]]
        self.assertEqual(len(top5), 5, runs[a["id"]])
        before = len(self.passes())
        # The star enters; the weak one matches but stays below the 5th result; the
        # declined one changes (it would rank first) but is declined for every brand.
        changed_declined = dict(star_row("alert_declined"), followers=49000)
        rows = [star_row("alert_star"), weak_row("alert_weak"), changed_declined]
        self.import_rows(rows)
        self.settle(rcv, before, 3)
        evs = self.alerts_of(rcv)
        for q in rcv.snapshot():
            self.assertSigned(q, ep["secret"])
        star = self.request("GET", "/v1/creators?handle=alert_star").json["data"][0]
        self.assertEqual(sorted((e["data"]["brand_id"], e["data"]["creator"]["id"]) for e in evs),
                         sorted([(a["id"], star["id"]), (b["id"], star["id"])]),
                         "one alert per alerting brand, for the star only: %r" % evs)
        ev = [e for e in evs if e["data"]["brand_id"] == a["id"]][0]["data"]
        self.assertEqual(ev["brand"], {"id": a["id"], "name": "Alert A", "external_id": "crm-a"})
        c = ev["creator"]
        self.assertEqual((c["platform"], c["handle"], c["display_name"], c["email"], c["profile_url"],
                          c["followers"]),
                         ("instagram", "alert_star", "Star alert_star", "alert_star@example.com",
                          "https://instagram.com/alert_star", 48000))
        self.assertAlmostEqual(c["engagement_rate"], 0.09)
        self.assertEqual((ev["run_id"], ev["top_n"]), (runs[a["id"]]["run"]["id"], 5))
        self.assertGreater(ev["score"], top5[-1])
        self.assertEqual(ev["would_rank"], 1 + sum(1 for s in top5 if s >= ev["score"]), (ev, top5))
        self.assertTrue(ev["explanations"] and all({"code", "component", "text"} <= set(x)
                                                   for x in ev["explanations"]), ev)
        # The same score a match run gives it now (runs score with the same code).
        r = self.request("POST", "/v1/brands/%d/matches" % off["id"], {})
        mine = [x for x in r.json["data"] if x["creator"]["id"] == star["id"]]
        self.assertEqual(mine[0]["score"], ev["score"], mine)
        self.assertEqual(mine[0]["explanations"], ev["explanations"])

        # Re-importing the same rows changes nothing: no alert (already alerted at this
        # score; the weak and the declined one still do not qualify).
        n = len(evs)
        before = len(self.passes())
        self.import_rows(rows)
        self.settle(rcv, before, 3)
        self.assertEqual(len(self.alerts_of(rcv)), n, self.alerts_of(rcv))

        # A change that moves the star's score by more than the margin alerts again, via
        # POST /v1/creators (an upsert) this time.
        before = len(self.passes())
        r = self.request("POST", "/v1/creators", dict(star_row("alert_star"), engagement_rate=0.05))
        self.assertIn(r.status, (200, 201), body_of(r))
        self.settle(rcv, before, 1)
        again = self.alerts_of(rcv)[n:]
        self.assertEqual(sorted(e["data"]["brand_id"] for e in again), sorted([a["id"], b["id"]]), again)
        self.assertNotEqual(again[0]["data"]["score"], ev["score"])
        self.assertEqual(self.count_rows("match_alerts", "brand_id = %d" % off["id"]), 0)

        # An inbound CRM event (creator.upsert of a new star) alerts too.
        n = len(self.alerts_of(rcv))
        src = self.request("POST", "/v1/inbound-sources", {"name": "alerts-crm"}).json
        self.addCleanup(self.request, "DELETE", "/v1/inbound-sources/%d" % src["id"])
        body = json.dumps({"type": "creator.upsert", "data": star_row("alert_crm_star")}).encode()
        mid, ts = "msg_" + secrets.token_hex(8), str(int(time.time()))
        before = len(self.passes())
        r = self.request("POST", src["inbound_path"], raw=body, key=None, headers={
            "webhook-id": mid, "webhook-timestamp": ts,
            "webhook-signature": signature(src["secret"], mid, ts, body)})
        self.assertStatus(r, 200)
        self.settle(rcv, before, 1)
        crm = self.alerts_of(rcv)[n:]
        self.assertEqual(sorted((e["data"]["brand_id"], e["data"]["creator"]["handle"]) for e in crm),
                         sorted([(a["id"], "alert_crm_star"), (b["id"], "alert_crm_star")]), crm)

    def test_brand_without_run_and_creator_in_top_get_none(self):
        """A brand with alerts on but no run yet gets nothing; a creator already in the
        run's top N is not news."""
        rcv = self.receiver()
        self.endpoint(rcv.url, events=[EVENT])
        norun = self.make_brand(name="No run", niches=["keto"], alerts={"top_n": 3})
        ran = self.make_brand(name="Ran", niches=["paleo"], alerts={"top_n": 3})
        self.import_rows([dict(pool_row(i), handle="paleo_%d" % i, categories=["paleo", "keto"])
                          for i in range(4)])
        self.assertStatus(self.request("POST", "/v1/brands/%d/matches" % ran["id"], {}), 201)
        before = len(self.passes())
        # paleo_3 is in Ran's top 3 already; keto creators interest only the brand
        # without a run.
        self.import_rows([dict(pool_row(3), handle="paleo_3", categories=["paleo", "keto"],
                               display_name="renamed"),
                          dict(star_row("keto_star"), categories=["keto"])])
        self.settle(rcv, before, 2)
        self.assertEqual(self.alerts_of(rcv), [])
        self.assertEqual(self.count_rows("match_alerts", "brand_id = %d" % norun["id"]), 0)

    def test_alerts_field(self):
        b = self.make_brand(name="Field", niches=["tea"])
        self.assertIsNone(b["alerts"])
        path = "/v1/brands/%d" % b["id"]
        r = self.request("PATCH", path, {"alerts": {"top_n": 20}})
        self.assertStatus(r, 200)
        self.assertEqual(r.json["alerts"], {"top_n": 20})
        self.assertEqual(self.request("GET", path).json["alerts"], {"top_n": 20})
        r = self.request("PATCH", path, {"alerts": {"top_n": 200}})  # merge patch
        self.assertEqual(r.json["alerts"], {"top_n": 200})
        for bad, field in [({"top_n": 0}, "alerts.top_n"), ({"top_n": 201}, "alerts.top_n"),
                           ({"top_n": "20"}, "alerts.top_n"), ({"top_n": 2.5}, "alerts.top_n"),
                           ({}, "alerts.top_n"), ({"top_n": 5, "every": "day"}, "alerts.every"),
                           (20, "alerts"), (True, "alerts")]:
            # a merge patch's {} changes nothing; {"top_n": null} removes the member
            patch = {"top_n": None} if bad == {} else bad
            self.assertProblem(self.request("PATCH", path, {"alerts": patch}), 422, field)
            self.assertProblem(self.request("POST", "/v1/brands", {"name": "x", "niches": ["tea"],
                                                                   "alerts": bad}), 422, field)
        self.assertEqual(self.request("GET", path).json["alerts"], {"top_n": 200})
        r = self.request("PATCH", path, {"alerts": None})
        self.assertStatus(r, 200)
        self.assertIsNone(r.json["alerts"])
        self.assertIsNone(self.make_brand(name="Null", niches=["tea"], alerts=None)["alerts"])

    def test_event_type_is_subscribable_and_documented(self):
        r = self.request("POST", "/v1/webhooks", {"url": "http://127.0.0.1:9/hook", "events": [EVENT]})
        self.assertStatus(r, 201)
        self.addCleanup(self.request, "DELETE", "/v1/webhooks/%d" % r.json["id"])
        doc = self.request("GET", "/openapi.json", key=None).json
        self.assertIn(EVENT, doc["webhooks"])
        self.assertIn(EVENT, doc["components"]["schemas"]["EventType"]["enum"])
        self.assertIn("alerts", doc["components"]["schemas"]["Brand"]["properties"])
        with open(__file__.replace("tests/api/test_alerts.py", "docs/webhooks.md"), encoding="utf-8") as f:
            self.assertIn(EVENT, f.read())
