/* Schema migrations: migrations/NNNN_name.sql applied in order, each in its own
 * transaction, recorded in schema_migrations, all under one advisory lock so that
 * several instances starting at once apply each file exactly once. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "nm/db.h"
#include "nm/log.h"

#define MIGRATE_LOCK_KEY "7384629101"

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_migration_name(const char *n)
{
	size_t len = strlen(n);
	if (len < 10 || strcmp(n + len - 4, ".sql") != 0 || n[4] != '_')
		return false;
	for (int i = 0; i < 4; i++)
		if (n[i] < '0' || n[i] > '9')
			return false;
	return true;
}

static char *read_file(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	fseek(f, 0, SEEK_SET);
	char *buf = n >= 0 ? malloc((size_t)n + 1) : NULL;
	if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
		free(buf);
		buf = NULL;
	}
	if (buf)
		buf[n] = '\0';
	fclose(f);
	return buf;
}

/* A failed migration statement: the safe fields of nm_db_error_safe plus the primary
 * message ("permission denied for schema public", "relation ... already exists"), which an
 * operator needs and which for our own DDL names objects, not rows; never the DETAIL or
 * CONTEXT lines, which can quote stored rows (a unique index built over duplicates). */
static void migration_error(const PGresult *r, PGconn *c, char *err, size_t errsz)
{
	char safe[NM_DB_ERR_SAFE_MAX];
	const char *primary = r ? PQresultErrorField(r, PG_DIAG_MESSAGE_PRIMARY) : NULL;
	snprintf(err, errsz, "%s%s%s", primary ? primary : "", primary ? " (" : "",
		 nm_db_error_safe(r, c, safe, sizeof safe));
	if (primary && strlen(err) + 1 < errsz)
		strcat(err, ")");
}

static bool exec_ok(PGconn *c, const char *sql, char *err, size_t errsz)
{
	PGresult *r = PQexec(c, sql);
	bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		migration_error(r, c, err, errsz);
	PQclear(r);
	return ok;
}

static bool applied(PGconn *c, int version, bool *yes, char *err, size_t errsz)
{
	char v[16];
	snprintf(v, sizeof v, "%d", version);
	const char *p[] = {v};
	PGresult *r = PQexecParams(c, "SELECT 1 FROM schema_migrations WHERE version = $1", 1, NULL,
				   p, NULL, NULL, 0);
	bool ok = PQresultStatus(r) == PGRES_TUPLES_OK;
	if (!ok)
		migration_error(r, c, err, errsz);
	*yes = ok && PQntuples(r) > 0;
	PQclear(r);
	return ok;
}

static bool apply_one(PGconn *c, const char *dir, const char *name, char *err, size_t errsz)
{
	int version = atoi(name);
	bool done;
	if (!applied(c, version, &done, err, errsz))
		return false;
	if (done)
		return true;
	char path[4096];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	char *sql = read_file(path);
	if (!sql) {
		snprintf(err, errsz, "cannot read %s", path);
		return false;
	}
	bool ok = exec_ok(c, "BEGIN", err, errsz) && exec_ok(c, sql, err, errsz);
	free(sql);
	if (ok) {
		char v[16];
		snprintf(v, sizeof v, "%d", version);
		const char *p[] = {v, name};
		PGresult *r = PQexecParams(
			c, "INSERT INTO schema_migrations(version, name) VALUES ($1, $2)", 2, NULL,
			p, NULL, NULL, 0);
		ok = PQresultStatus(r) == PGRES_COMMAND_OK;
		if (!ok)
			migration_error(r, c, err, errsz);
		PQclear(r);
	}
	if (ok && exec_ok(c, "COMMIT", err, errsz)) {
		nm_log(NM_LOG_INFO, "applied migration %s", name);
		return true;
	}
	char ignore[16];
	exec_ok(c, "ROLLBACK", ignore, sizeof ignore);
	size_t n = strlen(err);
	snprintf(err + n, errsz - n, " (in %s)", name);
	return false;
}

bool nm_db_migrated(PGconn *c, const char *dir, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errsz, "cannot open migrations directory %s", dir);
		return false;
	}
	bool ok = true;
	struct dirent *e;
	while (ok && (e = readdir(d))) {
		bool done = false;
		if (!is_migration_name(e->d_name))
			continue;
		ok = applied(c, atoi(e->d_name), &done, err, errsz);
		if (!ok) {
			size_t n = strlen(err);
			snprintf(err + n, errsz - n,
				 "; is the database migrated? run `nichematch migrate` as the "
				 "database owner first");
		} else if (!done) {
			snprintf(err, errsz,
				 "migration %s is not applied; run `nichematch migrate` as the "
				 "database owner first",
				 e->d_name);
			ok = false;
		}
	}
	closedir(d);
	return ok;
}

bool nm_db_migrate(PGconn *c, const char *dir, char *err, size_t errsz)
{
	DIR *d = opendir(dir);
	if (!d) {
		snprintf(err, errsz, "cannot open migrations directory %s", dir);
		return false;
	}
	char *names[1024];
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(d)) && n < 1024)
		if (is_migration_name(e->d_name))
			names[n++] = strdup(e->d_name);
	closedir(d);
	qsort(names, n, sizeof *names, name_cmp);

	bool ok = exec_ok(c, "SET client_min_messages = warning", err, errsz) &&
		  exec_ok(c, "SELECT pg_advisory_lock(" MIGRATE_LOCK_KEY ")", err, errsz);
	if (ok)
		ok = exec_ok(c,
			     "CREATE TABLE IF NOT EXISTS schema_migrations ("
			     " version integer PRIMARY KEY, name text NOT NULL,"
			     " applied_at timestamptz NOT NULL DEFAULT now())",
			     err, errsz);
	for (size_t i = 0; ok && i < n; i++)
		ok = apply_one(c, dir, names[i], err, errsz);
	char ignore[16];
	exec_ok(c, "SELECT pg_advisory_unlock(" MIGRATE_LOCK_KEY ")", ignore, sizeof ignore);
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	return ok;
}

static bool is_dir(const char *p)
{
	struct stat st;
	return p && stat(p, &st) == 0 && S_ISDIR(st.st_mode);
}

const char *nm_db_migrations_dir(const struct nm_config *cfg)
{
	if (cfg->migrations_dir && *cfg->migrations_dir)
		return cfg->migrations_dir;
#ifdef NM_SOURCE_DIR
	if (is_dir(NM_SOURCE_DIR "/migrations"))
		return NM_SOURCE_DIR "/migrations";
#endif
	if (is_dir("migrations"))
		return "migrations";
	return "/usr/share/nichematch/migrations";
}
