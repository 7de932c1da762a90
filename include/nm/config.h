/* Runtime configuration from the environment (docs/api.md §1). Every knob has a default
 * that serves a single developer machine. Pure C. */
#ifndef NM_CONFIG_H
#define NM_CONFIG_H

#include <stdbool.h>
#include <stddef.h>

#define NM_CONFIG_MAX_ORIGINS  32
#define NM_CONFIG_MAX_REPLICAS 8

struct nm_config {
	const char *database_url;   /* DATABASE_URL; "" means libpq defaults */
	char listen_host[64];	    /* NICHEMATCH_LISTEN host part, default 127.0.0.1 */
	unsigned short listen_port; /* NICHEMATCH_LISTEN port part, default 8080 */
	const char *cors_origins[NM_CONFIG_MAX_ORIGINS]; /* NICHEMATCH_CORS_ORIGINS, comma list */
	size_t n_cors_origins;
	bool cors_any;		    /* "*" in the list */
	int db_pool_size;	    /* NICHEMATCH_DB_POOL_SIZE, default 16 */
	int db_acquire_timeout_ms;  /* NICHEMATCH_DB_ACQUIRE_TIMEOUT_MS, default 2000 */
	int db_connect_timeout_s;   /* NICHEMATCH_DB_CONNECT_TIMEOUT_S, default 2 (libpq minimum) */
	int statement_timeout_ms;   /* NICHEMATCH_STATEMENT_TIMEOUT_MS, default 5000 */
	int max_connections;	    /* NICHEMATCH_MAX_CONNECTIONS, default 1024; serve lowers
					       it when RLIMIT_NOFILE cannot fit it (fdlimit.h) */
	int per_ip_connections;	    /* NICHEMATCH_PER_IP_CONNECTIONS, default 0 = no cap */
	int connection_timeout_s;   /* NICHEMATCH_CONNECTION_TIMEOUT_S, default 15 */
	int header_timeout_s;	    /* NICHEMATCH_HEADER_TIMEOUT_S, default 10, 0 = off */
	int body_timeout_s;	    /* NICHEMATCH_BODY_TIMEOUT_S, default 30, 0 = off */
	int import_min_rate;	    /* NICHEMATCH_IMPORT_MIN_BYTES_PER_S, default 1024, 0 = off */
	size_t thread_stack_bytes;  /* NICHEMATCH_THREAD_STACK_KB, default 512 KiB */
	size_t json_max_bytes;	    /* NICHEMATCH_JSON_MAX_BYTES, default 1 MiB */
	size_t import_max_bytes;    /* NICHEMATCH_IMPORT_MAX_BYTES, default 1 GiB */
	double rate_limit;	    /* NICHEMATCH_RATE_LIMIT req/s per key, default 100, 0 = off */
	int shutdown_grace_s;	    /* NICHEMATCH_SHUTDOWN_GRACE_S, default 30 */
	int auth_cache_ttl_s;	    /* NICHEMATCH_AUTH_CACHE_TTL_S, default 5 */
	int auth_fail_limit;	    /* NICHEMATCH_AUTH_FAIL_LIMIT 401s per client address
				       per minute (burst of as many), default 60, 0 = off */
	double inbound_rate_limit;  /* NICHEMATCH_INBOUND_RATE_LIMIT inbound events/s per
				       client address, burst 2x, default 50, 0 = off */
	int key_max_in_flight;	    /* NICHEMATCH_KEY_MAX_IN_FLIGHT requests per API key,
				       default half the DB pool (at least 1), 0 = off */
	int match_runs_per_minute;  /* NICHEMATCH_MATCH_RUNS_PER_MINUTE per brand (burst of
				       as many), default 30, 0 = off */
	const char *migrations_dir; /* NICHEMATCH_MIGRATIONS_DIR, else built-in search */
	bool webhook_allow_private; /* NICHEMATCH_WEBHOOK_ALLOW_PRIVATE=1 */
	/* NICHEMATCH_MIGRATE_ON_START, default 1; 0: serve only checks that the database
	 * is migrated (a least-privilege role cannot run DDL; `nichematch migrate` runs as
	 * the owner role instead). */
	bool migrate_on_start;
	/* NICHEMATCH_SEARCH_INDEX, default 1: GET /v1/creators without handle is served
	 * from the in-memory index (docs/architecture.md "Creator search"); 0: always SQL. */
	bool search_index;
	/* NICHEMATCH_SEARCH_CACHE, default 64: creator searches (total, facets and the first
	 * 1,000 hits) kept per index generation (docs/architecture.md "Creator search");
	 * 0: every search scans. */
	int search_cache;
	/* NICHEMATCH_ROW_CACHE, default 10000: rendered creator rows kept for list pages
	 * (docs/architecture.md "The row cache"); 0: every page reads and encodes its rows. */
	int row_cache;
	const char *webhook_retry_schedule; /* NICHEMATCH_WEBHOOK_RETRY_SCHEDULE */
	int webhook_workers;		    /* NICHEMATCH_WEBHOOK_WORKERS, default 4 */
	int webhook_timeout_ms;		    /* NICHEMATCH_WEBHOOK_TIMEOUT_MS, default 10000 */
	int webhook_concurrency;	    /* NICHEMATCH_WEBHOOK_CONCURRENCY POSTs in flight per
					       worker, default 32 */
	int webhook_endpoint_concurrency;   /* NICHEMATCH_WEBHOOK_ENDPOINT_CONCURRENCY: of those,
					       at most this many to one endpoint, default 8 */
	int prune_interval_s;		    /* NICHEMATCH_PRUNE_INTERVAL_S, default 300; 0: serve
					       does not prune (`nichematch prune` still does) */
	int prune_batch;    /* NICHEMATCH_PRUNE_BATCH rows per statement, default 5000 */
	int prune_budget_s; /* NICHEMATCH_PRUNE_BUDGET_S per pass, default 60 */
	/* Retention (NICHEMATCH_RETAIN_*, durations such as 90d): seconds, 0 = keep forever.
	 * What each one keeps regardless is in docs/operations.md ("Retention"). */
	long long
		retain_idempotency_s; /* _IDEMPOTENCY, default 24h, at least 24h (docs/api.md §2) */
	long long retain_match_runs_s;	   /* _MATCH_RUNS, default 90d */
	long long retain_webhook_events_s; /* _WEBHOOK_EVENTS, default 30d */
	long long retain_inbound_events_s; /* _INBOUND_EVENTS, default 7d, at least 1h */
	long long retain_imports_s;	   /* _IMPORTS, default 90d */
	long long retain_tombstones_s;	   /* _TOMBSTONES, default 7d */
	long long retain_sessions_s;	   /* _SESSIONS, default 1d after a session expired */
	/* Dashboard sessions (docs/dashboard.md). */
	int session_ttl_s; /* NICHEMATCH_SESSION_TTL_S, default 43200 (12 h) */
	/* NICHEMATCH_SESSION_COOKIE_SECURE: 1 always marks the cookie Secure, 0 never, auto
	 * (default) when the request came through a TLS-terminating proxy
	 * (X-Forwarded-Proto: https). */
	enum { NM_COOKIE_SECURE_AUTO, NM_COOKIE_SECURE_ON, NM_COOKIE_SECURE_OFF } cookie_secure;
	/* NICHEMATCH_WEB_DIR: the built dashboard (web/dist); NULL: the built-in search
	 * (nm/static.h). */
	const char *web_dir;
	/* Running several instances (docs/operations.md "Running several instances"). */
	int drain_s; /* NICHEMATCH_DRAIN_SECONDS, default 5: after SIGTERM /readyz answers 503
			while requests are still served, so a balancer takes the instance out */
	bool shared_limits; /* NICHEMATCH_SHARED_LIMITS=1: the per-key rate limit and the
			       match-run quota are counted in PostgreSQL across instances */
	/* NICHEMATCH_DATABASE_REPLICA_URLS, comma-separated: streaming replicas for reads. */
	const char *replica_urls[NM_CONFIG_MAX_REPLICAS];
	size_t n_replicas;
	int replica_max_lag_ms;	  /* NICHEMATCH_REPLICA_MAX_LAG_MS, default 5000 */
	int replica_read_wait_ms; /* NICHEMATCH_REPLICA_READ_WAIT_MS, default 0: how long a read
				     waits for a replica to replay its key's last write before it
				     goes to the primary instead */
};

/* Reads the environment into *cfg. On a malformed value writes a message into err
 * (errsz bytes) naming the variable and returns false. Strings point into the
 * environment or static storage (the process environment must outlive *cfg). */
bool nm_config_load(struct nm_config *cfg, char *err, size_t errsz);

/* True when origin is allowed by NICHEMATCH_CORS_ORIGINS. */
bool nm_config_origin_allowed(const struct nm_config *cfg, const char *origin);

#endif
