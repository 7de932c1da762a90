/* Budget plans in PostgreSQL (src/store/plans.c, migration 0018): what a plan reads
 * besides the ranked pool (the price table, the candidates' post counts, whether
 * must-include creators exist), the plan it writes, and the plans read back. */
#ifndef NM_STORE_PLANS_H
#define NM_STORE_PLANS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "nm/plan.h"
#include "nm/store.h"

struct nm_pg;

/* Fills t from price_estimates (migration 0016); on a failure t keeps the compiled-in
 * table, which equals the seed (as the benchmarks do for a match run). */
void nm_store_plan_prices(struct nm_pg *pg, struct nm_plan_prices *t);

/* posts_count of each of ids[0..n) into posts[i] (-1 when unknown or the creator is
 * gone). err NM_DB_OK with false: out of memory. */
bool nm_store_plan_posts(struct nm_pg *pg, const int64_t *ids, size_t n, int64_t *posts,
			 struct nm_db_err *err);

/* exists[i] = creator ids[i] exists. */
bool nm_store_plan_creators_exist(struct nm_pg *pg, const int64_t *ids, size_t n, bool *exists,
				  struct nm_db_err *err);

/* What a plan records. request and result are JSON object texts. */
struct nm_plan_rec {
	int64_t brand_id;
	int64_t key_id; /* 0: none */
	const char *request, *result;
	int64_t budget_cents, cost_cents;
};

/* On pg's open transaction: inserts the plan; sets *id and created_at (>= 40 bytes). */
bool nm_store_plan_insert(struct nm_pg *pg, const struct nm_plan_rec *rec, int64_t *id,
			  char *created_at, struct nm_db_err *err);

/* The brand's plan as replied: id, brand_id, created_at, created_by_key_id, request and
 * the members of result. NULL with err (NM_DB_NOT_FOUND) when there is none. */
json_t *nm_store_plan_get(struct nm_pg *pg, int64_t brand_id, int64_t plan_id,
			  struct nm_db_err *err);

/* One page of the brand's plans, newest first, each without its portfolio. */
bool nm_store_plans_list(struct nm_pg *pg, int64_t brand_id, const struct nm_page_req *pr,
			 struct nm_page *out, struct nm_db_err *err);

#endif
