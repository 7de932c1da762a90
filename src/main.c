/* nichematch: the command-line entry point. Subcommands dispatch only; the work
 * lives in the modules. stdout carries only what a command promises (a key, a
 * table); notes go to stderr. */
#include <errno.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "nm/alerts.h"
#include "nm/auth.h"
#include "nm/config.h"
#include "nm/db_admin.h"
#include "nm/db_listener.h"
#include "nm/db_pool.h"
#include "nm/db_replicas.h"
#include "nm/demo.h"
#include "nm/fdlimit.h"
#include "nm/import_reaper.h"
#include "nm/log.h"
#include "nm/match_index.h"
#include "nm/openapi.h"
#include "nm/prune.h"
#include "nm/rowcache.h"
#include "nm/searchindex.h"
#include "nm/secretbox.h"
#include "nm/server.h"
#include "nm/store.h"
#include "nm/store_keys.h"
#include "nm/tx.h"
#include "nm/webhook_worker.h"

static void usage(FILE *f)
{
	fputs("usage: nichematch <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  serve                         run the HTTP API (migrates first)\n"
	      "  migrate                       apply database migrations and exit\n"
	      "  keys create --role R [--brand ID] [--name N]\n"
	      "                                create an API key (R: admin|write|read);\n"
	      "                                prints the key alone on stdout\n"
	      "  keys list                     list keys (prefixes only)\n"
	      "  keys revoke ID                revoke a key\n"
	      "  prune                         delete rows past their retention now (one pass;\n"
	      "                                serve also prunes in the background) and print\n"
	      "                                what went as one JSON object on stdout\n"
	      "  demo-data --creators N [--seed S] [--format ndjson|csv] [--platform P]\n"
	      "                                write N plausible creators to stdout\n"
	      "  routes                        print the route table as JSON\n"
	      "  openapi                       print the OpenAPI document (as /openapi.json)\n"
	      "  --help                        this text\n"
	      "\n"
	      "configuration comes from the environment: DATABASE_URL, NICHEMATCH_LISTEN\n"
	      "(default 127.0.0.1:8080), NICHEMATCH_CORS_ORIGINS, ... (see README.md)\n",
	      f);
}

static struct pg_conn *connect_or_die(const struct nm_config *cfg)
{
	char err[512];
	struct pg_conn *c = nm_db_connect_raw(cfg, err, sizeof err);
	if (!c) {
		fprintf(stderr, "nichematch: cannot connect to the database: %s\n", err);
		exit(1);
	}
	return c;
}

/* A failed statement, by its SQLSTATE only: the server's message may quote row values. */
static void db_failed(const char *what, const struct nm_db_err *err)
{
	fprintf(stderr, "nichematch: %s: database error (%s%s%s)\n", what,
		nm_db_status_name(err->status), err->sqlstate[0] ? ", SQLSTATE " : "",
		err->sqlstate);
}

static int cmd_migrate(const struct nm_config *cfg)
{
	struct pg_conn *c = connect_or_die(cfg);
	char err[1024];
	const char *dir = nm_db_migrations_dir(cfg);
	bool ok = nm_db_migrate(c, dir, err, sizeof err);
	nm_db_close(c);
	if (!ok) {
		fprintf(stderr, "nichematch: migration failed: %s\n", err);
		return 1;
	}
	fprintf(stderr, "nichematch: database is migrated (%s)\n", dir);
	return 0;
}

static int keys_create(const struct nm_config *cfg, int argc, char **argv)
{
	static const struct option opts[] = {{"role", required_argument, NULL, 'r'},
					     {"brand", required_argument, NULL, 'b'},
					     {"name", required_argument, NULL, 'n'},
					     {NULL, 0, NULL, 0}};
	enum nm_role role = NM_ROLE_NONE;
	long long brand = 0;
	const char *name = NULL;
	int c;
	optind = 1;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'r' && !nm_role_parse(optarg, &role)) {
			fprintf(stderr, "nichematch: --role must be admin, write or read\n");
			return 2;
		} else if (c == 'b') {
			char *end;
			brand = strtoll(optarg, &end, 10);
			if (*end || brand <= 0) {
				fprintf(stderr, "nichematch: --brand must be a brand id\n");
				return 2;
			}
		} else if (c == 'n') {
			name = optarg;
		} else if (c == '?') {
			return 2;
		}
	}
	if (optind < argc) {
		/* A forgotten option name ("--brand 3 crm") must not create a different key
		 * than the one asked for. */
		fprintf(stderr, "nichematch: unexpected argument '%s' (a name goes in --name)\n",
			argv[optind]);
		return 2;
	}
	if (role == NM_ROLE_NONE) {
		fprintf(stderr, "nichematch: keys create needs --role admin|write|read\n");
		return 2;
	}
	char key[64], hash[65], prefix[16];
	if (!nm_auth_new_key(key, hash, prefix)) {
		fprintf(stderr, "nichematch: cannot create the key: random source failed\n");
		return 1;
	}
	struct pg_conn *conn = connect_or_die(cfg);
	struct nm_key_new k = {hash, prefix, name, nm_role_name(role), brand};
	struct nm_db_err err;
	json_t *row = nm_store_key_create_conn(conn, &k, &err);
	if (!row) {
		if (err.status == NM_DB_MISSING_REF)
			fprintf(stderr, "nichematch: no brand %lld\n", brand);
		else
			db_failed("cannot create the key", &err);
		nm_db_close(conn);
		return 1;
	}
	long long id = (long long)json_integer_value(json_object_get(row, "id"));
	fprintf(stderr, "nichematch: created %s key id %lld\n", nm_role_name(role), id);
	json_decref(row);
	nm_db_close(conn);
	/* The key exists only here: a caller whose stdout is gone must hear of it. */
	if (printf("%s\n", key) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "nichematch: cannot write the key to stdout; revoke key id %lld\n",
			id);
		return 1;
	}
	return 0;
}

static int keys_list(const struct nm_config *cfg)
{
	struct pg_conn *conn = connect_or_die(cfg);
	struct nm_db_err err;
	json_t *rows = nm_store_keys_table_conn(conn, &err);
	nm_db_close(conn);
	if (!rows) {
		db_failed("cannot list the keys", &err);
		return 1;
	}
	printf("%-6s %-12s %-6s %-8s %-20s %-26s %s\n", "ID", "PREFIX", "ROLE", "BRAND", "NAME",
	       "CREATED", "REVOKED");
	size_t i;
	json_t *row;
	json_array_foreach(rows, i, row)
	{
		const char *c[7];
		for (size_t k = 0; k < 7; k++)
			c[k] = json_string_value(json_array_get(row, k));
		printf("%-6s %-12s %-6s %-8s %-20s %-26.26s %s\n", c[0], c[1], c[2], c[3], c[4],
		       c[5], c[6]);
	}
	json_decref(rows);
	return 0;
}

static int keys_revoke(const struct nm_config *cfg, const char *id)
{
	char *end;
	long long v = strtoll(id ? id : "", &end, 10);
	if (!id || *end || v <= 0) {
		fprintf(stderr, "usage: nichematch keys revoke ID\n");
		return 2;
	}
	struct pg_conn *conn = connect_or_die(cfg);
	struct nm_db_err err;
	int rc = 0;
	if (nm_store_key_revoke_conn(conn, v, &err)) {
		fprintf(stderr, "nichematch: key %s revoked\n", id);
	} else if (err.status == NM_DB_NOT_FOUND) {
		fprintf(stderr, "nichematch: no key %s\n", id);
		rc = 1;
	} else {
		db_failed("cannot revoke the key", &err);
		rc = 1;
	}
	nm_db_close(conn);
	return rc;
}

static int cmd_keys(const struct nm_config *cfg, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "create") == 0)
		return keys_create(cfg, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "list") == 0)
		return keys_list(cfg);
	if (argc >= 2 && strcmp(argv[1], "revoke") == 0)
		return keys_revoke(cfg, argc >= 3 ? argv[2] : NULL);
	fprintf(stderr, "usage: nichematch keys create|list|revoke ...\n");
	return 2;
}

/* One pass, as serve's background pruner runs them; exits 0 unless a statement failed
 * (another instance pruning at the time is not a failure: "status":"skipped"). */
static int cmd_prune(const struct nm_config *cfg, int argc, char **argv)
{
	if (argc > 1) {
		fprintf(stderr, "usage: nichematch prune\n");
		return 2;
	}
	struct pg_conn *c = connect_or_die(cfg);
	struct nm_prune_result r;
	nm_prune_pass(c, cfg, NULL, &r);
	nm_db_close(c);
	json_t *j = nm_prune_result_json(&r);
	char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	json_decref(j);
	if (!text || printf("%s\n", text) < 0 || fflush(stdout) != 0) {
		fprintf(stderr, "nichematch: cannot write the result to stdout\n");
		free(text);
		return 1;
	}
	free(text);
	if (r.status == NM_PRUNE_FAILED) {
		fprintf(stderr, "nichematch: prune failed: %s\n", r.error);
		return 1;
	}
	return 0;
}

/* Webhook and inbound secrets at rest: sealed under NICHEMATCH_SECRETS_KEY, including
 * those stored before the key was set; without a key they stay in clear, and we say so. */
static bool seal_secrets(void)
{
	if (!nm_secretbox_enabled()) {
		nm_log(NM_LOG_WARN,
		       "NICHEMATCH_SECRETS_KEY is not set: webhook and inbound secrets "
		       "are stored in clear (see docs/security.md)");
		return true;
	}
	struct nm_pg *pg = nm_db_acquire();
	int sealed = 0, unreadable = 0;
	struct nm_db_err err;
	bool ok = pg && nm_store_seal_secrets(pg, &sealed, &unreadable, &err);
	nm_db_release(pg);
	if (!ok) {
		nm_log(NM_LOG_ERROR, "cannot seal the stored secrets (%s)",
		       pg ? nm_db_status_name(err.status) : "database unreachable");
		return false;
	}
	if (sealed)
		nm_log(NM_LOG_INFO, "sealed %d secret(s) stored in clear or under a previous key",
		       sealed);
	if (unreadable)
		nm_log(NM_LOG_WARN,
		       "%d stored secret(s) are sealed by a key that is neither "
		       "NICHEMATCH_SECRETS_KEY nor in NICHEMATCH_SECRETS_KEY_PREVIOUS: their "
		       "endpoints cannot sign or verify until the key is given or their "
		       "secrets are rotated",
		       unreadable);
	return true;
}

/* Behind a balancer: on SIGTERM /readyz answers 503 at once while requests are still
 * served for NICHEMATCH_DRAIN_SECONDS, so that the balancer's health check takes the
 * instance out before it stops accepting (docs/operations.md "Running several
 * instances"). A second signal ends the wait early; SIGINT (Ctrl-C at a terminal, where
 * no balancer waits) skips it. */
static void drain(const struct nm_config *cfg, const sigset_t *stop_set, int sig)
{
	if (cfg->drain_s <= 0 || sig != SIGTERM)
		return;
	nm_server_drain_begin();
	nm_log(NM_LOG_INFO, "SIGTERM received: not ready; serving for %d s more before stopping",
	       cfg->drain_s);
	struct timespec end, now;
	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += cfg->drain_s;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long long left_ns = (long long)(end.tv_sec - now.tv_sec) * 1000000000LL +
				    (end.tv_nsec - now.tv_nsec);
		if (left_ns <= 0)
			return;
		struct timespec ts = {(time_t)(left_ns / 1000000000LL),
				      (long)(left_ns % 1000000000LL)};
		if (sigtimedwait(stop_set, NULL, &ts) >= 0)
			return; /* asked again: stop now */
		if (errno != EINTR)
			return; /* EAGAIN: the time is up */
	}
}

static int cmd_serve(struct nm_config *cfg)
{
	/* First: it may lower cfg->max_connections, which the daemon below takes. */
	nm_fd_limit_apply(cfg);
	/* Migrate first (advisory-locked, so concurrent starts are safe); wait a little
	 * for a database that is still starting, as in docker compose. */
	char err[1024];
	struct pg_conn *c = NULL;
	for (int i = 0; i < 30 && !c; i++) {
		c = nm_db_connect_raw(cfg, err, sizeof err);
		if (!c) {
			nm_log(NM_LOG_WARN, "waiting for the database: %s", err);
			sleep(1);
		}
	}
	if (!c) {
		nm_log(NM_LOG_ERROR, "cannot reach the database: %s", err);
		return 1;
	}
	/* NICHEMATCH_MIGRATE_ON_START=0: the service's role may lack DDL rights (see
	 * docs/operations.md); it only checks that the owner has migrated. */
	bool ok = cfg->migrate_on_start
			  ? nm_db_migrate(c, nm_db_migrations_dir(cfg), err, sizeof err)
			  : nm_db_migrated(c, nm_db_migrations_dir(cfg), err, sizeof err);
	nm_db_close(c);
	if (!ok) {
		nm_log(NM_LOG_ERROR, "migration failed: %s", err);
		return 1;
	}
	if (!nm_db_init(cfg)) {
		nm_log(NM_LOG_ERROR, "out of memory");
		return 1;
	}
	if (!seal_secrets())
		return 1;
	nm_replicas_start(cfg);
	/* Block the stop signals before any thread starts, so that every thread inherits
	 * the mask and only sigwait() below ever sees them: no lost wake-up. */
	sigset_t stop_set;
	sigemptyset(&stop_set);
	sigaddset(&stop_set, SIGTERM);
	sigaddset(&stop_set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &stop_set, NULL);
	signal(SIGPIPE, SIG_IGN);

	if (!nm_server_start(cfg, err, sizeof err)) {
		nm_log(NM_LOG_ERROR, "%s", err);
		return 1;
	}
	nm_log_json(NM_LOG_INFO, "listening",
		    json_pack("{s:s, s:i}", "host", cfg->listen_host, "port", nm_server_port()));
	nm_listener_on_creators(nm_index_sync_soon);
	nm_listener_start(cfg);
	nm_workers_start(cfg);
	nm_pruner_start(cfg);
	nm_import_reaper_start(cfg);
	nm_search_cache_configure((size_t)cfg->search_cache);
	nm_rowcache_configure((size_t)cfg->row_cache);
	nm_index_warm_up();
	nm_alerts_start(cfg);
	int sig = 0;
	while (sigwait(&stop_set, &sig) != 0)
		;
	drain(cfg, &stop_set, sig);
	nm_log(NM_LOG_INFO, "%s received: draining requests (up to %d s)",
	       sig == SIGTERM ? "SIGTERM" : "SIGINT", cfg->shutdown_grace_s);
	/* Workers stop claiming now; their POSTs in flight finish (or, past the grace, are
	 * handed back due now for the next instance) while the HTTP side drains, so the
	 * two waits overlap instead of adding up. */
	nm_workers_request_stop();
	nm_pruner_stop();
	nm_import_reaper_stop();
	nm_alerts_stop();
	nm_server_stop(cfg->shutdown_grace_s);
	nm_listener_stop();
	nm_workers_stop();
	nm_index_free();
	nm_rowcache_free();
	nm_replicas_stop();
	nm_db_shutdown();
	nm_log(NM_LOG_INFO, "stopped");
	return 0;
}

/* `routes` prints the route table, `openapi` the OpenAPI document: both offline, from
 * the table compiled into this binary. */
static int cmd_describe(const char *what, int argc)
{
	if (argc != 2) {
		fprintf(stderr, "nichematch %s: takes no arguments\n", what);
		return 2;
	}
	json_t *doc = strcmp(what, "routes") == 0 ? nm_route_table_json() : nm_openapi_document();
	int rc = json_dumpf(doc, stdout, JSON_INDENT(2) | JSON_SORT_KEYS) == 0 ? 0 : 1;
	putchar('\n');
	json_decref(doc);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? 2 : 0;
	}
	if (strcmp(argv[1], "demo-data") == 0)
		return nm_demo_main(argc - 1, argv + 1);
	if (strcmp(argv[1], "routes") == 0 || strcmp(argv[1], "openapi") == 0)
		return cmd_describe(argv[1], argc);
	nm_log_init();
	struct nm_config cfg;
	char err[256];
	if (!nm_config_load(&cfg, err, sizeof err)) {
		fprintf(stderr, "nichematch: %s\n", err);
		return 2;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "serve") == 0)
		return cmd_serve(&cfg);
	if (strcmp(cmd, "migrate") == 0)
		return cmd_migrate(&cfg);
	if (strcmp(cmd, "keys") == 0)
		return cmd_keys(&cfg, argc - 1, argv + 1);
	if (strcmp(cmd, "prune") == 0)
		return cmd_prune(&cfg, argc - 1, argv + 1);
	fprintf(stderr, "nichematch: unknown command '%s'\n\n", cmd);
	usage(stderr);
	return 2;
}
