/* Dashboard sessions (docs/dashboard.md): an API key is exchanged once for a random
 * session token in an HttpOnly, SameSite=Strict cookie, so the key never stays in the
 * page. The dispatcher authenticates the cookie as the session's key and requires the
 * session's CSRF token on unsafe methods (src/http/server.c). */
#include <openssl/crypto.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "nm/auth.h"
#include "nm/handlers.h"
#include "nm/store.h"
#include "nm/store_sessions.h"
#include "nm/verr.h"

#define CLEAR_COOKIE NM_SESSION_COOKIE "=; Path=/; Max-Age=0; HttpOnly; SameSite=Strict"

/* Secure when configured, or (auto) when a TLS-terminating proxy says the request came
 * over https: the flag only narrows where the browser sends the cookie, so trusting the
 * header cannot widen anything. */
static bool cookie_secure(struct nm_req *r)
{
	const struct nm_config *cfg = nm_req_config(r);
	if (cfg->cookie_secure != NM_COOKIE_SECURE_AUTO)
		return cfg->cookie_secure == NM_COOKIE_SECURE_ON;
	const char *proto = nm_req_header(r, "X-Forwarded-Proto");
	return proto && strncasecmp(proto, "https", 5) == 0;
}

/* The "api_key" member, or NULL with a 422 set. */
static const char *api_key_of(struct nm_req *r)
{
	json_t *in = nm_req_json(r), *errors = json_array(), *v;
	const char *key = NULL, *name;
	json_object_foreach(in, name, v)
	{
		if (strcmp(name, "api_key") != 0)
			nm_verr_add(errors, name, "unknown field");
		else if (json_is_string(v) && json_string_length(v) > 0)
			key = json_string_value(v);
		else
			nm_verr_add(errors, "api_key", "must be a non-empty string");
	}
	if (!json_object_get(in, "api_key"))
		nm_verr_add(errors, "api_key", "is required");
	if (json_array_size(errors)) {
		nm_reply_problem(r, NM_P_VALIDATION, errors,
				 "The sign-in request has invalid fields.");
		return NULL;
	}
	json_decref(errors);
	return key;
}

/* POST /v1/sessions {"api_key"} → 201, Set-Cookie with the session token; the body
 * has the CSRF token, the expiry and the key's public fields (never the key). */
void nm_h_sessions_create(struct nm_req *r)
{
	const char *key = api_key_of(r);
	if (!key || !nm_req_check_key(r, key))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	char tok[64], hash[65], csrf[65];
	if (!nm_session_new_token(tok, hash)) {
		nm_reply_problem(r, NM_P_INTERNAL, NULL, "The random source failed.");
		return;
	}
	const struct nm_config *cfg = nm_req_config(r);
	struct nm_db_err err;
	json_t *row =
		nm_store_session_create(pg, hash, nm_req_auth(r)->key_id, cfg->session_ttl_s, &err);
	if (!row) {
		OPENSSL_cleanse(tok, sizeof tok);
		if (err.status == NM_DB_NOT_FOUND) /* revoked between the check and now */
			nm_reply_problem(r, NM_P_UNAUTHORIZED, NULL,
					 "The API key is invalid or revoked.");
		else
			nm_reply_db_err(r, &err);
		return;
	}
	char cookie[200];
	snprintf(cookie, sizeof cookie,
		 NM_SESSION_COOKIE "=%s; Path=/; Max-Age=%d; HttpOnly; "
				   "SameSite=Strict%s",
		 tok, cfg->session_ttl_s, cookie_secure(r) ? "; Secure" : "");
	nm_session_csrf(tok, csrf);
	OPENSSL_cleanse(tok, sizeof tok);
	nm_reply_header(r, "Set-Cookie", cookie);
	OPENSSL_cleanse(cookie, sizeof cookie);
	nm_reply_header(r, "Location", "/v1/sessions/current");
	json_object_set_new(row, "csrf_token", json_string(csrf));
	nm_reply_json(r, 201, row);
}

/* Replies 404 and returns false when the request did not come with a session cookie. */
static bool has_session(struct nm_req *r)
{
	if (nm_req_session_id(r))
		return true;
	nm_reply_problem(r, NM_P_NOT_FOUND, NULL,
			 "This request carries no session cookie (an API key has no session).");
	return false;
}

/* GET /v1/sessions/current → the session as at sign-in, with its CSRF token (a page
 * reloaded keeps the cookie but has lost the token it held in memory). */
void nm_h_sessions_get(struct nm_req *r)
{
	if (!has_session(r))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	json_t *row = nm_store_session_get(pg, nm_req_session_id(r), &err);
	if (!row) {
		nm_reply_db_err(r, &err);
		return;
	}
	char csrf[65];
	nm_req_session_csrf(r, csrf);
	json_object_set_new(row, "csrf_token", json_string(csrf));
	nm_reply_json(r, 200, row);
}

/* DELETE /v1/sessions/current → 204; the cookie is cleared and no longer works. */
void nm_h_sessions_delete(struct nm_req *r)
{
	if (!has_session(r))
		return;
	struct nm_pg *pg = nm_req_db(r);
	if (!pg)
		return;
	struct nm_db_err err;
	if (!nm_store_session_revoke(pg, nm_req_session_id(r), &err)) {
		nm_reply_db_err(r, &err);
		return;
	}
	nm_reply_header(r, "Set-Cookie", CLEAR_COOKIE);
	nm_reply_empty(r, 204);
}
