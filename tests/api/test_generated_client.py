"""A client generated from the OpenAPI document compiles and works against the server
(issue 11): tests/client/ generates TypeScript types with openapi-typescript from the document
this binary serves, compiles a small openapi-fetch program with tsc (strict), and runs it with
Node against a live server: it creates a creator, lists creators with typed filters, reads one,
and sees an unknown filter refused. Needs node and npm (scripts/test.sh installs them) and the
npm registry (packages pinned in tests/client/package-lock.json)."""
import os
import shutil
import subprocess
import unittest

from harness import REPO, ServerTestCase

CLIENT = os.path.join(REPO, "tests", "client")


def run(cmd, env=None, timeout=600):
    out = subprocess.run(cmd, cwd=CLIENT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True, timeout=timeout)
    if out.returncode != 0:
        raise AssertionError("%s exited %d:\n%s" % (" ".join(cmd), out.returncode, out.stdout[-4000:]))
    return out.stdout


class GeneratedClientTests(ServerTestCase):
    server_env = {"NICHEMATCH_RATE_LIMIT": "0"}

    def test_generated_typescript_client_lists_creators(self):
        if not shutil.which("npm") or not shutil.which("node"):
            self.skipTest("node/npm not installed")
        doc = self.request("GET", "/openapi.json", key=None)
        self.assertStatus(doc, 200)
        with open(os.path.join(CLIENT, "openapi.json"), "wb") as f:
            f.write(doc.body)
        os.makedirs(os.path.join(CLIENT, "build"), exist_ok=True)
        env = dict(os.environ, npm_config_update_notifier="false", npm_config_fund="false",
                   npm_config_audit="false")
        if not os.path.isdir(os.path.join(CLIENT, "node_modules", "openapi-fetch")):
            run(["npm", "ci", "--no-audit", "--no-fund"], env=env)
        run(["npx", "--no-install", "openapi-typescript", "openapi.json", "-o", "build/schema.d.ts"], env=env)
        run(["npx", "--no-install", "tsc", "-p", "."], env=env)
        out = run(["node", "build/client.js"], env=dict(env, BASE_URL=self.server.url,
                                                         NM_KEY=self.server.admin_key), timeout=120)
        self.assertIn('"listed":', out)


if __name__ == "__main__":
    unittest.main()
