/* Column scan kernels: predicates over 64 consecutive values of a dense column, answered
 * as a 64-bit mask (bit i: value i passes). Creator search (src/match/search.c) evaluates
 * its filters a block of 64 slots at a time with these instead of a branchy check per slot:
 * at 1M creators that pass is a few hundred microseconds instead of ~8 ms
 * (docs/performance.md "Creator search: column scan").
 *
 * Pure and header-only so that they inline into the scan loop. Each kernel has an SSE2 form
 * (every x86-64 has SSE2) and a portable scalar form, which is also the reference the unit
 * test (tests/unit/test_colscan.c) compares the SSE2 form with. Inputs are read as 64
 * values whatever the caller's column length: the caller owns columns whose capacity is a
 * multiple of 64 and masks off the slots past its end. No kernel allocates. */
#ifndef NM_COLSCAN_H
#define NM_COLSCAN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#if defined(__SSE2__) && !defined(NM_COLSCAN_SCALAR)
#include <emmintrin.h>
#define NM_COLSCAN_SSE2 1
#endif

/* Up to this many values an "any of" test compares each value across the block; past it
 * the kernels test each slot against a bitset (nm_cs_set_*). */
#define NM_CS_VEC_VALUES 8

/* A set of "any of" values for the kernels: the values (for the vector form) and their
 * bitset (for many values): 677 bits cover the two-letter codes and every byte value. */
struct nm_cs_set {
	uint16_t v[NM_CS_VEC_VALUES];
	size_t n;	   /* how many values; more than NM_CS_VEC_VALUES: use bits */
	uint64_t bits[11]; /* bit per value < 704 */
};

static inline void nm_cs_set_add(struct nm_cs_set *s, uint16_t v)
{
	if (v >= 704)
		return;
	if (s->bits[v >> 6] >> (v & 63) & 1)
		return; /* already in: a repeated value costs no extra compare */
	s->bits[v >> 6] |= 1ull << (v & 63);
	if (s->n < NM_CS_VEC_VALUES)
		s->v[s->n] = v;
	s->n++;
}

static inline bool nm_cs_set_has(const struct nm_cs_set *s, uint16_t v)
{
	return v < 704 && (s->bits[v >> 6] >> (v & 63) & 1);
}

/* Set bits of m, without the libgcc call a generic x86-64 build makes for popcount. */
static inline int nm_cs_popcount(uint64_t m)
{
	m = m - ((m >> 1) & 0x5555555555555555ull);
	m = (m & 0x3333333333333333ull) + ((m >> 2) & 0x3333333333333333ull);
	m = (m + (m >> 4)) & 0x0f0f0f0f0f0f0f0full;
	return (int)((m * 0x0101010101010101ull) >> 56);
}

/* 16-bit keys of exact values for nm_cs_range_u16: half the bytes of a 32-bit column, the
 * same bytes per block as a 16-bit one. Both are monotone (a <= b: key(a) <= key(b)).
 *
 * A count's key is a small float of it: below 2^11 the count itself, above it 5 bits of
 * exponent and the 11 bits after the leading one, so a bucket is under 0.05 % wide and few
 * slots share a bound's key. */
static inline uint16_t nm_cs_key_u32(uint32_t v)
{
	if (v < 2048)
		return (uint16_t)v;
	int e = 31 - __builtin_clz(v); /* 11..31 */
	return (uint16_t)((uint32_t)(e - 10) << 11 | (v >> (e - 11) & 0x7ff));
}

/* A rate's key: 0 for an unknown one (below every bound's key), else 1 + the rate in
 * 1/65534ths, rates past 1 in the last bucket. A bound's key: the same of the bound, a
 * bound below 0 (none) the first known bucket. */
static inline uint16_t nm_cs_key_rate(double r)
{
	if (!(r >= 0.0)) /* negative, or NaN: no rate */
		return 0;
	return r >= 1.0 ? 65535 : (uint16_t)(1 + (uint32_t)(r * 65534.0));
}

static inline uint16_t nm_cs_key_rate_bound(double r)
{
	return r < 0.0 ? 1 : nm_cs_key_rate(r);
}

/* ---- scalar forms (portable; the reference) ---- */

static inline uint64_t nm_cs_live_scalar(const uint8_t *ver)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)(ver[i] >> 7) << i;
	return m;
}

static inline uint64_t nm_cs_in8_scalar(const uint8_t *v, const struct nm_cs_set *s)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)nm_cs_set_has(s, v[i]) << i;
	return m;
}

static inline uint64_t nm_cs_in16_scalar(const uint16_t *v, const struct nm_cs_set *s)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)nm_cs_set_has(s, v[i]) << i;
	return m;
}

/* lo <= v <= hi for a column of 16-bit keys of exact values (nm_cs_key_u32, nm_cs_key_rate):
 * the candidates, and in *border those equal to lo or hi, which only the exact values
 * decide. A key is monotone in its value: an exact value inside the bounds has its key
 * inside the bounds' keys, and one whose key is strictly inside them is inside. */
static inline uint64_t nm_cs_range_u16_scalar(const uint16_t *v, uint16_t lo, uint16_t hi,
					      uint64_t *border)
{
	uint64_t m = 0, b = 0;
	for (int i = 0; i < 64; i++) {
		m |= (uint64_t)(v[i] >= lo && v[i] <= hi) << i;
		b |= (uint64_t)(v[i] == lo || v[i] == hi) << i;
	}
	*border = b & m;
	return m;
}

static inline uint64_t nm_cs_flags_scalar(const uint8_t *v, uint8_t mask, uint8_t want)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)((v[i] & mask) == want) << i;
	return m;
}

/* ---- the kernels ---- */

#ifdef NM_COLSCAN_SSE2

/* Bit 7 of each byte: a slot's live bit (its version byte). */
static inline uint64_t nm_cs_live(const uint8_t *ver)
{
	uint64_t m = 0;
	for (int i = 0; i < 4; i++)
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(
			     _mm_loadu_si128((const __m128i *)(const void *)(ver + 16 * i)))
		     << (16 * i);
	return m;
}

/* Two 16-bit lane masks as one 16-bit mask (lanes are all ones or all zeros). */
static inline unsigned nm_cs_pack16(__m128i a, __m128i b)
{
	return (unsigned)(uint16_t)_mm_movemask_epi8(_mm_packs_epi16(a, b));
}

static inline uint64_t nm_cs_in8(const uint8_t *v, const struct nm_cs_set *s)
{
	if (s->n > NM_CS_VEC_VALUES)
		return nm_cs_in8_scalar(v, s);
	uint64_t m = 0;
	for (int i = 0; i < 4; i++) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(v + 16 * i)),
			acc = _mm_setzero_si128();
		for (size_t j = 0; j < s->n; j++)
			if (s->v[j] < 256) /* no byte holds a larger value */
				acc = _mm_or_si128(acc,
						   _mm_cmpeq_epi8(a, _mm_set1_epi8((char)s->v[j])));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(acc) << (16 * i);
	}
	return m;
}

static inline uint64_t nm_cs_in16(const uint16_t *v, const struct nm_cs_set *s)
{
	if (s->n > NM_CS_VEC_VALUES)
		return nm_cs_in16_scalar(v, s);
	uint64_t m = 0;
	for (int i = 0; i < 4; i++) {
		const __m128i *p = (const __m128i *)(const void *)(v + 16 * i);
		__m128i a = _mm_loadu_si128(p), b = _mm_loadu_si128(p + 1);
		__m128i ra = _mm_setzero_si128(), rb = _mm_setzero_si128();
		for (size_t j = 0; j < s->n; j++) {
			__m128i k = _mm_set1_epi16((short)s->v[j]);
			ra = _mm_or_si128(ra, _mm_cmpeq_epi16(a, k));
			rb = _mm_or_si128(rb, _mm_cmpeq_epi16(b, k));
		}
		m |= (uint64_t)nm_cs_pack16(ra, rb) << (16 * i);
	}
	return m;
}

static inline uint64_t nm_cs_range_u16(const uint16_t *v, uint16_t lo, uint16_t hi,
				       uint64_t *border)
{
	/* unsigned compares as signed ones, both sides moved by 2^15 */
	const __m128i bias = _mm_set1_epi16(INT16_MIN);
	__m128i l = _mm_set1_epi16((short)lo), h = _mm_set1_epi16((short)hi);
	__m128i lb = _mm_xor_si128(l, bias), hb = _mm_xor_si128(h, bias);
	uint64_t m = 0, b = 0;
	for (int i = 0; i < 4; i++) {
		const __m128i *p = (const __m128i *)(const void *)(v + 16 * i);
		__m128i x = _mm_loadu_si128(p), y = _mm_loadu_si128(p + 1);
		__m128i xb = _mm_xor_si128(x, bias), yb = _mm_xor_si128(y, bias);
		__m128i ox = _mm_or_si128(_mm_cmpgt_epi16(lb, xb), _mm_cmpgt_epi16(xb, hb)),
			oy = _mm_or_si128(_mm_cmpgt_epi16(lb, yb), _mm_cmpgt_epi16(yb, hb));
		__m128i ex = _mm_or_si128(_mm_cmpeq_epi16(x, l), _mm_cmpeq_epi16(x, h)),
			ey = _mm_or_si128(_mm_cmpeq_epi16(y, l), _mm_cmpeq_epi16(y, h));
		m |= (uint64_t)(~nm_cs_pack16(ox, oy) & 0xffffu) << (16 * i);
		b |= (uint64_t)nm_cs_pack16(ex, ey) << (16 * i);
	}
	*border = b & m;
	return m;
}

static inline uint64_t nm_cs_flags(const uint8_t *v, uint8_t mask, uint8_t want)
{
	__m128i k = _mm_set1_epi8((char)mask), w = _mm_set1_epi8((char)want);
	uint64_t m = 0;
	for (int i = 0; i < 4; i++) {
		__m128i a = _mm_loadu_si128((const __m128i *)(const void *)(v + 16 * i));
		m |= (uint64_t)(uint16_t)_mm_movemask_epi8(_mm_cmpeq_epi8(_mm_and_si128(a, k), w))
		     << (16 * i);
	}
	return m;
}

#else

static inline uint64_t nm_cs_live(const uint8_t *ver)
{
	return nm_cs_live_scalar(ver);
}
static inline uint64_t nm_cs_in8(const uint8_t *v, const struct nm_cs_set *s)
{
	return nm_cs_in8_scalar(v, s);
}
static inline uint64_t nm_cs_in16(const uint16_t *v, const struct nm_cs_set *s)
{
	return nm_cs_in16_scalar(v, s);
}
static inline uint64_t nm_cs_range_u16(const uint16_t *v, uint16_t lo, uint16_t hi,
				       uint64_t *border)
{
	return nm_cs_range_u16_scalar(v, lo, hi, border);
}
static inline uint64_t nm_cs_flags(const uint8_t *v, uint8_t mask, uint8_t want)
{
	return nm_cs_flags_scalar(v, mask, want);
}

#endif

#endif
