// Matches of a brand (#/matches/<brand id>): run, then the stored run's results in a
// table with a status control per row and a bulk status for the selected rows.
// (Filters, sort, score points, flags and CSV download plug in here when the match-page
// API has them.)
import { useEffect, useLayoutEffect, useState } from 'preact/hooks';
import { api } from '../api.js';
import { navigate } from '../router.js';
import { cents, compact, money, percent, STATUSES } from '../format.js';
import { Empty, Loading, ProblemBox } from '../components/states.jsx';

const PAGE = 200;

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

  async function load() {
    try {
      const p = await api('GET', `/v1/brands/${brandId}/matches?limit=${PAGE}`);
      performance.mark('nm-matches-data');
      setPage(p);
    } catch (e) {
      if (e.status === 404) setPage(null);
      else setError(e);
    }
  }

  useEffect(() => {
    load();
  }, [brandId]);

  async function run() {
    setRunning(true);
    setError(null);
    setNotice('');
    try {
      const r = await api('POST', `/v1/brands/${brandId}/matches`, { body: {} });
      setSelected(new Set());
      await load();
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
    } catch (e) {
      setError(e);
    }
  }

  const rows = page ? page.data : [];
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
            Run {page.run_id} · {rows.length} results{page.next_cursor ? ' (first ' + PAGE + ')' : ''}
          </span>
        )}
      </div>
      <p class="notice" role="status" aria-live="polite">
        {notice}
      </p>
      <ProblemBox error={error} />
      {page === undefined && !error && <Loading what="Loading matches" />}
      {page === null && <Empty>No run yet for this brand. {canWrite ? 'Press “Run matches”.' : ''}</Empty>}
      {page && rows.length === 0 && <Empty>The last run found no creator that passes the brand’s filters.</Empty>}
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
            <th scope="col">Reasons</th>
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
  );
}

function MatchRow({ m, canWrite, checked, toggle, setStatus }) {
  const c = m.creator;
  const who = c.display_name || '@' + c.handle;
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
      </td>
      <td>{c.tier}</td>
      <td class="num">{percent(c.engagement_rate)}</td>
      <td class="num">{money(c.price_per_post_cents)}</td>
      <td class="num">{m.estimates ? cents(m.estimates.cost_per_engagement_cents) : '—'}</td>
      <td class="num score">{m.score.toFixed(1)}</td>
      <td class="reasons">
        <ul>
          {(m.reasons || []).map((r, i) => (
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

