"""README's "A walk through the API" runs exactly as written (issue 11, "the project stands
alone").

The shell block between `<!-- walkthrough:begin -->` and `<!-- walkthrough:end -->` in
README.md is extracted and run with bash, unchanged, against a test server. The only things
the harness supplies are what a reader's terminal would hold: `BASE` (the README defaults it
to the address scripts/run.sh serves on), the `KEY` scripts/run.sh prints (or, in the second
case, no KEY but the `DATABASE_URL` the README tells the reader to set), and a working
directory that looks like the checkout's root (`build/nichematch` is the binary under test).
`set -euo pipefail` goes in front, and every curl in the block uses --fail-with-body, so a
failing step fails the test. The database starts as scripts/run.sh leaves it (500 demo
creators and a demo brand), so ids hard-coded in the README (brand 1, creator 42) would
point at the wrong rows and the checks below would see it.
"""
import os
import re
import subprocess
import tempfile
import unittest

from harness import REPO, ServerTestCase, nm_bin

README = os.path.join(REPO, "README.md")
BEGIN = "<!-- walkthrough:begin -->"
END = "<!-- walkthrough:end -->"


def walkthrough_script():
    """The sh/bash fenced blocks between the markers, joined in order."""
    with open(README, encoding="utf-8") as f:
        text = f.read()
    if text.count(BEGIN) != 1 or text.count(END) != 1:
        raise AssertionError("README.md must hold %s and %s once each" % (BEGIN, END))
    section = text[text.index(BEGIN) + len(BEGIN):text.index(END)]
    blocks = re.findall(r"^```(?:sh|bash|shell)[ \t]*\n(.*?)^```[ \t]*$", section, re.S | re.M)
    if not blocks:
        raise AssertionError("no ```sh block between the walkthrough markers in README.md")
    return "\n".join(blocks)


class ReadmeWalkthrough(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        # What scripts/run.sh seeds into an empty database before the reader starts.
        demo = cls.server.cli("demo-data", "--creators", "500", "--format", "ndjson").stdout
        r = cls.server.request("POST", "/v1/creators/import", raw=demo.encode(),
                               content_type="application/x-ndjson")
        assert r.status == 201, r
        r = cls.server.request("POST", "/v1/brands", {"name": "Demo Fitness Co",
                                                      "niches": ["fitness", "wellness"],
                                                      "goal": "engagement"})
        assert r.status == 201, r

    def run_walkthrough(self, env_more, drop=("KEY", "BASE", "DATABASE_URL")):
        """Runs the README block in a fresh directory holding build/nichematch; returns
        (CompletedProcess, directory)."""
        d = tempfile.mkdtemp(prefix="nm-walkthrough.")
        self.addCleanup(lambda: subprocess.run(["rm", "-rf", d]))
        os.makedirs(os.path.join(d, "build"))
        os.symlink(nm_bin(), os.path.join(d, "build", "nichematch"))
        env = {k: v for k, v in os.environ.items() if k not in drop}
        env["BASE"] = self.server.url
        env.update(env_more)
        script = "set -euo pipefail\n" + walkthrough_script()
        out = subprocess.run(["bash", "-c", script], cwd=d, env=env, stdout=subprocess.PIPE,
                             stderr=subprocess.PIPE, text=True, timeout=300)
        return out, d

    def check_outcome(self, out, d):
        """What the walk-through must have left behind, read back through the API."""
        self.assertEqual(out.returncode, 0, "the walk-through failed:\nstdout: %s\nstderr: %s"
                         % (out.stdout[-3000:], out.stderr[-3000:]))
        brand = re.search(r"^brand (\d+)$", out.stdout, re.M)
        best = re.search(r"^best match: creator (\d+)$", out.stdout, re.M)
        self.assertTrue(brand and best, out.stdout[:2000])
        brand, best = int(brand.group(1)), int(best.group(1))
        self.assertNotEqual(brand, 1, "the demo brand holds id 1; the README must use the id it got")

        r = self.request("GET", "/v1/brands/%d" % brand)
        self.assertStatus(r, 200)
        self.assertEqual(r.json["name"], "Acme Protein")

        # The CSV the README made and imported: 500 rows, none rejected.
        with open(os.path.join(d, "export.csv"), encoding="utf-8") as f:
            self.assertTrue(f.readline().startswith("platform,handle,"))
        imports = self.request("GET", "/v1/imports?limit=200").json["data"]
        last = max(imports, key=lambda i: i["id"])
        self.assertEqual((last["format"], last["status"], last["received"], last["rejected"]),
                         ("csv", "completed", 500, 0), last)

        # A stored run whose first result is the creator the README picked.
        runs = self.request("GET", "/v1/brands/%d/match-runs" % brand).json["data"]
        self.assertEqual(len(runs), 1, runs)
        self.assertGreater(runs[0]["stored"], 0, runs)
        page = self.request("GET", "/v1/brands/%d/matches?limit=1" % brand).json
        self.assertEqual(page["data"][0]["creator"]["id"], best)

        # The status the README set, as the shortlist lists it.
        r = self.request("GET", "/v1/brands/%d/creators?status=shortlisted" % brand)
        self.assertStatus(r, 200)
        self.assertEqual([(s["creator_id"], s["note"]) for s in r.json["data"]], [(best, "great fit")])
        return brand

    def test_with_the_key_run_sh_prints(self):
        out, d = self.run_walkthrough({"KEY": self.server.admin_key})
        self.check_outcome(out, d)

    def test_with_database_url_and_no_key(self):
        # The README's other path: no KEY in the terminal, a key made in the database.
        out, d = self.run_walkthrough({"DATABASE_URL": self.server.db_url})
        self.check_outcome(out, d)
        keys = self.request("GET", "/v1/keys?limit=200").json["data"]
        self.assertIn("walkthrough", [k["name"] for k in keys])

    def test_a_failing_step_fails_the_run(self):
        # The harness must notice a broken walk-through: with a revoked-looking key the
        # first curl gets a 401 and the run stops there with a non-zero exit.
        out, _ = self.run_walkthrough({"KEY": "nm_" + "x" * 32})
        self.assertNotEqual(out.returncode, 0, out.stdout)
        self.assertNotIn("best match", out.stdout)
        self.assertIn("401", out.stderr)


class ReadmeReferences(unittest.TestCase):
    """README points readers at the reference inside the repository, not outside it."""

    def test_readme_points_at_docs_api_md(self):
        with open(README, encoding="utf-8") as f:
            text = f.read()
        self.assertNotIn("shared/SPEC.md", text)
        self.assertIn("docs/api.md", text)
        self.assertIn("/openapi.json", text)
        self.assertTrue(os.path.exists(os.path.join(REPO, "docs", "api.md")))


if __name__ == "__main__":
    unittest.main()
