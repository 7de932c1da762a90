// Matches of a brand (#/matches/<brand id>): run, then the stored run's results in a
// table with a status control per row and a bulk status for the selected rows; the match
// page's filters (status, tier, platform, country, min_score), the run's funnel, the
// brand's pipeline counts, the score's points as a stacked bar, flags, and the CSV of the
// filtered results.
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { navigate } from '../router.js';
import { cents, compact, count, money, percent, STATUSES, PLATFORMS, TIERS } from '../format.js';
import { Empty, Loading, ProblemBox } from '../components/states.jsx';
import { Flags, PointsBar, PointsLegend } from '../components/score.jsx';

const PAGE = 200;
const NO_FILTERS = { status: '', tier: '', platform: '', country: '', min_score: '' };

export default function Matches({ route, session }) {
  const brandId = route.parts[1] ? Number(route.parts[1]) : null;
  const [brands, setBrands] = useState(null);
  const [brandsError, setBrandsError] = useState(null);

  useEffect(() => {
    api('GET', '/v1/brands?limit=200').then((l) => setBrands(l.data), setBrandsError);
  }, []);

  const brand = brands && brands.find((b) => b.id === brandId);
  return (
    <section aria-labelledby="matches-h">
      <h1 id="matches-h" tabIndex={-1}>
        Matches{brand ? ' for ' + brand.name : ''}
      </h1>
      <ProblemBox error={brandsError} title="Could not load the brands" />
      {!brands && !brandsError && <Loading what="Loading brands" />}
      {brands && (
        <div class="toolbar">
          <label for="brand-pick">Brand</label>
          <select id="brand-pick" value={brandId || ''} onChange={(e) => navigate('matches/' + e.currentTarget.value)}>
            <option value="">Choose a brand…</option>
            {brands.map((b) => (
              <option key={b.id} value={b.id}>
                {b.name}
              </option>
            ))}
          </select>
        </div>
      )}
      {brand && (brand.max_data_age_days != null || brand.min_confidence) && (
        <p class="muted brand-rules">
          Runs keep only creators with data{brand.max_data_age_days != null ? ` at most ${count(brand.max_data_age_days)} days old` : ''}
          {brand.max_data_age_days != null && brand.min_confidence ? ' and' : ''}
          {brand.min_confidence ? ` of ${brand.min_confidence} confidence or better` : ''} (the brand’s settings:{' '}
          <a href={`#/brands/${brand.id}/edit`}>edit</a>).
        </p>
      )}
      {brands && brands.length === 0 && (
        <Empty>
          <p>
            No brands yet: <a href="#/brands/new">create one</a> first.
          </p>
        </Empty>
      )}
      {brandId && <Results key={brandId} brandId={brandId} canWrite={session.key.role !== 'read'} />}
    </section>
  );
}

function Results({ brandId, canWrite }) {
  const [page, setPage] = useState(undefined); // undefined: loading; null: no run yet
  const [error, setError] = useState(null);
  const [running, setRunning] = useState(false);
  const [selected, setSelected] = useState(() => new Set());
  const [bulkStatus, setBulkStatus] = useState('shortlisted');
  const [notice, setNotice] = useState('');
  const [filters, setFilters] = useState(NO_FILTERS);
  const [applied, setApplied] = useState(NO_FILTERS);
  const [pipeline, setPipeline] = useState(null);

  async function loadPipeline() {
    try {
      setPipeline(await api('GET', `/v1/brands/${brandId}/pipeline`));
    } catch (e) {
      setPipeline(null);
    }
  }

  async function load(f = applied) {
    setError(null);
    try {
      const p = await api('GET', `/v1/brands/${brandId}/matches` + query({ ...f, limit: PAGE }));
      performance.mark('nm-matches-data');
      setPage(p);
    } catch (e) {
      if (e.status === 404) setPage(null);
      else setError(e);
    }
  }

  useEffect(() => {
    load(applied);
  }, [brandId, applied]);
  useEffect(() => {
    loadPipeline();
  }, [brandId]);

  async function run() {
    setRunning(true);
    setError(null);
    setNotice('');
    try {
      const r = await api('POST', `/v1/brands/${brandId}/matches`, { body: {} });
      setSelected(new Set());
      await load();
      loadPipeline();
      setNotice(`Run ${r.run.id}: ${r.run.candidates} candidates, ${r.run.stored} results stored.`);
    } catch (e) {
      setError(e);
    } finally {
      setRunning(false);
    }
  }

  async function setStatus(creatorId, status) {
    setError(null);
    try {
      if (status) await api('PUT', `/v1/brands/${brandId}/creators/${creatorId}/status`, { body: { status } });
      else await api('DELETE', `/v1/brands/${brandId}/creators/${creatorId}/status`);
      setPage((p) => ({ ...p, data: p.data.map((m) => (m.creator.id === creatorId ? { ...m, status: status || null } : m)) }));
      setNotice(`Status of creator ${creatorId}: ${status || 'none'}.`);
      loadPipeline();
    } catch (e) {
      setError(e);
    }
  }

  async function applyBulk() {
    const ids = [...selected];
    setError(null);
    try {
      const r = await api('POST', `/v1/brands/${brandId}/statuses`, { body: { creator_ids: ids, status: bulkStatus } });
      setPage((p) => ({ ...p, data: p.data.map((m) => (selected.has(m.creator.id) ? { ...m, status: bulkStatus } : m)) }));
      setSelected(new Set());
      setNotice(`${r.count} creators set to ${bulkStatus} (${r.changed} changed).`);
      loadPipeline();
    } catch (e) {
      setError(e);
    }
  }

  const rows = page ? page.data : [];
  const filtered = Object.values(applied).some((v) => v !== '');
  const csvHref = `/v1/brands/${brandId}/matches.csv` + query({ ...applied, run_id: page ? page.run_id : undefined });
  const setF = (k) => (e) => setFilters({ ...filters, [k]: e.currentTarget.value });
  const pick = (k, label, values) => (
    <div class="field">
      <label for={'m_' + k}>{label}</label>
      <select id={'m_' + k} value={filters[k]} onChange={setF(k)}>
        <option value="">any</option>
        {values.map((v) => (
          <option key={v} value={v}>
            {v === 'none' ? 'no status yet' : v}
          </option>
        ))}
      </select>
    </div>
  );
  const allSelected = rows.length > 0 && rows.every((m) => selected.has(m.creator.id));
  function toggle(id, on) {
    const s = new Set(selected);
    if (on) s.add(id);
    else s.delete(id);
    setSelected(s);
  }

  return (
    <div>
      <div class="toolbar">
        {canWrite && (
          <button type="button" onClick={run} disabled={running}>
            {running ? 'Running…' : 'Run matches'}
          </button>
        )}
        {page && (
          <span class="muted">
            Run {page.run_id} · {rows.length} results{filtered ? ' (filtered)' : ''}
            {page.next_cursor ? ' (first ' + PAGE + ')' : ''}
          </span>
        )}
        {page && (
          <a class="button secondary" href={csvHref} download="matches.csv">
            Download CSV
          </a>
        )}
        <a class="button secondary" href={`#/lookalikes/brand/${brandId}`}>
          Find creators like your picks
        </a>
      </div>
      <div class="overview">
        {pipeline && <PipelineFunnel pipeline={pipeline} />}
        {page && page.run && <RunFunnel run={page.run} shown={rows.length} filtered={filtered} />}
      </div>
      {page && (
        <form
          class="card filters"
          role="search"
          aria-label="Filter matches"
          onSubmit={(e) => {
            e.preventDefault();
            setApplied({ ...filters });
          }}
        >
          {pick('status', 'Status', ['none', ...STATUSES])}
          {pick('tier', 'Tier', TIERS)}
          {pick('platform', 'Platform', PLATFORMS)}
          <div class="field">
            <label for="m_country">Country (ISO)</label>
            <input id="m_country" value={filters.country} onInput={setF('country')} maxLength={2} size={4} />
          </div>
          <div class="field">
            <label for="m_min_score">Minimum score</label>
            <input id="m_min_score" type="number" min={0} max={100} step="any" value={filters.min_score} onInput={setF('min_score')} />
          </div>
          <div class="form-actions">
            <button type="submit">Filter</button>
            <button
              type="button"
              class="secondary"
              onClick={() => {
                setFilters(NO_FILTERS);
                setApplied(NO_FILTERS);
              }}
            >
              Clear
            </button>
          </div>
        </form>
      )}
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ProblemBox error={error} />
      {page === undefined && !error && <Loading what="Loading matches" />}
      {page === null && <Empty>No run yet for this brand. {canWrite ? 'Press “Run matches”.' : ''}</Empty>}
      {page && rows.length === 0 && (
        <Empty>{filtered ? 'No result of this run passes these filters.' : 'The last run found no creator that passes the brand’s filters.'}</Empty>
      )}
      {page && rows.length > 0 && canWrite && (
        <div class="toolbar bulk" aria-label="Bulk status">
          <span>{selected.size} selected</span>
          <label for="bulk-status">Set status</label>
          <select id="bulk-status" value={bulkStatus} onChange={(e) => setBulkStatus(e.currentTarget.value)}>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
          <button type="button" onClick={applyBulk} disabled={selected.size === 0}>
            Apply to selected
          </button>
        </div>
      )}
      {page && rows.length > 0 && (
        <MatchTable rows={rows} canWrite={canWrite} selected={selected} allSelected={allSelected} toggle={toggle}
          toggleAll={(on) => setSelected(on ? new Set(rows.map((m) => m.creator.id)) : new Set())} setStatus={setStatus} />
      )}
    </div>
  );
}

function MatchTable({ rows, canWrite, selected, allSelected, toggle, toggleAll, setStatus }) {
  // Rendering 200 rows is the hot path of this screen: rows are plain text nodes. The
  // browser tests read this measure: data arrived → rows committed to the DOM and laid
  // out (the forced layout counts style and layout; waiting for the next frame is left
  // out, it measures the machine's load rather than the page).
  useLayoutEffect(() => {
    if (performance.getEntriesByName('nm-matches-data').length === 0) return;
    void document.body.offsetHeight;
    performance.mark('nm-matches-rendered');
    performance.measure('nm-matches-render', 'nm-matches-data', 'nm-matches-rendered');
    performance.clearMarks('nm-matches-data');
  }, [rows]);
  return (
    <>
    <PointsLegend />
    <div class="table-wrap" role="region" aria-label="Match results" tabIndex={0}>
      <table class="data matches">
        <thead>
          <tr>
            {canWrite && (
              <th scope="col">
                <input type="checkbox" aria-label="Select all" checked={allSelected} onChange={(e) => toggleAll(e.currentTarget.checked)} />
              </th>
            )}
            <th scope="col" class="num">Rank</th>
            <th scope="col">Creator</th>
            <th scope="col">Tier</th>
            <th scope="col" class="num">ER</th>
            <th scope="col" class="num">Price</th>
            <th scope="col" class="num">Per engagement</th>
            <th scope="col" class="num">Score</th>
            <th scope="col">Points</th>
            <th scope="col">Why</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((m) => (
            <MatchRow key={m.creator.id} m={m} canWrite={canWrite} checked={selected.has(m.creator.id)} toggle={toggle} setStatus={setStatus} />
          ))}
        </tbody>
      </table>
    </div>
    </>
  );
}

function MatchRow({ m, canWrite, checked, toggle, setStatus }) {
  const c = m.creator;
  const who = c.display_name || '@' + c.handle;
  // Data over 180 days old (issue 16): a badge of its own, not one sentence among many.
  const stale = m.explanations && m.explanations.find((x) => x.code === 'data_stale');
  return (
    <tr data-creator-id={c.id}>
      {canWrite && (
        <td>
          <input type="checkbox" aria-label={'Select ' + who} checked={checked} onChange={(e) => toggle(c.id, e.currentTarget.checked)} />
        </td>
      )}
      <td class="num rank">{m.rank}</td>
      <td class="creator">
        <a href={`#/creators/${c.id}`}>{who}</a>
        <span class="muted handle">
          @{c.handle} · {c.platform} · {compact(c.followers)}
        </span>
        <a class="similar-link" href={`#/lookalikes/creator/${c.id}`} aria-label={'Find similar to ' + who}>
          Find similar
        </a>
      </td>
      <td>{c.tier}</td>
      <td class="num">
        {percent(c.engagement_rate)}
        {bench(m)}
      </td>
      <td class="num">{money(c.price_per_post_cents)}</td>
      <td class="num">{m.estimates ? cents(m.estimates.cost_per_engagement_cents) : '—'}</td>
      <td class="num score">{m.score.toFixed(1)}</td>
      <td>{m.points ? <PointsBar points={m.points} score={m.score} /> : '—'}</td>
      <td class="reasons">
        <Flags flags={m.flags} />
        {stale && (
          <p class="badge stale" title="The creator's numbers were measured this long ago: check them before contacting">
            {stale.text}
          </p>
        )}
        <ul>
          {(m.explanations ? m.explanations.filter((x) => x !== stale).map((x) => x.text) : m.reasons || []).map((r, i) => (
            <li key={i}>{r}</li>
          ))}
        </ul>
      </td>
      <td>
        {canWrite ? (
          <select aria-label={'Status of ' + who} value={m.status || ''} onChange={(e) => setStatus(c.id, e.currentTarget.value)}>
            <option value="">—</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        ) : (
          m.status || '—'
        )}
      </td>
    </tr>
  );
}


// "3.8× median" under the rate, from the engagement explanation (value ÷ benchmark).
function bench(m) {
  const x = (m.explanations || []).find((e) => e.code === 'engagement_vs_tier');
  if (!x || !x.benchmark) return null;
  return <span class="muted handle">{(x.value / x.benchmark).toFixed(1)}× tier median</span>;
}

// The brand's pipeline as a funnel: latest run → statuses, each a bar of its count.
function PipelineFunnel({ pipeline }) {
  const steps = [];
  if (pipeline.latest_run) steps.push(['matched (latest run)', pipeline.latest_run.stored]);
  for (const s of ['shortlisted', 'contacted', 'accepted']) steps.push([s, pipeline.counts[s] || 0]);
  const max = Math.max(1, ...steps.map((x) => x[1]));
  return (
    <div class="card funnel" role="group" aria-labelledby="pipeline-h">
      <h2 id="pipeline-h">Pipeline</h2>
      <ul class="funnel-steps">
        {steps.map(([label, n]) => (
          <li key={label}>
            <span class="funnel-label">{label}</span>
            <svg class="funnel-bar" viewBox="0 0 100 10" preserveAspectRatio="none" aria-hidden="true">
              <rect x="0" y="0" height="10" width={(100 * n) / max} />
            </svg>
            <span class="num">{count(n)}</span>
          </li>
        ))}
      </ul>
      <p class="muted">
        declined {count(pipeline.counts.declined || 0)} · excluded {count(pipeline.counts.excluded || 0)} · total {count(pipeline.total)}
      </p>
    </div>
  );
}

const RULES = {
  niche_relevance_zero: 'no niche or keyword in common',
  follower_range: 'outside the follower range',
  platform: 'not on the brand’s platforms',
  min_engagement: 'below the minimum engagement rate',
  target_countries_required: 'not in the required countries',
  exclude_keywords: 'an excluded keyword',
  exclude_handles: 'an excluded handle',
  status_declined_or_excluded: 'declined or excluded',
  data_too_old: 'data older than the brand allows',
  confidence_below_minimum: 'data confidence below the brand’s minimum',
};

// The run's funnel: how many creators each hard rule removed; with few or no results,
// the rule that removed most is named ("why so few results").
function RunFunnel({ run, shown, filtered }) {
  const f = run.funnel;
  if (!f || !Array.isArray(f.rules)) return null;
  const worst = f.rules.reduce((a, r) => (r.removed > (a ? a.removed : 0) ? r : a), null);
  const zero = f.rules.find((r) => r.after === 0);
  const few = run.stored < 20;
  return (
    <div class="card run-funnel">
      {few && worst && (
        <p class="why" role="note">
          <strong>Why so few results?</strong> {zero ? 'Everyone was removed by the rule “' : 'Most creators were removed by the rule “'}
          {RULES[(zero || worst).rule] || (zero || worst).rule}” ({count((zero || worst).removed)} of {count((zero || worst).before)}).
        </p>
      )}
      <details open={few}>
        <summary>
          Run {run.id}: {count(f.pool)} creators in the pool → {count(f.candidates)} candidates → {count(run.stored)} stored
          {filtered ? ` (${count(shown)} shown)` : ''}
        </summary>
        <table class="data compact">
          <caption>Creators removed by each hard rule, in order</caption>
          <thead>
            <tr>
              <th scope="col">Rule</th>
              <th scope="col" class="num">Before</th>
              <th scope="col" class="num">Removed</th>
              <th scope="col" class="num">After</th>
            </tr>
          </thead>
          <tbody>
            {f.rules.map((r) => (
              <tr key={r.rule}>
                <th scope="row">{RULES[r.rule] || r.rule}</th>
                <td class="num">{count(r.before)}</td>
                <td class="num">{count(r.removed)}</td>
                <td class="num">{count(r.after)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </details>
    </div>
  );
}
