#include "nm/config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nm/retention.h"
#include "nm/secretbox.h"

/* A private copy of NICHEMATCH_CORS_ORIGINS, split in place. */
static char cors_buf[4096];
static char replica_buf[8192];

static bool env_long(const char *name, long def, long lo, long hi, long *out, char *err,
		     size_t errsz)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		*out = def;
		return true;
	}
	char *end;
	errno = 0;
	long n = strtol(v, &end, 10);
	if (errno || *end || n < lo || n > hi) {
		snprintf(err, errsz, "%s must be an integer between %ld and %ld", name, lo, hi);
		return false;
	}
	*out = n;
	return true;
}

static bool env_double(const char *name, double def, double lo, double hi, double *out, char *err,
		       size_t errsz)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		*out = def;
		return true;
	}
	char *end;
	errno = 0;
	double d = strtod(v, &end);
	if (errno || *end || !(d >= lo && d <= hi)) {
		snprintf(err, errsz, "%s must be a number between %g and %g", name, lo, hi);
		return false;
	}
	*out = d;
	return true;
}

/* A retention: 0 (keep forever) or a duration of at least min seconds. */
static bool env_duration(const char *name, long long def, long long min, long long *out, char *err,
			 size_t errsz)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		*out = def;
		return true;
	}
	long long s;
	if (!nm_duration_parse(v, &s) || (s != 0 && s < min)) {
		char lo[24];
		snprintf(err, errsz,
			 "%s must be 0 (keep forever) or a duration such as 90d, 24h or 30m%s%s",
			 name, min > 1 ? ", at least " : "",
			 min > 1 ? nm_duration_format(min, lo) : "");
		return false;
	}
	*out = s;
	return true;
}

static bool parse_listen(struct nm_config *cfg, char *err, size_t errsz)
{
	const char *v = getenv("NICHEMATCH_LISTEN");
	snprintf(cfg->listen_host, sizeof cfg->listen_host, "127.0.0.1");
	cfg->listen_port = 8080;
	if (!v || !*v)
		return true;
	const char *colon = strrchr(v, ':');
	const char *port = colon ? colon + 1 : v;
	if (colon) {
		size_t hl = (size_t)(colon - v);
		if (hl == 0 || hl >= sizeof cfg->listen_host) {
			snprintf(err, errsz, "NICHEMATCH_LISTEN must look like HOST:PORT");
			return false;
		}
		memcpy(cfg->listen_host, v, hl);
		cfg->listen_host[hl] = '\0';
	}
	char *end;
	long p = strtol(port, &end, 10);
	if (*end || p < 0 || p > 65535) {
		snprintf(err, errsz, "NICHEMATCH_LISTEN port must be 0-65535");
		return false;
	}
	cfg->listen_port = (unsigned short)p;
	return true;
}

static void parse_origins(struct nm_config *cfg)
{
	const char *v = getenv("NICHEMATCH_CORS_ORIGINS");
	cfg->n_cors_origins = 0;
	cfg->cors_any = false;
	if (!v)
		return;
	snprintf(cors_buf, sizeof cors_buf, "%s", v);
	char *save = NULL;
	for (char *tok = strtok_r(cors_buf, ", ", &save); tok; tok = strtok_r(NULL, ", ", &save)) {
		size_t n = strlen(tok);
		while (n && tok[n - 1] == '/')
			tok[--n] = '\0'; /* "https://a.example/" and "https://a.example" are one
					    origin */
		if (strcmp(tok, "*") == 0)
			cfg->cors_any = true;
		else if (n && cfg->n_cors_origins < NM_CONFIG_MAX_ORIGINS)
			cfg->cors_origins[cfg->n_cors_origins++] = tok;
	}
}

/* NICHEMATCH_DATABASE_REPLICA_URLS: libpq URLs or keyword strings, comma-separated (a
 * keyword string cannot hold a comma, and a URL escapes it as %2C). */
static bool parse_replicas(struct nm_config *cfg, char *err, size_t errsz)
{
	const char *v = getenv("NICHEMATCH_DATABASE_REPLICA_URLS");
	cfg->n_replicas = 0;
	if (!v || !*v)
		return true;
	if (strlen(v) >= sizeof replica_buf) {
		snprintf(err, errsz, "NICHEMATCH_DATABASE_REPLICA_URLS is too long");
		return false;
	}
	snprintf(replica_buf, sizeof replica_buf, "%s", v);
	char *save = NULL;
	for (char *tok = strtok_r(replica_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		while (*tok == ' ')
			tok++;
		size_t n = strlen(tok);
		while (n && tok[n - 1] == ' ')
			tok[--n] = '\0';
		if (!n)
			continue;
		if (cfg->n_replicas == NM_CONFIG_MAX_REPLICAS) {
			snprintf(err, errsz,
				 "NICHEMATCH_DATABASE_REPLICA_URLS: at most %d replicas",
				 NM_CONFIG_MAX_REPLICAS);
			return false;
		}
		cfg->replica_urls[cfg->n_replicas++] = tok;
	}
	return true;
}

static bool env_flag(const char *name, bool def, bool *out, char *err, size_t errsz)
{
	const char *v = getenv(name);
	if (!v || !*v) {
		*out = def;
		return true;
	}
	if (strcmp(v, "0") != 0 && strcmp(v, "1") != 0) {
		snprintf(err, errsz, "%s must be 0 or 1", name);
		return false;
	}
	*out = strcmp(v, "1") == 0;
	return true;
}

bool nm_config_load(struct nm_config *cfg, char *err, size_t errsz)
{
	memset(cfg, 0, sizeof *cfg);
	const char *db = getenv("DATABASE_URL");
	cfg->database_url = db ? db : "";
	if (!parse_listen(cfg, err, errsz))
		return false;
	parse_origins(cfg);
	if (!parse_replicas(cfg, err, errsz) ||
	    !env_flag("NICHEMATCH_SHARED_LIMITS", false, &cfg->shared_limits, err, errsz))
		return false;
	long v;
	double d;
#define LONG_OPT(field, name, def, lo, hi)                                                         \
	do {                                                                                       \
		if (!env_long(name, def, lo, hi, &v, err, errsz))                                  \
			return false;                                                              \
		cfg->field = v;                                                                    \
	} while (0)
	LONG_OPT(db_pool_size, "NICHEMATCH_DB_POOL_SIZE", 16, 1, 1000);
	LONG_OPT(db_acquire_timeout_ms, "NICHEMATCH_DB_ACQUIRE_TIMEOUT_MS", 2000, 1, 600000);
	LONG_OPT(db_connect_timeout_s, "NICHEMATCH_DB_CONNECT_TIMEOUT_S", 2, 1, 600);
	LONG_OPT(statement_timeout_ms, "NICHEMATCH_STATEMENT_TIMEOUT_MS", 5000, 0, 86400000);
	LONG_OPT(max_connections, "NICHEMATCH_MAX_CONNECTIONS", 1024, 1, 100000);
	LONG_OPT(per_ip_connections, "NICHEMATCH_PER_IP_CONNECTIONS", 0, 0, 100000);
	LONG_OPT(connection_timeout_s, "NICHEMATCH_CONNECTION_TIMEOUT_S", 15, 1, 3600);
	LONG_OPT(header_timeout_s, "NICHEMATCH_HEADER_TIMEOUT_S", 10, 0, 3600);
	LONG_OPT(body_timeout_s, "NICHEMATCH_BODY_TIMEOUT_S", 30, 0, 3600);
	LONG_OPT(import_min_rate, "NICHEMATCH_IMPORT_MIN_BYTES_PER_S", 1024, 0, 1L << 30);
	LONG_OPT(thread_stack_bytes, "NICHEMATCH_THREAD_STACK_KB", 512, 128, 65536);
	cfg->thread_stack_bytes *= 1024;
	LONG_OPT(json_max_bytes, "NICHEMATCH_JSON_MAX_BYTES", 1048576, 1024, 1L << 30);
	LONG_OPT(import_max_bytes, "NICHEMATCH_IMPORT_MAX_BYTES", 1L << 30, 1024, 1L << 40);
	LONG_OPT(shutdown_grace_s, "NICHEMATCH_SHUTDOWN_GRACE_S", 30, 0, 3600);
	LONG_OPT(auth_cache_ttl_s, "NICHEMATCH_AUTH_CACHE_TTL_S", 5, 0, 3600);
	LONG_OPT(auth_fail_limit, "NICHEMATCH_AUTH_FAIL_LIMIT", 60, 0, 1000000);
	/* Half the pool: one key's requests (slow lists, runs) leave the rest to others. */
	LONG_OPT(key_max_in_flight, "NICHEMATCH_KEY_MAX_IN_FLIGHT",
		 cfg->db_pool_size > 1 ? cfg->db_pool_size / 2 : 1, 0, 100000);
	LONG_OPT(search_cache, "NICHEMATCH_SEARCH_CACHE", 64, 0, 4096);
	LONG_OPT(row_cache, "NICHEMATCH_ROW_CACHE", 10000, 0, 10000000);
	LONG_OPT(match_runs_per_minute, "NICHEMATCH_MATCH_RUNS_PER_MINUTE", 30, 0, 1000000);
	LONG_OPT(webhook_workers, "NICHEMATCH_WEBHOOK_WORKERS", 4, 0, 64);
	LONG_OPT(webhook_timeout_ms, "NICHEMATCH_WEBHOOK_TIMEOUT_MS", 10000, 100, 600000);
	LONG_OPT(webhook_concurrency, "NICHEMATCH_WEBHOOK_CONCURRENCY", 32, 1, 1024);
	LONG_OPT(webhook_endpoint_concurrency, "NICHEMATCH_WEBHOOK_ENDPOINT_CONCURRENCY", 8, 1,
		 1024);
	LONG_OPT(prune_interval_s, "NICHEMATCH_PRUNE_INTERVAL_S", 300, 0, 86400);
	LONG_OPT(prune_batch, "NICHEMATCH_PRUNE_BATCH", 5000, 100, 100000);
	LONG_OPT(prune_budget_s, "NICHEMATCH_PRUNE_BUDGET_S", 60, 1, 3600);
	LONG_OPT(session_ttl_s, "NICHEMATCH_SESSION_TTL_S", 43200, 1, 30 * 86400);
	LONG_OPT(drain_s, "NICHEMATCH_DRAIN_SECONDS", 5, 0, 3600);
	LONG_OPT(replica_max_lag_ms, "NICHEMATCH_REPLICA_MAX_LAG_MS", 5000, 1, 86400000);
	LONG_OPT(replica_read_wait_ms, "NICHEMATCH_REPLICA_READ_WAIT_MS", 0, 0, 60000);
#undef LONG_OPT
#define RETAIN_OPT(field, name, def, min)                                                          \
	do {                                                                                       \
		if (!env_duration(name, def, min, &cfg->field, err, errsz))                        \
			return false;                                                              \
	} while (0)
	/* docs/api.md §2 promises replay for 24 h: a shorter retention would break it. */
	RETAIN_OPT(retain_idempotency_s, "NICHEMATCH_RETAIN_IDEMPOTENCY", NM_RETAIN_DAY,
		   NM_RETAIN_DAY);
	RETAIN_OPT(retain_match_runs_s, "NICHEMATCH_RETAIN_MATCH_RUNS", 90 * NM_RETAIN_DAY, 1);
	RETAIN_OPT(retain_webhook_events_s, "NICHEMATCH_RETAIN_WEBHOOK_EVENTS", 30 * NM_RETAIN_DAY,
		   1);
	/* Senders re-sign retries with a fresh timestamp, so the dedupe record must outlive
	 * their retry schedule (days), not just the 5-minute signature window; an hour is
	 * the floor below which even one request captured in flight could be replayed. */
	RETAIN_OPT(retain_inbound_events_s, "NICHEMATCH_RETAIN_INBOUND_EVENTS", 7 * NM_RETAIN_DAY,
		   3600);
	RETAIN_OPT(retain_imports_s, "NICHEMATCH_RETAIN_IMPORTS", 90 * NM_RETAIN_DAY, 1);
	RETAIN_OPT(retain_tombstones_s, "NICHEMATCH_RETAIN_TOMBSTONES", 7 * NM_RETAIN_DAY, 1);
	RETAIN_OPT(retain_sessions_s, "NICHEMATCH_RETAIN_SESSIONS", NM_RETAIN_DAY, 1);
#undef RETAIN_OPT
	if (!env_double("NICHEMATCH_RATE_LIMIT", 100, 0, 1e9, &d, err, errsz))
		return false;
	cfg->rate_limit = d;
	if (!env_double("NICHEMATCH_INBOUND_RATE_LIMIT", 50, 0, 1e9, &d, err, errsz))
		return false;
	cfg->inbound_rate_limit = d;
	cfg->migrations_dir = getenv("NICHEMATCH_MIGRATIONS_DIR");
	const char *wd = getenv("NICHEMATCH_WEB_DIR");
	cfg->web_dir = wd && *wd ? wd : NULL;
	const char *cs = getenv("NICHEMATCH_SESSION_COOKIE_SECURE");
	if (!cs || !*cs || strcmp(cs, "auto") == 0) {
		cfg->cookie_secure = NM_COOKIE_SECURE_AUTO;
	} else if (strcmp(cs, "1") == 0) {
		cfg->cookie_secure = NM_COOKIE_SECURE_ON;
	} else if (strcmp(cs, "0") == 0) {
		cfg->cookie_secure = NM_COOKIE_SECURE_OFF;
	} else {
		snprintf(err, errsz, "NICHEMATCH_SESSION_COOKIE_SECURE must be auto, 0 or 1");
		return false;
	}
	const char *mos = getenv("NICHEMATCH_MIGRATE_ON_START");
	if (mos && strcmp(mos, "0") != 0 && strcmp(mos, "1") != 0) {
		snprintf(err, errsz, "NICHEMATCH_MIGRATE_ON_START must be 0 or 1");
		return false;
	}
	cfg->migrate_on_start = !mos || strcmp(mos, "1") == 0;
	const char *si = getenv("NICHEMATCH_SEARCH_INDEX");
	if (si && strcmp(si, "0") != 0 && strcmp(si, "1") != 0) {
		snprintf(err, errsz, "NICHEMATCH_SEARCH_INDEX must be 0 or 1");
		return false;
	}
	cfg->search_index = !si || strcmp(si, "1") == 0;
	const char *ap = getenv("NICHEMATCH_WEBHOOK_ALLOW_PRIVATE");
	cfg->webhook_allow_private = ap && strcmp(ap, "1") == 0;
	const char *rs = getenv("NICHEMATCH_WEBHOOK_RETRY_SCHEDULE");
	cfg->webhook_retry_schedule = rs && *rs ? rs : "5,300,1800,7200,18000,36000,36000";
	/* The key never stays in the config: it goes to the secretbox, read once here. */
	return nm_secretbox_configure(getenv("NICHEMATCH_SECRETS_KEY"), err, errsz) &&
	       nm_secretbox_configure_previous(getenv("NICHEMATCH_SECRETS_KEY_PREVIOUS"), err,
					       errsz);
}

bool nm_config_origin_allowed(const struct nm_config *cfg, const char *origin)
{
	if (!origin || !*origin)
		return false;
	if (cfg->cors_any)
		return true;
	for (size_t i = 0; i < cfg->n_cors_origins; i++)
		if (strcmp(cfg->cors_origins[i], origin) == 0)
			return true;
	return false;
}
