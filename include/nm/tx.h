/* Transactions with bounded, jittered retry, and the one classification of database
 * failures every caller maps to a reply.
 *
 * A transaction body is a function that may run more than once: under REPEATABLE READ
 * or SERIALIZABLE, PostgreSQL answers a conflicting concurrent change with 40001
 * (serialization failure), and any level can meet 40P01 (deadlock); the right answer to
 * both is to run the whole transaction again, not to give the client a 503. */
#ifndef NM_TX_H
#define NM_TX_H

#include <stdbool.h>

/* Forward declarations keep libpq out of the layers above the store (PGresult is
 * struct pg_result). */
struct pg_result;
struct nm_pg;

enum nm_db_status {
	NM_DB_OK = 0,
	NM_DB_NOT_FOUND,   /* set by callers: the row is not there */
	NM_DB_CONFLICT,	   /* 23505 unique violation */
	NM_DB_MISSING_REF, /* 23503 foreign key violation */
	NM_DB_INVALID,	   /* 22xxx/23xxx other data or constraint errors */
	NM_DB_RETRY,   /* 40001 / 40P01: retried by nm_tx_run; left over when attempts ran out */
	NM_DB_TIMEOUT, /* 57014 statement timeout */
	NM_DB_UNAVAILABLE, /* connection lost, shutdown, too many connections, pool exhausted */
	NM_DB_ERROR,	   /* anything else: a bug */
};

/* Why a database step failed. sqlstate and constraint are the only text kept from the
 * server's answer: its message and DETAIL may quote row values, which must not reach
 * logs or replies. */
struct nm_db_err {
	enum nm_db_status status;
	char sqlstate[6];
	char constraint[64];
};

/* Classifies a failed result into e (an OK result gives NM_DB_OK). */
void nm_db_err_from(struct nm_db_err *e, const struct pg_result *res);
/* Sets e to a status without a server answer (NOT_FOUND, UNAVAILABLE). */
void nm_db_err_set(struct nm_db_err *e, enum nm_db_status status);
const char *nm_db_status_name(enum nm_db_status s);

enum nm_tx_isolation {
	NM_TX_READ_COMMITTED,
	NM_TX_REPEATABLE_READ,
	NM_TX_SERIALIZABLE,
};

/* A transaction body: returns true to commit, false to roll back. On false it sets
 * *err (NM_DB_OK there means "roll back, nothing failed", e.g. validation against the
 * stored row). It may be called several times: it must reset whatever it produces. */
typedef bool (*nm_tx_fn)(struct nm_pg *pg, void *cls, struct nm_db_err *err);

#define NM_TX_ATTEMPTS 8

/* Runs fn in a transaction at the given isolation level and commits. When a statement
 * of fn, or the COMMIT, fails with 40001 or 40P01, rolls back, waits a jittered
 * backoff (up to 2, 4, 8, ... 64 ms) and runs fn again, up to NM_TX_ATTEMPTS times.
 * Returns true once committed; else false with *err saying why. */
bool nm_tx_run(struct nm_pg *pg, enum nm_tx_isolation iso, nm_tx_fn fn, void *cls,
	       struct nm_db_err *err);

#endif
