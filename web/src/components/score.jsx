// The score's component points as a stacked bar, its legend, and flags as badges.
// A row's bar is one element (200 rows render in the matches bench): its segments are a
// hard-stop gradient set through the CSSOM (element.style, which the CSP allows; a style
// attribute in markup it would not). Its text alternative is the label naming every
// component's points (role="img"). The legend uses the same colours.
export const COMPONENTS = [
  ['niche', 'niche', '#0b5cad'],
  ['engagement', 'engagement', '#1d8a4a'],
  ['tier_fit', 'tier fit', '#8a5cc2'],
  ['audience', 'audience', '#d17a00'],
  ['cost_efficiency', 'cost', '#c23b6a'],
  ['authenticity', 'authenticity', '#2a8c9c'],
  ['activity', 'activity', '#6b7280'],
];

export function pointsText(points) {
  return COMPONENTS.filter(([k]) => points[k] !== undefined)
    .map(([k, label]) => `${label} ${Number(points[k]).toFixed(1)}`)
    .join(', ');
}

function gradient(points) {
  let x = 0;
  const stops = [];
  for (const [k, , colour] of COMPONENTS) {
    const w = Math.max(0, Number(points[k]) || 0);
    if (w > 0) stops.push(`${colour} ${x}% ${Math.min(100, x + w)}%`);
    x = Math.min(100, x + w);
  }
  stops.push(`#eef1f4 ${x}% 100%`);
  return `linear-gradient(to right, ${stops.join(', ')})`;
}

export function PointsBar({ points, score }) {
  const label = `Score ${score.toFixed(1)} of 100: ${pointsText(points)}`;
  return <span class="points" role="img" aria-label={label} title={label} style={{ backgroundImage: gradient(points) }} />;
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
