// Creators: the pool with the filters GET /v1/creators has today (platform, handle,
// country, followers, category, words), paged by cursor; #/creators/<id> is one creator.
// (Facets, type-ahead, sort and lookalikes plug in when the search API has them.)
import { useEffect, useState } from 'preact/hooks';
import { api, query } from '../api.js';
import { compact, count, date, percent, money, PLATFORMS } from '../format.js';
import { Empty, Loading, ProblemBox, fieldError } from '../components/states.jsx';

export default function Creators({ route }) {
  const id = route.parts[1] ? Number(route.parts[1]) : null;
  return id ? <CreatorDetail id={id} /> : <CreatorList />;
}

const EMPTY = { q: '', platform: '', handle: '', country: '', category: '', min_followers: '', max_followers: '' };

function CreatorList() {
  const [filters, setFilters] = useState(EMPTY);
  const [applied, setApplied] = useState(EMPTY);
  const [rows, setRows] = useState(null);
  const [cursor, setCursor] = useState(null);
  const [error, setError] = useState(null);
  const [loading, setLoading] = useState(false);

  async function fetchPage(f, after) {
    setLoading(true);
    setError(null);
    try {
      const page = await api('GET', '/v1/creators' + query({ ...f, limit: 50, cursor: after }));
      setRows((old) => (after && old ? [...old, ...page.data] : page.data));
      setCursor(page.next_cursor);
    } catch (e) {
      setError(e);
      if (!after) setRows([]);
    } finally {
      setLoading(false);
    }
  }

  useEffect(() => {
    fetchPage(applied, null);
  }, [applied]);

  const set = (k) => (e) => setFilters({ ...filters, [k]: e.currentTarget.value });
  const err = (k) => fieldError(error, k);
  const text = (k, label, props = {}) => (
    <div class={'field' + (err(k) ? ' invalid' : '')}>
      <label for={'f_' + k}>{label}</label>
      <input id={'f_' + k} name={k} value={filters[k]} onInput={set(k)} aria-invalid={err(k) ? 'true' : undefined} {...props} />
    </div>
  );

  return (
    <section aria-labelledby="creators-h">
      <h1 id="creators-h" tabIndex={-1}>Creators</h1>
      <form
        class="card filters"
        role="search"
        aria-label="Filter creators"
        onSubmit={(e) => {
          e.preventDefault();
          setApplied({ ...filters });
        }}
      >
        {text('q', 'Words in bio, categories, hashtags', { type: 'search' })}
        <div class="field">
          <label for="f_platform">Platform</label>
          <select id="f_platform" value={filters.platform} onChange={set('platform')}>
            <option value="">any</option>
            {PLATFORMS.map((p) => (
              <option key={p} value={p}>
                {p}
              </option>
            ))}
          </select>
        </div>
        {text('handle', 'Handle')}
        {text('country', 'Country (ISO)', { maxLength: 2, size: 4 })}
        {text('category', 'Category')}
        {text('min_followers', 'Followers from', { type: 'number', min: 0 })}
        {text('max_followers', 'Followers up to', { type: 'number', min: 0 })}
        <div class="form-actions">
          <button type="submit">Search</button>
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setFilters(EMPTY);
              setApplied(EMPTY);
            }}
          >
            Clear
          </button>
        </div>
      </form>
      <ProblemBox error={error} title="The search failed" />
      {rows === null && <Loading what="Loading creators" />}
      {rows && rows.length === 0 && !error && <Empty>No creator matches these filters. Import some on the Import screen.</Empty>}
      {rows && rows.length > 0 && (
        <div class="table-wrap" role="region" aria-label="Creators table" tabIndex={0}>
          <table class="data">
            <thead>
              <tr>
                <th scope="col">Creator</th>
                <th scope="col">Platform</th>
                <th scope="col" class="num">Followers</th>
                <th scope="col">Tier</th>
                <th scope="col" class="num">ER</th>
                <th scope="col">Country</th>
                <th scope="col">Categories</th>
              </tr>
            </thead>
            <tbody>
              {rows.map((c) => (
                <tr key={c.id}>
                  <td class="creator">
                    <a href={`#/creators/${c.id}`}>{c.display_name || '@' + c.handle}</a>
                    <span class="muted handle">@{c.handle}</span>
                  </td>
                  <td>{c.platform}</td>
                  <td class="num">{compact(c.followers)}</td>
                  <td>{c.tier}</td>
                  <td class="num">{percent(c.engagement_rate)}</td>
                  <td>{c.country || '—'}</td>
                  <td>{(c.categories || []).join(', ')}</td>
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
          <dl class="facts">
            <dt>Followers</dt>
            <dd>{count(c.followers)} ({c.tier})</dd>
            <dt>Engagement rate</dt>
            <dd>{percent(c.engagement_rate, 2)}</dd>
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
            <dt>Data updated</dt>
            <dd>{date(c.updated_at)}</dd>
          </dl>
        </>
      )}
    </section>
  );
}
