/* Idempotency-Key on POST (SPEC §2), after Stripe: the first request with a key
 * claims it with a placeholder row (status 0); a concurrent duplicate gets 409; a
 * later duplicate with the same body gets the stored reply, with a different body
 * 422. Records live 24 h. A reply that says "try again" (5xx, 429) is not stored, so
 * the client's retry runs for real. Scope: per API key.
 *
 * Secrets are shown once: a reply member marked with nm_reply_secret (the new API key,
 * a webhook or inbound signing secret) is stored as null, so the record never holds it
 * in clear (the database keeps API keys only as hashes) and a replay answers the same
 * status, Location and body with that member null (docs/api-decisions.md). */
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "internal.h"
#include "nm/db.h"
#include "nm/sign.h"

static struct nm_sql q_claim = {
	"idem_claim",
	"INSERT INTO idempotency_keys (api_key_id, idem_key, method, path, request_hash) "
	"VALUES ($1, $2, $3, $4, $5) ON CONFLICT (api_key_id, idem_key) DO UPDATE "
	"SET method = EXCLUDED.method, path = EXCLUDED.path, request_hash = EXCLUDED.request_hash, "
	"status = 0, content_type = NULL, location = NULL, body = NULL, created_at = now() "
	"WHERE idempotency_keys.created_at < now() - interval '24 hours' "
	"RETURNING 1",
	5, 0};
static struct nm_sql q_get = {
	"idem_get",
	"SELECT request_hash, status, content_type, location, body, method, path "
	"FROM idempotency_keys WHERE api_key_id = $1 AND idem_key = $2",
	2, 0};
static struct nm_sql q_store = {
	"idem_store",
	"UPDATE idempotency_keys SET status = $3, content_type = $4, location = $5, body = $6, "
	"request_hash = $7 WHERE api_key_id = $1 AND idem_key = $2",
	7, 0};
static struct nm_sql q_drop = {
	"idem_drop", "DELETE FROM idempotency_keys WHERE api_key_id = $1 AND idem_key = $2", 2, 0};

void nm_reply_secret(struct nm_req *r, const char *member)
{
	r->idem_secret = member;
}

/* The reply body as stored for replays: a copy, with the secret member (if any) set to
 * null. NULL when there is no body, or when the secret cannot be removed (never store
 * it in clear rather than store it). Caller frees. */
static char *stored_body(const struct nm_req *r)
{
	if (!r->reply)
		return NULL;
	if (!r->idem_secret)
		return strndup(r->reply, r->reply_len);
	json_t *j = json_loadb(r->reply, r->reply_len, 0, NULL);
	char *out = NULL;
	if (json_is_object(j) && (!json_object_get(j, r->idem_secret) ||
				  json_object_set_new(j, r->idem_secret, json_null()) == 0))
		out = json_dumps(j, JSON_COMPACT | JSON_REAL_PRECISION(15));
	json_decref(j);
	return out;
}

static void hash_request(struct nm_req *r)
{
	/* The fingerprint covers what makes two requests "the same": method, path and
	 * the exact body bytes. */
	size_t ml = strlen(r->method), pl = strlen(r->url);
	size_t n = ml + 1 + pl + 1 + r->body_len;
	char *buf = malloc(n + 1);
	if (!buf) {
		memset(r->idem_hash, '0', 64);
		r->idem_hash[64] = '\0';
		return;
	}
	memcpy(buf, r->method, ml);
	buf[ml] = ' ';
	memcpy(buf + ml + 1, r->url, pl);
	buf[ml + 1 + pl] = '\n';
	if (r->body_len)
		memcpy(buf + ml + pl + 2, r->body, r->body_len);
	nm_sha256_hex(buf, n, r->idem_hash);
	free(buf);
}

static void replay(struct nm_req *r, PGresult *res)
{
	const char *ct = nm_db_str(res, 0, 2);
	const char *loc = nm_db_str(res, 0, 3);
	const char *body = nm_db_str(res, 0, 4);
	int status = atoi(PQgetvalue(res, 0, 1));
	if (loc)
		nm_reply_header(r, "Location", loc);
	nm_reply_header(r, "Idempotent-Replayed", "true");
	/* Content types are a closed set of static strings on our side. */
	const char *ctype = NULL;
	if (ct && strcmp(ct, "application/problem+json") == 0)
		ctype = "application/problem+json";
	else if (ct)
		ctype = "application/json; charset=utf-8";
	char *copy = body ? strdup(body) : NULL;
	nm_reply_text(r, status, ctype, copy, copy ? strlen(copy) : 0);
}

/* Claims the key, or answers from the existing record. hash is the fingerprint, or ""
 * when it is not known yet (streams). Returns 1 when claimed, 0 when a reply was set,
 * 2 when a finished record with the stored fingerprint in *stored_hash exists and the
 * caller must compare (streams only). */
static int claim(struct nm_req *r, const char *hash, char stored_hash[65], PGresult **row)
{
	const char *key = nm_req_header(r, "Idempotency-Key");
	size_t kl = strlen(key);
	*row = NULL;
	if (kl == 0 || kl > 255) {
		nm_reply_problem(r, NM_P_BAD_REQUEST, NULL,
				 "Idempotency-Key must be 1 to 255 characters.");
		return 0;
	}
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return 0;
	r->idem_key = strdup(key);
	char kid[24];
	snprintf(kid, sizeof kid, "%lld", (long long)r->auth.key_id);
	const char *p[] = {kid, r->idem_key, r->method, r->url, hash};
	PGresult *res = nm_db_exec(pg, &q_claim, p);
	if (!nm_db_ok(res)) {
		PQclear(res);
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "Could not record the Idempotency-Key.");
		return 0;
	}
	bool claimed = PQntuples(res) == 1;
	PQclear(res);
	if (claimed) {
		r->idem_record = true;
		return 1;
	}
	res = nm_db_exec(pg, &q_get, p);
	if (!nm_db_ok(res) || PQntuples(res) != 1) {
		/* Vanished between the two statements (the first request failed and
		 * dropped its claim): ask for a retry rather than guess. */
		PQclear(res);
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_IDEMPOTENCY_IN_PROGRESS, NULL,
				 "The first request with this Idempotency-Key just ended; retry.");
		return 0;
	}
	if (atoi(PQgetvalue(res, 0, 1)) == 0) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_IDEMPOTENCY_IN_PROGRESS, NULL,
				 "A request with this Idempotency-Key is still in progress.");
		PQclear(res);
		return 0;
	}
	snprintf(stored_hash, 65, "%s", PQgetvalue(res, 0, 0));
	*row = res;
	return 2;
}

/* Replay or 422, from the stored record row. */
static void answer_duplicate(struct nm_req *r, PGresult *row)
{
	if (strcmp(PQgetvalue(row, 0, 0), r->idem_hash) != 0)
		nm_reply_problem(r, NM_P_IDEMPOTENCY_MISMATCH, NULL,
				 "This Idempotency-Key was used with a different request (%s %s).",
				 PQgetvalue(row, 0, 5), PQgetvalue(row, 0, 6));
	else
		replay(r, row);
}

bool nm_idem_before(struct nm_req *r)
{
	hash_request(r);
	char stored[65];
	PGresult *row;
	int c = claim(r, r->idem_hash, stored, &row);
	if (c == 2) {
		answer_duplicate(r, row);
		PQclear(row);
	}
	return c == 1;
}

bool nm_idem_stream_begin(struct nm_req *r)
{
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (!ctx || !EVP_DigestInit_ex(ctx, EVP_sha256(), NULL)) {
		EVP_MD_CTX_free(ctx);
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The hash function failed.");
		return false;
	}
	/* The same fingerprint as buffered bodies: method, path, then the body bytes. */
	EVP_DigestUpdate(ctx, r->method, strlen(r->method));
	EVP_DigestUpdate(ctx, " ", 1);
	EVP_DigestUpdate(ctx, r->url, strlen(r->url));
	EVP_DigestUpdate(ctx, "\n", 1);
	r->idem_sha = ctx;
	char stored[65];
	PGresult *row;
	int c = claim(r, "", stored, &row);
	PQclear(row);
	if (c == 2)
		r->idem_check = true;
	return c != 0;
}

void nm_idem_stream_feed(struct nm_req *r, const char *data, size_t len)
{
	if (r->idem_sha)
		EVP_DigestUpdate(r->idem_sha, data, len);
}

void nm_idem_stream_end(struct nm_req *r)
{
	if (!r->idem_sha)
		return;
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	EVP_DigestFinal_ex(r->idem_sha, md, &n);
	EVP_MD_CTX_free(r->idem_sha);
	r->idem_sha = NULL;
	for (unsigned i = 0; i < n && i < 32; i++)
		snprintf(r->idem_hash + 2 * i, 3, "%02x", md[i]);
	if (!r->idem_check)
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	char kid[24];
	snprintf(kid, sizeof kid, "%lld", (long long)r->auth.key_id);
	const char *p[] = {kid, r->idem_key};
	PGresult *res = nm_db_exec(pg, &q_get, p);
	if (nm_db_ok(res) && PQntuples(res) == 1)
		answer_duplicate(r, res);
	else {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "Could not read the Idempotency-Key.");
	}
	PQclear(res);
}

void nm_idem_after(struct nm_req *r)
{
	if (!r->idem_record)
		return;
	r->idem_record = false;
	struct nm_pg *pg = r->pg ? r->pg : nm_db_acquire();
	if (!pg)
		return; /* the placeholder expires with its 24 h; nothing better to do */
	if (!r->pg)
		r->pg = pg;
	nm_db_rollback(pg);
	char kid[24];
	snprintf(kid, sizeof kid, "%lld", (long long)r->auth.key_id);
	PGresult *res;
	if (r->status >= 500 || r->status == 429) {
		const char *p[] = {kid, r->idem_key};
		res = nm_db_exec(pg, &q_drop, p);
	} else {
		char st[16];
		snprintf(st, sizeof st, "%d", r->status);
		const char *loc = NULL;
		for (int i = 0; i < r->n_hdrs; i++)
			if (strcmp(r->hdr_names[i], "Location") == 0)
				loc = r->hdr_values[i];
		char *body = stored_body(r);
		const char *p[] = {kid, r->idem_key, st, r->reply_ctype, loc, body, r->idem_hash};
		res = nm_db_exec(pg, &q_store, p);
		free(body);
	}
	PQclear(res);
}

void nm_idem_abandon(struct nm_req *r)
{
	if (r->idem_sha) {
		EVP_MD_CTX_free(r->idem_sha);
		r->idem_sha = NULL;
	}
	if (!r->idem_record)
		return;
	r->idem_record = false;
	struct nm_pg *pg = r->pg ? r->pg : nm_db_acquire();
	if (!pg)
		return; /* the placeholder expires after 24 h */
	if (!r->pg)
		r->pg = pg;
	nm_db_rollback(pg);
	char kid[24];
	snprintf(kid, sizeof kid, "%lld", (long long)r->auth.key_id);
	const char *p[] = {kid, r->idem_key};
	PQclear(nm_db_exec(pg, &q_drop, p));
}
