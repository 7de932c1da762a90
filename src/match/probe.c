/* Scoring given creators over the index (see nm/match_probe.h). The rules are those of
 * rank.c, applied to a subset: a brand term marks the subset's creators posted under it
 * (one scan of its posting lists, as a run does), then each marked creator goes through
 * nm_score_filter, the later rules and nm_score_creator. Kept apart from rank.c so that
 * the run's hot loop stays as it is. */
#include "nm/match_probe.h"

#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "index_internal.h"
#include "nm/score_filter.h"

#define BAN UINT32_MAX

/* The subset: slot -> local index (NO_ID outside it), and per local index the slot, the
 * terms matched per source, the excluded-keyword flag and a word counter for phrases. */
struct subset {
	uint32_t *local; /* [nm_idx.n_slots] */
	uint32_t *slot;	 /* [n] */
	size_t n;
	uint64_t *m[SRC_COUNT]; /* [n] */
	uint8_t *ban;		/* [n] */
	uint8_t *count;		/* [n] */
};

static void subset_free(struct subset *s)
{
	free(s->local);
	free(s->slot);
	for (int i = 0; i < SRC_COUNT; i++)
		free(s->m[i]);
	free(s->ban);
	free(s->count);
}

/* The live creators of ids, each once. Called under the read lock. */
static bool subset_build(struct subset *s, const int64_t *ids, size_t n_ids)
{
	memset(s, 0, sizeof *s);
	size_t cap = n_ids ? n_ids : 1;
	s->local = malloc((nm_idx.n_slots ? nm_idx.n_slots : 1) * sizeof *s->local);
	s->slot = malloc(cap * sizeof *s->slot);
	for (int i = 0; i < SRC_COUNT; i++)
		s->m[i] = malloc(cap * sizeof *s->m[i]);
	s->ban = malloc(cap);
	s->count = malloc(cap);
	if (!s->local || !s->slot || !s->m[0] || !s->m[1] || !s->m[2] || !s->ban || !s->count)
		return false;
	memset(s->local, 0xff, nm_idx.n_slots * sizeof *s->local);
	for (size_t i = 0; i < n_ids; i++) {
		uint32_t slot = nm_idx_slot_of(&nm_idx, ids[i]);
		if (slot == NO_ID || !(nm_idx.ver[slot] & 0x80) || s->local[slot] != NO_ID)
			continue;
		s->local[slot] = (uint32_t)s->n;
		s->slot[s->n++] = slot;
	}
	return true;
}

/* The subset's live creators posted under term in source src: matched bit i, or the ban
 * flag (i == BAN), or one more word (i == BAN - 1, for phrases). */
#define COUNT_WORD (BAN - 1)
static void mark_term(struct subset *s, int src, uint32_t term, uint32_t i)
{
	if (term == NO_ID || !s->n)
		return;
	const struct plist *pl = &nm_idx.post[src][term];
	for (uint32_t j = 0; j < pl->n; j++) {
		uint32_t e = pl->v[j], l = s->local[e >> 8];
		if (l == NO_ID || !posting_live(&nm_idx, e))
			continue;
		if (i == BAN)
			s->ban[l] = 1;
		else if (i == COUNT_WORD)
			s->count[l]++; /* a word is posted once per slot version */
		else
			s->m[src][l] |= 1ull << i;
	}
}

/* A bio term matches when every one of its words is in the bio (as rank.c). */
static void mark_bio_phrase(struct subset *s, const char *term, uint32_t i)
{
	uint32_t words[NM_IDX_PHRASE_MAX];
	int found = nm_idx_phrase_words(&nm_idx, term, words);
	if (found < 0)
		return; /* a word no bio contains: no match */
	size_t nw = (size_t)found;
	if (nw <= 1) {
		mark_term(s, SRC_BIO, nw ? words[0] : NO_ID, i);
		return;
	}
	memset(s->count, 0, s->n);
	for (size_t k = 0; k < nw; k++)
		mark_term(s, SRC_BIO, words[k], COUNT_WORD);
	for (size_t l = 0; l < s->n; l++) {
		if (s->count[l] != nw)
			continue;
		if (i == BAN)
			s->ban[l] = 1;
		else
			s->m[SRC_BIO][l] |= 1ull << i;
	}
}

/* Marks every term of terms (bit = its index, the first 64 only) or of a ban list. */
static void mark_terms(struct subset *s, const struct nm_niche_terms *terms, bool ban)
{
	for (unsigned i = 0; i < terms->n && (ban || i < 64); i++) {
		uint32_t bit = ban ? BAN : i;
		uint32_t tid = dict_find(&nm_idx, terms->term[i], terms->len[i]);
		mark_term(s, SRC_CAT, tid, bit);
		mark_term(s, SRC_TAG, tid, bit);
		size_t cl = strlen(terms->compact[i]);
		if (cl != terms->len[i])
			mark_term(s, SRC_TAG, dict_find(&nm_idx, terms->compact[i], cl), bit);
		mark_bio_phrase(s, terms->term[i], bit);
	}
}

/* The rules after nm_score_filter, as rank.c's later_rule: true when f stays. */
static bool stays(const struct nm_index_probe *p, const struct subset *s, size_t l,
		  const struct nm_score_features *f)
{
	if (p->q->require_countries && !nm_score_country_ok(p->q, f))
		return false;
	if (s->ban[l])
		return false;
	if (p->ex && nm_idx_listed(p->ex->handle_ids, p->ex->n_handle_ids, f->id))
		return false;
	if (p->ex && nm_idx_listed(p->ex->status_ids, p->ex->n_status_ids, f->id))
		return false;
	return !(p->ex && (p->ex->fresh.by_age || p->ex->fresh.by_conf) &&
		 nm_idx_fresh_rule(&p->ex->fresh, s->slot[l]) != NM_FUNNEL_COUNT);
}

static bool probe_one(struct subset *s, struct nm_index_probe *p, int32_t today)
{
	for (int i = 0; i < SRC_COUNT; i++)
		memset(s->m[i], 0, s->n * sizeof *s->m[i]);
	memset(s->ban, 0, s->n);
	mark_terms(s, p->terms, false);
	if (p->ex && p->ex->keywords && p->ex->keywords->n)
		mark_terms(s, p->ex->keywords, true);
	struct nm_score_topk heap;
	if (!nm_score_topk_init(&heap, p->k))
		return false;
	for (size_t l = 0; l < s->n; l++) {
		uint64_t m = s->m[SRC_CAT][l] | s->m[SRC_TAG][l] | s->m[SRC_BIO][l];
		if (!m)
			continue;
		uint32_t counts = (uint32_t)nm_idx_sat8(nm_idx_bits(s->m[SRC_CAT][l])) |
				  (uint32_t)nm_idx_sat8(nm_idx_bits(s->m[SRC_TAG][l])) << 8 |
				  (uint32_t)nm_idx_sat8(nm_idx_bits(s->m[SRC_BIO][l])) << 16;
		struct nm_score_features f;
		nm_idx_features_of(s->slot[l], counts, today, &f);
		if (!nm_score_filter(p->q, &f) || !stays(p, s, l, &f))
			continue;
		/* As a run: a bound from the two cheapest components settles most creators
		 * (below the cutoff, with a margin for the rounding, or below the heap). */
		double bound = nm_score_upper_bound(p->q, &f);
		if ((p->above >= 0 && bound < p->above - 0.01) ||
		    bound < nm_score_topk_floor(&heap))
			continue;
		double score = nm_score_creator(p->q, &f, NULL);
		if (p->above >= 0 && !(floor(score * 100 + 0.5) / 100 > p->above))
			continue;
		struct nm_score_topk_entry x = {score, f.id, (uint32_t)l, counts, m};
		nm_score_topk_offer(&heap, &x);
	}
	p->n = (long)nm_score_topk_sort(&heap);
	for (long i = 0; i < p->n; i++) {
		const struct nm_score_topk_entry *e = &heap.e[i];
		nm_idx_hit_fill(&p->out[i], s->slot[e->ref], e, today, (int64_t)time(NULL));
	}
	nm_score_topk_free(&heap);
	return true;
}

bool nm_index_probe(const int64_t *ids, size_t n_ids, struct nm_index_probe *probes,
		    size_t n_probes)
{
	for (size_t i = 0; i < n_probes; i++)
		probes[i].n = 0;
	int32_t today = (int32_t)(time(NULL) / 86400);
	pthread_rwlock_rdlock(&nm_idx_lock);
	struct subset s;
	bool ok = subset_build(&s, ids, n_ids);
	for (size_t i = 0; ok && i < n_probes; i++)
		ok = probe_one(&s, &probes[i], today);
	pthread_rwlock_unlock(&nm_idx_lock);
	subset_free(&s);
	if (!ok)
		for (size_t i = 0; i < n_probes; i++)
			probes[i].n = 0;
	return ok;
}
