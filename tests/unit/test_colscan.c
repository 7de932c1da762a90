/* nm/colscan.h: every kernel against its scalar reference (which spells the rule out) on
 * random columns whose values cluster around the bounds, for value sets of every size
 * across the vector/bitset switch; and the rules themselves on hand-made blocks. */
#include "check.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "nm/colscan.h"

/* The exact rules the 16-bit key ranges stand for. */
static uint64_t exact_u32(const uint32_t *v, uint32_t lo, uint32_t hi)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)(v[i] >= lo && v[i] <= hi) << i;
	return m;
}

static uint64_t exact_f64(const double *v, double lo, double hi)
{
	uint64_t m = 0;
	for (int i = 0; i < 64; i++)
		m |= (uint64_t)(v[i] >= lo && v[i] <= hi) << i;
	return m;
}

static uint64_t rng = 88172645463325252ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* A value near one of a few points: bounds and set members get hit often. */
static uint32_t pick(const uint32_t *points, size_t n)
{
	uint32_t p = points[next() % n];
	return p + (uint32_t)(next() % 5) - 2u;
}

static void test_against_scalar(void)
{
	static uint8_t u8[64];
	static uint16_t u16[64];
	static uint32_t u32[64];
	static double f64[64];
	static uint16_t er16[64], fol16[64];
	const uint32_t points[] = {2, 3, 7, 100, 250, 677, 10000, 99999, UINT32_MAX - 1};
	int mismatches = 0;
	for (int round = 0; round < 20000; round++) {
		for (int i = 0; i < 64; i++) {
			uint32_t v = pick(points, sizeof points / sizeof points[0]);
			u8[i] = (uint8_t)v;
			u16[i] = (uint16_t)(v % 700);
			u32[i] = v;
			f64[i] = (double)(v % 300) / 10000.0 + (next() % 3 == 0 ? 1e-12 : 0.0);
			if (next() % 17 == 0)
				f64[i] = NAN;
			er16[i] = nm_cs_key_rate(f64[i]);
			fol16[i] = nm_cs_key_u32(u32[i]);
		}
		struct nm_cs_set s;
		memset(&s, 0, sizeof s);
		size_t n = next() % 12; /* 0..11: both sides of NM_CS_VEC_VALUES */
		for (size_t j = 0; j < n; j++)
			nm_cs_set_add(&s, (uint16_t)(pick(points, 6) % 700));
		mismatches += nm_cs_live(u8) != nm_cs_live_scalar(u8);
		mismatches += nm_cs_in8(u8, &s) != nm_cs_in8_scalar(u8, &s);
		mismatches += nm_cs_in16(u16, &s) != nm_cs_in16_scalar(u16, &s);
		uint32_t lo = pick(points, 9), hi = pick(points, 9);
		double dlo = f64[next() % 64], dhi = (double)(next() % 300) / 10000.0;
		if (isnan(dlo)) /* a search's absent bound is an infinite one, never NaN */
			dlo = -INFINITY;
		uint64_t b1, b2;
		uint16_t klo = nm_cs_key_rate_bound(dlo), khi = nm_cs_key_rate_bound(dhi);
		mismatches += nm_cs_range_u16(er16, klo, khi, &b1) !=
			      nm_cs_range_u16_scalar(er16, klo, khi, &b2);
		mismatches += b1 != b2;
		uint8_t mask = (uint8_t)next(), want = (uint8_t)(next() & mask);
		mismatches += nm_cs_flags(u8, mask, want) != nm_cs_flags_scalar(u8, mask, want);
		/* a key range's candidates and border decide exactly what the exact values do */
		uint64_t border, cand = nm_cs_range_u16(er16, klo, khi, &border);
		uint64_t exact = exact_f64(f64, dlo, dhi);
		mismatches += (exact & ~cand) != 0;		/* no exact pass is lost */
		mismatches += ((cand & ~border) & ~exact) != 0; /* a sure pass is a pass */
		cand = nm_cs_range_u16(fol16, nm_cs_key_u32(lo), nm_cs_key_u32(hi), &border);
		exact = exact_u32(u32, lo, hi);
		mismatches += (exact & ~cand) != 0;
		mismatches += ((cand & ~border) & ~exact) != 0;
	}
	CHECK(mismatches == 0);
}

static void test_rules(void)
{
	uint8_t ver[64] = {0};
	ver[0] = 0x80;
	ver[5] = 0x85;
	ver[63] = 0xff;
	ver[7] = 0x7f; /* a version without the live bit */
	CHECK(nm_cs_live(ver) == (1ull | 1ull << 5 | 1ull << 63));

	uint32_t fol[64];
	for (int i = 0; i < 64; i++)
		fol[i] = (uint32_t)i * 1000u;
	fol[63] = UINT32_MAX; /* its key is the largest, not a negative one */
	uint16_t fkey[64];
	for (int i = 0; i < 64; i++)
		fkey[i] = nm_cs_key_u32(fol[i]);
	uint64_t fb;
	CHECK(nm_cs_range_u16(fkey, nm_cs_key_u32(2000), nm_cs_key_u32(4000), &fb) ==
	      (1ull << 2 | 1ull << 3 | 1ull << 4));
	CHECK(fb == (1ull << 2 | 1ull << 4));
	CHECK(nm_cs_range_u16(fkey, nm_cs_key_u32(62000), nm_cs_key_u32(UINT32_MAX), &fb) ==
	      (1ull << 62 | 1ull << 63));
	CHECK(nm_cs_range_u16(fkey, nm_cs_key_u32(5), nm_cs_key_u32(4), &fb) == 0);

	struct nm_cs_set s;
	memset(&s, 0, sizeof s);
	uint16_t codes[64] = {0};
	codes[1] = 539; /* US */
	codes[2] = 158; /* GB */
	codes[3] = 539;
	nm_cs_set_add(&s, 539);
	nm_cs_set_add(&s, 539); /* a repeat is one value */
	CHECK(s.n == 1);
	CHECK(nm_cs_in16(codes, &s) == (1ull << 1 | 1ull << 3));
	struct nm_cs_set none;
	memset(&none, 0, sizeof none);
	CHECK(nm_cs_in16(codes, &none) == 0); /* an empty set passes nothing */
	struct nm_cs_set many;
	memset(&many, 0, sizeof many);
	for (uint16_t v = 100; v < 120; v++) /* past NM_CS_VEC_VALUES: the bitset */
		nm_cs_set_add(&many, v);
	nm_cs_set_add(&many, 158);
	CHECK(many.n > NM_CS_VEC_VALUES);
	CHECK(nm_cs_in16(codes, &many) == 1ull << 2);

	uint16_t er[64];
	for (int i = 0; i < 64; i++)
		er[i] = nm_cs_key_rate((double)i / 100.0);
	er[10] = nm_cs_key_rate(-1.0); /* unknown: below every bound's key */
	CHECK(er[10] == 0);
	uint64_t border;
	uint64_t m = nm_cs_range_u16(er, nm_cs_key_rate_bound(0.05), nm_cs_key_rate_bound(0.07),
				     &border);
	CHECK(m == (1ull << 5 | 1ull << 6 | 1ull << 7));
	CHECK(border == (1ull << 5 | 1ull << 7));
	m = nm_cs_range_u16(er, nm_cs_key_rate_bound(-INFINITY), nm_cs_key_rate_bound(INFINITY),
			    &border);
	CHECK(m == ~(1ull << 10)); /* no bounds: every known rate */
	CHECK(nm_cs_key_rate(NAN) == 0 && nm_cs_key_rate(0.0) == 1 &&
	      nm_cs_key_rate(1.0) == 65535 && nm_cs_key_rate(7.5) == 65535);
	/* keys are monotone (every rule above rests on it) and 16-bit ranges compare unsigned */
	uint16_t prev = 0;
	bool monotone = true;
	for (uint64_t v = 0; v <= UINT32_MAX; v += v / 64 + 1) {
		uint16_t k = nm_cs_key_u32((uint32_t)v);
		monotone = monotone && k >= prev;
		prev = k;
	}
	CHECK(monotone && nm_cs_key_u32(UINT32_MAX) >= prev);
	uint16_t big[64];
	for (int i = 0; i < 64; i++)
		big[i] = (uint16_t)(65535 - i);
	CHECK(nm_cs_range_u16(big, 65534, 65535, &border) == 3 && border == 3);

	CHECK(nm_cs_popcount(0) == 0);
	CHECK(nm_cs_popcount(~0ull) == 64);
	CHECK(nm_cs_popcount(0x8000000000000001ull) == 2);
}

int main(void)
{
	test_against_scalar();
	test_rules();
	CHECK_DONE();
}
