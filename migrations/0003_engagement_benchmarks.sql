-- Median engagement rate per platform and follower tier (SPEC §5 rule 4), per follower:
-- (likes + comments [+ shares]) / followers. Sources and the choice between them are in
-- docs/scoring.md ("Benchmarks"); each row names its own in `source`.
-- The compiled-in default in src/score/bench.c MUST hold the same numbers
-- (tests/unit/test_score.c reads this file and checks every row against it).
-- Tiers: nano < 10k <= micro < 100k <= mid < 500k <= macro < 1M <= mega.
-- Operators may UPDATE rows with better data; re-running the seed never overwrites them.

CREATE TABLE IF NOT EXISTS engagement_benchmarks (
	platform text NOT NULL CHECK (platform IN ('instagram', 'tiktok', 'youtube', 'twitter',
		'facebook', 'twitch', 'linkedin', 'pinterest', 'other')),
	tier text NOT NULL CHECK (tier IN ('nano', 'micro', 'mid', 'macro', 'mega')),
	median_rate double precision NOT NULL CHECK (median_rate > 0 AND median_rate <= 1),
	source text NOT NULL,
	PRIMARY KEY (platform, tier)
);

INSERT INTO engagement_benchmarks (platform, tier, median_rate, source) VALUES
	('instagram', 'nano', 0.0219, 'Statista 2023 global, Instagram 1K-10K avg ER 2.19% (via datasetsearch.research.google.com snippet, secondary)'),
	('instagram', 'micro', 0.0226, 'Statista UK 2021, Instagram 5K-20K ER 2.26% (same snippet, secondary); consistent with Later x Fohr 2021 all-influencer 1.9-2.2% and Insense micro 2-4%'),
	('instagram', 'mid', 0.0162, 'HypeAuditor study of 36k Instagram influencers: 20K to 1M+ all within 1.54-1.62%, upper end used for 100K-500K (hypeauditor.com blog)'),
	('instagram', 'macro', 0.0154, 'HypeAuditor study of 36k Instagram influencers: 20K to 1M+ all within 1.54-1.62%, lower end used for 500K-1M (hypeauditor.com blog)'),
	('instagram', 'mega', 0.0121, 'Archive.com 2025 compilation attributing Influencer Marketing Hub, Instagram 1M+ ER 1.21% (secondary)'),
	('tiktok', 'nano', 0.1030, 'Archive.com 2025 compilation, TikTok nano ER 10.3% (secondary); HypeAuditor 2023 reports 12.6%'),
	('tiktok', 'micro', 0.0870, 'Archive.com 2025 compilation, TikTok micro ER 8.7% (secondary)'),
	('tiktok', 'mid', 0.0602, 'Geometric interpolation between Archive.com 2025 micro 8.7% and IQFluence 2025 10M+ 2.88%; bracketed by calculatecreator.com 2026 macro 2.64% (low confidence) and Captiv8 >1.5M 4.95% (per view)'),
	('tiktok', 'macro', 0.0416, 'Geometric interpolation between Archive.com 2025 micro 8.7% and IQFluence 2025 10M+ 2.88% (see mid row)'),
	('tiktok', 'mega', 0.0288, 'IQFluence blog 2025, TikTok 10M+ ER 2.88% (per follower; Captiv8 4.95% is per view and not used)'),
	('youtube', 'nano', 0.0290, 'No tiered YouTube figure found: CreatorIQ/Tribe Dynamics YouTube mega 1.6%, scaled by the Instagram tier shape (Instagram 2.19% / 1.21%)'),
	('youtube', 'micro', 0.0299, 'No tiered YouTube figure found: CreatorIQ/Tribe Dynamics YouTube mega 1.6%, scaled by the Instagram tier shape (Instagram 2.26% / 1.21%)'),
	('youtube', 'mid', 0.0214, 'No tiered YouTube figure found: CreatorIQ/Tribe Dynamics YouTube mega 1.6%, scaled by the Instagram tier shape (Instagram 1.62% / 1.21%)'),
	('youtube', 'macro', 0.0204, 'No tiered YouTube figure found: CreatorIQ/Tribe Dynamics YouTube mega 1.6%, scaled by the Instagram tier shape (Instagram 1.54% / 1.21%)'),
	('youtube', 'mega', 0.0160, 'CreatorIQ/Tribe Dynamics sponsored content, YouTube mega ER 1.6% (omnesinfluencers.com, secondary)'),
	('twitter', 'nano', 0.0219, 'Stand-in: no tiered twitter benchmark found (MARKET.md); the Instagram nano figure is used until one is published'),
	('twitter', 'micro', 0.0226, 'Stand-in: no tiered twitter benchmark found (MARKET.md); the Instagram micro figure is used until one is published'),
	('twitter', 'mid', 0.0162, 'Stand-in: no tiered twitter benchmark found (MARKET.md); the Instagram mid figure is used until one is published'),
	('twitter', 'macro', 0.0154, 'Stand-in: no tiered twitter benchmark found (MARKET.md); the Instagram macro figure is used until one is published'),
	('twitter', 'mega', 0.0121, 'Stand-in: no tiered twitter benchmark found (MARKET.md); the Instagram mega figure is used until one is published'),
	('facebook', 'nano', 0.0219, 'Stand-in: no tiered facebook benchmark found (MARKET.md); the Instagram nano figure is used until one is published'),
	('facebook', 'micro', 0.0226, 'Stand-in: no tiered facebook benchmark found (MARKET.md); the Instagram micro figure is used until one is published'),
	('facebook', 'mid', 0.0162, 'Stand-in: no tiered facebook benchmark found (MARKET.md); the Instagram mid figure is used until one is published'),
	('facebook', 'macro', 0.0154, 'Stand-in: no tiered facebook benchmark found (MARKET.md); the Instagram macro figure is used until one is published'),
	('facebook', 'mega', 0.0121, 'Stand-in: no tiered facebook benchmark found (MARKET.md); the Instagram mega figure is used until one is published'),
	('twitch', 'nano', 0.0219, 'Stand-in: no tiered twitch benchmark found (MARKET.md); the Instagram nano figure is used until one is published'),
	('twitch', 'micro', 0.0226, 'Stand-in: no tiered twitch benchmark found (MARKET.md); the Instagram micro figure is used until one is published'),
	('twitch', 'mid', 0.0162, 'Stand-in: no tiered twitch benchmark found (MARKET.md); the Instagram mid figure is used until one is published'),
	('twitch', 'macro', 0.0154, 'Stand-in: no tiered twitch benchmark found (MARKET.md); the Instagram macro figure is used until one is published'),
	('twitch', 'mega', 0.0121, 'Stand-in: no tiered twitch benchmark found (MARKET.md); the Instagram mega figure is used until one is published'),
	('linkedin', 'nano', 0.0219, 'Stand-in: no tiered linkedin benchmark found (MARKET.md); the Instagram nano figure is used until one is published'),
	('linkedin', 'micro', 0.0226, 'Stand-in: no tiered linkedin benchmark found (MARKET.md); the Instagram micro figure is used until one is published'),
	('linkedin', 'mid', 0.0162, 'Stand-in: no tiered linkedin benchmark found (MARKET.md); the Instagram mid figure is used until one is published'),
	('linkedin', 'macro', 0.0154, 'Stand-in: no tiered linkedin benchmark found (MARKET.md); the Instagram macro figure is used until one is published'),
	('linkedin', 'mega', 0.0121, 'Stand-in: no tiered linkedin benchmark found (MARKET.md); the Instagram mega figure is used until one is published'),
	('pinterest', 'nano', 0.0219, 'Stand-in: no tiered pinterest benchmark found (MARKET.md); the Instagram nano figure is used until one is published'),
	('pinterest', 'micro', 0.0226, 'Stand-in: no tiered pinterest benchmark found (MARKET.md); the Instagram micro figure is used until one is published'),
	('pinterest', 'mid', 0.0162, 'Stand-in: no tiered pinterest benchmark found (MARKET.md); the Instagram mid figure is used until one is published'),
	('pinterest', 'macro', 0.0154, 'Stand-in: no tiered pinterest benchmark found (MARKET.md); the Instagram macro figure is used until one is published'),
	('pinterest', 'mega', 0.0121, 'Stand-in: no tiered pinterest benchmark found (MARKET.md); the Instagram mega figure is used until one is published'),
	('other', 'nano', 0.0219, 'Stand-in: no tiered other benchmark found (MARKET.md); the Instagram nano figure is used until one is published'),
	('other', 'micro', 0.0226, 'Stand-in: no tiered other benchmark found (MARKET.md); the Instagram micro figure is used until one is published'),
	('other', 'mid', 0.0162, 'Stand-in: no tiered other benchmark found (MARKET.md); the Instagram mid figure is used until one is published'),
	('other', 'macro', 0.0154, 'Stand-in: no tiered other benchmark found (MARKET.md); the Instagram macro figure is used until one is published'),
	('other', 'mega', 0.0121, 'Stand-in: no tiered other benchmark found (MARKET.md); the Instagram mega figure is used until one is published')
ON CONFLICT (platform, tier) DO NOTHING;
