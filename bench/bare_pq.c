/* Baseline: one prepared primary-key SELECT of a brand-shaped row on one libpq connection,
 * for comparison with GET /v1/brands/{id} (PERFORMANCE.md targets table).
 *
 * usage: bare_pq CONNINFO [N]     (N defaults to 20000)
 * Prints one line: bare_pq: n=N qps=Q p50_us=A p99_us=B
 * The table is a TEMP table, so nothing is left behind in the database.
 *
 * On the 2-vCPU VMs the figure is bimodal: ~16 us p50 when the client and its backend share
 * a CPU, ~100-130 us when they do not (the wake-up crosses CPUs). Unpinned runs land on
 * either. For a reproducible figure pin both sides, e.g. pin the postmaster before
 * connecting (backends inherit it) with `taskset -p -c 1 PID` and run `taskset -c 0 bare_pq`;
 * say which placement a recorded figure used. */
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <libpq-fe.h>

#define DEFAULT_N 20000
/* Unmeasured runs first: the first executions pay for plan caching and cold buffers. */
#define WARMUP_MAX 1000

/* Shaped like the brands table (docs/api.md §3), so row width and decoding are realistic. */
static const char create_sql[] =
	"CREATE TEMP TABLE bench_brand ("
	" id bigint PRIMARY KEY, name text NOT NULL, industry text, niches text[] NOT NULL,"
	" keywords text[], platforms text[], target_countries text[], target_languages text[],"
	" target_gender text NOT NULL, goal text NOT NULL, follower_min bigint,"
	" follower_max bigint, min_engagement_rate double precision,"
	" budget_per_post_cents bigint, external_id text UNIQUE,"
	" created_at timestamptz NOT NULL DEFAULT now(),"
	" updated_at timestamptz NOT NULL DEFAULT now())";

static const char insert_sql[] =
	"INSERT INTO bench_brand (id, name, industry, niches, keywords, platforms,"
	" target_countries, target_languages, target_gender, goal, follower_min, follower_max,"
	" min_engagement_rate, budget_per_post_cents, external_id) VALUES"
	" (1, 'Acme Outdoor', 'sporting goods', '{hiking,camping,trail running}',"
	" '{ultralight,backpacking,gear review}', '{instagram,tiktok,youtube}', '{US,CA,GB}',"
	" '{en}', 'any', 'engagement', 10000, 100000, 0.02, 25000, 'crm-0001')";

static const char select_sql[] =
	"SELECT id, name, industry, niches, keywords, platforms, target_countries,"
	" target_languages, target_gender, goal, follower_min, follower_max,"
	" min_engagement_rate, budget_per_post_cents, external_id, created_at, updated_at"
	" FROM bench_brand WHERE id = $1";

static int64_t now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int exec_ok(PGconn *conn, const char *sql)
{
	PGresult *r = PQexec(conn, sql);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "bare_pq: %s", PQerrorMessage(conn));
	PQclear(r);
	return ok;
}

static int prepare_ok(PGconn *conn)
{
	PGresult *r = PQprepare(conn, "brand_by_id", select_sql, 1, NULL);
	int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
	if (!ok)
		fprintf(stderr, "bare_pq: prepare: %s", PQerrorMessage(conn));
	PQclear(r);
	return ok;
}

/* One round trip, including reading every column as a real handler would. */
static int select_once(PGconn *conn)
{
	const char *params[1] = {"1"};
	PGresult *r = PQexecPrepared(conn, "brand_by_id", 1, params, NULL, NULL, 0);
	int ok = PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) == 1;
	if (ok) {
		size_t total = 0;
		for (int c = 0; c < PQnfields(r); c++)
			total += strlen(PQgetvalue(r, 0, c));
		ok = total > 0;
	} else {
		fprintf(stderr, "bare_pq: select: %s", PQerrorMessage(conn));
	}
	PQclear(r);
	return ok;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/* Nearest-rank percentile of a sorted array. */
static int64_t percentile(const int64_t *sorted, long n, int pct)
{
	long rank = (n * pct + 99) / 100;
	return sorted[rank > 0 ? rank - 1 : 0];
}

static long parse_count(const char *s)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < 1 || v > 100000000)
		return -1;
	return v;
}

static int run(PGconn *conn, long n)
{
	int64_t *lat = malloc((size_t)n * sizeof *lat);
	if (!lat) {
		fprintf(stderr, "bare_pq: out of memory\n");
		return 1;
	}
	for (long i = 0; i < (n < WARMUP_MAX ? n : WARMUP_MAX); i++)
		if (!select_once(conn))
			goto fail;
	int64_t start = now_ns();
	for (long i = 0; i < n; i++) {
		int64_t t0 = now_ns();
		if (!select_once(conn))
			goto fail;
		lat[i] = now_ns() - t0;
	}
	double elapsed_s = (double)(now_ns() - start) / 1e9;
	qsort(lat, (size_t)n, sizeof *lat, cmp_i64);
	printf("bare_pq: n=%ld qps=%.0f p50_us=%.0f p99_us=%.0f\n", n, (double)n / elapsed_s,
	       (double)percentile(lat, n, 50) / 1e3, (double)percentile(lat, n, 99) / 1e3);
	free(lat);
	return 0;
fail:
	free(lat);
	return 1;
}

int main(int argc, char **argv)
{
	long n = argc >= 3 ? parse_count(argv[2]) : DEFAULT_N;
	if (argc < 2 || argc > 3 || n < 0) {
		fprintf(stderr, "usage: %s CONNINFO [N]\n", argv[0]);
		return 2;
	}
	PGconn *conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK) {
		fprintf(stderr, "bare_pq: connect: %s", PQerrorMessage(conn));
		PQfinish(conn);
		return 1;
	}
	int rc = 1;
	if (exec_ok(conn, create_sql) && exec_ok(conn, insert_sql) && prepare_ok(conn))
		rc = run(conn, n);
	PQfinish(conn);
	return rc;
}
