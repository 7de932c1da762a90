/* Unit tests of the retention arithmetic: durations as operators write them, the
 * NICHEMATCH_RETAIN_* variables and their floors, and the index rebuild margin. */
#include <stdlib.h>

#include "check.h"
#include "nm/config.h"
#include "nm/retention.h"

static long long dur(const char *s)
{
	long long v = -1;
	return nm_duration_parse(s, &v) ? v : -1;
}

static void clear_env(void)
{
	static const char *const names[] = {
		"NICHEMATCH_RETAIN_IDEMPOTENCY",    "NICHEMATCH_RETAIN_MATCH_RUNS",
		"NICHEMATCH_RETAIN_WEBHOOK_EVENTS", "NICHEMATCH_RETAIN_INBOUND_EVENTS",
		"NICHEMATCH_RETAIN_IMPORTS",	    "NICHEMATCH_RETAIN_TOMBSTONES",
		"NICHEMATCH_PRUNE_INTERVAL_S",	    "NICHEMATCH_PRUNE_BATCH",
		"NICHEMATCH_PRUNE_BUDGET_S"};
	for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
		unsetenv(names[i]);
}

/* Loads the configuration with one variable set; false when it is refused. */
static bool load_with(const char *name, const char *value, struct nm_config *cfg)
{
	clear_env();
	setenv(name, value, 1);
	char err[256] = "";
	bool ok = nm_config_load(cfg, err, sizeof err);
	/* A refusal names the variable, so the operator knows which line to fix. */
	CHECK(ok || strstr(err, name) != NULL);
	unsetenv(name);
	return ok;
}

int main(void)
{
	CHECK(dur("0") == 0);
	CHECK(dur("45s") == 45);
	CHECK(dur("30m") == 1800);
	CHECK(dur("24h") == 86400);
	CHECK(dur("90d") == 90 * 86400);
	CHECK(dur("0d") == 0);
	CHECK(dur("007d") == 7 * 86400);
	/* Bare numbers are ambiguous; other spellings are refused rather than guessed. */
	CHECK(dur("90") == -1);
	CHECK(dur("") == -1);
	CHECK(dur("d") == -1);
	CHECK(dur("-1d") == -1);
	CHECK(dur("1.5d") == -1);
	CHECK(dur("7 d") == -1);
	CHECK(dur("7D") == -1);
	CHECK(dur("7dd") == -1);
	CHECK(dur("1w") == -1);
	CHECK(dur(" 7d") == -1);
	CHECK(dur(NULL) == -1);
	/* Bounded: now() - interval must stay inside the timestamp range. */
	CHECK(dur("36500d") == NM_RETAIN_MAX_S);
	CHECK(dur("36501d") == -1);
	CHECK(dur("99999999999999999999999s") == -1);
	CHECK(dur("3153600000s") == NM_RETAIN_MAX_S);
	CHECK(dur("3153600001s") == -1);

	char buf[24];
	CHECK_STR(nm_duration_format(0, buf), "0");
	CHECK_STR(nm_duration_format(7 * 86400, buf), "7d");
	CHECK_STR(nm_duration_format(36 * 3600, buf), "36h");
	CHECK_STR(nm_duration_format(90, buf), "90s");
	CHECK_STR(nm_duration_format(120, buf), "2m");
	for (long long s = 1; s < 200000; s += 997)
		CHECK(dur(nm_duration_format(s, buf)) == s);

	/* Half the retention, at most a day: an index idle for 6 of 7 days rebuilds; one
	 * with a retention of seconds (tests) rebuilds after half of it. */
	CHECK(nm_retain_resync_margin_s(7 * 86400) == 86400);
	CHECK(nm_retain_resync_margin_s(86400) == 43200);
	CHECK(nm_retain_resync_margin_s(4) == 2);
	CHECK(nm_retain_resync_margin_s(1) == 0);
	for (long long r = 1; r < 30 * 86400; r += 3607) {
		long long m = nm_retain_resync_margin_s(r);
		CHECK(m >= 0 && m < r && m <= 86400);
	}

	/* Defaults (docs/operations.md, "Retention"). */
	struct nm_config cfg;
	clear_env();
	char err[256];
	CHECK(nm_config_load(&cfg, err, sizeof err));
	CHECK(cfg.retain_idempotency_s == 86400);
	CHECK(cfg.retain_match_runs_s == 90 * 86400);
	CHECK(cfg.retain_webhook_events_s == 30 * 86400);
	CHECK(cfg.retain_inbound_events_s == 7 * 86400);
	CHECK(cfg.retain_imports_s == 90 * 86400);
	CHECK(cfg.retain_tombstones_s == 7 * 86400);
	CHECK(cfg.prune_interval_s == 300);
	CHECK(cfg.prune_batch == 5000);
	CHECK(cfg.prune_budget_s == 60);

	/* Idempotency: docs/api.md §2 promises replay for 24 h, so nothing shorter; forever is fine. */
	CHECK(!load_with("NICHEMATCH_RETAIN_IDEMPOTENCY", "23h", &cfg));
	CHECK(!load_with("NICHEMATCH_RETAIN_IDEMPOTENCY", "86399s", &cfg));
	CHECK(load_with("NICHEMATCH_RETAIN_IDEMPOTENCY", "1d", &cfg) &&
	      cfg.retain_idempotency_s == 86400);
	CHECK(load_with("NICHEMATCH_RETAIN_IDEMPOTENCY", "72h", &cfg) &&
	      cfg.retain_idempotency_s == 3 * 86400);
	CHECK(load_with("NICHEMATCH_RETAIN_IDEMPOTENCY", "0", &cfg) &&
	      cfg.retain_idempotency_s == 0);
	/* Inbound dedupe: not below an hour (a signed request stays replayable ~10 min). */
	CHECK(!load_with("NICHEMATCH_RETAIN_INBOUND_EVENTS", "59m", &cfg));
	CHECK(load_with("NICHEMATCH_RETAIN_INBOUND_EVENTS", "1h", &cfg) &&
	      cfg.retain_inbound_events_s == 3600);
	/* The others take any duration, and 0 keeps forever. */
	CHECK(load_with("NICHEMATCH_RETAIN_TOMBSTONES", "3s", &cfg) &&
	      cfg.retain_tombstones_s == 3);
	CHECK(load_with("NICHEMATCH_RETAIN_MATCH_RUNS", "0", &cfg) && cfg.retain_match_runs_s == 0);
	CHECK(!load_with("NICHEMATCH_RETAIN_MATCH_RUNS", "90", &cfg));
	CHECK(!load_with("NICHEMATCH_RETAIN_IMPORTS", "soon", &cfg));
	CHECK(load_with("NICHEMATCH_PRUNE_INTERVAL_S", "0", &cfg) && cfg.prune_interval_s == 0);
	CHECK(!load_with("NICHEMATCH_PRUNE_BATCH", "10", &cfg));
	CHECK_DONE();
}
