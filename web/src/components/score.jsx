// The score's component points as a stacked bar, its legend, and flags as badges.
// The bar is SVG with attributes only (the CSP allows no inline style); its text
// alternative is the aria-label naming every component's points.
export const COMPONENTS = [
  ['niche', 'niche'],
  ['engagement', 'engagement'],
  ['tier_fit', 'tier fit'],
  ['audience', 'audience'],
  ['cost_efficiency', 'cost'],
  ['authenticity', 'authenticity'],
  ['activity', 'activity'],
];

export function pointsText(points) {
  return COMPONENTS.filter(([k]) => points[k] !== undefined)
    .map(([k, label]) => `${label} ${Number(points[k]).toFixed(1)}`)
    .join(', ');
}

export function PointsBar({ points, score }) {
  let x = 0;
  const label = `Score ${score.toFixed(1)} of 100: ${pointsText(points)}`;
  return (
    <svg class="points" viewBox="0 0 100 10" preserveAspectRatio="none" role="img" aria-label={label}>
      <title>{label}</title>
      <rect class="pt-track" x="0" y="0" width="100" height="10" />
      {COMPONENTS.map(([k]) => {
        const w = Math.max(0, Number(points[k]) || 0);
        const r = <rect key={k} class={'pt-' + k} x={x} y="0" width={w} height="10" />;
        x += w;
        return r;
      })}
    </svg>
  );
}

export function PointsLegend() {
  return (
    <ul class="legend" aria-label="Score components, in bar order">
      {COMPONENTS.map(([k, label]) => (
        <li key={k}>
          <svg viewBox="0 0 10 10" aria-hidden="true">
            <rect class={'pt-' + k} width="10" height="10" />
          </svg>
          {label}
        </li>
      ))}
    </ul>
  );
}

const FLAG_TEXT = {
  engagement_far_below_tier: 'engagement far below tier',
  engagement_below_half_tier: 'engagement below half the tier median',
  no_engagement_rate: 'no engagement rate',
  follow_ratio: 'follows many accounts',
  growth_spike: 'follower spike',
  no_price: 'no price',
};

export function Flags({ flags }) {
  if (!flags || flags.length === 0) return null;
  return (
    <ul class="badges" aria-label="Flags">
      {flags.map((f) => (
        <li key={f} class={'badge' + (f === 'no_price' || f === 'no_engagement_rate' ? ' info' : ' warn')} title={f}>
          {FLAG_TEXT[f] || f.replace(/_/g, ' ')}
        </li>
      ))}
    </ul>
  );
}
