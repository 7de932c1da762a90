// Budget plans (#/plan/<brand id>[/<plan id>]): a budget in dollars, a goal and a number
// of creators in; the portfolio, its totals, the single big account it is compared with,
// the comparison sentence and a chart of both out; the brand's past plans.
import { useEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { cents, compact, count, money, percent } from '../format.js';
import { Empty, Loading, ProblemBox, fieldError } from '../components/states.jsx';
import { Confidence } from '../components/data.jsx';

export default function Plan({ route, session }) {
  const brandId = route.parts[1] ? Number(route.parts[1]) : null;
  const planId = route.parts[2] ? Number(route.parts[2]) : null;
  const [brands, setBrands] = useState(null);
  const [brandsError, setBrandsError] = useState(null);
  useEffect(() => {
    api('GET', '/v1/brands?limit=200').then((l) => setBrands(l.data), setBrandsError);
  }, []);
  const brand = brands && brands.find((b) => b.id === brandId);
  return (
    <section aria-labelledby="plan-h">
      <h1 id="plan-h" tabIndex={-1}>
        Plan{brand ? ' for ' + brand.name : ''}
      </h1>
      <ProblemBox error={brandsError} title="Could not load the brands" />
      {!brands && !brandsError && <Loading what="Loading brands" />}
      {brands && brands.length === 0 && (
        <Empty>
          <p>
            No brands yet: <a href="#/brands/new">create one</a> first.
          </p>
        </Empty>
      )}
      {brands && brands.length > 0 && (
        <div class="toolbar">
          <label for="plan-brand">Brand</label>
          <select id="plan-brand" value={brandId || ''} onChange={(e) => navigate('plan/' + e.currentTarget.value)}>
            <option value="">Choose a brand…</option>
            {brands.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {brand && <BrandPlans key={brandId} brand={brand} planId={planId} canWrite={session.key.role !== 'read'} />}
    </section>
  );
}

function BrandPlans({ brand, planId, canWrite }) {
  const [form, setForm] = useState({ budget: '5000', goal: brand.goal || 'engagement', max_creators: '20' });
  const [plan, setPlan] = useState(null);
  const [past, setPast] = useState(null);
  const [error, setError] = useState(null);
  const [busy, setBusy] = useState(false);

  async function loadPast() {
    try {
      setPast((await api('GET', `/v1/brands/${brand.id}/plans?limit=20`)).data);
    } catch (e) {
      setPast([]);
    }
  }
  useEffect(() => {
    loadPast();
  }, [brand.id]);
  useEffect(() => {
    if (!planId) return;
    if (plan && plan.id === planId) return;
    setError(null);
    api('GET', `/v1/brands/${brand.id}/plans/${planId}`).then(setPlan, setError);
  }, [planId]);

  async function submit(e) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body = { budget_cents: Math.round(Number(form.budget) * 100), goal: form.goal };
      if (form.max_creators !== '') body.max_creators = Number(form.max_creators);
      const p = await api('POST', `/v1/brands/${brand.id}/plans`, { body });
      setPlan(p);
      navigate(`plan/${brand.id}/${p.id}`);
      loadPast();
    } catch (e2) {
      setError(e2);
    } finally {
      setBusy(false);
    }
  }
  const set = (k) => (e) => setForm({ ...form, [k]: e.currentTarget.value });
  const err = (k) => fieldError(error, k);

  return (
    <div>
      {canWrite && (
        <form class="card filters" onSubmit={submit} noValidate aria-label="New plan">
          <div class={'field' + (err('budget_cents') ? ' invalid' : '')}>
            <label for="plan_budget">Budget ($)</label>
            <input id="plan_budget" type="number" min={0.01} step="any" value={form.budget} onInput={set('budget')}
              aria-invalid={err('budget_cents') ? 'true' : undefined} />
          </div>
          <div class="field">
            <label for="plan_goal">Goal</label>
            <select id="plan_goal" value={form.goal} onChange={set('goal')}>
              <option value="engagement">engagement</option>
              <option value="awareness">awareness</option>
              <option value="conversions">conversions</option>
            </select>
          </div>
          <div class={'field' + (err('max_creators') ? ' invalid' : '')}>
            <label for="plan_max">Most creators</label>
            <input id="plan_max" type="number" min={1} max={100} value={form.max_creators} onInput={set('max_creators')}
              aria-invalid={err('max_creators') ? 'true' : undefined} />
          </div>
          <div class="form-actions">
            <button type="submit" disabled={busy}>
              {busy ? 'Planning…' : 'Make a plan'}
            </button>
          </div>
        </form>
      )}
      <ProblemBox error={error} title="No plan" />
      {busy && <Loading what="Choosing the portfolio" />}
      {plan && <PlanView plan={plan} />}
      <h2>Past plans</h2>
      {past === null && <Loading what="Loading plans" />}
      {past && past.length === 0 && <Empty>No plan for this brand yet.</Empty>}
      {past && past.length > 0 && (
        <ul class="past-plans">
          {past.map((p) => (
            <li key={p.id}>
              <a href={`#/plan/${brand.id}/${p.id}`} aria-current={plan && plan.id === p.id ? 'true' : undefined}>
                Plan {p.id}
              </a>
              {' · '}
              {money(p.request && p.request.budget_cents)} · {p.goal} · {p.totals ? count(p.totals.creators) + ' creators' : ''}
              <span class="muted"> · {new Date(p.created_at).toLocaleString('en-GB')}</span>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

function PlanView({ plan }) {
  const t = plan.totals;
  const alt = plan.alternative;
  return (
    <div class="plan-result">
      <div class="card">
        <h2>
          Plan {plan.id}: {count(t.creators)} creators for {money(t.cost_cents)}
        </h2>
        {plan.comparison ? (
          <p class="summary">{plan.comparison.summary}</p>
        ) : (
          <p class="muted">{plan.alternative_reason || 'No single-account alternative to compare with.'}</p>
        )}
        <dl class="facts">
          <dt>Budget</dt>
          <dd>{money(plan.request && plan.request.budget_cents)}</dd>
          <dt>Cost</dt>
          <dd>{money(t.cost_cents)}</dd>
          <dt>Expected engagements</dt>
          <dd>{count(Math.round(t.engagements))}</dd>
          <dt>Expected reach</dt>
          <dd>{count(Math.round(t.reach))}</dd>
          <dt>Cost per engagement</dt>
          <dd>{cents(t.cost_per_engagement_cents)}</dd>
          {alt && (
            <>
              <dt>Single big account</dt>
              <dd>
                @{alt.creator.handle} ({compact(alt.creator.followers)} followers): {money(alt.totals.cost_cents)},{' '}
                {count(Math.round(alt.totals.engagements))} engagements, reach {count(Math.round(alt.totals.reach))},{' '}
                {cents(alt.totals.cost_per_engagement_cents)} per engagement
              </dd>
            </>
          )}
        </dl>
      </div>
      {alt && <CompareChart plan={t} alt={alt.totals} handle={alt.creator.handle} />}
      <div class="table-wrap" role="region" aria-label="Portfolio" tabIndex={0}>
        <table class="data portfolio">
          <caption>Portfolio, best first</caption>
          <thead>
            <tr>
              <th scope="col">Creator</th>
              <th scope="col">Tier</th>
              <th scope="col" class="num">ER</th>
              <th scope="col" class="num">Price</th>
              <th scope="col" class="num">Engagements</th>
              <th scope="col" class="num">Reach</th>
              <th scope="col" class="num">Score</th>
              <th scope="col">Data</th>
            </tr>
          </thead>
          <tbody>
            {plan.portfolio.map((e) => (
              <tr key={e.creator.id}>
                <td class="creator">
                  <a href={`#/creators/${e.creator.id}`}>{e.creator.display_name || '@' + e.creator.handle}</a>
                  <span class="muted handle">
                    @{e.creator.handle} · {e.creator.platform} · {compact(e.creator.followers)}
                  </span>
                </td>
                <td>{e.creator.tier}</td>
                <td class="num">{percent(e.creator.engagement_rate)}</td>
                <td class="num">
                  {money(e.price_cents)}
                  {e.price_source === 'estimated' && <span class="muted handle">estimated</span>}
                </td>
                <td class="num">{count(Math.round(e.expected_engagements))}</td>
                <td class="num">{count(Math.round(e.expected_reach))}</td>
                <td class="num">{e.score.toFixed(1)}</td>
                <td>
                  <Confidence level={e.confidence} codes={e.confidence_codes} />
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </div>
  );
}

// Portfolio against the single big account: three pairs of horizontal bars (engagements,
// reach, cost per engagement), each pair scaled to its larger value. Plain SVG with a
// text alternative (role=img + label) and the figures printed beside the bars.
function CompareChart({ plan, alt, handle }) {
  const metrics = [
    ['Engagements', plan.engagements, alt.engagements, (v) => count(Math.round(v))],
    ['Reach', plan.reach, alt.reach, (v) => count(Math.round(v))],
    ['Cost per engagement (lower is better)', plan.cost_per_engagement_cents, alt.cost_per_engagement_cents, cents],
  ];
  const W = 560;
  const labelW = 0;
  const barMax = 360;
  const rowH = 64;
  const label = metrics.map(([name, a, b, f]) => `${name}: portfolio ${f(a)}, @${handle} ${f(b)}`).join('; ');
  return (
    <figure class="card chart-fig">
      <figcaption>
        <strong>Portfolio against @{handle}</strong>
        <span class="muted"> (green: this plan, grey: the single big account)</span>
      </figcaption>
      <svg class="chart" viewBox={`0 0 ${W} ${metrics.length * rowH}`} role="img" aria-label={label}>
        <title>{label}</title>
        {metrics.map(([name, a, b, f], i) => {
          const max = Math.max(a || 0, b || 0) || 1;
          const y = i * rowH;
          return (
            <g key={name}>
              <text x="0" y={y + 12}>
                {name}
              </text>
              <rect class="bar-plan" x={labelW} y={y + 18} height="16" width={(barMax * (a || 0)) / max} />
              <text x={labelW + (barMax * (a || 0)) / max + 6} y={y + 31}>
                {'plan ' + f(a)}
              </text>
              <rect class="bar-alt" x={labelW} y={y + 38} height="16" width={(barMax * (b || 0)) / max} />
              <text x={labelW + (barMax * (b || 0)) / max + 6} y={y + 51}>
                {'@' + handle + ' ' + f(b)}
              </text>
            </g>
          );
        })}
      </svg>
    </figure>
  );
}
