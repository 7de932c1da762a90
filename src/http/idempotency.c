/* Idempotency-Key on POST (docs/api.md §2), after Stripe: the first request with a key
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
#include "nm/crypto.h"
#include "nm/db_pool.h"
#include "nm/store.h"
#include "nm/store_idempotency.h"

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
	size_t n = ml + 1 + pl + 1 + r->body.len;
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
	if (r->body.len)
		memcpy(buf + ml + pl + 2, r->body.data, r->body.len);
	nm_sha256_hex(buf, n, r->idem_hash);
	free(buf);
}

static void replay(struct nm_req *r, const struct nm_idem_record *rec)
{
	if (rec->location)
		nm_reply_header(r, "Location", rec->location);
	nm_reply_header(r, "Idempotent-Replayed", "true");
	/* Content types are a closed set of static strings on our side. */
	const char *ctype = NULL;
	const char *ct = rec->content_type;
	if (ct && strcmp(ct, "application/problem+json") == 0)
		ctype = "application/problem+json";
	else if (ct)
		ctype = "application/json; charset=utf-8";
	char *copy = rec->body ? strdup(rec->body) : NULL;
	nm_reply_text(r, rec->status, ctype, copy, copy ? strlen(copy) : 0);
}

/* Claims the key, or answers from the existing record. hash is the fingerprint, or ""
 * when it is not known yet (streams). Returns 1 when claimed, 0 when a reply was set,
 * 2 when a finished record exists (in *rec, which the caller clears) and the caller
 * must compare fingerprints. */
static int claim(struct nm_req *r, const char *hash, struct nm_idem_record *rec)
{
	const char *key = nm_req_header(r, "Idempotency-Key");
	size_t kl = strlen(key);
	memset(rec, 0, sizeof *rec);
	if (kl == 0 || kl > 255) {
		nm_reply_problem(r, NM_P_BAD_REQUEST, NULL,
				 "Idempotency-Key must be 1 to 255 characters.");
		return 0;
	}
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return 0;
	r->idem_key = strdup(key);
	bool claimed;
	struct nm_db_err err;
	if (!nm_store_idem_claim(pg, r->auth.key_id, r->idem_key, r->method, r->url, hash, &claimed,
				 &err)) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "Could not record the Idempotency-Key.");
		return 0;
	}
	if (claimed) {
		r->idem_record = true;
		return 1;
	}
	if (!nm_store_idem_get(pg, r->auth.key_id, r->idem_key, rec, &err)) {
		/* Vanished between the two statements (the first request failed and
		 * dropped its claim): ask for a retry rather than guess. */
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_IDEMPOTENCY_IN_PROGRESS, NULL,
				 "The first request with this Idempotency-Key just ended; retry.");
		return 0;
	}
	if (rec->status == 0) {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_IDEMPOTENCY_IN_PROGRESS, NULL,
				 "A request with this Idempotency-Key is still in progress.");
		nm_store_idem_record_clear(rec);
		return 0;
	}
	return 2;
}

/* Replay or 422, from the stored record. */
static void answer_duplicate(struct nm_req *r, const struct nm_idem_record *rec)
{
	if (strcmp(rec->request_hash, r->idem_hash) != 0)
		nm_reply_problem(r, NM_P_IDEMPOTENCY_MISMATCH, NULL,
				 "This Idempotency-Key was used with a different request (%s %s).",
				 rec->method ? rec->method : "", rec->path ? rec->path : "");
	else
		replay(r, rec);
}

bool nm_idem_before(struct nm_req *r)
{
	hash_request(r);
	struct nm_idem_record rec;
	int c = claim(r, r->idem_hash, &rec);
	if (c == 2)
		answer_duplicate(r, &rec);
	nm_store_idem_record_clear(&rec);
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
	struct nm_idem_record rec;
	int c = claim(r, "", &rec);
	nm_store_idem_record_clear(&rec);
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
	struct nm_idem_record rec;
	struct nm_db_err err;
	if (nm_store_idem_get(pg, r->auth.key_id, r->idem_key, &rec, &err)) {
		answer_duplicate(r, &rec);
		nm_store_idem_record_clear(&rec);
	} else {
		nm_reply_header(r, "Retry-After", "1");
		nm_reply_problem(r, NM_P_DB_UNAVAILABLE, NULL,
				 "Could not read the Idempotency-Key.");
	}
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
	struct nm_db_err err;
	if (r->status >= 500 || r->status == 429) {
		nm_store_idem_drop(pg, r->auth.key_id, r->idem_key, &err);
		return;
	}
	const char *loc = NULL;
	for (int i = 0; i < r->n_hdrs; i++)
		if (strcmp(r->hdr_names[i], "Location") == 0)
			loc = r->hdr_values[i];
	char *body = stored_body(r);
	nm_store_idem_store(pg, r->auth.key_id, r->idem_key, r->status, r->reply_ctype, loc, body,
			    r->idem_hash, &err);
	free(body);
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
	struct nm_db_err err;
	nm_store_idem_drop(pg, r->auth.key_id, r->idem_key, &err);
}
