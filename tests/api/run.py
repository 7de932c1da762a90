#!/usr/bin/env python3
"""Run the API test suite: tests/api/test_*.py with unittest.

  python3 tests/api/run.py [PATTERN...]

PATTERNs select tests whose id (module.Class.test_name) contains them (unittest's -k).
Environment: see harness.py (NM_BIN, NM_TEST_DB_URL, NM_TEST_LOG_DIR, NM_TEST_KEEP_DB).
"""
import os
import shutil
import signal
import sys
import unittest

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import harness  # noqa: E402  (also makes `from harness import ...` work in the tests)


def main(argv):
    # SIGTERM ends the run through SystemExit, so that atexit stops the servers it started.
    signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(128 + signum))
    patterns = [a for a in argv if not a.startswith("-")]
    loader = unittest.TestLoader()
    if patterns:
        loader.testNamePatterns = ["*%s*" % p for p in patterns]
    if not os.environ.get("NM_TEST_LOG_DIR"):
        d = harness._log_dir()
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d, exist_ok=True)
    suite = loader.discover(HERE, pattern="test_*.py", top_level_dir=HERE)
    print("api: NM_BIN=%s" % harness.nm_bin(), flush=True)
    runner = unittest.TextTestRunner(verbosity=2, failfast=False, buffer=False)
    result = runner.run(suite)
    failed = len(result.failures) + len(result.errors) + len(result.unexpectedSuccesses)
    skipped = len(result.skipped)
    passed = max(0, result.testsRun - failed - skipped)
    if result.testsRun == 0 and failed == 0:
        print("api: no tests ran", flush=True)
        return 1
    print("api: server logs in %s" % (os.environ.get("NM_TEST_LOG_DIR") or harness._log_dir()))
    print("api: %d passed, %d failed, %d skipped" % (passed, failed, skipped), flush=True)
    return 0 if result.wasSuccessful() else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
