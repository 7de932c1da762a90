// "Data health" of the creator pool (GET /v1/stats): how many creators' numbers were
// measured how long ago and how solid they are, in total and per platform × tier, with
// one-click search filters (max_data_age_days, min_confidence) whose counts add up the
// buckets they keep. Bars are plain SVG from attributes (the CSP allows no style markup).
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { count } from '../format.js';
import { Loading, ProblemBox } from './states.jsx';

export const AGE_BUCKETS = [
  ['0_30d', '0–30 days'],
  ['31_90d', '31–90 days'],
  ['91_180d', '91–180 days'],
  ['181_365d', '181–365 days'],
  ['over_365d', 'over a year'],
  ['unknown', 'unknown'],
];
const CONF_LEVELS = [
  ['high', 'high'],
  ['medium', 'medium'],
  ['low', 'low'],
];
// Search shortcuts: [filter, value, label, buckets it keeps].
const AGE_FILTERS = [
  ['30', '≤ 30 days old', ['0_30d']],
  ['90', '≤ 90 days old', ['0_30d', '31_90d']],
  ['180', '≤ 180 days old', ['0_30d', '31_90d', '91_180d']],
];
const CONF_FILTERS = [
  ['high', 'high confidence', ['high']],
  ['medium', 'medium or high', ['high', 'medium']],
];

// GET /v1/stats counts the whole pool in one scan (no server-side cache): the answer is
// kept here for a minute, so going back and forth between screens does not repeat it.
const STATS_TTL_MS = 60000;
let cached = null; // {at, stats}

export function forgetStats() {
  cached = null;
}

const sum = (obj, keys) => keys.reduce((a, k) => a + ((obj && obj[k]) || 0), 0);
const pct = (n, total) => (total ? Math.round((100 * n) / total) + '%' : '—');

function Bars({ id, title, rows, values, total }) {
  return (
    <div class="health-part">
      <h3 id={id}>{title}</h3>
      <ul class="funnel-steps health-steps" aria-labelledby={id}>
        {rows.map(([k, label]) => {
          const n = (values && values[k]) || 0;
          return (
            <li key={k} data-bucket={k}>
              <span class="funnel-label">{label}</span>
              <svg class={'funnel-bar bar-' + k} viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
                <rect x="0" y="0" height="10" width={total ? (100 * n) / total : 0} />
              </svg>
              <span class="num health-count">{count(n)}</span>
            </li>
          );
        })}
      </ul>
    </div>
  );
}

// applied: the search's current filters; apply(next): runs the search with them.
export function DataHealth({ applied, apply }) {
  const [stats, setStats] = useState(() => (cached && Date.now() - cached.at < STATS_TTL_MS ? cached.stats : null));
  const [error, setError] = useState(null);
  const [asked, setAsked] = useState(0); // "Count again" bumps it
  useEffect(() => {
    if (asked === 0 && cached && Date.now() - cached.at < STATS_TTL_MS) return setStats(cached.stats);
    let live = true;
    setError(null);
    api('GET', '/v1/stats').then(
      (s) => {
        cached = { at: Date.now(), stats: s };
        if (live) setStats(s);
      },
      (e) => live && setError(e),
    );
    return () => (live = false);
  }, [asked]);

  if (error) return <ProblemBox error={error} title="Could not load the data health" />;
  if (!stats) return <Loading what="Loading the data health" />;
  const total = stats.creators || 0;
  const fresh = sum(stats.data_age, ['0_30d', '31_90d']);
  const shortcut = (key, value, label, keeps, from) => {
    const on = applied[key] === value;
    return (
      <button key={key + value} type="button" class="secondary" aria-pressed={on ? 'true' : 'false'} data-filter={key + '=' + value}
        onClick={() => apply({ ...applied, [key]: on ? '' : value })}>
        {label} <span class="muted">{count(sum(from, keeps))}</span>
      </button>
    );
  };
  return (
    <section class="card health" aria-labelledby="health-h">
      <div class="title-row">
        <h2 id="health-h">Data health</h2>
        <button type="button" class="link" onClick={() => setAsked(asked + 1)}>
          Count again
        </button>
      </div>
      {total === 0 ? (
        <p class="muted">No creators yet: import some on the Import screen.</p>
      ) : (
        <>
          <p class="health-summary">
            {count(total)} creators · {pct(fresh, total)} measured in the last 90 days ·{' '}
            {pct((stats.confidence && stats.confidence.high) || 0, total)} high confidence
            {cached && <span class="muted"> · counted at {new Date(cached.at).toLocaleTimeString('en-GB')}</span>}
          </p>
          <div class="health-grid">
            <Bars id="health-age-h" title="Data age" rows={AGE_BUCKETS} values={stats.data_age} total={total} />
            <Bars id="health-conf-h" title="Confidence" rows={CONF_LEVELS} values={stats.confidence} total={total} />
          </div>
          <div class="suggest health-filters" role="group" aria-label="Search only creators with">
            <span class="muted">Search only:</span>
            {AGE_FILTERS.map(([v, label, keeps]) => shortcut('max_data_age_days', v, label, keeps, stats.data_age))}
            {CONF_FILTERS.map(([v, label, keeps]) => shortcut('min_confidence', v, label, keeps, stats.confidence))}
          </div>
          {Array.isArray(stats.by_platform_tier) && stats.by_platform_tier.length > 0 && (
            <details>
              <summary>By platform and tier</summary>
              <div class="table-wrap" role="region" aria-label="Data health by platform and tier" tabIndex={0}>
                <table class="data compact health-table">
                  <thead>
                    <tr>
                      <th scope="col">Platform</th>
                      <th scope="col">Tier</th>
                      <th scope="col" class="num">Creators</th>
                      {AGE_BUCKETS.map(([k, label]) => (
                        <th scope="col" class="num" key={k}>
                          {label}
                        </th>
                      ))}
                      {CONF_LEVELS.map(([k, label]) => (
                        <th scope="col" class="num" key={k}>
                          {label} conf.
                        </th>
                      ))}
                    </tr>
                  </thead>
                  <tbody>
                    {stats.by_platform_tier.map((c) => (
                      <tr key={c.platform + c.tier} data-cell={c.platform + '/' + c.tier}>
                        <th scope="row">{c.platform}</th>
                        <td>{c.tier}</td>
                        <td class="num">{count(c.creators)}</td>
                        {AGE_BUCKETS.map(([k]) => (
                          <td class="num" key={k}>
                            {count((c.data_age && c.data_age[k]) || 0)}
                          </td>
                        ))}
                        {CONF_LEVELS.map(([k]) => (
                          <td class="num" key={k}>
                            {count((c.confidence && c.confidence[k]) || 0)}
                          </td>
                        ))}
                      </tr>
                    ))}
                  </tbody>
                </table>
              </div>
            </details>
          )}
        </>
      )}
    </section>
  );
}
