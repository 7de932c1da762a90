// How old and how solid a creator's numbers are (issue 16): the data's age from
// `data_as_of` (whole days, as the API counts them) and the `confidence` level with the
// codes that lowered it, in words. Used by every list that shows creators.
export const CONFIDENCE = ['high', 'medium', 'low'];

export const CODE_TEXT = {
  stale: 'data over 180 days old',
  thin_sample: 'few posts sampled',
  derived_er: 'engagement computed by us',
  no_audience_data: 'no audience data',
  no_price: 'no price',
};

// Whole days since `iso` (86,400-second days; a date ahead of the clock is 0), or null.
export function ageDays(iso, now = Date.now()) {
  if (!iso) return null;
  const t = Date.parse(iso);
  if (isNaN(t)) return null;
  return Math.max(0, Math.floor((now - t) / 86400000));
}

export function ageText(days) {
  if (days === null) return 'age unknown';
  if (days === 0) return 'today';
  return days === 1 ? '1 day old' : `${days.toLocaleString('en-US')} days old`;
}

// Fresh up to 90 days, ageing to 180, stale beyond (the API's `stale` code).
function ageClass(days) {
  if (days === null || days > 180) return 'stale';
  return days > 90 ? 'ageing' : 'fresh';
}

export function codesText(codes) {
  return (codes || []).map((c) => CODE_TEXT[c] || c.replace(/_/g, ' ')).join(', ');
}

// "medium confidence" badge; the reasons follow as muted text unless `brief`.
export function Confidence({ level, codes, brief }) {
  if (!level) return null;
  const why = codesText(codes);
  return (
    <span class="conf-wrap">
      <span class={'badge conf conf-' + level} title={why ? `${level} confidence: ${why}` : `${level} confidence`}>
        {level} confidence
      </span>
      {!brief && why && <span class="muted handle">{why}</span>}
    </span>
  );
}

// The data's age and confidence of one creator, for a table cell.
export function DataQuality({ creator, brief }) {
  const days = ageDays(creator.data_as_of);
  return (
    <div class="data-quality">
      <span class={'age age-' + ageClass(days)} title={creator.data_as_of ? 'data as of ' + creator.data_as_of : undefined}>
        {ageText(days)}
      </span>
      <Confidence level={creator.confidence} codes={creator.confidence_codes} brief={brief} />
    </div>
  );
}
