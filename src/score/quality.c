/* Data-quality notes for match results (see nm/confidence.h). Separate from score.c so the
 * result builder can add them to its flags and explanations without touching the scorer. */
#include <stdio.h>

#include "nm/confidence.h"
#include "nm/score.h"

static size_t note(struct nm_quality_note *out, size_t n, size_t max, const char *code,
		   const char *component, double value, double benchmark)
{
	if (n >= max)
		return n;
	out[n] = (struct nm_quality_note){
		.code = code, .component = component, .value = value, .benchmark = benchmark};
	return n + 1;
}

size_t nm_quality_notes(const struct nm_score_query *q, const struct nm_score_features *f,
			struct nm_quality_note *out, size_t max)
{
	size_t n = 0;
	enum nm_platform p =
		f->platform < NM_PLATFORM_COUNT ? (enum nm_platform)f->platform : NM_PLATFORM_OTHER;
	enum nm_tier t = nm_tier_of(f->followers);
	double bench = nm_score_bench_rate(q->bench, p, t);
	unsigned sample = f->sample & NM_SCORE_SAMPLE_MASK;
	if (f->engagement_rate >= 0 && nm_engagement_unusually_high(f->engagement_rate, bench)) {
		size_t k = n;
		n = note(out, n, max, "engagement_unusually_high", "engagement", f->engagement_rate,
			 bench);
		if (n > k)
			snprintf(out[k].text, sizeof out[k].text,
				 "Engagement %.1f%%, %.1fx the %s %s median: " NM_CONF_UNUSUAL_TEXT,
				 100.0 * f->engagement_rate, f->engagement_rate / bench,
				 nm_platform_label(p), nm_tier_name(t));
	}
	if (f->engagement_rate >= 0 && sample > 0 && sample < NM_CONF_THIN_POSTS) {
		size_t k = n;
		n = note(out, n, max, "thin_sample", "engagement", sample, NM_CONF_THIN_POSTS);
		if (n > k)
			snprintf(
				out[k].text, sizeof out[k].text,
				"Engagement rests on %u sampled post%s; weighted toward the median",
				sample, sample == 1 ? "" : "s");
	}
	if (q->has_countries && f->n_aud == 0 && (f->sample & NM_SCORE_COUNTRY_GEOTAG) &&
	    f->country[0]) {
		size_t k = n;
		n = note(out, n, max, "content_country", "audience", 0, 0);
		if (n > k)
			snprintf(out[k].text, sizeof out[k].text, "Posts tagged in %.2s",
				 f->country);
	}
	return n;
}
