// Creators: search the pool (GET /v1/creators): words with type-ahead (debounced), every
// filter the search has, sort, the exact total and facet counts beside the filters (a
// facet value is a button that filters by it), "Load more" by cursor, the CSV of the same
// filters; #/creators/<id> is one creator with its tier, engagement against the tier's
// benchmark, flags, its data's age and confidence, and its status history with a brand.
// Above the search, the pool's data health (GET /v1/stats) with one-click freshness filters.
import { useEffect, useRef, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { compact, count, date, percent, money, PLATFORMS, TIERS } from '../format.js';
import { Empty, Loading, ProblemBox, fieldError } from '../components/states.jsx';
import { Flags } from '../components/score.jsx';
import { CONFIDENCE, DataQuality, ageDays, ageText, codesText } from '../components/data.jsx';
import { DataHealth } from '../components/data-health.jsx';

export default function Creators({ route }) {
  const id = route.parts[1] ? Number(route.parts[1]) : null;
  return id ? <CreatorDetail id={id} /> : <CreatorList />;
}

const EMPTY = {
  q: '', platform: '', tier: '', handle: '', country: '', language: '', category: '',
  min_followers: '', max_followers: '', min_er: '', max_er: '', has_email: '', has_price: '',
  active_within_days: '', max_data_age_days: '', min_confidence: '', sort: '',
};
const FACETS = ['platform', 'tier', 'country', 'language', 'category'];
const SORTS = [
  ['', 'id (oldest first)'],
  ['-followers', 'most followers'],
  ['followers', 'fewest followers'],
  ['-engagement_rate', 'highest engagement'],
  ['price_per_post_cents', 'lowest price'],
  ['-last_post_at', 'most recent post'],
  ['-updated_at', 'recently updated'],
];
const TYPE_AHEAD_MS = 250;

// The API's parameters from the form (engagement typed in percent).
export function searchParams(f) {
  const { min_er, max_er, ...rest } = f;
  const pct = (v) => (v === '' ? '' : String(Number(v) / 100));
  return { ...rest, min_engagement_rate: pct(min_er), max_engagement_rate: pct(max_er) };
}

function CreatorList() {
  const [filters, setFilters] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [total, setTotal] = useState(null);
  const [facets, setFacets] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);
  const timer = useRef(null);
  const seq = useRef(0);

  async function fetchPage(f, after) {
    const mine = ++seq.current;
    setLoading(true);
    setError(null);
    try {
      const params = { ...searchParams(f), limit: 50, cursor: after };
      if (!after) params.facets = FACETS.join(',');
      const page = await api('GET', '/v1/creators' + query(params));
      if (mine !== seq.current) return; // a newer search (type-ahead) answered or is on its way
      setRows((old) => (after && old ? [...old, ...page.data] : page.data));
      setCursor(page.next_cursor);
      setTotal(page.total);
      if (page.facets) setFacets(page.facets);
    } catch (e) {
      if (mine !== seq.current) return;
      setError(e);
      if (!after) setRows([]);
    } finally {
      if (mine === seq.current) setLoading(false);
    }
  }

  useEffect(() => {
    fetchPage(applied, null);
  }, [applied]);
  useEffect(() => () => clearTimeout(timer.current), []);

  const set = (k) => (e) => setFilters({ ...filters, [k]: e.currentTarget.value });
  // Words search as one types: the search runs TYPE_AHEAD_MS after the last key.
  const typeAhead = (e) => {
    const next = { ...filters, q: e.currentTarget.value };
    setFilters(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => setApplied(next), TYPE_AHEAD_MS);
  };
  const apply = (next) => {
    clearTimeout(timer.current);
    setFilters(next);
    setApplied(next);
  };
  const err = (k) => fieldError(error, k);
  const text = (k, label, props = {}, apiName = k) => (
    <div class={'field' + (err(apiName) ? ' invalid' : '')}>
      <label for={'f_' + k}>{label}</label>
      <input id={'f_' + k} name={k} value={filters[k]} onInput={set(k)} aria-invalid={err(apiName) ? 'true' : undefined} {...props} />
    </div>
  );
  const pick = (k, label, options) => (
    <div class="field">
      <label for={'f_' + k}>{label}</label>
      <select id={'f_' + k} value={filters[k]} onChange={set(k)}>
        {options.map(([v, t]) => (
          <option key={v} value={v}>
            {t}
          </option>
        ))}
      </select>
    </div>
  );
  const any = (values) => [['', 'any'], ...values.map((v) => [v, v])];
  const yesNo = [['', 'any'], ['true', 'yes'], ['false', 'no']];
  // The export is in id order: it takes every filter but not `sort`.
  const csvHref = '/v1/creators.csv' + query({ ...searchParams(applied), sort: '' });

  return (
    <section aria-labelledby="creators-h">
      <h1 id="creators-h" tabIndex={-1}>Creators</h1>
      <DataHealth applied={applied} apply={apply} />
      <form
        class="card filters"
        role="search"
        aria-label="Filter creators"
        onSubmit={(e) => {
          e.preventDefault();
          apply({ ...filters });
        }}
      >
        <div class={'field' + (err('q') ? ' invalid' : '')}>
          <label for="f_q">Words in bio, categories, hashtags</label>
          <input id="f_q" name="q" type="search" value={filters.q} onInput={typeAhead} autocomplete="off"
            aria-describedby="f_q_help" aria-invalid={err('q') ? 'true' : undefined} />
          <p class="help" id="f_q_help">Searches as you type; "exact phrase", -exclude</p>
        </div>
        {pick('platform', 'Platform', any(PLATFORMS))}
        {pick('tier', 'Tier', any(TIERS))}
        {text('handle', 'Handle')}
        {text('country', 'Country (ISO)', { maxLength: 2, size: 4 })}
        {text('language', 'Language (ISO)', { maxLength: 2, size: 4 })}
        {text('category', 'Category')}
        {text('min_followers', 'Followers from', { type: 'number', min: 0 })}
        {text('max_followers', 'Followers up to', { type: 'number', min: 0 })}
        {text('min_er', 'Engagement from (%)', { type: 'number', min: 0, max: 100, step: 'any' }, 'min_engagement_rate')}
        {text('max_er', 'Engagement up to (%)', { type: 'number', min: 0, max: 100, step: 'any' }, 'max_engagement_rate')}
        {pick('has_email', 'Has an email', yesNo)}
        {pick('has_price', 'Has a price', yesNo)}
        {text('active_within_days', 'Posted within (days)', { type: 'number', min: 0 })}
        {text('max_data_age_days', 'Data at most (days old)', { type: 'number', min: 0, max: 36500 })}
        {pick('min_confidence', 'Data confidence at least', any(CONFIDENCE))}
        {pick('sort', 'Sort by', SORTS)}
        <div class="form-actions">
          <button type="submit">Search</button>
          <button type="button" class="secondary" onClick={() => apply(EMPTY)}>
            Clear
          </button>
        </div>
      </form>
      {facets && <Facets facets={facets} applied={applied} apply={apply} />}
      <div class="toolbar">
        <p class="muted" role="status" aria-live="polite" id="creators-total">
          {total === null ? '' : `${count(total)} creator${total === 1 ? '' : 's'} match`}
          {loading ? ' · searching…' : ''}
        </p>
        <a class="button secondary" href={csvHref} download="creators.csv">
          Download CSV
        </a>
      </div>
      <ProblemBox error={error} title="The search failed" />
      {rows === null && <Loading what="Loading creators" />}
      {rows && rows.length === 0 && !error && <Empty>No creator matches these filters. Import some on the Import screen.</Empty>}
      {rows && rows.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Creators table" tabIndex={0}>
          <table class="data creators">
            <thead>
              <tr>
                <th scope="col">Creator</th>
                <th scope="col">Platform</th>
                <th scope="col" class="num">Followers</th>
                <th scope="col">Tier</th>
                <th scope="col" class="num">ER</th>
                <th scope="col" class="num">Price</th>
                <th scope="col">Country</th>
                <th scope="col">Categories</th>
                <th scope="col">Data</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id} data-creator-id={c.id}>
                  <td class="creator">
                    <a href={`#/creators/${c.id}`}>{c.display_name || '@' + c.handle}</a>
                    <span class="muted handle">@{c.handle}</span>
                    <Flags flags={c.flags} />
                    <a class="similar-link" href={`#/lookalikes/creator/${c.id}`} aria-label={'Find similar to ' + (c.display_name || '@' + c.handle)}>
                      Find similar
                    </a>
                  </td>
                  <td>{c.platform}</td>
                  <td class="num">{compact(c.followers)}</td>
                  <td>{c.tier}</td>
                  <td class="num">
                    {percent(c.engagement_rate)}
                    {c.engagement_benchmark && c.engagement_benchmark.ratio != null && (
                      <span class="muted handle">{c.engagement_benchmark.ratio.toFixed(1)}× tier median</span>
                    )}
                  </td>
                  <td class="num">{money(c.price_per_post_cents)}</td>
                  <td>{c.country || '—'}</td>
                  <td>{(c.categories || []).join(', ')}</td>
                  <td>
                    <DataQuality creator={c} />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {cursor && (
        <button type="button" class="secondary" disabled={loading} onClick={() => fetchPage(applied, cursor)}>
          {loading ? 'Loading…' : 'Load more'}
        </button>
      )}
    </section>
  );
}

// Facet counts of the current search, per field; a value filters by it.
function Facets({ facets, applied, apply }) {
  return (
    <div class="card facets" aria-label="Counts by field" role="group">
      {FACETS.filter((f) => Array.isArray(facets[f]) && facets[f].length > 0).map((f) => (
        <div key={f} class={'facet facet-' + f}>
          <h2>{f}</h2>
          <ul>
            {facets[f].slice(0, 8).map((v) => (
              <li key={v.value} data-value={v.value}>
                <button type="button" class="link" aria-pressed={applied[f] === v.value ? 'true' : 'false'}
                  onClick={() => apply({ ...applied, [f]: applied[f] === v.value ? '' : v.value })}>
                  {v.value}
                </button>{' '}
                <span class="muted facet-count">{count(v.count)}</span>
              </li>
            ))}
          </ul>
        </div>
      ))}
    </div>
  );
}

function CreatorDetail({ id }) {
  const [c, setC] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', `/v1/creators/${id}`).then(setC, setError);
  }, [id]);
  return (
    <section aria-labelledby="creator-h">
      <p>
        <a href="#/creators">← All creators</a>
      </p>
      {error && (
        <>
          <h1 id="creator-h" tabIndex={-1}>Creator {id}</h1>
          <ProblemBox error={error} title="Could not load the creator" />
        </>
      )}
      {!c && !error && <Loading what="Loading the creator" />}
      {c && (
        <>
          <h1 id="creator-h" tabIndex={-1}>
            {c.display_name || '@' + c.handle}
          </h1>
          <p class="muted">
            @{c.handle} on {c.platform}
            {c.profile_url && /^https?:\/\//.test(c.profile_url) && (
              <>
                {' · '}
                <a href={c.profile_url} rel="noopener noreferrer" target="_blank">
                  profile
                </a>
              </>
            )}
          </p>
          {c.bio && <p class="bio">{c.bio}</p>}
          <p>
            <a class="button secondary" href={`#/lookalikes/creator/${c.id}`}>
              Find similar creators
            </a>
          </p>
          <dl class="facts">
            <dt>Followers</dt>
            <dd>{count(c.followers)}</dd>
            <dt>Tier</dt>
            <dd>{c.tier}</dd>
            <dt>Engagement rate</dt>
            <dd>
              {percent(c.engagement_rate, 2)}
              {c.engagement_benchmark && c.engagement_benchmark.median_rate != null && (
                <span class="muted">
                  {' '}
                  (tier median {percent(c.engagement_benchmark.median_rate, 2)}
                  {c.engagement_benchmark.ratio != null ? `: ${c.engagement_benchmark.ratio.toFixed(2)}×` : ''})
                </span>
              )}
            </dd>
            <dt>Flags</dt>
            <dd>{c.flags && c.flags.length ? <Flags flags={c.flags} /> : 'none'}</dd>
            <dt>Price per post</dt>
            <dd>{money(c.price_per_post_cents)}</dd>
            <dt>Country · language</dt>
            <dd>
              {c.country || '—'} · {c.language || '—'}
            </dd>
            <dt>Categories</dt>
            <dd>{(c.categories || []).join(', ') || '—'}</dd>
            <dt>Hashtags</dt>
            <dd>{(c.hashtags || []).map((h) => '#' + h).join(' ') || '—'}</dd>
            <dt>Last post</dt>
            <dd>{date(c.last_post_at)}</dd>
            <dt>Data measured</dt>
            <dd>
              {date(c.data_as_of)} <span class="muted">({ageText(ageDays(c.data_as_of))})</span>
            </dd>
            <dt>Data confidence</dt>
            <dd class="confidence-detail">
              <span class={'badge conf conf-' + c.confidence}>{c.confidence}</span>
              {c.confidence_codes && c.confidence_codes.length ? ' lowered by: ' + codesText(c.confidence_codes) : ''}
            </dd>
            <dt>Posts sampled</dt>
            <dd>{c.sample_posts == null ? 'not stated' : count(c.sample_posts)}</dd>
            <dt>Engagement rate source</dt>
            <dd>{c.er_source === 'derived' ? 'computed by us from the averages' : c.er_source === 'given' ? 'as exported' : '—'}</dd>
            <dt>Record updated</dt>
            <dd>{date(c.updated_at)}</dd>
          </dl>
          <StatusHistory creatorId={c.id} />
        </>
      )}
    </section>
  );
}

// The creator's pipeline status and its history with one brand (chosen here).
function StatusHistory({ creatorId }) {
  const [brands, setBrands] = useState(null);
  const [brandId, setBrandId] = useState('');
  const [hist, setHist] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    api('GET', '/v1/brands?limit=200').then(
      (l) => {
        setBrands(l.data);
        if (l.data.length) setBrandId(String(l.data[0].id));
      },
      () => setBrands([]),
    );
  }, []);
  useEffect(() => {
    if (!brandId) return;
    setHist(null);
    setError(null);
    api('GET', `/v1/brands/${brandId}/creators/${creatorId}/history?limit=100`).then((h) => setHist(h.data), setError);
  }, [brandId, creatorId]);
  if (!brands || brands.length === 0) return null;
  return (
    <div class="card history">
      <h2 id="history-h">Status history</h2>
      <div class="toolbar">
        <label for="history-brand">With brand</label>
        <select id="history-brand" value={brandId} onChange={(e) => setBrandId(e.currentTarget.value)}>
          {brands.map((b) => (
            <option key={b.id} value={b.id}>
              {b.name}
            </option>
          ))}
        </select>
      </div>
      <ProblemBox error={error} title="Could not load the history" />
      {hist === null && !error && <Loading what="Loading the history" />}
      {hist && hist.length === 0 && <p class="muted">No status with this brand yet.</p>}
      {hist && hist.length > 0 && (
        <ol class="timeline" aria-labelledby="history-h">
          {hist.map((h) => (
            <li key={h.id}>
              <strong>{h.from || 'none'} → {h.to || 'none'}</strong> <span class="muted">{date(h.created_at)}</span>
              {' · '}
              {h.key_name || (h.key_id ? 'key ' + h.key_id : h.source)}
              {h.note ? ' · ' + h.note : ''}
            </li>
          ))}
        </ol>
      )}
    </div>
  );
}
